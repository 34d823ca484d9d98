using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// The database delivery and feeds read from: <c>ConnectionStrings:HeadlessNewsRead</c> when set (for example an
/// Npgsql multi-host string with <c>Target Session Attributes=prefer-standby</c>), else the primary. Inject it as
/// <c>[FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db</c>; its contexts do not track changes.
/// Management never uses it: an editor always reads their own writes from the primary.
/// <para>
/// A cache eviction carries the primary's WAL position (<see cref="RequireReplayOf"/>); until the standby has
/// replayed that far, reads go to the primary, so an evicted entry is never refilled with the content it replaced.
/// </para>
/// <para>
/// Reads that one plan serves well whatever the values (a page by slug, the latest list, search) use
/// <see cref="GenericPlansKey"/>: its connections keep one generic plan per prepared statement. PostgreSQL's own choice
/// re-plans the latest list on every execution (its generic plan is costed at twice a custom one, for the same index
/// scan), which was ~35 % of the uncached list's database time. Filters whose best plan depends on the value, such as
/// a tag on 0.1 % or 10 % of articles, stay on <see cref="Key"/>, where PostgreSQL decides per execution. Each key is
/// its own Npgsql pool (Max Pool Size applies to each).
/// </para>
/// </summary>
public sealed class ReadDatabase(IConfiguration configuration, DatabaseEndpoint endpoint, ILoggerFactory loggers) : IAsyncDisposable, IDisposable
{
    public const string Key = "read";
    public const string GenericPlansKey = "read-generic-plans";
    public const string ConnectionName = "HeadlessNewsRead";
    private readonly Lazy<ReadPools> _read = new(() => new ReadPools(ConnectionString(configuration, endpoint), loggers), LazyThreadSafetyMode.PublicationOnly);
    private readonly Lazy<ReadPools> _primary = new(() => new ReadPools(endpoint.ConnectionString, loggers), LazyThreadSafetyMode.PublicationOnly);
    private ulong _requiredLsn;
    private ulong _replayedLsn;
    private long _nextReplayCheck;

    /// <summary>How long reads stay on the primary after the standby was found behind before it is asked again.</summary>
    internal static readonly TimeSpan ReplayRecheck = TimeSpan.FromMilliseconds(100);

