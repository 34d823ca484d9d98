using System.Linq.Expressions;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// The one visibility rule (API.md): status published, <c>publishAt &lt;= now</c>, and <c>embargoUntil</c> null or
/// <c>&lt;= now</c>. Delivery, feeds and the quotes/sources listings filter with <see cref="VisibleAt"/>.
/// </summary>
public static class ArticleVisibility
{
    public static Expression<Func<Article, bool>> VisibleAt(DateTimeOffset now) =>
        a => a.Status == ArticleStatus.Published && a.PublishAt <= now && (a.EmbargoUntil == null || a.EmbargoUntil <= now);

    public static bool IsVisible(Article article, DateTimeOffset now) =>
        article.Status == ArticleStatus.Published && article.PublishAt <= now && (article.EmbargoUntil is null || article.EmbargoUntil <= now);

    /// <summary>When a published article becomes (or became) visible: the later of publishAt and embargoUntil.</summary>
    public static DateTimeOffset? VisibleFrom(Article article) =>
        article.Status != ArticleStatus.Published || article.PublishAt is not { } publishAt ? null
        : article.EmbargoUntil is { } embargo && embargo > publishAt ? embargo : publishAt;

    /// <summary>The status editors see: a publication whose publishAt is still ahead is scheduled.</summary>
    public static ArticleStatus StatusAt(Article article, DateTimeOffset now) =>
        article.Status == ArticleStatus.Published && article.PublishAt > now ? ArticleStatus.Scheduled : article.Status;

    /// <summary>Timestamps that decide visibility are kept to the whole second, so the boundary is exact to the second.</summary>
    public static DateTimeOffset ToWholeSecond(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
    }
}
