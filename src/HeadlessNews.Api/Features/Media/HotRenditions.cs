using System.Collections.Concurrent;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Media;

/// <summary>
/// The stored renditions this node has sent, kept in memory up to <see cref="MediaOptions.HotRenditionsMegabytes"/> (then
/// forgotten all at once and refilled): a key's bytes never change (the asset's version is in it), and a front page's
/// pictures are asked for far more often than a file open or a round trip to the store suits. Whether a rendition may be
/// sent is never judged here (see <see cref="RenditionAssets"/>); an asset's edit or deletion forgets its renditions.
/// </summary>
public sealed class HotRenditions(IOptions<MediaOptions> options) : ITagEvictionObserver
{
    private readonly long _limit = options.Value.HotRenditionsMegabytes * 1024L * 1024;
    private readonly ConcurrentDictionary<string, byte[]> _kept = new(StringComparer.Ordinal);
    private long _keptBytes;

    public bool IsOn => _limit > 0;

    public byte[]? Find(string key) => _kept.GetValueOrDefault(key);

    public void Keep(string key, byte[] bytes)
    {
        if (bytes.Length > _limit)
        {
            return;
        }
        if (Interlocked.Add(ref _keptBytes, bytes.Length) > _limit)
        {
            _kept.Clear();
            Interlocked.Exchange(ref _keptBytes, bytes.Length);
        }
        _kept[key] = bytes;
    }

    public void Evicted(string tag)
    {
        if (tag.StartsWith(Asset.CacheTagPrefix, StringComparison.Ordinal) && Guid.TryParse(tag.AsSpan(Asset.CacheTagPrefix.Length), out var id))
        {
            var prefix = Asset.RenditionsPrefix(id);
            foreach (var key in _kept.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
            {
                _kept.TryRemove(key, out _);
            }
        }
    }
}
