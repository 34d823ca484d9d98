using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Features.Feeds;

/// <summary>
/// Syndication for partners and readers. Public feeds carry headline, standfirst and link of visible items; a
/// <c>feeds:partner</c> key (Bearer or <c>?key=</c>) adds full bodies and, in ninjs, embargoed items marked with their
/// embargo. Partner answers are never stored in the shared cache (the delivery cache policy skips keyed requests).
/// </summary>
public static class FeedEndpoints
{
    private const int DefaultItems = 50;
    private const string Rss = "application/rss+xml; charset=utf-8";
    private const string Atom = "application/atom+xml; charset=utf-8";
    private const string JsonFeed = "application/feed+json; charset=utf-8";

    public static WebApplication MapFeeds(this WebApplication app)
    {
        var feeds = app.MapGroup("/v1/feeds").WithTags("Syndication").CacheDelivery();
        feeds.MapGet("/articles.rss", (HttpContext http, ArticleFeedQuery query, [AsParameters] FeedSources sources, CancellationToken ct) => ArticlesAsync(http, query, sources, "rss", ct))
            .WithName("ArticlesRss").WithSummary("RSS 2.0 of the newest visible articles (content:encoded for partners).").Produces<string>(200, "application/rss+xml");
        feeds.MapGet("/articles.atom", (HttpContext http, ArticleFeedQuery query, [AsParameters] FeedSources sources, CancellationToken ct) => ArticlesAsync(http, query, sources, "atom", ct))
            .WithName("ArticlesAtom").WithSummary("Atom (RFC 4287) of the newest visible articles.").Produces<string>(200, "application/atom+xml");
        feeds.MapGet("/articles.json", (HttpContext http, ArticleFeedQuery query, [AsParameters] FeedSources sources, CancellationToken ct) => ArticlesAsync(http, query, sources, "json", ct))
            .WithName("ArticlesJsonFeed").WithSummary("JSON Feed 1.1 of the newest visible articles.").Produces<JsonElement>(200, "application/feed+json");
        feeds.MapGet("/articles.ninjs", (HttpContext http, ArticleFeedQuery query, [AsParameters] FeedSources sources, CancellationToken ct) => ArticlesAsync(http, query, sources, "ninjs", ct))
            .WithName("ArticlesNinjs").WithSummary("A JSON array of IPTC ninjs 2.2 items (partners also get embargoed items with 'embargoed').").Produces<IReadOnlyList<System.Text.Json.JsonElement>>(200, "application/json");
        feeds.MapGet("/notices.rss", (HttpContext http, string? language, int? limit, [AsParameters] FeedSources sources, CancellationToken ct) => NoticesAsync(http, language, limit, sources, "rss", ct))
            .WithName("NoticesRss").WithSummary("RSS 2.0 of active public notices.").Produces<string>(200, "application/rss+xml");
        feeds.MapGet("/notices.atom", (HttpContext http, string? language, int? limit, [AsParameters] FeedSources sources, CancellationToken ct) => NoticesAsync(http, language, limit, sources, "atom", ct))
            .WithName("NoticesAtom").WithSummary("Atom of active public notices.").Produces<string>(200, "application/atom+xml");
        feeds.MapGet("/notices.json", (HttpContext http, string? language, int? limit, [AsParameters] FeedSources sources, CancellationToken ct) => NoticesAsync(http, language, limit, sources, "json", ct))
            .WithName("NoticesJsonFeed").WithSummary("JSON Feed 1.1 of active public notices.").Produces<JsonElement>(200, "application/feed+json");
        app.MapGet("/sitemaps/news.xml", NewsSitemapAsync).WithTags("Syndication").CacheDelivery()
            .WithName("NewsSitemap").WithSummary("Google News sitemap: articles published in the last 48 hours (at most 1,000).").Produces<string>(200, "application/xml");
        return app;
    }

