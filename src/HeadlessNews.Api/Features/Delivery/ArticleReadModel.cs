using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Articles.Blocks;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Keeps <see cref="PublishedArticle"/> rows in step with the articles they render. <see cref="ReadModelRefresher"/>
/// calls it inside the writing transaction, for every article written and every published article using a quote, source
/// or asset that changed. Work is done in chunks, each relation loaded once per chunk.
/// </summary>
public static class ArticleReadModel
{
    /// <summary>Articles rendered and saved together: big enough to amortise the queries, small enough to keep memory flat.</summary>
    public const int ChunkSize = 500;

    public static async Task RefreshAsync(HeadlessNewsDbContext db, IReadOnlyCollection<Guid> articleIds, CancellationToken cancellationToken)
    {
        foreach (var chunk in articleIds.Distinct().Chunk(ChunkSize))
        {
            await RefreshChunkAsync(db, chunk, cancellationToken);
        }
    }

    private static async Task RefreshChunkAsync(HeadlessNewsDbContext db, Guid[] ids, CancellationToken cancellationToken)
    {
        var json = ApiJson.Options;
        var rows = await db.Set<PublishedArticle>().Where(p => ids.Contains(p.ArticleId)).ToDictionaryAsync(p => p.ArticleId, cancellationToken);
        var documents = (await ArticleDocuments.BuildAsync(
                db, db.Set<Article>().Where(a => ids.Contains(a.Id) && a.Status == ArticleStatus.Published), cancellationToken))
            .ToDictionary(d => d.Id);
        var quoteIds = (await db.Set<ArticleQuote>().Where(l => ids.Contains(l.ArticleId)).Select(l => new { l.ArticleId, l.QuoteId }).ToListAsync(cancellationToken))
            .ToLookup(l => l.ArticleId, l => l.QuoteId);
        var groups = await db.Set<Article>().Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.TranslationGroupId }).ToDictionaryAsync(a => a.Id, a => a.TranslationGroupId, cancellationToken);
        var sourceIds = (await db.Set<ArticleSource>().Where(l => ids.Contains(l.ArticleId)).Select(l => new { l.ArticleId, l.SourceId }).ToListAsync(cancellationToken))
            .ToLookup(l => l.ArticleId, l => l.SourceId);

        foreach (var id in ids)
        {
            var existing = rows.GetValueOrDefault(id);
            if (documents.GetValueOrDefault(id) is not { PublishAt: { } publishAt } document)
            {
                if (existing is not null)
                {
                    db.Remove(existing);
                }
                continue;
            }
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
            row.QuoteIds = [.. quoteIds[id]];
            row.SourceIds = [.. sourceIds[id]];
            row.AssetIds = [.. document.Body.Select(b => b.AssetId).Append(document.HeroImage?.AssetId).OfType<Guid>().Distinct()];
            row.Language = document.Language;
            row.TranslationGroupId = groups[id];
            row.Headline = document.Headline;
            row.Standfirst = document.Standfirst;
            row.BodyText = BodyHtml.PlainText(document.BodyHtml);
            row.SummaryJson = JsonSerializer.Serialize(summary, json);
            row.SummaryWithBodyJson = JsonSerializer.Serialize(summary with { BodyHtml = document.BodyHtml }, json);
            row.DocumentJson = JsonSerializer.Serialize(document, json);
        }
        await db.SaveChangesAsync(cancellationToken);
        // The rows hold every prepared JSON of the chunk; let them go before the next one.
        foreach (var row in rows.Values.Concat(db.ChangeTracker.Entries<PublishedArticle>().Select(e => e.Entity)).ToList())
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }
}

/// <summary>"old" depends on the reader's clock, so prepared JSON ends with <c>"old":false}</c> and is flipped when serving.</summary>
public static class OldFlag
{
    public static byte[] Apply(byte[] json, bool old) =>
        old && json.AsSpan().EndsWith("\"old\":false}"u8) ? [.. json.AsSpan(0, json.Length - "\"old\":false}"u8.Length), .. "\"old\":true}"u8] : json;
}
