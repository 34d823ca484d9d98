using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace HeadlessNews.Tests.Support;

/// <summary>Another site a test talks to (an old WordPress site, a picture host): a minimal app on a free loopback port.</summary>
internal static class LoopbackSite
{
    public static async Task<WebApplication> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var site = builder.Build();
        map(site);
        await site.StartAsync();
        return site;
    }
}

/// <summary>Requests a test site is answering now, and the most it answered at once.</summary>
internal sealed class InFlight
{
    private int _now;
    private int _most;

    public int Now => Volatile.Read(ref _now);
    public int MostAtOnce => Volatile.Read(ref _most);

    /// <summary>Counts a request in until the returned handle is disposed.</summary>
    public IDisposable Enter()
    {
        var now = Interlocked.Increment(ref _now);
        for (var most = _most; now > most; most = _most)
        {
            Interlocked.CompareExchange(ref _most, now, most);
        }
        return new Leaving(this);
    }

    private sealed class Leaving(InFlight counter) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref counter._now);
    }
}
