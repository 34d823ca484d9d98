using System.Globalization;
using System.Linq.Expressions;
using System.Text.RegularExpressions;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Feeds;

/// <summary>
/// Archive sitemaps: <c>/sitemaps/index.xml</c> lists one <c>articles-{yyyy}-{mm}.xml</c> per month with visible articles
/// (a month is the month of <c>visible_from</c>, UTC), and a month of more than <see cref="DeliveryOptions.SitemapPageSize"/>
/// URLs continues in <c>articles-{yyyy}-{mm}-2.xml</c>, <c>-3</c>…. The index reads <c>sitemap_months</c>, a per-month
/// count kept by statement triggers on <c>published_articles</c> (the ArchiveSitemapMonths migration) in a few rows per
/// month (one per writing backend, so concurrent publishes never wait for each other: SitemapMonthShards), so it costs a
/// few rows per month, not a scan of the archive, and bulk SQL seeding keeps it right too. A month whose newest row is not
/// visible yet (the current one, with scheduled or embargoed stories) is counted from its rows instead, its lastmod never
/// earlier than when it last lost an article (SitemapMonthRemovals).
/// </summary>
public static partial class ArchiveSitemapEndpoints
{
    private const string Xml = "application/xml; charset=utf-8";

    public static WebApplication MapArchiveSitemaps(this WebApplication app)
    {
        var sitemaps = app.MapGroup("/sitemaps").WithTags("Syndication").CacheDelivery();
        sitemaps.MapGet("/index.xml", IndexAsync).WithName("ArchiveSitemapIndex")
            .WithSummary("Sitemap index: one archive sitemap per month with visible articles (more pages for a month over the page size), each with lastmod.")
            .Produces<string>(200, "application/xml");
        sitemaps.MapGet("/articles-{month}.xml", MonthAsync).WithName("ArchiveSitemapMonth")
            .WithSummary("The visible articles of one month (UTC), oldest first, each with lastmod and an hreflang link per visible edition plus x-default.")
            .Produces<string>(200, "application/xml");
        return app;
    }

    /// <summary>A month of the archive: how many visible articles it has and when its sitemap last changed.</summary>
    private sealed record ArchiveMonth(DateTimeOffset Month, int Articles, DateTimeOffset LastModified);

    private static async Task<FileContentHttpResult> IndexAsync(HttpContext http, [AsParameters] FeedEndpoints.FeedSources sources, CancellationToken cancellationToken)
    {
        var now = sources.Clock.GetUtcNow();
        var months = await MonthsAsync(sources, now, null, cancellationToken);
        var pageSize = sources.Options.Value.SitemapPageSize;
        var origin = new Uri($"{http.Request.Scheme}://{http.Request.Host}");
        var sitemaps = months.SelectMany(m => Enumerable.Range(1, Pages(m.Articles, pageSize))
            .Select(page => (new Uri(origin, $"/sitemaps/articles-{FileName(m.Month, page)}.xml"), m.LastModified)));
        http.AddCacheTags("feeds");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        return TypedResults.Bytes(FeedFormats.SitemapIndex(sitemaps), Xml, lastModified: months.Count == 0 ? null : months.Max(m => m.LastModified));
    }

