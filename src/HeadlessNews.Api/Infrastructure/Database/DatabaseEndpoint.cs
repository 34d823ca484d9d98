using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// Resolves where the database is: the configured connection string, or an embedded cluster that
/// is provisioned on first use. Nothing here touches the database until <see cref="EnsureReadyAsync"/>
/// runs, so describing the app (OpenAPI) never starts a server.
/// </summary>
public sealed class DatabaseEndpoint(IConfiguration configuration, IOptions<DatabaseOptions> options, ILogger<DatabaseEndpoint> logger) : IAsyncDisposable
{
    public const string ConnectionName = "HeadlessNews";
    public const string EmbeddedDatabaseName = "headlessnews";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EmbeddedPostgres? _embedded;
    private string? _connectionString;

    public bool IsEmbedded => string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName));

    public string ConnectionString => _connectionString
        ?? throw new InvalidOperationException("The database endpoint is not ready yet; EnsureReadyAsync must run first.");

    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_connectionString is not null)
        {
            return;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connectionString is not null)
            {
                return;
            }
            var configured = configuration.GetConnectionString(ConnectionName);
            var builder = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? await StartEmbeddedAsync(cancellationToken) : configured);
            ApplyDefaults(builder, commandTimeoutSeconds: options.Value.CommandTimeoutSeconds, timeoutSeconds: 5);
            await EnsureDatabaseExistsAsync(builder, cancellationToken);
            _connectionString = builder.ConnectionString;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Connections per pool (management, delivery reads, delivery reads on generic plans) unless the string says.
    /// Npgsql's 100 let a burst of concurrent uncached reads open more backends than a small server's max_connections:
    /// connection timeouts, reconnect storms and 503s. With 20 per pool the same load queues in the API instead, without
    /// errors (figures in bench/README.md).
    /// </summary>
    public const int MaxPoolSize = 20;

    /// <summary>
    /// Bytes a connection reads from its socket at once: a latest-20 page of prepared JSON is larger than Npgsql's 8 KB
    /// default, which took two reads or more per list.
    /// </summary>
    public const int ReadBufferSize = 64 * 1024;

    /// <summary>
    /// What a connection string leaves unsaid: timeouts, statements prepared after a few uses (delivery runs the same
    /// handful of queries all day), no session reset when a pooled connection is returned, since no pooled connection
    /// keeps session state (LISTEN, the migration lock and the listener use connections of their own), a pool size
    /// a database server can serve (<see cref="MaxPoolSize"/>), a read buffer a page fits in (<see cref="ReadBufferSize"/>),
    /// and PostgreSQL's JIT off: it compiles any plan whose estimate passes <c>jit_above_cost</c>, and our short queries
    /// pay the compile on every call (the archive sitemap index ran 0.4 ms of SQL behind 250 ms of JIT).
    /// </summary>
    internal static void ApplyDefaults(NpgsqlConnectionStringBuilder builder, int commandTimeoutSeconds, int timeoutSeconds)
    {
        var written = WrittenKeywords(builder.ConnectionString);
        if (!written.Contains(Keyword("Command Timeout")))
        {
            builder.CommandTimeout = commandTimeoutSeconds;
        }
        if (!written.Contains(Keyword("Timeout")))
        {
            builder.Timeout = timeoutSeconds;
        }
        if (!written.Contains(Keyword("Max Auto Prepare")))
        {
            builder.MaxAutoPrepare = 64;
        }
        if (!written.Contains(Keyword("No Reset On Close")))
        {
            builder.NoResetOnClose = true;
        }
        if (!written.Contains(Keyword("Maximum Pool Size")))
        {
            builder.MaxPoolSize = MaxPoolSize;
        }
        if (!written.Contains(Keyword("Read Buffer Size")))
        {
            builder.ReadBufferSize = ReadBufferSize;
        }
        if (!written.Contains(Keyword("Options")))
        {
            builder.Options = "-c jit=off";
        }
    }

    /// <summary>The keywords a connection string itself writes (Npgsql's builder answers ContainsKey for every keyword it knows).</summary>
    internal static HashSet<string> WrittenKeywords(string connectionString) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>().Select(Keyword).ToHashSet();

    internal static string Keyword(string key) => key.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.StopAsync();
        }
        _gate.Dispose();
    }

    private async Task<string> StartEmbeddedAsync(CancellationToken cancellationToken)
    {
        _embedded = EmbeddedPostgres.Create(options.Value.EmbeddedDataPath, EmbeddedPostgres.SizedFor(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes),
            message => logger.LogInformation("{Message}", message));
        await _embedded.StartAsync(cancellationToken);
        return _embedded.ConnectionString(EmbeddedDatabaseName);
    }

    /// <summary>Creates the target database when the server exists but the database does not (a fresh cluster or server).</summary>
    private static async Task EnsureDatabaseExistsAsync(NpgsqlConnectionStringBuilder target, CancellationToken cancellationToken)
    {
        var database = target.Database ?? throw new InvalidOperationException("The connection string names no database.");
        var admin = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.DuplicateDatabase)
        {
            // A managed server may not let us see or create databases; the target is then assumed to exist.
        }
    }
}
