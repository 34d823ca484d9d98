using System.Collections.Concurrent;
using HeadlessNews.Tests.Media;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// The old site's uploads folder, on a loopback port: a JPEG for every .jpg or .gif asked for (each size its own), 404 for
/// the rest, each after an optional delay (a site far away); what was asked is kept in order, with the most asked at once.
/// </summary>
internal sealed class OldWordPressSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _mostAtOnce;

    private OldWordPressSite(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();
    public ConcurrentQueue<string> Requested { get; } = new();
    public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

    public static async Task<OldWordPressSite> StartAsync(TimeSpan answerAfter = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var site = new OldWordPressSite(builder.Build());
        site._app.MapGet("/wp-content/uploads/{**path}", async (string path) =>
        {
            site.Requested.Enqueue(path);
            var now = Interlocked.Increment(ref site._inFlight);
            for (var most = site._mostAtOnce; now > most; most = site._mostAtOnce)
            {
                Interlocked.CompareExchange(ref site._mostAtOnce, now, most);
            }
            try
            {
                await Task.Delay(answerAfter);
                return path.EndsWith(".jpg", StringComparison.Ordinal) || path.EndsWith(".gif", StringComparison.Ordinal)
                    ? Results.Bytes(TestImages.Jpeg(TestImages.Photo(40 + Math.Abs(path.GetHashCode(StringComparison.Ordinal) % 50), 30)), "image/jpeg")
                    : Results.NotFound();
            }
            finally
            {
                Interlocked.Decrement(ref site._inFlight);
            }
        });
        await site._app.StartAsync();
        return site;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
