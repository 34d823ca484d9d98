using HeadlessNews.Api.Infrastructure.Domain;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// Which articles use a section, author, quote or source, through the indexed link columns and tables. A section or
/// author cannot go while any article names it; a quote or source while any article that may still be published does
/// (all but archived ones, whose restore checks its references again): a draft whose quote went would publish a quote
/// block with nothing in it.
/// </summary>
internal sealed class ArticleUsage : IArticleUsage
{
    public async Task<IReadOnlyList<ArticleUse>> BlockingDeletionAsync(HeadlessNewsDbContext db, ReferencedContent kind, Guid id, CancellationToken cancellationToken)
    {
        var users = Users(db, kind, id);
        if (kind is ReferencedContent.Quote or ReferencedContent.Source)
        {
            users = users.Where(a => a.Status != ArticleStatus.Archived);
        }
        return await users.AsNoTracking().OrderBy(a => a.Id).Take(50).Select(a => new ArticleUse(a.Id, a.Slug, a.Headline)).ToListAsync(cancellationToken);
    }

    public Task<bool> AnyVisibleAsync(HeadlessNewsDbContext db, ReferencedContent kind, Guid id, DateTimeOffset now, CancellationToken cancellationToken) =>
        Users(db, kind, id).AnyAsync(ArticleVisibility.VisibleAt(now), cancellationToken);

    private static IQueryable<Article> Users(HeadlessNewsDbContext db, ReferencedContent kind, Guid id) => kind switch
    {
        ReferencedContent.Section => db.Set<Article>().Where(a => a.SectionId == id),
        ReferencedContent.Author => db.Set<ArticleAuthor>().Where(l => l.AuthorId == id).Select(l => l.Article!),
        ReferencedContent.Quote => db.Set<ArticleQuote>().Where(l => l.QuoteId == id).Select(l => l.Article!),
        ReferencedContent.Source => db.Set<ArticleSource>().Where(l => l.SourceId == id).Select(l => l.Article!),
        ReferencedContent.Tag => db.Set<ArticleTag>().Where(l => l.TagId == id).Select(l => l.Article!),
        ReferencedContent.Place => db.Set<ArticlePlace>().Where(l => l.PlaceId == id).Select(l => l.Article!),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
