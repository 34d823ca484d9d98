using System.Collections.Concurrent;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Media;

/// <summary>What serving an asset's renditions needs to know of it: its current version and shape, and since when visible content shows it.</summary>
public sealed record AssetSnapshot(Guid Id, int Version, int Width, int Height, FocalPoint FocalPoint, DateTimeOffset? VisibleFrom)
{
    public bool IsVisibleAt(DateTimeOffset now) => VisibleFrom <= now;
}

/// <summary>
/// Keeps each requested asset's <see cref="AssetSnapshot"/> on this node, so a stored rendition is served without a
/// database round trip (three of them made the rendition route ~1 % of nginx's speed; bench/README.md). Visibility is
/// kept as an instant, so an embargo passing needs no eviction. Changes evict through the delivery cache's tags, here and
/// on every other node: the asset's own tag when it is edited or deleted, and everything when any article, live blog
/// entry or notice changes (published content is what makes an asset visible; an entry's change evicts only its
/// article's tag, and may add or drop a picture; such writes are rare next to image reads). A snapshot read
/// while an eviction happened is not kept, as in <see cref="ScheduleBoundaries"/>.
/// </summary>
public sealed class RenditionAssets(IAssetVisibility visibility) : ITagEvictionObserver
{
    /// <summary>Past this, everything is forgotten at once: a few hundred bytes each, and a bound against requests for many ids.</summary>
    private const int MaxSnapshots = 20_000;

    /// <summary>What any change to a published article (a row of Delivery's read model) or to a notice evicts, besides the global tag and the article's own.</summary>
    private static readonly string[] ContentTags = [CacheTags.All, "articles", "notices"];

    private readonly ConcurrentDictionary<Guid, AssetSnapshot> _snapshots = new();
    private long _generation;

    /// <summary>The asset's snapshot when this node holds it, without asking the database.</summary>
    public AssetSnapshot? Known(Guid id) => _snapshots.GetValueOrDefault(id);

    /// <summary>The asset's snapshot, or null when there is no such asset.</summary>
    public async ValueTask<AssetSnapshot?> FindAsync(HeadlessNewsDbContext db, Guid id, CancellationToken cancellationToken)
    {
        if (Known(id) is { } known)
        {
            return known;
        }
        var generation = Interlocked.Read(ref _generation);
        var asset = await db.Set<Asset>().AsNoTracking().Where(a => a.Id == id)
            .Select(a => new { a.Version, a.Width, a.Height, a.FocalX, a.FocalY }).FirstOrDefaultAsync(cancellationToken);
        if (asset is null)
        {
            return null;
        }
        var snapshot = new AssetSnapshot(id, asset.Version, asset.Width, asset.Height, new FocalPoint(asset.FocalX, asset.FocalY),
            await visibility.VisibleFromAsync(db, id, cancellationToken));
        if (_snapshots.Count >= MaxSnapshots)
        {
            _snapshots.Clear();
        }
        _snapshots[id] = snapshot;
        if (Interlocked.Read(ref _generation) != generation)
        {
            _snapshots.TryRemove(KeyValuePair.Create(id, snapshot));
        }
        return snapshot;
    }

    public void Evicted(string tag)
    {
        Interlocked.Increment(ref _generation);
        if (ContentTags.Contains(tag, StringComparer.Ordinal) || CacheTags.IsArticle(tag, out _))
        {
            _snapshots.Clear();
        }
        else if (tag.StartsWith(Asset.CacheTagPrefix, StringComparison.Ordinal) && Guid.TryParse(tag.AsSpan(Asset.CacheTagPrefix.Length), out var id))
        {
            _snapshots.TryRemove(id, out _);
        }
    }
}
