using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Features.Feeds;

/// <summary>
/// Turns outbox events that have come due into change-feed entries, in a transaction of its own so the
/// entry's transaction id is later than every change a partner has already been shown. Safe on N nodes. An article's
/// entry records the section and tags it has then, so a partner limited to some learns when it moves in or out.
/// Recording evicts the feeds: their <c>Last-Modified</c> counts the newest entry, and a feed cached between the change's
/// commit and its entry (an item gone, so no item of its own to date it) would keep answering 304 to If-Modified-Since.
/// </summary>
public sealed class ChangeFeedRecorder(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ICacheInvalidator cache, ILogger<ChangeFeedRecorder> logger) : BackgroundService
{
    private const int BatchSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(configuration.GetValue("Changes:PollIntervalMs", 500));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RecordDueAsync(stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Recording due content changes failed; retrying");
            }
            await Task.Delay(interval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async Task<int> RecordDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        // Rows another node's recorder or the webhook dispatcher holds are skipped, and so is every later event of the same
        // resource: recorded before the held one, an unpublish could land ahead of the edit it followed.
        var due = await db.Set<ContentEvent>()
            .FromSql($"""
                WITH claimed AS (
                  SELECT * FROM content_events
                   WHERE change_recorded_at IS NULL AND due_at <= {now} AND resource_type IN ('article', 'notice')
                   ORDER BY due_at, sequence LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
                SELECT * FROM claimed c
                 WHERE NOT EXISTS (
                   SELECT 1 FROM content_events held
                    WHERE held.resource_type = c.resource_type AND held.resource_id = c.resource_id AND held.change_recorded_at IS NULL
                      AND (held.due_at, held.sequence) < (c.due_at, c.sequence) AND held.id NOT IN (SELECT id FROM claimed))
                 ORDER BY due_at, sequence
                """)
            .ToListAsync(cancellationToken);
        var articleIds = due.Where(e => e.ResourceType == ArticleWrites.ResourceType).Select(e => e.ResourceId).Distinct().ToList();
        var filings = await db.Set<Article>().AsNoTracking().Where(a => articleIds.Contains(a.Id))
            .Select(a => new { a.Id, a.SectionId, Tags = a.Tags.Select(t => t.TagId).ToArray() })
            .ToDictionaryAsync(a => a.Id, cancellationToken);
        foreach (var contentEvent in due)
        {
            contentEvent.ChangeRecordedAt = now;
            var filed = filings.GetValueOrDefault(contentEvent.ResourceId);
            db.Set<ContentChange>().Add(new ContentChange
            {
                Op = IsRemoval(contentEvent.Type) ? "delete" : "upsert",
                ResourceType = contentEvent.ResourceType,
                ResourceId = contentEvent.ResourceId,
                Slug = contentEvent.Slug,
                Version = contentEvent.Version,
                At = contentEvent.DueAt,
                SectionId = filed?.SectionId,
                TagIds = filed?.Tags ?? [],
            });
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (due.Count > 0)
        {
            await cache.EvictAsync(["feeds"], cancellationToken);
        }
        return due.Count;
    }

    private static bool IsRemoval(string eventType) => eventType is ContentEventTypes.ArticleUnpublished or ContentEventTypes.ArticleArchived or ContentEventTypes.NoticeWithdrawn;
}
