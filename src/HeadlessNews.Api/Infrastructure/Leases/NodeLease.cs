
namespace HeadlessNews.Api.Infrastructure.Leases;

/// <summary>
/// Registers this process's boot at start-up, releasing at once what earlier boots of the same node held (they died:
/// a process that stops cleanly removes its own row); renews the lease with one UPDATE per heartbeat; removes the row
/// when the process stops. Other nodes treat what a silent process held as free once its lease has run out.
/// </summary>
public sealed partial class NodeLease(
    IServiceScopeFactory scopes, ThisNode node, TimeProvider clock, IOptions<LeaseOptions> options, ILogger<NodeLease> logger) : BackgroundService
{
    /// <summary>Rows of processes dead this long are only history; they are removed when a process starts.</summary>
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
            var now = clock.GetUtcNow();
            var earlier = await db.Set<Node>().AsNoTracking().Where(n => n.Name == node.Name && n.BootId != node.BootId).ToListAsync(cancellationToken);
            await db.Set<Node>().Where(n => (n.Name == node.Name && n.BootId != node.BootId) || n.LeaseUntil < now - ForgetAfter)
                .ExecuteDeleteAsync(cancellationToken);
            await RegisterAsync(db, now, cancellationToken);
            foreach (var boot in earlier)
            {
                if (boot.LeaseUntil > now)
                {
                    LogReleasedLive(boot.BootId, node.Name, boot.StartedAt, boot.LeaseUntil);
                }
                else
                {
                    LogReleased(boot.BootId, node.Name, boot.StartedAt);
                }
            }
        }
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>().Set<Node>().Where(n => n.BootId == node.BootId)
                .ExecuteDeleteAsync(cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not remove node {Node} boot {BootId}; what it held is free once its lease runs out.", node.Name, node.BootId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = options.Value.HeartbeatInterval;
        while (true)
        {
            try
            {
                await Task.Delay(wait, clock, stoppingToken);
                await RenewAsync(stoppingToken);
                wait = options.Value.HeartbeatInterval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not renew the lease of node {Node}; trying again in a second.", node.Name);
                wait = RetryAfterFailure;
            }
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var now = clock.GetUtcNow();
        var leaseUntil = now + options.Value.Lease;
        if (await db.Set<Node>().Where(n => n.BootId == node.BootId).ExecuteUpdateAsync(n => n.SetProperty(x => x.LeaseUntil, leaseUntil), cancellationToken) == 0)
        {
            LogRowLost(node.Name, node.BootId);
            await RegisterAsync(db, now, cancellationToken);
        }
    }

    private Task<int> RegisterAsync(HeadlessNewsDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO nodes (boot_id, name, started_at, lease_until) VALUES ({node.BootId}, {node.Name}, {now}, {now + options.Value.Lease})
            ON CONFLICT (boot_id) DO UPDATE SET lease_until = excluded.lease_until
            """, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released what boot {BootId} of node {Node} (started {StartedAt}) still held: it did not stop cleanly.")]
    private partial void LogReleased(Guid bootId, string node, DateTimeOffset startedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Released what boot {BootId} of node {Node} (started {StartedAt}) held although its lease ran until {LeaseUntil}: it died moments ago, or another running process has the same Leases:NodeName (give each its own).")]
    private partial void LogReleasedLive(Guid bootId, string node, DateTimeOffset startedAt, DateTimeOffset leaseUntil);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} boot {BootId} found its row gone: another process started with this Leases:NodeName and released what this one held (give each process its own name).")]
    private partial void LogRowLost(string node, Guid bootId);
}

public static class LeaseServiceCollectionExtensions
{
    /// <summary>Register after the database: the boot is recorded once the database is migrated, before anything claims work.</summary>
    public static IServiceCollection AddNodeLeases(this IServiceCollection services)
    {
        services.AddOptions<LeaseOptions>().BindConfiguration(LeaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ThisNode>();
        services.AddHostedService<NodeLease>();
        return services;
    }
}
