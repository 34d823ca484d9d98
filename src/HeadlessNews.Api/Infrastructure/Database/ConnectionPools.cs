using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// Every Npgsql pool the API holds: the primary's (behind <see cref="HeadlessNewsDbContext"/>), the read database's
/// (<see cref="ReadDatabase"/>), and those Npgsql keeps per connection string. After PostgreSQL restarts, or an
/// administrator ends the API's backends, each idle connection in them is dead and fails the one request that takes it;
/// <see cref="ClearAll"/> drops them all at once. <c>NpgsqlConnection.ClearAllPools()</c> alone does not: it never reaches
/// a data source built by the application, so the primary's is built here rather than by EF Core.
/// </summary>
public sealed class ConnectionPools(DatabaseEndpoint endpoint, ReadDatabase reads) : IAsyncDisposable, IDisposable
{
    private readonly Lazy<NpgsqlDataSource> _primary = new(() => DatabaseServiceCollectionExtensions.CreateDataSource(endpoint.ConnectionString));

    public NpgsqlDataSource Primary => _primary.Value;

    /// <summary>Closes every idle connection; those in use are closed when they come back instead of being pooled again.</summary>
    public void ClearAll()
    {
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