    /// <summary>Filters shared by every article feed.</summary>
    /// <param name="Section">Section slug.</param>
    /// <param name="Tag">Tag slug.</param>
    /// <param name="Place">Place slug.</param>
    /// <param name="Author">Author slug.</param>
    /// <param name="Limit">Items, 1-100 (default 50).</param>
    /// <param name="Language">BCP-47: only editions in that language (cy also finds cy-GB).</param>
    public sealed record ArticleFeedQuery(string? Section, string? Tag, string? Place, string? Author, int? Limit, string? Language)
    {
        public static ValueTask<ArticleFeedQuery?> BindAsync(HttpContext http)
        {
            var query = http.Request.Query;
            int? limit = query.TryGetValue("limit", out var raw) && int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
                : query.ContainsKey("limit") ? -1 : null;
            return ValueTask.FromResult<ArticleFeedQuery?>(new(query["section"], query["tag"], query["place"], query["author"], limit, query["language"]));
        }
    }

    /// <summary>The part of an article's prepared delivery JSON that feeds use (the body blocks are skipped).</summary>
    private sealed record FeedArticle(
        Guid Id, string Slug, string Headline, string? Standfirst, string BodyHtml, NamedRef? Section, IReadOnlyList<NamedRef> Tags,
        IReadOnlyList<NamedRef> Places, IReadOnlyList<BylineResponse> Authors, DeliveredImage? HeroImage, string Language,
        DateTimeOffset? PublishAt, DateTimeOffset? FirstPublishedAt, DateTimeOffset UpdatedAt, DateTimeOffset? EmbargoUntil, int Version);

