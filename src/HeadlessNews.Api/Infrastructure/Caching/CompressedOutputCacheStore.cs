using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using K4os.Compression.LZ4;
using Microsoft.AspNetCore.OutputCaching;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>
/// Keeps output-cache entries LZ4-compressed in the framework's in-memory store, so the size limit (which counts stored
/// bytes) holds several times the pages and the process's peak memory falls, while a hit costs one LZ4 decode
/// (gigabytes a second). Kept as they are: entries that LZ4 barely shrinks (responses already Brotli- or gzip-encoded
/// for the client). As a buffer store it is handed the framework's pooled serialisation buffer, so storing a page makes
/// one array, the compressed one: a list with <c>include=body</c> (~100 KB) is held in ~30 KB, below the large-object
/// heap, where held and evicted entries under many distinct URLs stayed until a full collection. Figures in
/// bench/README.md (bench/archive/distinct-urls.sh).
/// </summary>
internal sealed class CompressedOutputCacheStore(IOutputCacheStore inner) : IOutputCacheBufferStore
{
    /// <summary>Starts a compressed entry; the framework's own format starts with its revision number (1 or 2).</summary>
    private const byte CompressedMarker = 0xFF;

    /// <summary>The marker and the decoded length (32 bits, little-endian) before the LZ4 block.</summary>
    private const int Header = 5;

    private const int HotLimit = 64;

    /// <summary>
    /// Hot entries (a front page's list) are kept decoded, so they are not decoded on every hit (a measurable share of the
    /// cached latest list's throughput). An entry counts as hot when it is decoded <see cref="HotAfter"/> times in a row
    /// in its slot of <see cref="_streaks"/>. The long tail of article pages is not admitted: with two in a row as the
    /// test, two readers walking the same pages in step admitted every page, and the decoded copies, alive until the
    /// next clear, were promoted and left for gen 2.
    /// </summary>
    internal const int HotAfter = 8;

    private const int Slots = 1024;

    /// <summary>
    /// Per slot, the identity hash of the entry decoded last (high half) and how many times in a row (low half), updated
    /// as one word so a count is not credited to another entry (bar an identity-hash clash). A plain long: an object per
    /// slot, replaced on every decode, was kept alive by the array holding it past gen-0 collections, which cost
    /// throughput.
    /// </summary>
    private readonly long[] _streaks = new long[Slots];

    /// <summary>Keyed by the stored array itself: a changed entry is a new array, so nothing here can go stale.</summary>
    private readonly ConcurrentDictionary<byte[], byte[]> _hot = new(ReferenceEqualityComparer.Instance);

    /// <summary>Evictions begun on this node, each counted before it is applied (see <see cref="BeginFill"/>).</summary>
    private long _evictions;

    /// <summary>What <see cref="_evictions"/> was when the request this flow serves began.</summary>
    private readonly AsyncLocal<long?> _evictionsBeforeFill = new();

    /// <summary>
    /// Notes, for the request this flow serves, how many evictions had begun. An eviction that begins while its response
    /// is being read, and is applied before that response is stored, cannot remove it: the entry would serve what the
    /// eviction removed (an unpublished article) until it expires. So an entry stored after another eviction began is
    /// removed again.
    /// </summary>
    public void BeginFill() => _evictionsBeforeFill.Value = Interlocked.Read(ref _evictions);

    public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _evictions);
        return inner.EvictByTagAsync(tag, cancellationToken);
    }

    /// <summary>Wraps the store the framework registered (an in-memory one unless the app chose another).</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.Single(d => d.ServiceType == typeof(IOutputCacheStore) && !d.IsKeyedService);
        services.Remove(registered);
        services.AddSingleton<IOutputCacheStore>(provider => new CompressedOutputCacheStore(registered switch
        {
            { ImplementationInstance: IOutputCacheStore instance } => instance,
            { ImplementationFactory: { } factory } => (IOutputCacheStore)factory(provider),
            _ => (IOutputCacheStore)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!),
        }));
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var stored = await inner.GetAsync(key, cancellationToken);
        if (stored is not [CompressedMarker, ..])
        {
            return stored;
        }
        if (_hot.TryGetValue(stored, out var decoded))
        {
            return decoded;
        }
        decoded = GC.AllocateUninitializedArray<byte>(BinaryPrimitives.ReadInt32LittleEndian(stored.AsSpan(1)));
        LZ4Codec.Decode(stored.AsSpan(Header), decoded);
        var identity = RuntimeHelpers.GetHashCode(stored);
        var slot = (identity & int.MaxValue) % Slots;
        long seen, streak;
        do
        {
            seen = Volatile.Read(ref _streaks[slot]);
            streak = (int)(seen >> 32) == identity ? seen + 1 : ((long)identity << 32) | 1;
        }
        while (Interlocked.CompareExchange(ref _streaks[slot], streak, seen) != seen);
        if ((int)streak >= HotAfter)
        {
            if (_hot.Count >= HotLimit)
            {
                _hot.Clear();
            }
            _hot[stored] = decoded;
        }
        return decoded;
    }

    public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken) =>
        StoreAsync(key, Compressed(value) ?? value, tags, validFor, cancellationToken);

    ValueTask IOutputCacheBufferStore.SetAsync(string key, ReadOnlySequence<byte> value, ReadOnlyMemory<string> tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        // The framework serialises into one pooled buffer, so the sequence is a single segment.
        var bytes = value.IsSingleSegment ? value.FirstSpan : value.ToArray();
        return StoreAsync(key, Compressed(bytes) ?? bytes.ToArray(), tags.ToArray(), validFor, cancellationToken);
    }

    /// <summary>
    /// Stores the entry, then removes it again if an eviction began since its request did (<see cref="BeginFill"/>). As
    /// an eviction is counted before it is applied, one that this check does not see is applied after the entry is stored,
    /// and removes it itself.
    /// </summary>
    private async ValueTask StoreAsync(string key, byte[] entry, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        var evictionsBefore = _evictionsBeforeFill.Value;
        await inner.SetAsync(key, entry, tags, validFor, cancellationToken);
        if (evictionsBefore is { } before && Interlocked.Read(ref _evictions) != before)
        {
            // The store removes nothing by key: the same entry, expiring at once and untagged, takes its place.
            await inner.SetAsync(key, entry, null, TimeSpan.FromTicks(1), cancellationToken);
        }
    }

    async ValueTask<bool> IOutputCacheBufferStore.TryGetAsync(string key, PipeWriter destination, CancellationToken cancellationToken)
    {
        if (await GetAsync(key, cancellationToken) is not { } entry)
        {
            return false;
        }
        destination.Write(entry);
        return true;
    }

    /// <summary>
    /// The entry as the marker, its length and its LZ4 block, or null when LZ4 barely shrinks it. The block is encoded in a
    /// pooled buffer: a worst-case-sized one per entry would itself be a large object for every body list stored.
    /// </summary>
    private static byte[]? Compressed(ReadOnlySpan<byte> value)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(LZ4Codec.MaximumOutputSize(value.Length));
        try
        {
            var length = LZ4Codec.Encode(value, scratch);
            if (length <= 0 || Header + length >= value.Length - value.Length / 8)
            {
                return null;
            }
            var stored = GC.AllocateUninitializedArray<byte>(Header + length);
            stored[0] = CompressedMarker;
            BinaryPrimitives.WriteInt32LittleEndian(stored.AsSpan(1), value.Length);
            scratch.AsSpan(0, length).CopyTo(stored.AsSpan(Header));
            return stored;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
