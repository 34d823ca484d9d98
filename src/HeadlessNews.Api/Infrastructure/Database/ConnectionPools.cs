using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// Every Npgsql pool the API holds: the primary's (behind <see cref="HeadlessNewsDbContext"/>), the read database's
/// (<see cref="ReadDatabase"/>), and those Npgsql keeps per connection string. After PostgreSQL restarts, or an
/// administrator ends the API's backends, each idle connection in them is dead and fails the one request that takes it;
/// <see cref="ClearAfterBrokenConnection"/> drops them all at once. <c>NpgsqlConnection.ClearAllPools()</c> alone does not: it never reaches
/// a data source built by the application, so the primary's is built here rather than by EF Core.
/// </summary>
public sealed class ConnectionPools(DatabaseEndpoint endpoint, ReadDatabase reads) : IAsyncDisposable, IDisposable
{
    /// <summary>
    /// Requests failing on dead connections at once (a restart under load) clear the pools once, not once each: every clear
    /// also retires the fresh connections in use at that moment.
    /// </summary>
    private static readonly TimeSpan ClearedFor = TimeSpan.FromSeconds(1);

    // Not caching a failure: a context resolved before the endpoint is ready must not fail every later one.
    private readonly Lazy<NpgsqlDataSource> _primary = new(
        () => DatabaseServiceCollectionExtensions.CreateDataSource(endpoint.ConnectionString), LazyThreadSafetyMode.PublicationOnly);

    private long _lastCleared = long.MinValue;

    public NpgsqlDataSource Primary => _primary.Value;

    /// <summary>
    /// Closes every idle connection (those in use are closed when they come back instead of being pooled again), unless
    /// that was done within the last second.
    /// </summary>
    public void ClearAfterBrokenConnection()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastCleared);
        if (now - last < (long)ClearedFor.TotalMilliseconds || Interlocked.CompareExchange(ref _lastCleared, now, last) != last)
        {
            return;
        }
        if (_primary.IsValueCreated)
        {
            _primary.Value.Clear();
        }
        reads.ClearPools();
        NpgsqlConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        if (_primary.IsValueCreated)
        {
            await _primary.Value.DisposeAsync();
        }
    }

    public void Dispose()
    {
        if (_primary.IsValueCreated)
        {
            _primary.Value.Dispose();
        }
    }
}
