using HeadlessNews.Api.Infrastructure.Revisions;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>Builds the editors' shape of an article (the delivery shape is Delivery's <c>ArticleDocuments</c>).</summary>
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
        a.CreatedAt, a.UpdatedAt, a.EmbargoUntil, a.Corrections, a.CanonicalUrl, a.Version)
    {
        Format = a.Format,
        CoverageStartTime = a.CoverageStartTime,
        CoverageEndTime = a.CoverageEndTime,
    };

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
        return snapshot?.ReadSnapshot<ArticleResponse>();
    }
}