    /// <summary>What a feed handler needs, injected as one parameter.</summary>
    public sealed record FeedSources(
        [FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext Db, TimeProvider Clock, IOptions<DeliveryOptions> Options, MediaUrls MediaUrls);

    private static async Task<IResult> ArticlesAsync(HttpContext http, ArticleFeedQuery filter, FeedSources sources, string format, CancellationToken cancellationToken)
    {
        var take = filter.Limit ?? DefaultItems;
        if (LimitProblem(take) is { } badLimit)
        {
            return badLimit;
        }
        if (Languages.QueryProblem(filter.Language) is { } badLanguage)
        {
            return badLanguage;
        }
        var now = sources.Clock.GetUtcNow();
        var partner = IsPartner(http.User);
        var query = sources.Db.Set<PublishedArticle>().AsNoTracking();
        // Embargoed items (published, embargo ahead) go only to partners, and only in ninjs, which can mark them.
        var withEmbargoed = partner && format == "ninjs";
        query = withEmbargoed ? query : query.Where(p => p.VisibleFrom <= now);
        // A partner's limits are ids; the read model files articles by slug, current in the same database as these lookups.
        var limits = PartnerLimits.Of(http.User);
        if (limits.Sections.Length > 0)
        {
            var sections = await sources.Db.Set<Section>().Where(s => limits.Sections.Contains(s.Id)).Select(s => s.Slug).ToListAsync(cancellationToken);
            query = query.Where(p => p.SectionSlug != null && sections.Contains(p.SectionSlug));
        }
        if (limits.Tags.Length > 0)
        {
            var tags = await sources.Db.Set<Tag>().Where(t => limits.Tags.Contains(t.Id)).Select(t => t.Slug).ToListAsync(cancellationToken);
            query = query.Where(p => p.TagSlugs.Any(t => tags.Contains(t)));
        }
        if (filter.Section is { } section)
        {
            query = query.Where(p => p.SectionSlug == section);
        }
        if (filter.Tag is { } tag)
        {
            query = query.Where(p => p.TagSlugs.Contains(tag));
        }
        if (filter.Place is { } place)
        {
            query = query.Where(p => p.PlaceSlugs.Contains(place));
        }
        if (filter.Author is { } author)
        {
            query = query.Where(p => p.AuthorSlugs.Contains(author));
        }
        if (filter.Language is not null)
        {
            var language = Languages.Normalise(filter.Language);
            var subtags = language + "-";
            query = query.Where(p => p.Language == language || p.Language.StartsWith(subtags));
        }
        var documents = await NewestAsync(query, take, now, cancellationToken);

        var site = SiteBase(http, sources.Options.Value);
        var origin = new Uri($"{http.Request.Scheme}://{http.Request.Host}");
        var entries = documents.Select(a =>
        {
            var visibleFrom = a.EmbargoUntil is { } embargo && embargo > a.PublishAt!.Value ? embargo : a.PublishAt!.Value;
            var signedUntil = SignedUntil(a.EmbargoUntil > now ? a.EmbargoUntil : null, now);
            return new FeedEntry(
            a.Id, a.Headline, a.Standfirst, partner ? sources.MediaUrls.InFeed(a.BodyHtml, origin, signedUntil) : null, new Uri(site, $"articles/{Uri.EscapeDataString(a.Slug)}"),
            visibleFrom, ChangedAt(a.UpdatedAt, visibleFrom, now), a.FirstPublishedAt ?? a.PublishAt!.Value,
            a.Version, a.Language, [.. a.Authors.Select(x => x.Name)], [.. a.Tags.Select(t => new FeedTerm(t.Slug, t.Name))],
            a.Section is null ? null : new FeedTerm(a.Section.Slug, a.Section.Name), [.. a.Places.Select(p => new FeedTerm(p.Slug, p.Name))],
            a.EmbargoUntil > now ? a.EmbargoUntil : null,
            FeedImageOf(a.HeroImage, origin, signedUntil, sources.MediaUrls));
        }).ToList();
        var channel = new FeedChannel("Latest stories", "The newest published stories.", sources.Options.Value.PublicationName, HomePage(site, sources.Options.Value, "articles"), FeedUrl(http),
            filter.Language is null ? Languages.Default : Languages.Normalise(filter.Language),
            entries.Count == 0 ? now : entries.Max(e => e.Updated));
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        return await WriteAsync(http, sources.Db, entries, channel, format, cancellationToken);
    }

    /// <param name="language">Each notice's title and body in this language where it has it, else in its own; each item says which.</param>
    /// <param name="limit">Items, 1-100 (default 50), newest published first.</param>
    private static async Task<IResult> NoticesAsync(HttpContext http, string? language, int? limit, FeedSources sources, string format, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultItems;
        if (LimitProblem(take) is { } badLimit)
        {
            return badLimit;
        }
        if (Languages.QueryProblem(language) is { } badLanguage)
        {
            return badLanguage;
        }
        var now = sources.Clock.GetUtcNow();
        var notices = await sources.Db.Set<Notice>().AsNoTracking().Active(now)
            .OrderByDescending(n => n.PublishedAt).ThenByDescending(n => n.Id).Take(take).ToListAsync(cancellationToken);
        var site = SiteBase(http, sources.Options.Value);
        var entries = notices.Select(n =>
        {
            var text = NoticeMapping.ToResponse(n).TextIn(language);
            return new FeedEntry(
                n.Id, text.Title, $"{SnakeCaseNames.Of(n.Category).Replace('_', ' ')} notice from {n.IssuerName}", text.Body,
                new Uri(site, $"notices/{n.Id}"), n.PublishedAt ?? n.CreatedAt, ChangedAt(n.UpdatedAt, n.EffectiveFrom, now), n.PublishedAt ?? n.CreatedAt, n.Version, text.Language,
                [n.IssuerName], [new FeedTerm(SnakeCaseNames.Of(n.Category), SnakeCaseNames.Of(n.Category).Replace('_', ' '))], null,
                n.LocationDescription is null ? [] : [new FeedTerm(n.Postcode ?? string.Empty, n.LocationDescription)], null, null);
        }).ToList();
        // A notice whose time ran out left the feed then, though nothing was written.
        var lastExpired = await sources.Db.Set<Notice>().Where(n => n.Status == NoticeStatus.Published && n.EffectiveTo <= now)
            .MaxAsync(n => n.EffectiveTo, cancellationToken) ?? DateTimeOffset.MinValue;
        var channel = new FeedChannel("Public notices", "Active public notices: planning, roads, licensing and more.", sources.Options.Value.PublicationName, HomePage(site, sources.Options.Value, "notices"), FeedUrl(http),
            language is null ? Languages.Default : Languages.Normalise(language), entries.Select(e => e.Updated).Append(lastExpired).DefaultIfEmpty(now).Max());
        http.AddCacheTags("notices");
        await http.ExpireAtNextNoticeBoundaryAsync(now, cancellationToken);
        return await WriteAsync(http, sources.Db, entries, channel, format, cancellationToken);
    }

    private static async Task<IResult> NewsSitemapAsync(HttpContext http, [AsParameters] FeedSources sources, CancellationToken cancellationToken)
    {
        var now = sources.Clock.GetUtcNow();
        var since = now.AddHours(-48);
        var visible = sources.Db.Set<PublishedArticle>().AsNoTracking().Where(p => p.VisibleFrom <= now);
        var rows = await visible.Where(p => p.VisibleFrom >= since)
            .OrderByDescending(p => p.VisibleFrom).Take(1000).Select(SitemapEditions.Story).ToListAsync(cancellationToken);
        var editions = await SitemapEditions.ReadAsync(visible, rows, SiteBase(http, sources.Options.Value), cancellationToken);
        var entries = rows.Select(editions.EntryOf).ToList();
        http.AddCacheTags("feeds");
        await http.ExpireAtNextArticleBoundaryAsync(now, cancellationToken);
        // The sitemap also changes when a story passes the 48 hours and leaves it.
        var leftLast = await visible.Where(p => p.VisibleFrom < since).MaxAsync(p => (DateTimeOffset?)p.VisibleFrom, cancellationToken) is { } visibleFrom
            ? visibleFrom.AddHours(48) : DateTimeOffset.MinValue;
        await SetLastModifiedAsync(http, sources.Db, entries.Select(e => e.Updated).Append(leftLast).Max(), cancellationToken);
        return Results.Bytes(FeedFormats.NewsSitemap(sources.Options.Value.PublicationName, entries), "application/xml; charset=utf-8");
    }

    /// <summary>
    /// The newest <paramref name="take"/> articles already published. A partner's query also holds embargoed ones (their
    /// publication passed, their visibility ahead), and with them scheduled ones, which are read past rather than counted.
    /// </summary>
    private static async Task<List<FeedArticle>> NewestAsync(IQueryable<PublishedArticle> query, int take, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var articles = new List<FeedArticle>(take);
        var ordered = query.OrderByDescending(p => p.VisibleFrom).ThenByDescending(p => p.ArticleId);
        for (var skip = 0; ; skip += take)
        {
            var rows = await ordered.Skip(skip).Take(take).Select(p => p.DocumentJson).ToListAsync(cancellationToken);
            articles.AddRange(rows.Select(json => JsonSerializer.Deserialize<FeedArticle>(json, ApiJson.Options)!).Where(a => a.PublishAt <= now));
            if (articles.Count >= take || rows.Count < take)
            {
                return articles.Count > take ? articles[..take] : articles;
            }
        }
    }

    private static ProblemHttpResult? LimitProblem(int take) =>
        take is < 1 or > Pagination.MaxLimit ? Problems.Validation("limit", $"limit must be between 1 and {Pagination.MaxLimit}.") : null;

    /// <summary>When an item last changed for a reader: its own update, or its coming into view if that was later.</summary>
    private static DateTimeOffset ChangedAt(DateTimeOffset updatedAt, DateTimeOffset? visibleFrom, DateTimeOffset now) =>
        visibleFrom is { } from && from > updatedAt && from <= now ? from : updatedAt;

    private static async Task<IResult> WriteAsync(HttpContext http, HeadlessNewsDbContext db, List<FeedEntry> entries, FeedChannel channel, string format, CancellationToken cancellationToken)
    {
        http.AddCacheTags("feeds");
        // The same address answers a partner's key with full text: a shared cache must not hand the public answer to it.
        http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Authorization);
        await SetLastModifiedAsync(http, db, channel.Updated, cancellationToken);
        return format switch
        {
            "rss" => Results.Bytes(FeedFormats.Rss(channel, entries), Rss),
            "atom" => Results.Bytes(FeedFormats.Atom(channel, entries), Atom),
            "json" => Results.Bytes(FeedFormats.JsonFeed(channel, entries), JsonFeed),
            _ => Results.Bytes(FeedFormats.Ninjs(entries), "application/json; charset=utf-8"),
        };
    }

