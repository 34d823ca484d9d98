using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>Which outbox events an article change produces.</summary>
internal static class ArticleEvents
{
    /// <summary>
    /// Becoming visible is <c>article.published</c> (at the moment it will become visible when that is ahead), changing
    /// while visible is <c>article.updated</c>, stopping being visible is <c>article.unpublished</c>/<c>article.archived</c>.
    /// Moving or cancelling a scheduled publication deletes its pending future events first.
    /// </summary>
    public static async Task RecordAsync(DbContext db, TimeProvider clock, Article article, bool wasVisible, DateTimeOffset? dueBefore, ArticleChange change, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var isVisible = ArticleVisibility.IsVisible(article, now);
        var dueAfter = ArticleVisibility.VisibleFrom(article);
        // Only a publication still ahead leaves pending events, and only a published article has one.
        if (dueBefore is not null && dueBefore != dueAfter)
        {
            await db.Set<ContentEvent>()
                .Where(e => e.ResourceType == ArticleWrites.ResourceType && e.ResourceId == article.Id && e.DispatchedAt == null && e.DueAt > now)
                .ExecuteDeleteAsync(cancellationToken);
        }
        if (!wasVisible && isVisible)
        {
            Record(db, clock, ContentEventTypes.ArticlePublished, article);
        }
        else if (wasVisible && isVisible && change.ContentChanged)
        {
            Record(db, clock, ContentEventTypes.ArticleUpdated, article);
        }
        else if (wasVisible && !isVisible)
        {
            Record(db, clock, change.LeavingEvent, article);
        }
        else if (change.LeavingEvent == ContentEventTypes.ArticleArchived && article.FirstPublishedAt <= now)
        {
            Record(db, clock, ContentEventTypes.ArticleArchived, article);
        }
        if (!isVisible && dueAfter > now && dueBefore != dueAfter)
        {
            Record(db, clock, ContentEventTypes.ArticlePublished, article, dueAfter);
        }
        else if (!isVisible && dueAfter > now)
        {
            // Edited while it waits: the publication still ahead announces the article as it will be then.
            await db.Set<ContentEvent>()
                .Where(e => e.ResourceType == ArticleWrites.ResourceType && e.ResourceId == article.Id && e.DispatchedAt == null && e.DueAt > now)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.Slug, article.Slug).SetProperty(e => e.Version, article.Version).SetProperty(e => e.Language, article.Language), cancellationToken);
        }
    }

    private static void Record(DbContext db, TimeProvider clock, string type, Article article, DateTimeOffset? dueAt = null) =>
        db.Record(clock, type, ArticleWrites.ResourceType, article.Id, article.Slug, article.Version, dueAt).Language = article.Language;
}

/// <summary>What a change to an existing article is called in its revision, and how it is announced.</summary>
internal sealed record ArticleChange(string Action, bool ContentChanged, string LeavingEvent = ContentEventTypes.ArticleUnpublished);
