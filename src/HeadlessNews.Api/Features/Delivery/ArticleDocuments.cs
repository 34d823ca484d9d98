using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;
using Mapster;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Articles in the delivery shape: quotes expanded in the body, cited sources, bylines, and <c>bodyHtml</c> rendered by
/// <see cref="BodyHtml"/>. However many articles are asked for, each relation is one query (never one per article).
/// </summary>
public static class ArticleDocuments
{
    /// <summary>
    /// The documents of <paramref name="articles"/> (the caller filters and bounds them), with <c>old</c> false.
    /// With <paramref name="imagesSignedUntil"/> the pictures' URLs are signed until then (previews).
    /// </summary>
    public static async Task<List<ArticleDeliveryResponse>> BuildAsync(
        HeadlessNewsDbContext db, IQueryable<Article> articles, CancellationToken cancellationToken, DateTimeOffset? imagesSignedUntil = null)
    {
        var rows = await articles.AsNoTracking().Include(a => a.Section).ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return [];
        }
        var ids = rows.Select(a => a.Id).ToList();
        // Names in the article's own language where one is given, else the default name.
        var languages = rows.ToDictionary(a => a.Id, a => a.Language);
        var bylines = (await db.Set<ArticleAuthor>().AsNoTracking().Where(l => ids.Contains(l.ArticleId)).OrderBy(l => l.Position)
            .Select(l => new { l.ArticleId, l.Author!.Slug, l.Author.Name, l.Author.Role, l.Author.Translations })
            .ToListAsync(cancellationToken))
            .ToLookup(l => l.ArticleId, l => new BylineResponse(l.Slug, l.Translations.NameIn(languages[l.ArticleId], l.Name), l.Role));
        var tags = (await db.Set<ArticleTag>().AsNoTracking().Where(l => ids.Contains(l.ArticleId)).OrderBy(l => l.Position)
            .Select(l => new { l.ArticleId, l.Tag!.Slug, l.Tag.Name, l.Tag.Translations })
            .ToListAsync(cancellationToken)).ToLookup(l => l.ArticleId, l => new NamedRef(l.Slug, l.Translations.NameIn(languages[l.ArticleId], l.Name)));
        var places = (await db.Set<ArticlePlace>().AsNoTracking().Where(l => ids.Contains(l.ArticleId)).OrderBy(l => l.Position)
            .Select(l => new { l.ArticleId, l.Place!.Slug, l.Place.Name, l.Place.Translations })
            .ToListAsync(cancellationToken)).ToLookup(l => l.ArticleId, l => new NamedRef(l.Slug, l.Translations.NameIn(languages[l.ArticleId], l.Name)));
        var bodies = await DeliveredBodies.LoadAsync(db, rows.Select(a => a.Body), rows.SelectMany(a => a.SourceIds), rows.Select(a => a.HeroImage?.ToUse()), cancellationToken, imagesSignedUntil);
        var liveBlogs = await LiveBlogDocuments.LatestAsync(db, [.. rows.Where(a => a.Format == ArticleFormat.Liveblog).Select(a => a.Id)], cancellationToken);
        return [.. rows.Select(article => StructuredDocuments.Complete(article, liveBlogs.GetValueOrDefault(article.Id), new ArticleDeliveryResponse(
            article.Id, article.Slug, article.Headline, article.Standfirst,
            bodies.Deliver(article.Body, article.Language),
            bodies.Html(article.Body, article.Language),
            article.Section is null ? null : new NamedRef(article.Section.Slug, article.Section.Translations.NameIn(article.Language, article.Section.Name)),
            [.. tags[article.Id]], [.. places[article.Id]], [.. bylines[article.Id]],
            bodies.Cited(article.SourceIds, article.Body),
            bodies.Image(article.HeroImage?.ToUse()), article.Language, article.PublishAt, article.FirstPublishedAt, article.UpdatedAt, article.EmbargoUntil,
            article.Corrections, article.CanonicalUrl, article.Version, Old: false)))];
    }

    /// <summary>Whether a reader at <paramref name="now"/> sees the article as old (first seen more than <paramref name="oldAfterDays"/> ago).</summary>
    public static bool IsOld(ArticleDeliveryResponse article, DateTimeOffset now, int oldAfterDays) =>
        (article.FirstPublishedAt ?? article.PublishAt) is { } seen && seen < now.AddDays(-oldAfterDays);
}

