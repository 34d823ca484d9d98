using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Features.Media;

/// <summary>A rendition request once parsed: width, output format (never <c>auto</c>) and optional crop ratio.</summary>
public sealed record RenditionSpec(int Width, string Format, string? Ratio)
{
    public static readonly IReadOnlyDictionary<string, double> Ratios = new Dictionary<string, double>
    {
        ["16x9"] = 16.0 / 9, ["4x3"] = 4.0 / 3, ["1x1"] = 1, ["3x2"] = 3.0 / 2,
    };

    public static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        ["jpg"] = ImageFiles.Jpeg, ["webp"] = ImageFiles.WebP, ["avif"] = ImageFiles.Avif,
    };

    public string ContentType => ContentTypes[Format];

    public string Key(Guid id, int version) => $"{Asset.RenditionsPrefix(id)}{version}/{Name}";

    /// <summary>A stored rendition never changes: its version, width, ratio and format name it.</summary>
    public EntityTagHeaderValue ETag(int version) => new($"\"{version}-{Name}\"");

    private string Name => $"{Width}{(Ratio is null ? "" : "-" + Ratio)}.{Format}";
}

/// <summary>
/// Makes renditions at most <see cref="MediaOptions.MaxConcurrentRenders"/> at a time (uploads' decoding shares the
/// same gate), each at most once per node however many ask for it at the same moment, and stores what it made. What it
/// found or made is kept in <see cref="HotRenditions"/>. How much work waits for the gate is the
/// <c>headlessnews.media.image_work.waiting</c> gauge on <c>/metrics</c>: a queue that stays long says the node needs
/// more cores or a lower upload rate.
/// </summary>
public sealed class ImageWork : IDisposable
{
    /// <summary>The media library's meter (the telemetry exports every <c>HeadlessNews.*</c> meter).</summary>
    public const string MeterName = "HeadlessNews.Media";

    private readonly IMediaStorage storage;
    private readonly HotRenditions hot;
    private readonly SemaphoreSlim _gate;
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _making = new(StringComparer.Ordinal);
    private int _waiting;

    public ImageWork(IMediaStorage storage, HotRenditions hot, IOptions<MediaOptions> options, IMeterFactory meters)
    {
        this.storage = storage;
        this.hot = hot;
        _gate = new SemaphoreSlim(options.Value.MaxConcurrentRenders);
        meters.Create(MeterName).CreateObservableGauge("headlessnews.media.image_work.waiting", () => Waiting,
            description: "Image work (renditions, uploads' and tips' pictures) waiting for a place in the gate");
    }

    /// <summary>Image work waiting for a place in the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Runs CPU-heavy image work inside the gate, off the request thread.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        try
        {
            return await Task.Run(work, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The stored rendition, made (once, whoever asks concurrently) when it is not there yet.</summary>
    public async Task<StoredMedia> GetOrMakeAsync(AssetSnapshot asset, RenditionSpec spec, CancellationToken cancellationToken)
    {
        var key = spec.Key(asset.Id, asset.Version);
        if (hot.Find(key) is { } kept)
        {
            return new StoredMedia(null, kept);
        }
        if (!hot.IsOn && await storage.FindAsync(key, cancellationToken) is { } stored)
        {
            return stored;
        }
        if (hot.IsOn && await storage.ReadAsync(key, cancellationToken) is { } read)
        {
            hot.Keep(key, read);
            return new StoredMedia(null, read);
        }
        var making = _making.GetOrAdd(key, _ => new Lazy<Task<byte[]>>(() => MakeAsync(asset, spec, key)));
        try
        {
            return new StoredMedia(null, await making.Value.WaitAsync(cancellationToken));
        }
        finally
        {
            if (making.Value.IsCompleted)
            {
                _making.TryRemove(new KeyValuePair<string, Lazy<Task<byte[]>>>(key, making));
            }
        }
    }

    /// <summary>
    /// Not cancelled by the first caller leaving: others may be waiting for the same rendition. A rendition without a crop
    /// no wider than the asset's master shrinks from it; a wider one or a crop (which may need more height) from the original.
    /// </summary>
    private async Task<byte[]> MakeAsync(AssetSnapshot asset, RenditionSpec spec, string key)
    {
        var fromMaster = spec.Ratio is null && spec.Width <= ImageFiles.MasterWidth(asset.Width);
        var source = (fromMaster ? await storage.ReadAsync(Asset.MasterKey(asset.Id), CancellationToken.None) : null)
            ?? await storage.ReadAsync(Asset.OriginalKey(asset.Id), CancellationToken.None)
            ?? throw new InvalidOperationException($"The original of asset {asset.Id} is missing from media storage.");
        var ratio = spec.Ratio is null ? (double?)null : RenditionSpec.Ratios[spec.Ratio];
        var bytes = await RunAsync(() => ImageFiles.Render(source, asset.Width, asset.Height, spec.Width, ratio, asset.FocalPoint, spec.Format), CancellationToken.None);
        await storage.WriteAsync(key, bytes, spec.ContentType, CancellationToken.None);
        hot.Keep(key, bytes);
        return bytes;
    }

    public void Dispose() => _gate.Dispose();
}
