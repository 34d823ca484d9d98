using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>HTTP caching of delivery responses: what browsers and CDNs are told, and how long the server keeps an entry.</summary>
public sealed class DeliveryCacheOptions
{
    public const string Section = "Delivery:Cache";

    /// <summary>Turns the server output cache off (HTTP caching headers, ETags and 304s stay).</summary>
    public bool ServerCacheEnabled { get; set; } = true;

    [Range(0, 86_400)]
    public int MaxAgeSeconds { get; set; } = 60;

    [Range(0, 86_400)]
    public int StaleWhileRevalidateSeconds { get; set; } = 300;

    /// <summary>How long the server keeps an entry; changes evict it earlier by tag, and scheduled boundaries cut it short.</summary>
    [Range(1, 86_400)]
    public int ServerSeconds { get; set; } = 600;

    /// <summary>
    /// Stored (LZ4-compressed) bytes the server output cache may hold. Holding them costs the process about twice that
    /// (entries, keys, tag sets, and evicted entries until the next full collection): with 256, requests for many distinct
    /// list URLs took the API past 650 MB and 32 to 347 MB, while 16 kept it at 292 MB (bench/archive/distinct-urls.sh, with the
    /// GC settings in the project file). 16 holds the pages of ~5,000 articles: the front pages and the stories being read.
    /// </summary>
    [Range(1, 16_384)]
    public int ServerSizeLimitMegabytes { get; set; } = 16;
}
