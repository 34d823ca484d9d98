using System.Text;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>Evicts cached delivery responses by tag on this node and on every other API node.</summary>
public interface ICacheInvalidator
{
    /// <summary>Call after the change has committed. Evicting <see cref="CacheTags.All"/> flushes everything.</summary>
    Task EvictAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default);

    Task EvictAsync(params string[] tags) => EvictAsync(tags, CancellationToken.None);
}

/// <summary>A node-local cache outside the output cache that forgets what an evicted tag covers, on this node or (through the listener) on another.</summary>
public interface ITagEvictionObserver
{
    void Evicted(string tag);
}

/// <summary>
/// Broadcasts the tags with PostgreSQL <c>NOTIFY</c> on the primary and evicts locally; every node's
/// <see cref="CacheEvictionListener"/> evicts them too. The payload is "<c>{node} {primary WAL position} {tag} {tag}…</c>":
/// a node skips its own, and no node refills from a standby that has not replayed that far (<see cref="ReadDatabase"/>).
/// </summary>
internal sealed class PostgresCacheInvalidator(
    IOutputCacheStore store,
    ScheduleBoundaries boundaries,
    DatabaseEndpoint endpoint,
    ReadDatabase readDatabase,
    IEnumerable<ITagEvictionObserver> observers,
    DatabaseRetries retries,
    ILogger<PostgresCacheInvalidator> logger) : ICacheInvalidator
{
    public const string Channel = "headlessnews_cache_evictions";

    /// <summary>PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.</summary>
    private const int MaxPayloadBytes = 7000;

    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    public async Task EvictAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default)
    {
        // A resource's own tags (article:{id}) before the lists' (search, articles): a node-local cache told of the
        // resource (the search index) must hear it before a list's cached answer is dropped and can be made again,
        // here and in the last of the payloads another node receives.
        var distinct = tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct(StringComparer.Ordinal)
            .OrderBy(t => t.Contains(':') ? 0 : 1).ToList();
        if (distinct.Count == 0)
        {
            return;
        }
        try
        {
            // After a database restart the pool hands out each dead connection once: a fresh one is the usual cure.
            if (!await TryBroadcastAsync(distinct, endpoint.ConnectionString, cancellationToken)
                && !await TryBroadcastAsync(distinct, Unpooled, cancellationToken))
            {
                // The database is away: the other nodes' listeners are cut off too and flush when they reconnect, but a
                // listener may reconnect (and its node refill) before this broadcast would have gone out: it must still go.
                retries.KeepTrying($"Broadcasting the eviction of {string.Join(' ', distinct)}", stopping => BroadcastAsync(distinct, Unpooled, stopping));
            }
        }
        finally
        {
            await EvictLocallyAsync(distinct, cancellationToken);
        }
    }

    private string Unpooled => new NpgsqlConnectionStringBuilder(endpoint.ConnectionString) { Pooling = false }.ConnectionString;

    private async Task<bool> TryBroadcastAsync(List<string> tags, string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await BroadcastAsync(tags, connectionString, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            logger.LogWarning(e, "Could not broadcast the eviction of {Tags} to the other API nodes", string.Join(' ', tags));
            return false;
        }
    }

    private async Task BroadcastAsync(List<string> tags, string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var position = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", connection);
        var lsn = (string)(await position.ExecuteScalarAsync(cancellationToken))!;
        readDatabase.RequireReplayOf(lsn);
        foreach (var payload in Payloads(lsn, tags))
        {
            await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection)
            {
                Parameters = { new() { Value = Channel }, new() { Value = payload } },
            };
            await notify.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    internal async Task EvictLocallyAsync(IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        // Every observer hears every tag before any cached answer goes: one made again in between must not be made
        // from an observer's state that has not heard of the change yet.
        foreach (var tag in tags)
        {
            boundaries.Forget(tag);
            foreach (var observer in observers)
            {
                observer.Evicted(tag);
            }
        }
        foreach (var tag in tags)
        {
            await store.EvictByTagAsync(tag, cancellationToken);
        }
    }

    private IEnumerable<string> Payloads(string lsn, List<string> tags)
    {
        var prefix = NodeId + " " + lsn;
        var payload = new StringBuilder(prefix);
        foreach (var tag in tags)
        {
            if (payload.Length > prefix.Length && Encoding.UTF8.GetByteCount(payload.ToString()) + Encoding.UTF8.GetByteCount(tag) + 1 > MaxPayloadBytes)
            {
                yield return payload.ToString();
                payload.Clear().Append(prefix);
            }
            payload.Append(' ').Append(tag);
        }
        yield return payload.ToString();
    }

    /// <summary>Evicts what another node broadcast, after making the read database wait for the standby to catch up.</summary>
    internal void EvictFromOtherNode(string payload)
    {
        var parts = payload.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || parts[0] == NodeId)
        {
            return;
        }
        readDatabase.RequireReplayOf(parts[1]);
        // Runs on the listener connection's read loop: evicting from the in-memory store completes synchronously.
        EvictLocallyAsync(parts[2..], CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>After a reconnect: anything may have changed meanwhile, so flush all and wait for the standby to reach the primary's current position.</summary>
    internal async Task FlushAsync(NpgsqlConnection primary, CancellationToken cancellationToken)
    {
        await using var position = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", primary);
        readDatabase.RequireReplayOf((string)(await position.ExecuteScalarAsync(cancellationToken))!);
        await EvictLocallyAsync([CacheTags.All], cancellationToken);
    }
}

/// <summary>
/// Holds a dedicated connection to the primary (LISTEN does not work on a standby) and evicts what other nodes
/// broadcast. After every (re)connect it flushes the whole delivery cache, because notifications sent while it
/// was disconnected are lost. Reconnects with back-off while the database is down. The node reports not ready
/// while it is not listening, since its cache could then go stale unnoticed, except while the primary cannot be
/// reached: nothing can be written then, so the node reports degraded and goes on serving delivery from the standby.
/// </summary>
internal sealed class CacheEvictionListener(
    PostgresCacheInvalidator invalidator,
    DatabaseEndpoint endpoint,
    ILogger<CacheEvictionListener> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(10);
    private volatile State _state = State.NotListening;

    private enum State
    {
        NotListening,
        Listening,
        PrimaryUnreachable,
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_state switch
        {
            State.Listening => HealthCheckResult.Healthy(),
            State.PrimaryUnreachable => HealthCheckResult.Degraded("The primary cannot be reached, so nothing is written; the cache is flushed when the listener reconnects."),
            _ => HealthCheckResult.Unhealthy("Not listening for cache evictions from other nodes."),
        });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backOff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await endpoint.EnsureReadyAsync(stoppingToken);
                await ListenAsync(() => backOff = TimeSpan.FromMilliseconds(250), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A connection that cannot be made or is cut off (Npgsql's transient errors) is the primary being away.
                _state = e is NpgsqlException { IsTransient: true } or TimeoutException ? State.PrimaryUnreachable : State.NotListening;
                logger.LogWarning(e, "Cache eviction listener lost its connection; reconnecting in {Delay}", backOff);
                try
                {
                    await Task.Delay(backOff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
            }
        }
    }

    private async Task ListenAsync(Action onListening, CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(endpoint.ConnectionString)
        {
            Pooling = false,
            KeepAlive = 15,
            ApplicationName = "headlessnews-cache-listener",
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Notification += (_, notification) => invalidator.EvictFromOtherNode(notification.Payload);
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresCacheInvalidator.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }
        await invalidator.FlushAsync(connection, stoppingToken);
        _state = State.Listening;
        onListening();
        logger.LogInformation("Listening for cache evictions from other API nodes");
        while (true)
        {
            await connection.WaitAsync(stoppingToken);
        }
    }
}
