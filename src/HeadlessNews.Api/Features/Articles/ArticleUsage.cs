using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>Which articles use a quote or cite a source, through the indexed link tables <see cref="ArticleQuote"/> and <see cref="ArticleSource"/>.</summary>
public static class ArticleUsage
{
    public static IQueryable<Article> UsingQuote(this HeadlessNewsDbContext db, Guid quoteId) =>
        db.Set<ArticleQuote>().Where(l => l.QuoteId == quoteId).Select(l => l.Article!);

    public static IQueryable<Article> CitingSource(this HeadlessNewsDbContext db, Guid sourceId) =>
        db.Set<ArticleSource>().Where(l => l.SourceId == sourceId).Select(l => l.Article!);

    /// <summary>Published articles (live, embargoed or scheduled) among <paramref name="articles"/>: those a deletion must not break.</summary>
    public static Task<List<ArticleReference>> PublishedAsync(this IQueryable<Article> articles, CancellationToken cancellationToken) =>
        articles.Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id).Take(50)
            .Select(a => new ArticleReference(a.Id, a.Slug, a.Headline)).ToListAsync(cancellationToken);

    public static Task<bool> AnyVisibleAsync(this IQueryable<Article> articles, DateTimeOffset now, CancellationToken cancellationToken) =>
        articles.AnyAsync(ArticleVisibility.VisibleAt(now), cancellationToken);
}
