using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Text;
using Mapster;
using Microsoft.EntityFrameworkCore;

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
            .Select(l => new { l.ArticleId, Tag = new NamedRef(l.Tag!.Slug, l.Tag.Name) })
            .ToListAsync(cancellationToken)).ToLookup(l => l.ArticleId, l => l.Tag);
        var places = (await db.Set<ArticlePlace>().AsNoTracking().Where(l => ids.Contains(l.ArticleId)).OrderBy(l => l.Position)
            .Select(l => new { l.ArticleId, Place = new NamedRef(l.Place!.Slug, l.Place.Name) })
            .ToListAsync(cancellationToken)).ToLookup(l => l.ArticleId, l => l.Place);
        var quoteIds = rows.SelectMany(a => a.Body).Where(b => b.QuoteId is not null).Select(b => b.QuoteId!.Value).Distinct().ToList();
        var sourceIds = rows.SelectMany(CitedSourceIds).Distinct().ToList();
        Dictionary<Guid, QuoteResponse> quotes = quoteIds.Count == 0 ? [] : await db.Set<Quote>().AsNoTracking().Where(q => quoteIds.Contains(q.Id))
            .ProjectToType<QuoteResponse>().ToDictionaryAsync(q => q.Id, cancellationToken);
        Dictionary<Guid, SourceResponse> sources = sourceIds.Count == 0 ? [] : await db.Set<Source>().AsNoTracking().Where(s => sourceIds.Contains(s.Id))
            .ProjectToType<SourceResponse>().ToDictionaryAsync(s => s.Id, cancellationToken);
        var images = await DeliveredImages.LoaderAsync(
            db, rows.SelectMany(a => a.Body.Where(b => b.Type == BlockTypes.Image).Select(ImageUseOf).Append(a.HeroImage?.ToUse())), cancellationToken, imagesSignedUntil);
        return [.. rows.Select(article =>
        {
            // Each edition shows a quote in its own language where the quote has a rendering in it.
            var quotesIn = quotes.ToDictionary(q => q.Key, q => q.Value.In(article.Language));
            return new ArticleDeliveryResponse(
                article.Id, article.Slug, article.Headline, article.Standfirst,
                [.. article.Body.Select(b => new DeliveredBlock(b, b.QuoteId is { } id ? quotesIn.GetValueOrDefault(id) : null, b.Type == BlockTypes.Image ? images(ImageUseOf(b)) : null))],
                BodyHtml.Render(article.Body, quotesIn, sources),
                article.Section is null ? null : new NamedRef(article.Section.Slug, article.Section.Translations.NameIn(article.Language, article.Section.Name)),
                [.. tags[article.Id]], [.. places[article.Id]], [.. bylines[article.Id]],
                [.. CitedSourceIds(article).Distinct().Where(sources.ContainsKey).Select(id => sources[id])],
                images(article.HeroImage?.ToUse()), article.Language, article.PublishAt, article.FirstPublishedAt, article.UpdatedAt, article.EmbargoUntil,
                article.Corrections, article.CanonicalUrl, article.Version, Old: false);
        })];
    }

    /// <summary>Whether a reader at <paramref name="now"/> sees the article as old (first seen more than <paramref name="oldAfterDays"/> ago).</summary>
    public static bool IsOld(ArticleDeliveryResponse article, DateTimeOffset now, int oldAfterDays) =>
        (article.FirstPublishedAt ?? article.PublishAt) is { } seen && seen < now.AddDays(-oldAfterDays);

    private static ImageUse ImageUseOf(Block b) => new(b.AssetId, b.Url, b.Alt, b.Caption, b.Credit, b.FocalPoint);

    private static IEnumerable<Guid> CitedSourceIds(Article article) => article.SourceIds.Concat(article.Body.SelectMany(b => b.SourceIds ?? []));
}
