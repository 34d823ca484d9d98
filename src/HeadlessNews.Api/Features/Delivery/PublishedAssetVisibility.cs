using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>An asset is visible while a visible article in the read model (hero or image block) or a published notice shows it.</summary>
internal sealed class PublishedAssetVisibility : IAssetVisibility
{
    public async Task<bool> IsVisibleAsync(HeadlessNewsDbContext db, Guid assetId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Set<PublishedArticle>().AnyAsync(p => p.AssetIds.Contains(assetId) && p.VisibleFrom <= now, cancellationToken)
        || await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM notices WHERE status = 'published' AND images @> {MediaUsage.ListShowing(assetId)}::jsonb) AS "Value"
            """).SingleAsync(cancellationToken);
}
