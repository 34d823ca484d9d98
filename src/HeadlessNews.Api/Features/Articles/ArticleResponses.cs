using System.Text.Json;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Revisions;
using Mapster;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>Builds article DTOs: the editors' shape and the delivery shape (used by preview and by delivery).</summary>
public static class ArticleResponses
{
    /// <summary>The management shape; relations must be loaded (or set) on the article.</summary>
    public static ArticleResponse ToResponse(Article a, DateTimeOffset now) => new(
        a.Id, a.Slug, a.Headline, a.Standfirst, a.Body,
        a.Section is null ? null : new NamedRef(a.Section.Slug, a.Section.Name),
        [.. a.Tags.OrderBy(l => l.Position).Select(l => new NamedRef(l.Tag!.Slug, l.Tag.Name))],
        [.. a.Places.OrderBy(l => l.Position).Select(l => new NamedRef(l.Place!.Slug, l.Place.Name))],
        [.. a.Authors.OrderBy(l => l.Position).Select(l => new NamedRef(l.Author!.Slug, l.Author.Name))],
        a.SourceIds, a.HeroImage, a.Language, ArticleVisibility.StatusAt(a, now), a.PublishAt, a.FirstPublishedAt,
        a.CreatedAt, a.UpdatedAt, a.EmbargoUntil, a.Corrections, a.CanonicalUrl, a.Version);

    /// <summary>Articles with every relation the two shapes need, read-only.</summary>
    public static IQueryable<Article> WithRelations(this IQueryable<Article> articles) => articles
        .AsNoTracking()
        .Include(a => a.Section)
        .Include(a => a.Authors).ThenInclude(l => l.Author)
        .Include(a => a.Tags).ThenInclude(l => l.Tag)
        .Include(a => a.Places).ThenInclude(l => l.Place)
        .AsSplitQuery();

    public static async Task<ArticleResponse?> ReadRevisionAsync(HeadlessNewsDbContext db, Guid articleId, int number, CancellationToken cancellationToken)
    {
        var snapshot = await db.Set<Revision>().AsNoTracking()
            .Where(r => r.ResourceType == ArticleWrites.ResourceType && r.ResourceId == articleId && r.Number == number)
            .Select(r => r.Snapshot).FirstOrDefaultAsync(cancellationToken);
        return snapshot?.Deserialize<ArticleResponse>(JsonSerializerOptions.Web);
    }

    /// <summary>
    /// The first article of <paramref name="articles"/> in the delivery shape: quotes expanded in the body, cited sources,
    /// bylines, and <c>bodyHtml</c> rendered by <see cref="BodyHtml"/>. Filter with <see cref="ArticleVisibility.VisibleAt"/> for delivery.
    /// </summary>
    public static async Task<ArticleDeliveryResponse?> ToDeliveryAsync(
        this IQueryable<Article> articles, HeadlessNewsDbContext db, DateTimeOffset now, int oldAfterDays, CancellationToken cancellationToken)
    {
        var article = await articles.WithRelations().FirstOrDefaultAsync(cancellationToken);
        if (article is null)
        {
            return null;
        }
        var quoteIds = article.Body.Where(b => b.QuoteId is not null).Select(b => b.QuoteId!.Value).Distinct().ToList();
        var sourceIds = article.SourceIds.Concat(article.Body.SelectMany(b => b.SourceIds ?? [])).Distinct().ToList();
        var quotes = await db.Set<Quote>().AsNoTracking().Where(q => quoteIds.Contains(q.Id)).ProjectToType<QuoteResponse>().ToDictionaryAsync(q => q.Id, cancellationToken);
        var sources = await db.Set<Source>().AsNoTracking().Where(s => sourceIds.Contains(s.Id)).ProjectToType<SourceResponse>().ToDictionaryAsync(s => s.Id, cancellationToken);
        var firstSeen = article.FirstPublishedAt ?? article.PublishAt;
        return new ArticleDeliveryResponse(
            article.Id, article.Slug, article.Headline, article.Standfirst,
            [.. article.Body.Select(b => new DeliveredBlock(b, b.QuoteId is { } id ? quotes.GetValueOrDefault(id) : null))],
            BodyHtml.Render(article.Body, quotes, sources),
            article.Section is null ? null : new NamedRef(article.Section.Slug, article.Section.Name),
            [.. article.Tags.OrderBy(l => l.Position).Select(l => new NamedRef(l.Tag!.Slug, l.Tag.Name))],
            [.. article.Places.OrderBy(l => l.Position).Select(l => new NamedRef(l.Place!.Slug, l.Place.Name))],
            [.. article.Authors.OrderBy(l => l.Position).Select(l => new BylineResponse(l.Author!.Slug, l.Author.Name, l.Author.Role))],
            [.. sourceIds.Where(sources.ContainsKey).Select(id => sources[id])],
            article.HeroImage, article.Language, article.PublishAt, article.FirstPublishedAt, article.UpdatedAt, article.EmbargoUntil,
            article.Corrections, article.CanonicalUrl, article.Version,
            Old: firstSeen is { } seen && seen < now.AddDays(-oldAfterDays));
    }
}
