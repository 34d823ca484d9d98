using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Redirects;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Where an old URL went: imported permalinks (<c>link</c>, <c>/?p=ID</c>), hand-made redirects and former slugs, for a
/// front end's 404 page. Only visible articles are answered, so an old link never reveals a draft's or embargoed story's slug.
/// </summary>
public static class RedirectDeliveryEndpoints
{
    public static RouteGroupBuilder MapRedirectDelivery(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/redirects", FindRedirect).WithName("FindRedirect")
            .WithSummary("Where an old path (a WordPress permalink, /?p=ID, a former slug, a hand-made redirect) now leads: 301 data, or 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return delivery;
    }

    private static async Task<Results<Ok<RedirectAnswer>, ProblemHttpResult>> FindRedirect(
        string? path, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, TimeProvider clock, IOptions<DeliveryOptions> delivery,
        CancellationToken cancellationToken)
    {
        if (RedirectPaths.Normalise(path) is not { } normalised)
        {
            return Problems.Validation("path", "path is a path starting with / (or a full http(s) URL).");
        }
        var now = clock.GetUtcNow();
        http.AddCacheTags("redirects", "articles");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        var visible = db.Set<PublishedArticle>().AsNoTracking().Where(p => p.VisibleFrom <= now);
        // The path as asked, else the post's own path when it names one of the post's WordPress endpoints (…/amp/).
        var postPath = RedirectPaths.WithoutWordPressEndpoint(normalised) ?? normalised;
        var redirect = await db.Set<Redirect>().AsNoTracking().Where(r => r.Path == normalised || r.Path == postPath)
            .OrderByDescending(r => r.Path == normalised)
            .Select(r => new { r.Location, Slug = visible.Where(p => p.ArticleId == r.ArticleId).Select(p => p.Slug).FirstOrDefault() })
            .FirstOrDefaultAsync(cancellationToken);
        if (redirect?.Location is { } location)
        {
            return TypedResults.Ok(new RedirectAnswer(path!, location, StatusCodes.Status301MovedPermanently, null));
        }
        var slug = redirect?.Slug;
        if (slug is null && postPath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() is { } last)
        {
            slug = await db.Set<ArticleSlugHistory>().AsNoTracking().Where(h => h.Slug == last)
                .Join(visible, h => h.ArticleId, p => p.ArticleId, (h, p) => p.Slug).FirstOrDefaultAsync(cancellationToken);
        }
        return slug is null
            ? Problems.NotFound($"Nothing published lives at {normalised} any more.")
            : TypedResults.Ok(new RedirectAnswer(path!, ArticleLocation(slug, delivery.Value), StatusCodes.Status301MovedPermanently, slug));
    }

    /// <summary>The public site's article page when <c>Delivery:PublicBaseUrl</c> is set, else the delivery route.</summary>
    private static string ArticleLocation(string slug, DeliveryOptions options) => options.PublicBaseUrl is { } site
        ? $"{site.AbsoluteUri.TrimEnd('/')}/articles/{Uri.EscapeDataString(slug)}"
        : $"/v1/articles/{Uri.EscapeDataString(slug)}";
}
