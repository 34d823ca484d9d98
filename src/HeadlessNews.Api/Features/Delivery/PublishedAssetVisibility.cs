using HeadlessNews.Api.Features.Media;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>An asset is visible while a published notice shows it, or from the earliest visibleFrom of the read model's articles that show it (hero or image block).</summary>
internal sealed class PublishedAssetVisibility : IAssetVisibility
{
    public async Task<DateTimeOffset?> VisibleFromAsync(HeadlessNewsDbContext db, Guid assetId, CancellationToken cancellationToken) =>
        await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM notices WHERE status = 'published' AND images @> {MediaUsage.ListShowing(assetId)}::jsonb) AS "Value"
            """).SingleAsync(cancellationToken)
            ? DateTimeOffset.MinValue
            : await db.Set<PublishedArticle>().Where(p => p.AssetIds.Contains(assetId)).MinAsync(p => (DateTimeOffset?)p.VisibleFrom, cancellationToken);
}
