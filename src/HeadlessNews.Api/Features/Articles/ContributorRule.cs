using HeadlessNews.Api.Infrastructure.Revisions;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// A person whose only role is <c>contributor</c> may create drafts and work only on drafts they created: every other
/// management write is refused (403), whatever scope the role maps to, so a new route is closed to them until it is
/// listed here. Reads are allowed.
/// </summary>
public static class ContributorRule
{
    /// <summary>Writes a contributor may make anywhere.</summary>
    private static readonly HashSet<string> Anywhere = ["CreateArticle", "ArticlePresenceHeartbeat"];

    /// <summary>Writes a contributor may make on a draft they created (the route's <c>id</c>).</summary>
    private static readonly HashSet<string> OnOwnDrafts = ["UpdateArticle", "AddArticleCorrection", "CreateArticlePreviewLink", "RevokeArticlePreviewLinks"];

    public static TBuilder WithContributorRule<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!http.User.HasClaim(c => c.Type == PersonClaims.Contributor) || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            {
                return await next(context);
            }
            var route = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? string.Empty;
            if (Anywhere.Contains(route))
            {
                return await next(context);
            }
            if (OnOwnDrafts.Contains(route) && http.Request.RouteValues["id"] is string raw && Guid.TryParse(raw, out var id)
                && await MayEditAsync(http.RequestServices.GetRequiredService<HeadlessNewsDbContext>(), Caller.From(http).Person!, id, http.RequestAborted))
            {
                return await next(context);
            }
            return Problems.Forbidden("A contributor may create drafts and change only drafts they created, never published content.");
        });

    /// <summary>True when the article is a draft this person created, or does not exist (the route then answers 404).</summary>
    private static async Task<bool> MayEditAsync(HeadlessNewsDbContext db, Person person, Guid id, CancellationToken cancellationToken)
    {
        var article = await db.Set<Article>().AsNoTracking().Where(a => a.Id == id)
            .Select(a => new
            {
                a.Status,
                Mine = db.Set<Revision>().Any(r => r.ResourceType == ArticleWrites.ResourceType && r.ResourceId == a.Id && r.Number == 1
                    && r.Subject == person.Subject && r.Issuer == person.Issuer),
            })
            .FirstOrDefaultAsync(cancellationToken);
        return article is null || (article.Status == ArticleStatus.Draft && article.Mine);
    }
}
