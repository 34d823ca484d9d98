using System.Text.Json;
using AngleSharp.Html.Parser;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore;
using HeadlessNews.Api.Infrastructure.Http;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Keeps <see cref="PublishedArticle"/> rows in step with the articles they render. Called inside the write's
/// transaction whenever an article changes, and for every article using a quote, source, author or section that changes.
/// </summary>
public static class ArticleReadModel
{
    private static readonly HtmlParser Parser = new();

    public static async Task RefreshAsync(HeadlessNewsDbContext db, IReadOnlyCollection<Guid> articleIds, CancellationToken cancellationToken)
    {
        if (articleIds.Count == 0)
        {
            return;
        }
        var json = ApiJson.Options;
        var rows = await db.Set<PublishedArticle>().Where(p => articleIds.Contains(p.ArticleId)).ToDictionaryAsync(p => p.ArticleId, cancellationToken);
        var published = await db.Set<Article>().AsNoTracking()
            .Where(a => articleIds.Contains(a.Id) && a.Status == ArticleStatus.Published)
            .Select(a => new { a.Id, QuoteIds = db.Set<ArticleQuote>().Where(q => q.ArticleId == a.Id).Select(q => q.QuoteId).ToList(),
                SourceIds = db.Set<ArticleSource>().Where(s => s.ArticleId == a.Id).Select(s => s.SourceId).ToList() })
            .ToDictionaryAsync(a => a.Id, cancellationToken);

        foreach (var id in articleIds.Distinct())
        {
            var existing = rows.GetValueOrDefault(id);
            var article = published.ContainsKey(id)
                ? await db.Set<Article>().Where(a => a.Id == id).ToDeliveryAsync(db, DateTimeOffset.MinValue, 0, cancellationToken)
                : null;
            if (article is null || article.PublishAt is not { } publishAt)
            {
                if (existing is not null)
                {
                    db.Remove(existing);
                }
                continue;
            }
            var document = article with { Old = false };
            var summary = new ArticleSummary(document.Id, document.Slug, document.Headline, document.Standfirst, document.Section, document.Authors,
                document.Tags, document.Places, document.HeroImage, document.PublishAt, document.UpdatedAt, BodyHtml: null, Old: false);
            var row = existing ?? db.Set<PublishedArticle>().Add(new PublishedArticle
            {
                ArticleId = id, Slug = document.Slug, Language = document.Language, Headline = document.Headline,
                BodyText = string.Empty, SummaryJson = string.Empty, SummaryWithBodyJson = string.Empty, DocumentJson = string.Empty,
            }).Entity;
            row.Slug = document.Slug;
            row.VisibleFrom = document.EmbargoUntil is { } embargo && embargo > publishAt ? embargo : publishAt;
            row.FirstSeen = document.FirstPublishedAt ?? publishAt;
            row.UpdatedAt = document.UpdatedAt;
            row.SectionSlug = document.Section?.Slug;
            row.TagSlugs = [.. document.Tags.Select(t => t.Slug)];
            row.PlaceSlugs = [.. document.Places.Select(p => p.Slug)];
            row.AuthorSlugs = [.. document.Authors.Select(a => a.Slug)];
            row.QuoteIds = [.. published[id].QuoteIds];
            row.SourceIds = [.. published[id].SourceIds];
            row.AssetIds = [.. document.Body.Select(b => b.AssetId).Append(document.HeroImage?.AssetId).OfType<Guid>().Distinct()];
            row.Language = document.Language;
            row.Headline = document.Headline;
            row.Standfirst = document.Standfirst;
            row.BodyText = PlainText(document.BodyHtml);
            row.SummaryJson = JsonSerializer.Serialize(summary, json);
            row.SummaryWithBodyJson = JsonSerializer.Serialize(summary with { BodyHtml = document.BodyHtml }, json);
            row.DocumentJson = JsonSerializer.Serialize(document, json);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Refreshes the published ones among <paramref name="articleIds"/> (e.g. every article linked to a quote that changed).</summary>
    public static async Task RefreshWhereAsync(HeadlessNewsDbContext db, IQueryable<Guid> articleIds, CancellationToken cancellationToken) =>
        await RefreshAsync(db, await db.Set<PublishedArticle>().Where(p => articleIds.Contains(p.ArticleId)).Select(p => p.ArticleId).ToListAsync(cancellationToken), cancellationToken);

    /// <summary>Block boundaries become spaces so words in adjacent paragraphs do not run together.</summary>
    private static string PlainText(string html) =>
        Parser.ParseDocument(html.Replace("><", "> <", StringComparison.Ordinal)).Body?.TextContent.Trim() ?? string.Empty;
}

/// <summary>"old" depends on the reader's clock, so prepared JSON ends with <c>"old":false}</c> and is flipped when serving.</summary>
public static class OldFlag
{
    public static byte[] Apply(byte[] json, bool old) =>
        old && json.AsSpan().EndsWith("\"old\":false}"u8) ? [.. json.AsSpan(0, json.Length - "\"old\":false}"u8.Length), .. "\"old\":true}"u8] : json;
}
