using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Api.Infrastructure.Text;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Sections;

public static class SectionEndpoints
{
    private const string ResourceType = "section";

    public static RouteGroupBuilder MapSections(this RouteGroupBuilder manage)
    {
        var sections = manage.MapGroup("/sections").WithTags("Sections");
        sections.MapPost("", CreateSection).WithName("CreateSection").WithSummary("Create a section.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency()
            .ProducesProblem(StatusCodes.Status409Conflict);
        sections.MapGet("", ListSections).WithName("ListSections").WithSummary("List every section by name.")
            .RequireAuthorization(Scopes.Policies.ContentRead);
        sections.MapGet("/{id:guid}", GetSection).WithName("GetSection").WithSummary("Read one section.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        sections.MapPut("/{id:guid}", UpdateSection).WithName("UpdateSection").WithSummary("Replace a section's name, slug and description (If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        sections.MapDelete("/{id:guid}", DeleteSection).WithName("DeleteSection").WithSummary("Delete a section no article is filed under (If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        return manage;
    }

    private static async Task<Results<Created<SectionResponse>, ProblemHttpResult>> CreateSection(
        SaveSectionRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var slug = request.Slug ?? Slugs.From(request.Name);
        if (slug.Length == 0)
        {
            return Problems.Validation("slug", "The name has no letters or digits to make a slug from; give a slug.");
        }
        var now = clock.Now();
        var section = new Section { Id = Guid.CreateVersion7(), Slug = slug, Name = request.Name, Description = request.Description, Version = 1, CreatedAt = now, UpdatedAt = now };
        db.Add(section);
        if (await SaveAsync(db, section, cancellationToken) is { } problem)
        {
            return problem;
        }
        response.SetETag(section.Version);
        return TypedResults.Created($"/v1/manage/sections/{section.Id}", section.Adapt<SectionResponse>());
    }

    private static async Task<Ok<Page<SectionResponse>>> ListSections(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Page<SectionResponse>(await db.Set<Section>().AsNoTracking().OrderBy(s => s.Name).ProjectToType<SectionResponse>().ToListAsync(cancellationToken), null));

    private static Task<Results<Ok<SectionResponse>, ProblemHttpResult>> GetSection(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<Section, SectionResponse>(id, ResourceType, response, cancellationToken);

    private static async Task<Results<Ok<SectionResponse>, ProblemHttpResult>> UpdateSection(
        Guid id, SaveSectionRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (section, refused) = await db.FindForWriteAsync<Section>(id, ResourceType, http.Request, cancellationToken);
        if (section is null)
        {
            return refused!;
        }
        section.Name = request.Name;
        section.Slug = request.Slug ?? section.Slug;
        section.Description = request.Description;
        section.Version++;
        section.UpdatedAt = clock.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await SaveAsync(db, section, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        http.Response.SetETag(section.Version);
        return TypedResults.Ok(section.Adapt<SectionResponse>());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSection(Guid id, HttpRequest request, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var (section, refused) = await db.FindForWriteAsync<Section>(id, ResourceType, request, cancellationToken);
        if (section is null)
        {
            return refused!;
        }
        var users = await db.Set<Article>().AsNoTracking().Where(a => a.SectionId == id).OrderBy(a => a.Id).Select(a => new ArticleReference(a.Id, a.Slug, a.Headline)).Take(50).ToListAsync(cancellationToken);
        if (users.Count > 0)
        {
            return ArticleReference.InUse("section", users);
        }
        db.Remove(section);
        return await SaveAsync(db, section, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
    }

    private static async Task<ProblemHttpResult?> SaveAsync(HeadlessNewsDbContext db, Section section, CancellationToken cancellationToken)
    {
        try
        {
            return await db.SaveVersionedAsync(section, ResourceType, cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Problems.Conflict($"Another section already has the slug '{section.Slug}'.");
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            return Problems.Conflict("Articles were filed under this section meanwhile; move them first.");
        }
    }
}
