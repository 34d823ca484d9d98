using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>
/// Once a day, on one node at a time (a transaction-scoped advisory lock), destroys for good the tips whose last activity
/// is older than <see cref="TipsOptions.RetentionDays"/>, unless linked to an article and kept: rows, messages and
/// attachments (attachments live sealed in the database, so there are no files to forget), and their webhook events.
/// Spent challenges past their expiry go too. A count per day is all that remains.
/// </summary>
public sealed class TipRetention(IServiceScopeFactory scopes, TimeProvider clock, IOptions<TipsOptions> options, ILogger<TipRetention> logger) : BackgroundService
{
    /// <summary>An arbitrary advisory-lock key for this job ("tips" in ASCII).</summary>
    private const long LockKey = 0x74697073;
    private static readonly TimeSpan CheckEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Purging old tips failed; retrying within the hour");
            }
            await Task.Delay(CheckEvery, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Runs today's purge unless it has run (here or on another node); the number purged, or null when it did not run.</summary>
    public async Task<int?> PurgeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (!locked || await db.Set<TipPurge>().AnyAsync(p => p.Day == today, cancellationToken))
        {
            return null;
        }
        var cutoff = now.AddDays(-options.Value.RetentionDays);
        var expired = db.Set<Tip>().Where(t => t.UpdatedAt < cutoff && !(t.ArticleId != null && t.Keep));
        await db.Set<ContentEvent>().Where(e => e.ResourceType == TipEndpoints.ResourceType && expired.Any(t => t.Id == e.ResourceId)).ExecuteDeleteAsync(cancellationToken);
        var purged = await expired.ExecuteDeleteAsync(cancellationToken);
        await db.Set<SpentTipChallenge>().Where(c => c.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        db.Add(new TipPurge { Day = today, Purged = purged });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Purged {Count} tips older than {Days} days", purged, options.Value.RetentionDays);
        return purged;
    }
}
