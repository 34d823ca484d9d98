using HeadlessNews.Api.Features.Media;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// An asset is visible while a published notice shows it, or from the earliest visibleFrom of the read model's articles
/// that show it: in their hero or an image block, or, for a live blog, in an entry that is not deleted.
/// </summary>
internal sealed class PublishedAssetVisibility : IAssetVisibility
{
    public async Task<DateTimeOffset?> VisibleFromAsync(HeadlessNewsDbContext db, Guid assetId, CancellationToken cancellationToken)
    {
        var list = MediaUsage.ListShowing(assetId);
        if (await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM notices WHERE status = 'published' AND images @> {list}::jsonb) AS "Value"
            """).SingleAsync(cancellationToken))
        {
            return DateTimeOffset.MinValue;
        }
        // least() skips a NULL: either kind of use alone makes the asset visible.
        return await db.Database.SqlQuery<DateTimeOffset?>($"""
            SELECT least(
                (SELECT min(visible_from) FROM published_articles WHERE asset_ids @> ARRAY[{assetId}]),
                (SELECT min(p.visible_from) FROM live_blog_entries e
                   JOIN articles a ON a.id = e.article_id AND a.format = 'Liveblog'
                   JOIN published_articles p ON p.article_id = e.article_id
                  WHERE e.deleted_at IS NULL AND e.body @> {list}::jsonb)) AS "Value"
            """).SingleAsync(cancellationToken);
    }
}
