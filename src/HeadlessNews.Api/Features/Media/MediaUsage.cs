
namespace HeadlessNews.Api.Features.Media;

/// <summary>Whether visible content shows an asset: only then are its renditions public. Delivery answers (it knows what is visible).</summary>
public interface IAssetVisibility
{
    /// <summary>
    /// The instant from which content showing the asset is visible (the earliest, scheduled ones included), or null when
    /// no published content shows it: an answer that stays true until that content changes.
    /// </summary>
    Task<DateTimeOffset?> VisibleFromAsync(HeadlessNewsDbContext db, Guid assetId, CancellationToken cancellationToken);
}

/// <summary>Which articles (live blog entries included) and notices use an asset, for deletion.</summary>
public static class MediaUsage
{
    /// <summary>
    /// Articles whose hero image or image blocks reference the asset, or one of whose live blog entries (other than deleted
    /// ones) does, and notices (other than withdrawn ones) whose images do. Archived articles count: archiving is soft, and
    /// restoring a revision refuses an image block whose asset is gone.
    /// </summary>
    public static async Task<List<AssetUser>> UsersAsync(HeadlessNewsDbContext db, Guid assetId, CancellationToken cancellationToken)
    {
        var id = assetId.ToString();
        var inBody = ListShowing(assetId);
        var rows = await db.Database.SqlQuery<UserRow>($"""
            SELECT id AS "Id", headline AS "Title" FROM articles
             WHERE hero_image ->> 'assetId' = {id} OR body @> {inBody}::jsonb
            UNION
            SELECT a.id, a.headline FROM live_blog_entries e JOIN articles a ON a.id = e.article_id
             WHERE e.deleted_at IS NULL AND e.body @> {inBody}::jsonb
             ORDER BY "Id" LIMIT 50
            """).ToListAsync(cancellationToken);
        var notices = await db.Database.SqlQuery<UserRow>($"""
            SELECT id AS "Id", title AS "Title" FROM notices
             WHERE status <> 'withdrawn' AND images @> {inBody}::jsonb
             ORDER BY id LIMIT 50
            """).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new AssetUser("article", r.Id, r.Title)), .. notices.Select(r => new AssetUser("notice", r.Id, r.Title))];
    }

    /// <summary>The published notices whose images show one of the assets (they have no read model: only their cached pages must follow).</summary>
    public static Task<List<Guid>> PublishedNoticesShowingAsync(HeadlessNewsDbContext db, IEnumerable<Guid> assetIds, CancellationToken cancellationToken)
    {
        var lists = assetIds.Select(ListShowing).ToArray();
        return db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM notices WHERE status = 'published' AND images @> ANY({lists}::jsonb[])
            """).ToListAsync(cancellationToken);
    }

    /// <summary>A jsonb array that any image list (body blocks, notice images) showing the asset contains (<c>@&gt;</c>).</summary>
    public static string ListShowing(Guid assetId) => $"[{{\"assetId\":\"{assetId}\"}}]";

    private sealed class UserRow
    {
        public Guid Id { get; set; }
        public string Title { get; set; } = string.Empty;
    }
}
