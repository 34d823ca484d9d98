using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HeadlessNews.Api.Infrastructure.Operations;

public sealed class WarmUpOptions
{
    public const string Section = "WarmUp";

    /// <summary>The longest a new process reads its own delivery routes before it says it is ready; 0 turns the warm-up off.</summary>
    [Range(0, 120)]
    public double Seconds { get; set; } = 15;
}

/// <summary>
/// A fresh .NET process runs unoptimised code until tiered compilation has recompiled its hot paths: on this API some
/// 20,000 methods, about 20 s of one core, done by a background thread that load starves, so a cold API serves a
/// fraction of its steady throughput with a long tail (bench/README.md). So once Kestrel listens, the API reads its own delivery routes
/// over loopback (cache misses and hits, plain and compressed, revalidations), gently, since the point is to make the
/// methods hot and leave the JIT a core, until the JIT has caught up or <see cref="WarmUpOptions.Seconds"/> have passed;
/// <c>/health/ready</c> answers 503 with the check <c>unhealthy</c> until then.
/// <para>
/// Its requests carry a secret made for this process, which exempts them from rate limiting: they would otherwise spend,
/// and be refused by, the loopback address's anonymous budget. The secret is forgotten when the warm-up ends.
/// </para>
/// </summary>
public sealed partial class StartupWarmUp(
    IServer server, IHostApplicationLifetime lifetime, IOptions<WarmUpOptions> options, ILogger<StartupWarmUp> logger) : BackgroundService, IHealthCheck
{
    public const string HeaderName = "X-HeadlessNews-Warm-Up";
    private const int Readers = 2;

    /// <summary>Distinct URLs per route: each is a cache miss once per encoding, enough calls for the JIT, few entries kept.</summary>
    private const int Distinct = 40;
    private const int SettledBelow = 100;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan SettleInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinimumTime = TimeSpan.FromSeconds(3);
    private const string ExamplePoint = "53.2801,-3.8277";

    private volatile byte[]? _secret = Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
    private volatile bool _done;

    /// <summary>True only for the warm-up's own requests, and only while it runs.</summary>
    public bool IsOwnRequest(HttpRequest request) =>
        _secret is { } secret
        && request.Headers.TryGetValue(HeaderName, out var presented)
        && CryptographicOperations.FixedTimeEquals(secret, Encoding.ASCII.GetBytes(presented.ToString()));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_done
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Warming up: reading its own delivery routes before taking traffic."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var duration = TimeSpan.FromSeconds(options.Value.Seconds);
            if (duration > TimeSpan.Zero)
            {
                await StartedAsync(stoppingToken);
                if (OwnAddress() is { } address)
                {
                    await WarmUpAsync(address, duration, stoppingToken);
                }
                else
                {
                    LogSkipped(logger);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogFailed(logger, e);
        }
        finally
        {
            _secret = null;
            _done = true;
        }
    }

    private async Task StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }
    }

    /// <summary>
    /// The first plain-HTTP address Kestrel listens on by IP or as localhost, a wildcard replaced by IPv4 loopback (a
    /// dual-mode socket takes it, and containers often have no IPv6); none under TestServer, nor for sockets and pipes.
    /// </summary>
    private Uri? OwnAddress()
    {
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var concrete = address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal);
            if (Uri.TryCreate(concrete, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
                && (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || uri.IsLoopback))
            {
                return new UriBuilder(uri) { Host = uri.Host is "0.0.0.0" or "[::]" ? "127.0.0.1" : uri.Host }.Uri;
            }
        }
        return null;
    }

    private async Task WarmUpAsync(Uri address, TimeSpan limit, CancellationToken stoppingToken)
    {
        // Never through a proxy or a redirect: the secret header is for this process only.
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Readers,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(10),
        };
        client.DefaultRequestHeaders.Add(HeaderName, Encoding.ASCII.GetString(_secret!));
        var started = Stopwatch.GetTimestamp();
        var reads = await PlanAsync(client, stoppingToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var left = limit - Stopwatch.GetElapsedTime(started);
        stop.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        var etags = new string?[reads.Count];
        int next = -1, requests = 0, failed = 0;
        var reading = Task.WhenAll(Enumerable.Range(0, Readers).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var turn = Interlocked.Increment(ref next);
                var slot = turn % reads.Count;
                using var request = new HttpRequestMessage(HttpMethod.Get, reads[slot]);
                if (turn % 3 != 0)
                {
                    request.Headers.AcceptEncoding.ParseAdd(turn % 3 == 1 ? "br" : "gzip");
                }
                if (turn % 5 == 0 && etags[slot] is { } etag)
                {
                    request.Headers.IfNoneMatch.ParseAdd(etag);
                }
                try
                {
                    using var response = await client.SendAsync(request, stop.Token);
                    await response.Content.CopyToAsync(Stream.Null, stop.Token);
                    etags[slot] = response.Headers.ETag?.ToString();
                    if ((int)response.StatusCode >= 400)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    if (stop.IsCancellationRequested)
                    {
                        break;
                    }
                    Interlocked.Increment(ref failed);
                }
                Interlocked.Increment(ref requests);
                await Task.Delay(Pause, CancellationToken.None);
            }
        }));
        var settled = await JitSettledAsync(started, stop.Token);
        await stop.CancelAsync();
        await reading;
        // The warm-up's garbage and the heap it grew would otherwise stay mapped for the life of the process.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        LogWarmedUp(logger, Stopwatch.GetElapsedTime(started).TotalSeconds, settled ? "the JIT had caught up" : "its time ran out",
            requests, reads.Count, failed);
    }

    /// <summary>True once a second of reading compiles little that is new: tiered compilation has optimised what the reads run.</summary>
    private async Task<bool> JitSettledAsync(long started, CancellationToken stop)
    {
        var compiled = JitInfo.GetCompiledMethodCount();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(SettleInterval, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var now = JitInfo.GetCompiledMethodCount();
            LogCompiling(logger, now - compiled);
            if (now - compiled < SettledBelow && Stopwatch.GetElapsedTime(started) >= MinimumTime)
            {
                return true;
            }
            compiled = now;
        }
        return false;
    }

    /// <summary>
    /// Distinct URLs for every hot delivery route, interleaved so each route is read from the start, and enough of each
    /// (limits, slugs, words, radii) that the first pass misses the output cache and runs the route's SQL.
    /// </summary>
    private static async Task<List<string>> PlanAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var latest = await client.GetFromJsonAsync<JsonElement>($"/v1/articles?limit={Distinct}", cancellationToken);
        var articles = latest.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray().ToList() : [];
        var slugs = articles.Select(a => a.GetProperty("slug").GetString()!).ToList();
        var words = articles.SelectMany(a => Words().Matches(a.GetProperty("headline").GetString() ?? string.Empty).Select(m => m.Value.ToLowerInvariant()))
            .Distinct().Take(Distinct / 2).ToList();
        string[] fixedReads =
        [
            "/v1/sections", "/v1/authors", "/v1/quotes", "/v1/sources", "/v1/notices",
            "/v1/feeds/articles.rss", "/v1/feeds/articles.atom", "/v1/feeds/articles.json", "/v1/feeds/articles.ninjs",
            "/v1/feeds/notices.rss", "/v1/feeds/notices.json",
        ];
        IEnumerable<string>[] routes =
        [
            Enumerable.Range(1, Distinct).Select(limit => $"/v1/articles?limit={limit}"),
            slugs.Select(slug => $"/v1/articles/{Uri.EscapeDataString(slug)}"),
            words.Select(word => $"/v1/search?q={Uri.EscapeDataString(word)}"),
            Enumerable.Range(1, Distinct / 2).Select(radius => $"/v1/notices?near={ExamplePoint}&radiusKm={radius.ToString(CultureInfo.InvariantCulture)}"),
            fixedReads,
        ];
        var queues = routes.Select(route => new Queue<string>(route)).ToList();
        var plan = new List<string>();
        while (queues.Any(queue => queue.Count > 0))
        {
            plan.AddRange(queues.Where(queue => queue.Count > 0).Select(queue => queue.Dequeue()));
        }
        return plan;
    }

    [GeneratedRegex(@"\p{L}{4,}")]
    private static partial Regex Words();

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up in {Seconds:F1} s, when {Reason}: {Requests} requests over {Urls} delivery URLs, {Failed} refused or failed")]
    private static partial void LogWarmedUp(ILogger logger, double seconds, string reason, int requests, int urls, int failed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warm-up: {Methods} methods compiled in the last second")]
    private static partial void LogCompiling(ILogger logger, long methods);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No warm-up: the server has no plain-HTTP address to call")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm-up stopped early; the API is ready regardless")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
