using System.Collections.Concurrent;
using HeadlessNews.Tests.Media;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// The old site's uploads folder, on a loopback port: a JPEG for every .jpg or .gif asked for (each size its own), 404 for
/// the rest; what was asked is kept in order, with the most asked at once. Made <c>slow</c>, it holds each request until
/// another is in flight (a site far away, whose answers overlap only if the client asks for several at once), or 2 s.
/// </summary>
internal sealed class OldWordPressSite : IAsyncDisposable
{
    private static readonly TimeSpan LongestHold = TimeSpan.FromSeconds(2);
    private readonly InFlight _inFlight = new();
    private readonly TaskCompletionSource _overlapped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;

    public string Url => _app.Urls.First();
    public ConcurrentQueue<string> Requested { get; } = new();
    public int MostAtOnce => _inFlight.MostAtOnce;

    public static async Task<OldWordPressSite> StartAsync(bool slow = false)
    {
        var site = new OldWordPressSite();
        site._app = await LoopbackSite.StartAsync(app => app.MapGet("/wp-content/uploads/{**path}", async (string path) =>
        {
            site.Requested.Enqueue(path);
            using var answering = site._inFlight.Enter();
            if (slow)
            {
                if (site._inFlight.Now > 1)
                {
                    site._overlapped.TrySetResult();
                }
                await site._overlapped.Task.WaitAsync(LongestHold).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            return path.EndsWith(".jpg", StringComparison.Ordinal) || path.EndsWith(".gif", StringComparison.Ordinal)
                ? Results.Bytes(TestImages.Jpeg(TestImages.Photo(40 + Math.Abs(path.GetHashCode(StringComparison.Ordinal) % 50), 30)), "image/jpeg")
                : Results.NotFound();
        }));
        return site;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