    /// <summary>A feed's <c>Last-Modified</c>: its newest item's change, or the newest change-feed entry if later (an item left or changed through what it shows).</summary>
    private static async Task SetLastModifiedAsync(HttpContext http, HeadlessNewsDbContext db, DateTimeOffset itemsUpdated, CancellationToken cancellationToken)
    {
        var changed = await ChangeFeedUpserts.LatestAsync(db, cancellationToken) is { } latest && latest > itemsUpdated ? latest : itemsUpdated;
        http.Response.Headers.LastModified = changed.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Until when an embargoed item's pictures (partners only) are signed, so the partner can fetch them before they are
    /// public: an hour after the embargo, and at most a week.
    /// </summary>
    private static DateTimeOffset? SignedUntil(DateTimeOffset? embargoedUntil, DateTimeOffset now) =>
        embargoedUntil is { } embargo ? new[] { embargo.AddHours(1), now.AddDays(7) }.Min() : null;

    /// <summary>The hero as feeds carry it, with absolute URLs (relative ones resolved against this API), signed until <paramref name="signedUntil"/> when given.</summary>
    private static FeedImage? FeedImageOf(DeliveredImage? hero, Uri origin, DateTimeOffset? signedUntil, MediaUrls urls)
    {
        if (hero is null || !Uri.TryCreate(origin, hero.Src, out var url))
        {
            return null;
        }
        if (hero is not { AssetId: { } assetId, Width: { } width, Height: { } height } || hero.Srcset.Count == 0)
        {
            return new FeedImage(url, hero.Alt, hero.Caption, null, null, null, []);
        }
        Uri Absolute(string path) => new(origin, signedUntil is { } until ? urls.Sign(path, assetId, until) : path);
        int HeightAt(int w) => (int)Math.Round((double)Math.Min(w, width) * height / width);
        var srcWidth = Math.Min(MediaUrls.SrcWidth([.. hero.Srcset.Select(r => r.Width)]), width);
        return new FeedImage(Absolute(hero.Src), hero.Alt, hero.Caption, ImageFiles.Jpeg, srcWidth, HeightAt(srcWidth),
            [.. hero.Srcset.Select(r => new FeedRendition(Absolute(r.Url), Math.Min(r.Width, width), HeightAt(r.Width)))]);
    }

    private static bool IsPartner(ClaimsPrincipal user) => SecurityServiceCollectionExtensions.HasAnyScope(user, [Scopes.FeedsPartner]);

    /// <summary>
    /// Where readers follow links: the configured public site's <c>articles/{slug}</c> and <c>notices/{id}</c> pages, else
    /// the same paths under this API's delivery routes, so that a visible item's link resolves either way.
    /// </summary>
    internal static Uri SiteBase(HttpContext http, DeliveryOptions options)
    {
        var baseUrl = options.PublicBaseUrl?.ToString() ?? $"{http.Request.Scheme}://{http.Request.Host}/v1/";
        return new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
    }

    /// <summary>A feed's home page: the public site's front page, else the delivery list the feed follows.</summary>
    private static Uri HomePage(Uri site, DeliveryOptions options, string list) => options.PublicBaseUrl is null ? new Uri(site, list) : site;

    /// <summary>
    /// The feed's own URL with its filters (a filtered feed is another feed, with its own Atom id and JSON Feed feed_url):
    /// only the parameters its cached answer varies by, so one reader's extra parameters are not served to the next, and
    /// never a <c>key</c> (it must never be echoed into a document a reader may share).
    /// </summary>
    private static Uri FeedUrl(HttpContext http)
    {
        var varies = http.GetEndpoint()?.Metadata.GetMetadata<DeliveryCachePolicy>()?.QueryKeys ?? default;
        var filters = QueryString.Create(http.Request.Query.Where(p => varies.Contains(p.Key, StringComparer.OrdinalIgnoreCase)));
        return new($"{http.Request.Scheme}://{http.Request.Host}{http.Request.Path}{filters}");
    }
}
