using FluentValidation;
using HeadlessNews.Api.Infrastructure.Domain;
using Mapster;

namespace HeadlessNews.Api.Features.Articles;

/// <param name="Name">The display name in the default language.</param>
/// <param name="Translations">The name (and description) by language, e.g. {"cy": {"name": "Harbwr"}}; articles in that language show it.</param>
public sealed record SaveTermRequest(string Name, IReadOnlyDictionary<string, NameTranslation>? Translations = null);

/// <summary>A tag or place; its slug (how articles name it) never changes.</summary>
public sealed record TermResponse(Guid Id, string Slug, string Name, IReadOnlyDictionary<string, NameTranslation> Translations, int Version, DateTimeOffset UpdatedAt);

public sealed class SaveTermRequestValidator : AbstractValidator<SaveTermRequest>
{
    public SaveTermRequestValidator()
    {
        RuleFor(r => r.Name).NotBlank().MaximumLength(100);
        RuleFor(r => r.Translations).ValidNameTranslations(100, 2000);
    }
}

/// <summary>Tags and places are made by the articles that name them; management reads, renames and translates them.</summary>
public static class TermEndpoints
{
    public static RouteGroupBuilder MapTerms(this RouteGroupBuilder manage)
    {
        Map<Tag>(manage.MapGroup("/tags").WithTags("Tags"), "Tag");
        Map<Place>(manage.MapGroup("/places").WithTags("Places"), "Place");
        return manage;
    }

    private static void Map<T>(RouteGroupBuilder group, string name) where T : class, INamedTerm<T>
    {
        group.MapGet("/{slug}", GetTerm<T>).WithName($"Get{name}").WithSummary($"Read one {T.ResourceType} with its names in other languages.")
            .RequireAuthorization(Scopes.Policies.ContentRead);
        group.MapPut("/{slug}", UpdateTerm<T>).WithName($"Update{name}")
            .WithSummary($"Rename a {T.ResourceType} or name it in other languages (If-Match); published articles showing it change at once.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
    }

    private static async Task<Results<Ok<TermResponse>, ProblemHttpResult>> GetTerm<T>(
        string slug, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) where T : class, INamedTerm<T>
    {
        var term = await db.Set<T>().AsNoTracking().FirstOrDefaultAsync(t => t.Slug == slug, cancellationToken);
        if (term is null)
        {
            return Problems.NotFound($"No {T.ResourceType} has the slug '{slug}'.");
        }
        response.SetETag(term.Version);
        return TypedResults.Ok(term.Adapt<TermResponse>());
    }

    private static async Task<Results<Ok<TermResponse>, ProblemHttpResult>> UpdateTerm<T>(
        string slug, SaveTermRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, CancellationToken cancellationToken)
        where T : class, INamedTerm<T> =>
        (await TermWrites.UpdateAsync<T>(db, clock, usage, slug, http.Request.ExpectedVersion(), request, cancellationToken)).ToOk(http.Response, e => e.Adapt<TermResponse>());
}

/// <summary>The one write path for tags and places (beyond their creation by articles).</summary>
public static class TermWrites
{
    /// <summary>Renames it and replaces its names in other languages; every published article showing it is rendered again.</summary>
    public static async Task<WriteResult<T>> UpdateAsync<T>(
        HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, string slug, ExpectedVersion expected, SaveTermRequest input, CancellationToken cancellationToken)
        where T : class, INamedTerm<T>
    {
        var id = await db.Set<T>().Where(t => t.Slug == slug).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(cancellationToken);
        if (id is null)
        {
            return new Missing($"No {T.ResourceType} has the slug '{slug}'.");
        }
        return await Kind<T>.Value.UpdateAsync(db, clock, usage, id.Value, expected, term =>
        {
            term.Name = input.Name.Trim();
            term.Translations = NameTranslations.Normalise(input.Translations);
        }, cancellationToken);
    }

    private static class Kind<T> where T : class, INamedTerm<T>
    {
        public static readonly VersionedKind<T> Value = new() { Name = T.ResourceType, Content = T.Content };
    }
}
