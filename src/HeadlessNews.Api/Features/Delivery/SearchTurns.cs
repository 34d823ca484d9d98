using System.Threading.RateLimiting;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// The turns full-text reads (<c>/v1/search</c>, and the lists' <c>?q=</c>) take at the database, one queue per node, oldest
/// first (see <see cref="SearchOptions"/>). Reads without words do not queue: they cost a tenth of a search.
/// </summary>
public sealed class SearchTurns(IOptions<SearchOptions> options) : IDisposable
{
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.MaxConcurrent,
        QueueLimit = options.Value.MaxQueued,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>How many reads wait and how many turns are free now.</summary>
    public RateLimiterStatistics? Statistics => _limiter.GetStatistics();

    /// <summary>
    /// A turn to dispose when the read of <paramref name="words"/> is done; null when the queue is full (answer
    /// <see cref="Busy"/>). A read without words takes none.
    /// </summary>
    public async ValueTask<IDisposable?> TakeAsync(string? words, CancellationToken cancellationToken)
    {
        if (words is null)
        {
            return NoTurn.Instance;
        }
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }
        lease.Dispose();
        return null;
    }

    /// <summary>A full queue: 503 with <c>Retry-After</c>.</summary>
    public static ProblemHttpResult Busy(HttpContext http) =>
        Problems.ServiceUnavailable(http, "Too many searches are waiting; search again in a moment.", retryAfterSeconds: 1);

    public void Dispose() => _limiter.Dispose();

    private sealed class NoTurn : IDisposable
    {
        public static readonly NoTurn Instance = new();

        public void Dispose()
        {
        }
    }
}
