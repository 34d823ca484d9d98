using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>A live entry's delivery JSON, prepared at write time (deleted entries have none).</summary>
public sealed class LiveEntryDocument : ICacheTagged
{
    public IEnumerable<string> EvictionTags => [CacheTags.Article(ArticleId)];

    public Guid EntryId { get; set; }
    public Guid ArticleId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string DocumentJson { get; set; }
}

/// <summary>
/// One change to a live blog as its readers' stream tells it: a <see cref="Sequence"/> that only grows per live blog
/// (the SSE id), the event type and the entry's delivery JSON then. Replays after a reconnect read these rows.
/// </summary>
public sealed class LiveBlogUpdate
{
    public Guid ArticleId { get; set; }
    public long Sequence { get; set; }
    public Guid EntryId { get; set; }
    /// <summary>entry.created, entry.updated or entry.deleted.</summary>
    public required string Type { get; set; }
    public required string DataJson { get; set; }
    public DateTimeOffset At { get; set; }
}

internal sealed class LiveBlogReadModelConfiguration : IEntityTypeConfiguration<LiveEntryDocument>, IEntityTypeConfiguration<LiveBlogUpdate>
{
    public void Configure(EntityTypeBuilder<LiveEntryDocument> builder)
    {
        builder.ToTable("live_entry_documents");
        builder.HasKey(d => d.EntryId);
        builder.HasOne<Article>().WithMany().HasForeignKey(d => d.ArticleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.ArticleId, d.CreatedAt, d.EntryId }).IsDescending(false, true, true);
    }

    public void Configure(EntityTypeBuilder<LiveBlogUpdate> builder)
    {
        builder.ToTable("live_blog_updates");
        builder.HasKey(u => new { u.ArticleId, u.Sequence });
        builder.Property(u => u.Type).HasMaxLength(32);
        builder.HasOne<Article>().WithMany().HasForeignKey(u => u.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Live blog entries in the delivery shape, and what their article shows of them.</summary>
public static class LiveBlogDocuments
{
    /// <summary>How many of the newest entries the article carries.</summary>
    public const int NewestOnArticle = 20;

    public static async Task<List<LiveEntryDelivery>> BuildAsync(HeadlessNewsDbContext db, IReadOnlyList<LiveBlogEntry> entries, CancellationToken cancellationToken)
    {
        var authorIds = entries.SelectMany(e => e.AuthorIds).Distinct().ToList();
        var authors = await db.Set<Author>().AsNoTracking().Where(a => authorIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => new BylineResponse(a.Slug, a.Name, a.Role), cancellationToken);
        var bodies = await DeliveredBodies.LoadAsync(db, entries.Select(e => e.Body), [], [], cancellationToken);
        return [.. entries.Select(e => new LiveEntryDelivery(
            e.Id, e.ArticleId, bodies.Deliver(e.Body), bodies.Html(e.Body), e.Pinned, e.KeyEvent,
            [.. e.AuthorIds.Where(authors.ContainsKey).Select(id => authors[id])], bodies.Cited([], e.Body),
            e.Corrections, e.CreatedAt, e.UpdatedAt, e.Version))];
    }

    /// <summary>Per live blog, newest first: the newest <see cref="NewestOnArticle"/> entries, then older pinned entries and key events.</summary>
    public static async Task<Dictionary<Guid, List<LiveEntryDelivery>>> LatestAsync(HeadlessNewsDbContext db, IReadOnlyList<Guid> articleIds, CancellationToken cancellationToken)
    {
        if (articleIds.Count == 0)
        {
            return [];
        }
        var ids = articleIds.ToArray();
        var entries = await db.Set<LiveBlogEntry>().FromSql($"""
            SELECT id, article_id, body, pinned, key_event, author_ids, corrections, created_at, updated_at, deleted_at, version
              FROM (SELECT *, row_number() OVER (PARTITION BY article_id ORDER BY created_at DESC, id DESC) AS newest
                      FROM live_blog_entries WHERE article_id = ANY({ids}) AND deleted_at IS NULL) e
             WHERE newest <= {NewestOnArticle} OR pinned OR key_event
            """).AsNoTracking().ToListAsync(cancellationToken);
        return (await BuildAsync(db, entries, cancellationToken))
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .GroupBy(e => e.ArticleId).ToDictionary(g => g.Key, g => g.ToList());
    }
}

/// <summary>
/// Keeps <see cref="LiveEntryDocument"/> rows in step with entries and appends the stream's <see cref="LiveBlogUpdate"/>
/// rows, inside the writing transaction (called by <see cref="ReadModelRefresher"/>). The entry write holds its article's
/// row lock until commit, so sequences are taken, and become visible, in order. The NOTIFY is delivered at commit.
/// </summary>
public static class LiveBlogReadModel
{
    private const int RenderChunk = 500;

    /// <summary>Returns the live blogs whose article documents must show the change.</summary>
    public static async Task<IReadOnlyCollection<Guid>> RefreshAsync(HeadlessNewsDbContext db, IReadOnlyCollection<Guid> entryIds, CancellationToken cancellationToken)
    {
        var ids = entryIds.ToList();
        var entries = await db.Set<LiveBlogEntry>().AsNoTracking().Where(e => ids.Contains(e.Id)).ToListAsync(cancellationToken);
        var documents = (await LiveBlogDocuments.BuildAsync(db, entries, cancellationToken)).ToDictionary(d => d.Id);
        var existing = await db.Set<LiveEntryDocument>().Where(d => ids.Contains(d.EntryId)).ToDictionaryAsync(d => d.EntryId, cancellationToken);
        var notifications = new List<string>();
        foreach (var blog in entries.GroupBy(e => e.ArticleId))
        {
            var sequence = await db.Set<LiveBlogUpdate>().Where(u => u.ArticleId == blog.Key).MaxAsync(u => (long?)u.Sequence, cancellationToken) ?? 0;
            foreach (var entry in blog.OrderBy(e => e.UpdatedAt))
            {
                var json = entry.DeletedAt is null
                    ? JsonSerializer.Serialize(documents[entry.Id], ApiJson.Options)
                    : JsonSerializer.Serialize(new DeletedLiveEntry(entry.Id, entry.ArticleId), ApiJson.Options);
                var row = existing.GetValueOrDefault(entry.Id);
                var type = entry.DeletedAt is not null ? LiveEvents.Deleted : row is null ? LiveEvents.Created : LiveEvents.Updated;
                if (entry.DeletedAt is not null)
                {
                    if (row is not null)
                    {
                        db.Remove(row);
                    }
                }
                else
                {
                    row ??= db.Add(new LiveEntryDocument { EntryId = entry.Id, ArticleId = entry.ArticleId, DocumentJson = json }).Entity;
                    (row.CreatedAt, row.UpdatedAt, row.DocumentJson) = (entry.CreatedAt, entry.UpdatedAt, json);
                }
                db.Add(new LiveBlogUpdate { ArticleId = blog.Key, Sequence = ++sequence, EntryId = entry.Id, Type = type, DataJson = json, At = entry.UpdatedAt });
            }
            notifications.Add($"{blog.Key} {sequence}");
        }
        await db.SaveChangesAsync(cancellationToken);
        foreach (var payload in notifications)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_notify({LiveBlogHub.Channel}, {payload})", cancellationToken);
        }
        return [.. entries.Select(e => e.ArticleId).Distinct()];
    }

    /// <summary>
    /// Renders entries again because something they show changed elsewhere (a quote, source, author or image). The
    /// entries themselves did not change: their <c>updatedAt</c> stays and nothing is streamed, as for an article. Returns
    /// the live blogs whose entries now read differently.
    /// </summary>
    public static async Task<IReadOnlyCollection<Guid>> RenderAgainAsync(HeadlessNewsDbContext db, IReadOnlyCollection<Guid> entryIds, CancellationToken cancellationToken)
    {
        var changed = new HashSet<Guid>();
        foreach (var chunk in entryIds.Chunk(RenderChunk))
        {
            var entries = await db.Set<LiveBlogEntry>().AsNoTracking().Where(e => chunk.Contains(e.Id) && e.DeletedAt == null).ToListAsync(cancellationToken);
            var rows = await db.Set<LiveEntryDocument>().Where(d => chunk.Contains(d.EntryId)).ToDictionaryAsync(d => d.EntryId, cancellationToken);
            foreach (var document in await LiveBlogDocuments.BuildAsync(db, entries, cancellationToken))
            {
                var json = JsonSerializer.Serialize(document, ApiJson.Options);
                if (rows.GetValueOrDefault(document.Id) is { } row && row.DocumentJson != json)
                {
                    row.DocumentJson = json;
                    changed.Add(row.ArticleId);
                }
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        return changed;
    }

    /// <summary>The entries (deleted ones left out) whose body shows one of the quotes, sources or assets, or whose byline names one of the authors.</summary>
    public static async Task<List<Guid>> EntriesShowingAsync(
        HeadlessNewsDbContext db, IEnumerable<Guid> quoteIds, IEnumerable<Guid> sourceIds, IEnumerable<Guid> assetIds, IEnumerable<Guid> authorIds,
        CancellationToken cancellationToken)
    {
        // Each is a jsonb array the body contains (@>) when a block shows it; the GIN index on body answers each.
        string[] blocks =
        [
            .. quoteIds.Select(id => $"[{{\"quoteId\":\"{id}\"}}]"),
            .. sourceIds.Select(id => $"[{{\"sourceIds\":[\"{id}\"]}}]"),
            .. assetIds.Select(MediaUsage.ListShowing),
        ];
        var authors = authorIds.ToArray();
        return await db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM live_blog_entries
             WHERE deleted_at IS NULL AND (body @> ANY({blocks}::jsonb[]) OR author_ids && {authors})
            """).ToListAsync(cancellationToken);
    }
}

/// <summary>Fills a delivered article's format, live blog part and structured data.</summary>
public static class StructuredDocuments
{
    private const int HeadlineLength = 110;

    public static ArticleDeliveryResponse Complete(Article article, List<LiveEntryDelivery>? entries, ArticleDeliveryResponse document)
    {
        var structured = new StructuredData("https://schema.org", "NewsArticle", document.Headline, document.PublishAt, document.UpdatedAt,
            [.. document.Authors.Select(a => new StructuredPerson("Person", a.Name))], document.Language);
        if (article.Format != ArticleFormat.Liveblog)
        {
            return document with { Format = article.Format, StructuredData = structured };
        }
        entries ??= [];
        var newest = entries.Take(LiveBlogDocuments.NewestOnArticle).ToList();
        return document with
        {
            Format = article.Format,
            LiveBlog = new LiveBlogDelivery(article.CoverageStartTime, article.CoverageEndTime,
                [.. entries.Where(e => e.Pinned)], [.. entries.Where(e => e.KeyEvent)], newest),
            StructuredData = structured with
            {
                Type = "LiveBlogPosting",
                DateModified = newest.Select(e => e.UpdatedAt).Append(document.UpdatedAt).Max(),
                CoverageStartTime = article.CoverageStartTime,
                CoverageEndTime = article.CoverageEndTime,
                LiveBlogUpdate = [.. newest.Select(e => Posting(e))],
            },
        };
    }

    private static StructuredBlogPosting Posting(LiveEntryDelivery entry)
    {
        var text = BodyHtml.PlainText(entry.BodyHtml);
        return new StructuredBlogPosting("BlogPosting", text.Length <= HeadlineLength ? text : text[..(HeadlineLength - 1)] + "…", entry.CreatedAt, entry.UpdatedAt, text);
    }
}
