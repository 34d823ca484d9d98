using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Revisions;
using Microsoft.EntityFrameworkCore.Storage;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// The one write path for live blog entries. Each write locks its article's row, so writes to one live blog commit in
/// the order they were made (the live stream's sequence relies on it); references are resolved as an article body's
/// are (<see cref="ArticleReferences"/>); it records a revision, and <c>article.updated</c> while the live blog is
/// visible. The delivery read model and the live stream follow from the saved entry (Delivery's interceptor).
/// </summary>
public static class LiveBlogEntryWrites
{
    public const string ResourceType = "liveblog-entry";

    public static async Task<WriteResult<LiveBlogEntryResponse>> CreateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid articleId, SaveLiveBlogEntryRequest content, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockLiveBlogAsync(db, articleId, cancellationToken) is not { } article)
        {
            return await RefuseAsync(db, articleId, cancellationToken);
        }
        var now = clock.Now();
        var entry = new LiveBlogEntry { Id = Guid.CreateVersion7(), ArticleId = articleId, CreatedAt = now, Version = 1 };
        if (await ApplyAsync(db, entry, content, now, cancellationToken) is { } invalid)
        {
            return invalid;
        }
        db.Add(entry);
        return await CommitAsync(db, clock, actor, transaction, article, entry, "created", cancellationToken);
    }

    public static Task<WriteResult<LiveBlogEntryResponse>> UpdateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid articleId, Guid entryId, ExpectedVersion expected, SaveLiveBlogEntryRequest content,
        CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, articleId, entryId, expected, "updated", async (entry, now) =>
        {
            if (await ApplyAsync(db, entry, content, now, cancellationToken) is { } invalid)
            {
                return invalid;
            }
            if (content.Correction is { } correction)
            {
                entry.Corrections = [.. entry.Corrections, new Correction(now, correction.Trim())];
            }
            return null;
        }, cancellationToken);

    public static Task<WriteResult<LiveBlogEntryResponse>> DeleteAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid articleId, Guid entryId, ExpectedVersion expected, CancellationToken cancellationToken) =>
        ChangeAsync(db, clock, actor, articleId, entryId, expected, "deleted", (entry, now) =>
        {
            entry.DeletedAt = now;
            return Task.FromResult<Refusal?>(null);
        }, cancellationToken);

    /// <summary>
    /// A page of the live blog's entries as editors see them, newest first (deleted ones left out): the
    /// <paramref name="take"/> + 1 after <paramref name="after"/> (see <see cref="Pagination.NewestFirst"/>).
    /// </summary>
    public static async Task<List<LiveBlogEntryResponse>?> ListAsync(HeadlessNewsDbContext db, Guid articleId, KeysetCursor? after, int take, CancellationToken cancellationToken)
    {
        if (!await db.Set<Article>().AnyAsync(a => a.Id == articleId, cancellationToken))
        {
            return null;
        }
        var entries = await db.Set<LiveBlogEntry>().AsNoTracking().Where(e => e.ArticleId == articleId && e.DeletedAt == null)
            .NewestFirst(e => e.CreatedAt, e => e.Id, after, take).ToListAsync(cancellationToken);
        var authorIds = entries.SelectMany(e => e.AuthorIds).Distinct().ToList();
        var authors = await db.Set<Author>().AsNoTracking().Where(a => authorIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        return [.. entries.Select(e => ToResponse(e, authors))];
    }

    private static async Task<WriteResult<LiveBlogEntryResponse>> ChangeAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid articleId, Guid entryId, ExpectedVersion expected, string action,
        Func<LiveBlogEntry, DateTimeOffset, Task<Refusal?>> apply, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockLiveBlogAsync(db, articleId, cancellationToken) is not { } article)
        {
            return await RefuseAsync(db, articleId, cancellationToken);
        }
        var entry = await db.Set<LiveBlogEntry>().FirstOrDefaultAsync(e => e.Id == entryId && e.ArticleId == articleId && e.DeletedAt == null, cancellationToken);
        if (entry is null)
        {
            return new Missing($"Live blog {articleId} has no entry {entryId}.");
        }
        if (expected.Check(entry.Version) is { } stale)
        {
            return stale;
        }
        var now = clock.Now();
        if (await apply(entry, now) is { } refusal)
        {
            return refusal;
        }
        entry.Version++;
        entry.UpdatedAt = now;
        return await CommitAsync(db, clock, actor, transaction, article, entry, action, cancellationToken);
    }

    /// <summary>Locks and reads the article when it is a live blog that takes entries; null otherwise.</summary>
    private static async Task<Article?> LockLiveBlogAsync(HeadlessNewsDbContext db, Guid articleId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM articles WHERE id = {articleId} FOR UPDATE", cancellationToken);
        return await db.Set<Article>().AsNoTracking()
            .FirstOrDefaultAsync(a => a.Id == articleId && a.Format == ArticleFormat.Liveblog && a.Status != ArticleStatus.Archived, cancellationToken);
    }

    private static async Task<Refusal> RefuseAsync(HeadlessNewsDbContext db, Guid articleId, CancellationToken cancellationToken) =>
        await db.Set<Article>().AsNoTracking().Where(a => a.Id == articleId).Select(a => new { a.Format, a.Status }).FirstOrDefaultAsync(cancellationToken) switch
        {
            null => new Missing($"No article has id {articleId}."),
            { Status: ArticleStatus.Archived } => new StateConflict("The live blog is archived; restore a revision to add entries again."),
            _ => new StateConflict("The article is not a live blog; set its format to liveblog first."),
        };

    /// <summary>Resolves the body's quotes, sources and images and the authors exactly as an article's are.</summary>
    private static async Task<Refusal?> ApplyAsync(HeadlessNewsDbContext db, LiveBlogEntry entry, SaveLiveBlogEntryRequest content, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var asArticle = new SaveArticleRequest(ResourceType, null, null, content.Body, null, null, null, content.Authors, null, null, null, null);
        var resolved = await ArticleReferences.ResolveAsync(db, asArticle, cancellationToken);
        if (resolved.Refusal is { } invalid)
        {
            return invalid;
        }
        entry.Body = resolved.Value!.Body;
        entry.AuthorIds = [.. resolved.Value.Authors.Select(a => a.Id)];
        entry.Pinned = content.Pinned ?? false;
        entry.KeyEvent = content.KeyEvent ?? false;
        entry.UpdatedAt = now;
        return null;
    }

    private static async Task<WriteResult<LiveBlogEntryResponse>> CommitAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, IDbContextTransaction transaction, Article article, LiveBlogEntry entry, string action,
        CancellationToken cancellationToken)
    {
        var authors = await db.Set<Author>().AsNoTracking().Where(a => entry.AuthorIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        var response = ToResponse(entry, authors);
        db.RecordRevision(clock, actor, ResourceType, entry.Id, entry.Version, action, response);
        if (ArticleVisibility.IsVisible(article, clock.Now()))
        {
            db.Record(clock, ContentEventTypes.ArticleUpdated, ArticleWrites.ResourceType, article.Id, article.Slug, article.Version);
            if (action == "created")
            {
                db.Record(clock, ContentEventTypes.LiveBlogEntryCreated, ResourceType, entry.Id, article.Slug, entry.Version);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    private static LiveBlogEntryResponse ToResponse(LiveBlogEntry e, Dictionary<Guid, Author> authors) => new(
        e.Id, e.ArticleId, e.Body, e.Pinned, e.KeyEvent,
        [.. e.AuthorIds.Where(authors.ContainsKey).Select(id => new NamedRef(authors[id].Slug, authors[id].Name))],
        e.Corrections, e.CreatedAt, e.UpdatedAt, e.Version);
}
