using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Media;

/// <summary>Which content uses an asset: visible articles (through the read model's asset ids), and any article for deletion.</summary>
public static class MediaUsage
{
    /// <summary>Whether visible content shows the asset: only then are its renditions public.</summary>
    public static Task<bool> IsVisibleAsync(HeadlessNewsDbContext db, Guid assetId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Set<PublishedArticle>().AnyAsync(p => p.AssetIds.Contains(assetId) && p.VisibleFrom <= now, cancellationToken);

    /// <summary>Articles (other than archived ones) whose hero image or image blocks reference the asset.</summary>
    public static async Task<List<AssetUser>> UsersAsync(HeadlessNewsDbContext db, Guid assetId, CancellationToken cancellationToken)
    {
        var id = assetId.ToString();
        var inBody = $"[{{\"assetId\":\"{id}\"}}]";
        var rows = await db.Database.SqlQuery<UserRow>($"""
            SELECT id AS "Id", headline AS "Title" FROM articles
             WHERE status <> 'Archived' AND (hero_image ->> 'assetId' = {id} OR body @> {inBody}::jsonb)
             ORDER BY id LIMIT 50
            """).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new AssetUser("article", r.Id, r.Title))];
    }

    private sealed class UserRow
    {
        public Guid Id { get; set; }
        public string Title { get; set; } = string.Empty;
    }
}
