using System.Threading.RateLimiting;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// How many failed authentications each client address may make per window (<c>RateLimiting:FailedAuthentications</c>
/// per <c>RateLimiting:WindowSeconds</c>). Authentication asks before it looks a key up and spends only on failure, so
/// once an address has spent it, more made-up keys cost the database nothing. Requests in flight together may each
/// pass the check before any of them spends, so the overshoot is bounded by one address's concurrency.
/// </summary>
public sealed class FailedAuthenticationBudget : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly TimeSpan _window;

    public FailedAuthenticationBudget(IOptions<RateLimitingOptions> options)
    {
        var settings = options.Value;
        _window = TimeSpan.FromSeconds(settings.WindowSeconds);
        if (settings.Enabled)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.FailedAuthentications,
                Window = _window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        }
    }

    /// <summary>When the caller's address has no failures left: how long until it has.</summary>
    public TimeSpan? Exhausted(HttpContext context)
    {
        if (_limiter is null)
        {
            return null;
        }
        // Asking for no permits reports whether any are left without taking one.
        using var lease = _limiter.AttemptAcquire(RateLimits.ClientAddress(context), 0);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _window;
    }

    public void Spend(HttpContext context) => _limiter?.AttemptAcquire(RateLimits.ClientAddress(context)).Dispose();

    public void Dispose() => _limiter?.Dispose();
}
