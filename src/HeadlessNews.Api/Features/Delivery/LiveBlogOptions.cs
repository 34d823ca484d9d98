using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>The live stream's pace (section <c>LiveBlogs</c>).</summary>
public sealed class LiveBlogOptions
{
    public const string Section = "LiveBlogs";

    /// <summary>Seconds between keep-alive comments; also how soon a stream notices coverage ended or the article went.</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>The reconnection delay advised to readers (<c>retry:</c>).</summary>
    [Range(100, 600_000)]
    public int RetryMilliseconds { get; set; } = 3000;

    /// <summary>Frames a reader may fall behind by before its stream is closed (it resumes with Last-Event-ID).</summary>
    [Range(16, 100_000)]
    public int ReaderQueue { get; set; } = 256;

    /// <summary>Latest frames a node keeps per streamed live blog, so readers resuming within them replay from memory, not the database.</summary>
    [Range(0, 100_000)]
    public int ReplayFrames { get; set; } = 1000;

    /// <summary>Replays read from the database at once on a node (each holds a pooled connection while it reads); more wait their turn.</summary>
    [Range(1, 64)]
    public int ConcurrentReplays { get; set; } = 4;
}
