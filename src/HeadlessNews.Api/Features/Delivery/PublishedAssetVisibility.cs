using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>An asset is visible while a visible article in the read model shows it (hero or image block).</summary>
internal sealed class PublishedAssetVisibility : IAssetVisibility
{
    public Task<bool> IsVisibleAsync(HeadlessNewsDbContext db, Guid assetId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Set<PublishedArticle>().AnyAsync(p => p.AssetIds.Contains(assetId) && p.VisibleFrom <= now, cancellationToken);
}
