using System.Text;
using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.AspNetCore.OutputCaching;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>Evicts cached delivery responses by tag on this node and on every other API node.</summary>
public interface ICacheInvalidator
{
    /// <summary>Call after the change has committed. Evicting <see cref="CacheTags.All"/> flushes everything.</summary>
    Task EvictAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default);

    Task EvictAsync(params string[] tags) => EvictAsync(tags, CancellationToken.None);
}

/// <summary>
/// Evicts locally at once, then broadcasts the tags with PostgreSQL <c>NOTIFY</c> on the primary; every node's
/// <see cref="CacheEvictionListener"/> evicts them too. The payload is "<c>{node} {tag} {tag}…</c>" so a node skips its own.
/// </summary>
internal sealed class PostgresCacheInvalidator(
    IOutputCacheStore store,
    DatabaseEndpoint endpoint,
    ILogger<PostgresCacheInvalidator> logger) : ICacheInvalidator
{
    public const string Channel = "headlessnews_cache_evictions";

    /// <summary>PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.</summary>
    private const int MaxPayloadBytes = 7000;

    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    public async Task EvictAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default)
    {
        var distinct = tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return;
        }
        await EvictLocallyAsync(distinct, cancellationToken);
        try
        {
            await using var connection = new NpgsqlConnection(endpoint.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            foreach (var payload in Payloads(distinct))
            {
                await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection)
                {
                    Parameters = { new() { Value = Channel }, new() { Value = payload } },
                };
                await notify.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // The other nodes flush everything when their listener reconnects, which covers a lost broadcast
            // only if the database really was unreachable for them too; say so loudly.
            logger.LogError(e, "Could not broadcast the eviction of {Tags} to the other API nodes", string.Join(' ', distinct));
        }
    }

    internal async Task EvictLocallyAsync(IEnumerable<string> tags, CancellationToken cancellationToken)
    {
        foreach (var tag in tags)
        {
            await store.EvictByTagAsync(tag, cancellationToken);
        }
    }

    private IEnumerable<string> Payloads(List<string> tags)
    {
        var payload = new StringBuilder(NodeId);
        foreach (var tag in tags)
        {
            if (payload.Length > NodeId.Length && Encoding.UTF8.GetByteCount(payload.ToString()) + Encoding.UTF8.GetByteCount(tag) + 1 > MaxPayloadBytes)
            {
                yield return payload.ToString();
                payload.Clear().Append(NodeId);
            }
            payload.Append(' ').Append(tag);
        }
        yield return payload.ToString();
    }

    /// <summary>Tags from another node's payload; none when the payload is this node's own.</summary>
    internal string[] TagsFromOtherNode(string payload)
    {
        var parts = payload.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 0 || parts[0] == NodeId ? [] : parts[1..];
    }
}

/// <summary>
/// Holds a dedicated connection to the primary (LISTEN does not work on a standby) and evicts what other nodes
/// broadcast. After every (re)connect it flushes the whole delivery cache, because notifications sent while it
/// was disconnected are lost. Reconnects with back-off while the database is down.
/// </summary>
internal sealed class CacheEvictionListener(
    PostgresCacheInvalidator invalidator,
    DatabaseEndpoint endpoint,
    ILogger<CacheEvictionListener> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(10);

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
        connection.Notification += (_, notification) =>
        {
            var tags = invalidator.TagsFromOtherNode(notification.Payload);
            if (tags.Length > 0)
            {
                // Runs on the connection's read loop: evicting from the in-memory store completes synchronously.
                invalidator.EvictLocallyAsync(tags, CancellationToken.None).GetAwaiter().GetResult();
            }
        };
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresCacheInvalidator.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }
        await invalidator.EvictLocallyAsync([CacheTags.All], stoppingToken);
        onListening();
        logger.LogInformation("Listening for cache evictions from other API nodes");
        while (true)
        {
            await connection.WaitAsync(stoppingToken);
        }
    }
}
