using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using HeadlessNews.Api.Infrastructure.Operations;
using Microsoft.AspNetCore.RateLimiting;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// One global partitioned limiter: the partition is the surface (delivery, management, feeds) plus the API key's
/// id or the signed-in person (issuer and subject, <see cref="Caller.ScopeId"/>), both with the key budget, or the client address for anonymous callers (the forwarded one only from a configured proxy, see
/// <see cref="ClientAddresses"/>). It runs inside the output cache, so a cached answer spends no budget. The framework
/// drops a partition's limiter once it has been idle (full again) for a few seconds, so a flood of distinct addresses
/// holds memory only for about one window.
/// The start-up warm-up's own reads are not limited, nor a read's second run after a broken connection (<see cref="BrokenConnectionRetry"/>) when its first was counted.
/// </summary>
public static class RateLimits
{
    private const string UnknownClient = "unknown";

    /// <summary>Marks a request the limiter let through, so its second run after a broken connection is not counted again.</summary>
    private static readonly object Counted = new();

    /// <summary>Runs right after the limiter: what reaches it was counted (or needs no budget).</summary>
    internal static Task MarkCounted(HttpContext context, RequestDelegate next)
    {
        context.Items[Counted] = true;
        return next(context);
    }

    internal static void Configure(RateLimiterOptions limiter, RateLimitingOptions settings, StartupWarmUp warmUp)
    {
        var window = TimeSpan.FromSeconds(settings.WindowSeconds);
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var (surface, budget) = Surface(context.Request.Path, settings);
            if (budget is null || warmUp.IsOwnRequest(context.Request) || context.Items.ContainsKey(Counted))
            {
                return RateLimitPartition.GetNoLimiter(string.Empty);
            }
            var caller = Caller.From(context);
            var (partition, permits) = IsAnonymous(caller)
                ? ($"{surface}|ip|{ClientAddress(context)}", budget.Anonymous)
                : ($"{surface}|{caller.Kind}|{caller.ScopeId}", budget.Key);
            return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = window,
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
        limiter.OnRejected = (rejected, _) => new ValueTask(RejectAsync(rejected.HttpContext,
            rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window,
            seconds => IsAnonymous(Caller.From(rejected.HttpContext))
                ? $"This client address has used its request budget; retry after {seconds} s. An API key or a sign-in raises the budget."
                : $"This key or person has used its request budget; retry after {seconds} s."));
    }

    /// <summary>Neither an API key nor a signed-in person (whose tokens carry issuer and subject, not a key id).</summary>
    private static bool IsAnonymous(Caller caller) => caller is { KeyId: null, Person: null };

    /// <summary>Answers 429 with <c>Retry-After</c> in whole seconds (at least 1) and a problem whose detail names them.</summary>
    internal static Task RejectAsync(HttpContext context, TimeSpan retryAfter, Func<int, string> detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too Many Requests", detail(seconds));
    }

    private static (string Surface, RateBudget? Budget) Surface(PathString path, RateLimitingOptions settings) => ApiSurfaces.Of(path) switch
    {
        ApiSurface.Management => ("manage", settings.Management),
        ApiSurface.Tips => ("tips", settings.Tips),
        ApiSurface.Feeds => ("feeds", settings.Feeds),
        ApiSurface.Delivery => ("delivery", settings.Delivery),
        _ => (string.Empty, null),
    };

    /// <summary>An IPv6 client usually controls a whole /64, so that is one partition. TestServer has no address at all.</summary>
    internal static string ClientAddress(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return UnknownClient;
        }
        address = ClientAddresses.Normalised(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes).ToString();
        }
        return address.ToString();
    }

    internal static bool IsEnabled(IServiceProvider services) => services.GetRequiredService<IOptions<RateLimitingOptions>>().Value.Enabled;
}