    public bool UsesReplica { get; } = !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName));

    public HeadlessNewsDbContext CreateDbContext(bool genericPlans = false) => Pools().Get(genericPlans).Contexts.CreateDbContext();

    /// <summary>
    /// The same pool as <see cref="CreateDbContext"/>'s contexts, for SQL read without a context (<see cref="SqlReads"/>):
    /// EF's execution strategy, connection handling and the pooled context's lease, reset and return were ~4 % of an
    /// uncached list's API CPU.
    /// </summary>
    public NpgsqlDataSource DataSource(bool genericPlans = false) => Pools().Get(genericPlans).DataSource;

    /// <summary>Closes the idle connections of every pool opened so far (see <see cref="ConnectionPools.ClearAll"/>).</summary>
    public void ClearPools()
    {
        foreach (var dataSource in CreatedDataSources())
        {
            dataSource.Clear();
        }
    }

    /// <summary>Closes the pools' idle connections when the host stops (a test server per test class would otherwise leave them open).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in CreatedDataSources())
        {
            await dataSource.DisposeAsync();
        }
    }

    public void Dispose()
    {
        foreach (var dataSource in CreatedDataSources())
        {
            dataSource.Dispose();
        }
    }

    private IEnumerable<NpgsqlDataSource> CreatedDataSources() =>
        new[] { _read, _primary }.Where(pools => pools.IsValueCreated).SelectMany(pools => pools.Value.CreatedDataSources());

    private ReadPools Pools()
    {
        var required = Interlocked.Read(ref _requiredLsn);
        return (!UsesReplica || required <= Interlocked.Read(ref _replayedLsn) || ReplicaHasReplayed(required) ? _read : _primary).Value;
    }

    /// <summary>Reads must not come from a standby that has not replayed the primary's WAL up to <paramref name="lsn"/>.</summary>
    public void RequireReplayOf(string lsn)
    {
        var position = ParseLsn(lsn);
        var current = Interlocked.Read(ref _requiredLsn);
        while (position > current)
        {
            var seen = Interlocked.CompareExchange(ref _requiredLsn, position, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    /// <summary>
    /// Runs only between an eviction and the standby catching up; a server that replays nothing is a primary. Asked at
    /// most once per <see cref="ReplayRecheck"/>: every read asking meant a blocking query in front of each read for as
    /// long as the standby lagged. Until the next ask, and when the standby cannot be asked, reads use the primary.
    /// </summary>
    private bool ReplicaHasReplayed(ulong required)
    {
        var now = Stopwatch.GetTimestamp();
        var askAt = Interlocked.Read(ref _nextReplayCheck);
        if (now < askAt || Interlocked.CompareExchange(ref _nextReplayCheck, now + (long)(ReplayRecheck.TotalSeconds * Stopwatch.Frequency), askAt) != askAt)
        {
            return false;
        }
        ulong replayed;
        try
        {
            using var connection = new NpgsqlConnection(_read.Value.ReplayCheckConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn()::text", connection);
            replayed = command.ExecuteScalar() is string lsn ? ParseLsn(lsn) : ulong.MaxValue;
        }
        catch (NpgsqlException)
        {
            return false;
        }
        if (replayed < required)
        {
            return false;
        }
        Interlocked.Exchange(ref _replayedLsn, Math.Min(replayed, required));
        return true;
    }

    /// <summary>A pg_lsn's text form is two hexadecimal halves, <c>16/B374D848</c>.</summary>
    internal static ulong ParseLsn(string lsn)
    {
        var slash = lsn.IndexOf('/', StringComparison.Ordinal);
        return (ulong.Parse(lsn.AsSpan(0, slash), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) << 32)
            | ulong.Parse(lsn.AsSpan(slash + 1), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One server's two pools: plans chosen by PostgreSQL per execution, and generic plans.</summary>
    private sealed class ReadPools(string connectionString, ILoggerFactory loggers)
    {
        // Built once each (not PublicationOnly): a data source that lost a race would be a pool nobody disposes.
        private readonly Lazy<Pool> _perExecution = new(() => new Pool(Multiplexed(connectionString), loggers));
        private readonly Lazy<Pool> _generic = new(() => new Pool(WithGenericPlans(Multiplexed(connectionString)), loggers));

        /// <summary>For the synchronous replay check, which a multiplexed connection refuses, whatever the read string says.</summary>
        public string ReplayCheckConnectionString { get; } = new NpgsqlConnectionStringBuilder(connectionString) { Multiplexing = false }.ConnectionString;

        public Pool Get(bool genericPlans) => (genericPlans ? _generic : _perExecution).Value;

        public IEnumerable<NpgsqlDataSource> CreatedDataSources() =>
            new[] { _perExecution, _generic }.Where(pool => pool.IsValueCreated).Select(pool => pool.Value.DataSource);
    }

    /// <summary>
    /// One Npgsql pool, shared by untracked contexts and by SQL read straight from it. Npgsql logs to the host's loggers
    /// (category <c>Npgsql</c>, Warning by default): its notices at Debug are how a test sees the plans of the reads.
    /// </summary>
    private sealed class Pool
    {
        public Pool(string connectionString, ILoggerFactory loggers)
        {
            DataSource = DatabaseServiceCollectionExtensions.CreateDataSource(connectionString, loggers);
            Contexts = new(((DbContextOptionsBuilder<HeadlessNewsDbContext>)DatabaseServiceCollectionExtensions
                    .Configure(new DbContextOptionsBuilder<HeadlessNewsDbContext>(), DataSource))
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options);
        }

        public NpgsqlDataSource DataSource { get; }

        public PooledDbContextFactory<HeadlessNewsDbContext> Contexts { get; }
    }

    /// <summary>
    /// Reads share connections (Npgsql multiplexing) unless the string says otherwise: commands from concurrent requests
    /// are written to whichever connection is free, several in one write, instead of each request holding a connection
    /// for its round trip: less CPU per request on both sides (figures in bench/README.md). A smaller multiplexed pool gains
    /// a little more, not worth a slow search holding up a few connections' queues.
    /// Reads keep no session state, which multiplexing cannot carry. Npgsql 11 removes the mode: drop this on upgrade.
    /// <para>
    /// Npgsql refuses it for several hosts and without pooling, so those strings stay as they are. A multiplexed command
    /// times out after the connection <c>Timeout</c>, not <c>Command Timeout</c>, so the larger of the two becomes the
    /// <c>Timeout</c>; and it ignores cancellation once sent (a client that hangs up does not stop its read, which
    /// delivery's reads, milliseconds each, can afford).
    /// </para>
    /// </summary>
    internal static string Multiplexed(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (DatabaseEndpoint.WrittenKeywords(connectionString).Contains(DatabaseEndpoint.Keyword("Multiplexing"))
            || builder.Host?.Contains(',', StringComparison.Ordinal) == true || !builder.Pooling)
        {
            return connectionString;
        }
        builder.Multiplexing = true;
        builder.Timeout = Math.Min(Math.Max(builder.Timeout, builder.CommandTimeout), MaxTimeoutSeconds);
        return builder.ConnectionString;
    }

    /// <summary>The largest connection <c>Timeout</c> Npgsql accepts, in seconds.</summary>
    private const int MaxTimeoutSeconds = 1024;

    /// <summary>The same server and settings, with PostgreSQL told to keep a generic plan for every prepared statement.</summary>
    internal static string WithGenericPlans(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c plan_cache_mode=force_generic_plan".Trim();
        return builder.ConnectionString;
    }

    private static string ConnectionString(IConfiguration configuration, DatabaseEndpoint endpoint)
    {
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName)))
        {
            return endpoint.ConnectionString;
        }
        var primary = new NpgsqlConnectionStringBuilder(endpoint.ConnectionString);
        var read = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(ConnectionName));
        DatabaseEndpoint.ApplyDefaults(read, primary.CommandTimeout, primary.Timeout);
        return read.ConnectionString;
    }
}
