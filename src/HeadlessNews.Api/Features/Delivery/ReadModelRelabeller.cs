using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Finishes the renames too big for one batch (<see cref="ReadModelRelabel"/>), oldest first, on every node: each batch
/// locks its rename's row, so nodes take turns and the renames of one section or author apply in the order they were made.
/// Work a node was doing when it died is picked up where its last batch committed.
/// </summary>
internal sealed partial class ReadModelRelabeller(
    IServiceScopeFactory scopes, CacheEvictionInterceptor evictions, IContentShownAgain shownAgain, TimeProvider clock, IOptions<ReadModelOptions> options, ILogger<ReadModelRelabeller> logger)
    : BackgroundService
{
    /// <summary>How soon a rename another node (or a transaction of this one) committed is taken up.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunNextBatchAsync(stoppingToken))
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogBatchFailed(e);
            }
            await Task.Delay(PollInterval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Relabels the next batch of the oldest unfinished rename; false when there is none.</summary>
    public async Task<bool> RunNextBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Read as a list: FirstOrDefault would have EF wrap the statement (and warn that it sees no ORDER BY), and FOR UPDATE must stay outermost.
        var rename = (await db.Set<ReadModelRelabel>()
            .FromSql($"SELECT * FROM read_model_relabels ORDER BY id LIMIT 1 FOR UPDATE")
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (rename is null)
        {
            return false;
        }
        var (changed, more) = await rename.RunBatchAsync(db, options.Value.RelabelBatchSize, cancellationToken);
        if (!more)
        {
            db.Remove(rename);
        }
        await db.SaveChangesAsync(cancellationToken);
        await shownAgain.RecordArticlesAsync(db, changed, clock.GetUtcNow(), cancellationToken);
        await evictions.EvictAfterCommitAsync(db, changed.SelectMany(PublishedArticle.TagsOf));
        await transaction.CommitAsync(cancellationToken);
        if (!more)
        {
            LogFinished(rename.Kind, rename.TargetId, clock.GetUtcNow() - rename.CreatedAt);
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relabelling the read model after a rename failed; retrying")]
    private partial void LogBatchFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every article of {Kind} {Id} shows its rename, {Duration} after it")]
    private partial void LogFinished(RelabelledKind kind, Guid id, TimeSpan duration);
}