/// <summary>
/// What delivering bodies needs, loaded once for many (articles, live blog entries): their quotes, cited sources and
/// images, one query each.
/// </summary>
public sealed class DeliveredBodies
{
    private readonly Dictionary<Guid, QuoteResponse> _quotes;
    private readonly Dictionary<Guid, SourceResponse> _sources;
    private readonly Func<ImageUse?, DeliveredImage?> _images;
    private readonly Dictionary<string, Dictionary<Guid, QuoteResponse>> _quotesByLanguage = [];

    private DeliveredBodies(Dictionary<Guid, QuoteResponse> quotes, Dictionary<Guid, SourceResponse> sources, Func<ImageUse?, DeliveredImage?> images) =>
        (_quotes, _sources, _images) = (quotes, sources, images);

    public static async Task<DeliveredBodies> LoadAsync(
        HeadlessNewsDbContext db, IEnumerable<IReadOnlyList<Block>> bodies, IEnumerable<Guid> otherSourceIds, IEnumerable<ImageUse?> otherImages,
        CancellationToken cancellationToken, DateTimeOffset? imagesSignedUntil = null)
    {
        var blocks = bodies.SelectMany(b => b).ToList();
        var quoteIds = blocks.Where(b => b.QuoteId is not null).Select(b => b.QuoteId!.Value).Distinct().ToList();
        var sourceIds = otherSourceIds.Concat(blocks.SelectMany(b => b.SourceIds ?? [])).Distinct().ToList();
        Dictionary<Guid, QuoteResponse> quotes = quoteIds.Count == 0 ? [] : await db.Set<Quote>().AsNoTracking().Where(q => quoteIds.Contains(q.Id))
            .ProjectToType<QuoteResponse>().ToDictionaryAsync(q => q.Id, cancellationToken);
        Dictionary<Guid, SourceResponse> sources = sourceIds.Count == 0 ? [] : await db.Set<Source>().AsNoTracking().Where(s => sourceIds.Contains(s.Id))
            .ProjectToType<SourceResponse>().ToDictionaryAsync(s => s.Id, cancellationToken);
        var images = await DeliveredImages.LoaderAsync(db, blocks.Where(b => b.Type == BlockTypes.Image).Select(ImageUseOf).Concat(otherImages), cancellationToken, imagesSignedUntil);
        return new DeliveredBodies(quotes, sources, images);
    }

    /// <summary>
    /// Blocks as delivered: quote blocks carry their quote (in <paramref name="language"/> where it has a rendering in it,
    /// else as said), image blocks their renditions.
    /// </summary>
    public IReadOnlyList<DeliveredBlock> Deliver(IEnumerable<Block> body, string? language = null)
    {
        var quotes = QuotesIn(language);
        return [.. body.Select(b => new DeliveredBlock(b, b.QuoteId is { } id ? quotes.GetValueOrDefault(id) : null, b.Type == BlockTypes.Image ? _images(ImageUseOf(b)) : null))];
    }

    /// <summary>
    /// The body as HTML, each image block at its delivered URL and with its delivered text: a block naming an asset
    /// stores no URL of its own, and would otherwise be left out.
    /// </summary>
    public string Html(IEnumerable<Block> body, string? language = null) =>
        BodyHtml.Render(body.Select(b => b.Type == BlockTypes.Image && _images(ImageUseOf(b)) is { } image
            ? b with { Url = image.Url, Alt = image.Alt, Caption = image.Caption, Credit = image.Credit }
            : b), QuotesIn(language), _sources);

    /// <summary>The quotes as shown in <paramref name="language"/>, made once per language for all the bodies loaded.</summary>
    private Dictionary<Guid, QuoteResponse> QuotesIn(string? language)
    {
        if (language is null)
        {
            return _quotes;
        }
        if (!_quotesByLanguage.TryGetValue(language, out var quotes))
        {
            _quotesByLanguage[language] = quotes = _quotes.ToDictionary(q => q.Key, q => q.Value.In(language));
        }
        return quotes;
    }

    /// <summary>The sources cited by <paramref name="sourceIds"/> and the body's source lists, each once, in order.</summary>
    public IReadOnlyList<SourceResponse> Cited(IEnumerable<Guid> sourceIds, IEnumerable<Block> body) =>
        [.. sourceIds.Concat(body.SelectMany(b => b.SourceIds ?? [])).Distinct().Where(_sources.ContainsKey).Select(id => _sources[id])];

    public DeliveredImage? Image(ImageUse? use) => _images(use);

    private static ImageUse ImageUseOf(Block b) => new(b.AssetId, b.Url, b.Alt, b.Caption, b.Credit, b.FocalPoint);
}