    /// <param name="month"><c>yyyy-mm</c> (UTC), or <c>yyyy-mm-n</c> for the month's n-th page (n ≥ 2).</param>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> MonthAsync(
        string month, HttpContext http, [AsParameters] FeedEndpoints.FeedSources sources, CancellationToken cancellationToken)
    {
        // Anything but a month this API links to is not a sitemap it has: 404, as for any unknown path.
        if (MonthPattern().Match(month) is not { Success: true } parts
            || !DateTimeOffset.TryParseExact($"{parts.Groups[1].Value}-{parts.Groups[2].Value}", "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
            || !int.TryParse(parts.Groups[3].Success ? parts.Groups[3].Value : "1", NumberStyles.None, CultureInfo.InvariantCulture, out var page)
            || (parts.Groups[3].Success && page < 2))
        {
            return Problems.NotFound($"There is no archive sitemap '{month}': months are yyyy-mm, later pages yyyy-mm-2, yyyy-mm-3….");
        }
        var now = sources.Clock.GetUtcNow();
        var pageSize = sources.Options.Value.SitemapPageSize;
        var known = (await MonthsAsync(sources, now, start, cancellationToken)).SingleOrDefault();
        if (known is null || page > Pages(known.Articles, pageSize))
        {
            return Problems.NotFound($"No visible articles in the archive sitemap '{month}'.");
        }
        var end = start.AddMonths(1);
        var visible = sources.Db.Set<PublishedArticle>().AsNoTracking().Where(p => p.VisibleFrom <= now);
        var rows = await visible.Where(p => p.VisibleFrom >= start && p.VisibleFrom < end)
            .OrderBy(p => p.VisibleFrom).ThenBy(p => p.ArticleId).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(SitemapEditions.Story).ToListAsync(cancellationToken);
        var editions = await SitemapEditions.ReadAsync(visible, rows, FeedEndpoints.SiteBase(http, sources.Options.Value), cancellationToken);
        var entries = rows.Select(editions.EntryOf);
        http.AddCacheTags("feeds");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        // The month's lastmod in the index, for each of its pages: If-Modified-Since answers 304 until the month changes.
        return TypedResults.Bytes(FeedFormats.ArchiveSitemap(entries), Xml, lastModified: known.LastModified);
    }

    /// <summary>
    /// Months with visible articles (or only <paramref name="only"/>), oldest first. A month whose every row is visible
    /// (its latest <c>visible_from</c> has passed) is read from its summary row; any other is counted from its rows.
    /// </summary>
    private static async Task<List<ArchiveMonth>> MonthsAsync(FeedEndpoints.FeedSources sources, DateTimeOffset now, DateTimeOffset? only, CancellationToken cancellationToken) =>
        await sources.Db.Database.SqlQuery<ArchiveMonth>($"""
            SELECT month, articles, last_modified FROM (
              SELECT m.month,
                     CASE WHEN m.last_visible_from > {now} THEN x.articles ELSE m.articles END AS articles,
                     -- Its rows forget an article that left the month: when it last lost one keeps its lastmod from going backwards.
                     CASE WHEN m.last_visible_from > {now} THEN greatest(x.last_modified, m.last_removed) ELSE m.last_modified END AS last_modified
                FROM (SELECT month, sum(articles)::int AS articles, max(last_modified) AS last_modified, max(last_visible_from) AS last_visible_from,
                             max(last_removed) AS last_removed
                        FROM sitemap_months GROUP BY month) m,
                     -- Only for a month with rows not visible yet (a one-time filter: other months never reach the index).
                     LATERAL (SELECT count(*)::int AS articles, max(greatest(p.updated_at, p.visible_from)) AS last_modified
                                FROM published_articles p
                               WHERE m.last_visible_from > {now}
                                 AND p.visible_from >= m.month AND p.visible_from < m.month + interval '1 month' AND p.visible_from <= {now}) x
               WHERE m.month <= {now} AND ({only}::timestamptz IS NULL OR m.month = {only})) months
             WHERE articles > 0
             ORDER BY month
            """).ToListAsync(cancellationToken);

    private static int Pages(int articles, int pageSize) => (articles + pageSize - 1) / pageSize;

    private static string FileName(DateTimeOffset month, int page) =>
        month.ToString("yyyy-MM", CultureInfo.InvariantCulture) + (page == 1 ? "" : $"-{page.ToString(CultureInfo.InvariantCulture)}");

    [GeneratedRegex(@"^(\d{4})-(\d{2})(?:-(\d{1,6}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex MonthPattern();
}

/// <summary>
/// The visible editions of the stories a sitemap lists, read in one query, as <c>xhtml:link rel="alternate" hreflang</c>
/// links: every visible edition of the story plus <c>x-default</c> (the default-language edition, else the first). A story
/// with one visible edition has none.
/// </summary>
internal sealed class SitemapEditions
{
    private readonly Uri _site;
    private readonly ILookup<Guid, (string Language, string Slug)> _editions;

    private SitemapEditions(Uri site, ILookup<Guid, (string Language, string Slug)> editions) => (_site, _editions) = (site, editions);

    /// <summary>What a sitemap says of a story, read from the read model's own columns (never its delivery document).</summary>
    public static readonly Expression<Func<PublishedArticle, SitemapStory>> Story =
        p => new SitemapStory(p.ArticleId, p.Slug, p.Headline, p.Language, p.VisibleFrom, p.UpdatedAt, p.TranslationGroupId);

    /// <summary>The visible editions of <paramref name="stories"/>.</summary>
    public static async Task<SitemapEditions> ReadAsync(IQueryable<PublishedArticle> visible, IEnumerable<SitemapStory> stories, Uri site, CancellationToken cancellationToken)
    {
        var wanted = stories.Select(s => s.TranslationGroupId).Distinct().ToList();
        var editions = await visible.Where(p => wanted.Contains(p.TranslationGroupId))
            .Select(p => new { p.TranslationGroupId, p.Language, p.Slug }).ToListAsync(cancellationToken);
        return new(site, editions.ToLookup(e => e.TranslationGroupId, e => (e.Language, e.Slug)));
    }

    /// <summary>A story's entry: published when it became visible, last changed at its last edit (or then), with its editions.</summary>
    public FeedEntry EntryOf(SitemapStory story) =>
        new(story.ArticleId, story.Headline, null, null, Link(story.Slug), story.VisibleFrom,
            story.UpdatedAt > story.VisibleFrom ? story.UpdatedAt : story.VisibleFrom, story.VisibleFrom, 0, story.Language, [], [], null, [], null, null)
        {
            Alternates = AlternatesOf(story.TranslationGroupId),
        };

    /// <summary>Where a reader finds the article: the public site's page, else its delivery route.</summary>
    private Uri Link(string slug) => new(_site, $"articles/{Uri.EscapeDataString(slug)}");

    private IReadOnlyList<FeedAlternate> AlternatesOf(Guid group)
    {
        var story = _editions[group].OrderBy(e => e.Language, StringComparer.Ordinal).ToList();
        if (story.Count < 2)
        {
            return [];
        }
        var fallback = story.FirstOrDefault(e => e.Language == Languages.Default, story[0]);
        return [.. story.Select(e => new FeedAlternate(e.Language, Link(e.Slug))), new FeedAlternate("x-default", Link(fallback.Slug))];
    }
}

internal sealed record SitemapStory(Guid ArticleId, string Slug, string Headline, string Language, DateTimeOffset VisibleFrom, DateTimeOffset UpdatedAt, Guid TranslationGroupId);
