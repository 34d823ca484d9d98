using System.Text;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Delivery;

public static class ArticleDeliveryEndpoints
{
    public static RouteGroupBuilder MapArticleDelivery(this RouteGroupBuilder delivery)
    {
        delivery.MapGet("/articles", ListArticles).WithName("ListPublishedArticles")
            .WithSummary("Visible articles, newest first, as summaries (include=body adds bodyHtml); filters combine.")
            .Produces<Page<ArticleSummary>>(StatusCodes.Status200OK, "application/json");
        delivery.MapGet("/articles/{slug}", GetArticle).WithName("GetPublishedArticle")
            .WithSummary("One visible article with its quotes expanded, sources and authors; a former slug answers 301.")
            .Produces<ArticleDeliveryResponse>(StatusCodes.Status200OK, "application/json");
        return delivery;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ListArticles(
        string? section, string? tag, string? place, string? author, string? q, DateTimeOffset? from, DateTimeOffset? to,
        int? limit, string? cursor, string? include,
        HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, TokenSigner signer, TimeProvider clock, IConfiguration configuration, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        if (include is not null && include != "body")
        {
            return Problems.Validation("include", "include accepts only 'body'.");
        }
        var now = clock.GetUtcNow();
        var query = q is null ? db.Set<PublishedArticle>() : db.Set<PublishedArticle>().Matching("published_articles", "language", q);
        query = query.Where(p => p.VisibleFrom <= now);
        if (section is not null)
        {
            query = query.Where(p => p.SectionSlug == section);
        }
        if (tag is not null)
        {
            query = query.Where(p => p.TagSlugs.Contains(tag));
        }
        if (place is not null)
        {
            query = query.Where(p => p.PlaceSlugs.Contains(place));
        }
        if (author is not null)
        {
            query = query.Where(p => p.AuthorSlugs.Contains(author));
        }
        if (from is not null)
        {
            var since = from.Value.ToUniversalTime();
            query = query.Where(p => p.VisibleFrom >= since);
        }
        if (to is not null)
        {
            var until = to.Value.ToUniversalTime();
            query = query.Where(p => p.VisibleFrom <= until);
        }
        if (after is not null)
        {
            query = query.Where(p => p.VisibleFrom < after.At || (p.VisibleFrom == after.At && p.ArticleId.CompareTo(after.Id) < 0));
        }
        var withBody = include == "body";
        var rows = await query.OrderByDescending(p => p.VisibleFrom).ThenByDescending(p => p.ArticleId).Take(take + 1)
            .Select(p => new { p.ArticleId, p.VisibleFrom, p.FirstSeen, Json = withBody ? p.SummaryWithBodyJson : p.SummaryJson })
            .ToListAsync(cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, r => new KeysetCursor(r.VisibleFrom, r.ArticleId));
        http.AddCacheTags("articles");
        await http.ExpireAtNextArticleBoundaryAsync(db, now, cancellationToken);
        var oldBefore = now.AddDays(-OldAfterDays(configuration));
        return PreparedJson.Page(page.Items.Select(r => OldFlag.Apply(r.Json, r.FirstSeen < oldBefore)), page.Next);
    }

    private static async Task<Results<ContentHttpResult, RedirectHttpResult, ProblemHttpResult>> GetArticle(
        string slug, HttpContext http, [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db, TimeProvider clock, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var row = await db.Set<PublishedArticle>().AsNoTracking().Where(p => p.Slug == slug)
            .Select(p => new { p.ArticleId, p.DocumentJson, p.FirstSeen, p.VisibleFrom }).FirstOrDefaultAsync(cancellationToken);
        if (row is not null && row.VisibleFrom <= now)
        {
            var oldFrom = row.FirstSeen.AddDays(OldAfterDays(configuration));
            http.AddCacheTags($"article:{row.ArticleId}");
            if (oldFrom > now)
            {
                http.ExpireAt(oldFrom);
            }
            return TypedResults.Text(OldFlag.Apply(row.DocumentJson, oldFrom <= now), "application/json", Encoding.UTF8);
        }
        if (row is not null)
        {
            http.ExpireAt(row.VisibleFrom);
        }
        // A page depends only on its own article; a 404 (for CDNs purging by Surrogate-Key) on any article change,
        // and never outlives a scheduled publication of this slug.
        http.AddCacheTags("articles");
        var current = await db.Set<ArticleSlugHistory>().AsNoTracking().Where(h => h.Slug == slug)
            .Join(db.Set<PublishedArticle>().Where(p => p.VisibleFrom <= now), h => h.ArticleId, p => p.ArticleId, (h, p) => p.Slug)
            .FirstOrDefaultAsync(cancellationToken);
        return current is not null
            ? TypedResults.Redirect($"/v1/articles/{Uri.EscapeDataString(current)}", permanent: true)
            : Problems.NotFound($"No published article has the slug '{slug}'.");
    }

    internal static int OldAfterDays(IConfiguration configuration) => configuration.GetValue("Delivery:OldAfterDays", 365);
}

/// <summary>When delivery answers change without any write: the next article becoming visible.</summary>
public static class DeliveryBoundaries
{
    public static async Task ExpireAtNextArticleBoundaryAsync(this HttpContext http, HeadlessNewsDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var next = await db.Set<PublishedArticle>().Where(p => p.VisibleFrom > now).OrderBy(p => p.VisibleFrom)
            .Select(p => (DateTimeOffset?)p.VisibleFrom).FirstOrDefaultAsync(cancellationToken);
        if (next is { } boundary)
        {
            http.ExpireAt(boundary);
        }
    }
}

/// <summary>Responses assembled from JSON prepared at write time, without deserialising it.</summary>
public static class PreparedJson
{
    public static ContentHttpResult Page(IEnumerable<string> items, string? next)
    {
        var json = new StringBuilder("{\"items\":[");
        json.AppendJoin(',', items);
        json.Append("],\"next\":").Append(JsonSerializer.Serialize(next)).Append('}');
        return TypedResults.Text(json.ToString(), "application/json", Encoding.UTF8);
    }
}
