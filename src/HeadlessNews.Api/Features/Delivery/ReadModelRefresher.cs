using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// Told, in the transaction that made the change, of articles and notices whose delivered form changed through something
/// they show (a quote, source, section, tag, place, byline or picture) rather than a save of their own: the change feed,
/// which depends on delivery, answers it.
/// </summary>
public interface IContentShownAgain
{
    Task RecordArticlesAsync(HeadlessNewsDbContext db, IReadOnlyCollection<Guid> articleIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Notices whose picture changed (an asset they show was edited).</summary>
    Task RecordNoticesAsync(HeadlessNewsDbContext db, IReadOnlyCollection<Guid> noticeIds, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// The one way changes reach the delivery read model: whoever saves an article, or changes a section, author, tag, place,
/// quote, source or asset, this interceptor refreshes the <see cref="PublishedArticle"/> rows affected, in the same transaction,
/// just before it commits (or, for a save without a transaction of its own, right after it), renders again the live blog
/// entries that show a changed quote, source, author or asset, and evicts the cached pages of the notices showing a changed
/// asset (and puts them in the change feed). No writer calls into Delivery.
/// A renamed section or author is relabelled in batches of one UPDATE each however many articles show it (see <see cref="RelabelAsync"/>).
/// </summary>
internal sealed class ReadModelRefresher(CacheEvictionInterceptor evictions, IContentShownAgain shownAgain, TimeProvider clock, IOptions<ReadModelOptions> options)
    : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is HeadlessNewsDbContext context)
        {
            var pending = _pending.GetOrCreateValue(context);
            pending.Saving = true;
            Collect(context, pending);
        }
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is HeadlessNewsDbContext context && _pending.TryGetValue(context, out var pending))
        {
            pending.Saving = false;
            if (context.Database.CurrentTransaction is null)
            {
                await RefreshAsync(context, pending, cancellationToken);
            }
        }
        return result;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && _pending.TryGetValue(context, out var pending))
        {
            pending.Saving = false;
            if (context.Database.CurrentTransaction is null)
            {
                _pending.Remove(context);
            }
        }
        return Task.CompletedTask;
    }

    // The interface's own signature (with the InterceptionResult): a look-alike without it is never called by EF Core, and
    // the rows written in a transaction waited for a later save outside one on the same context.
    public async ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        // A commit inside SaveChanges is EF's own transaction: SavedChanges refreshes after it.
        if (eventData.Context is HeadlessNewsDbContext context && _pending.TryGetValue(context, out var pending) && !pending.Saving)
        {
            await RefreshAsync(context, pending, cancellationToken);
        }
        return result;
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            _pending.Remove(context);
        }
        return Task.CompletedTask;
    }

    private static void Collect(HeadlessNewsDbContext context, Pending pending)
    {
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Deleted && entry.Entity is Article added)
            {
                pending.Articles.Add(added.Id);
            }
            else if (entry.State is EntityState.Added or EntityState.Modified && entry.Entity is LiveBlogEntry liveEntry)
            {
                pending.Entries.Add(liveEntry.Id);
            }
            else if (entry.State == EntityState.Modified)
            {
                // Only a change to content articles already use matters: a new section, say, is used by nothing yet.
                switch (entry.Entity)
                {
                    case Section:
                        Relabelled(pending.Sections, entry, values => "\"section\":" + Json(new NamedRef((string)values["Slug"]!, (string)values["Name"]!)));
                        break;
                    case Author:
                        Relabelled(pending.Authors, entry, values => Json(new BylineResponse((string)values["Slug"]!, (string)values["Name"]!, (string?)values["Role"])));
                        break;
                    default:
                        var changed = entry.Entity switch
                        {
                            Article => pending.Articles,
                            Tag => pending.Tags,
                            Place => pending.Places,
                            Quote => pending.Quotes,
                            Source => pending.Sources,
                            Asset => pending.Assets,
                            _ => null,
                        };
                        changed?.Add((Guid)entry.Property("Id").CurrentValue!);
                        break;
                }
            }
        }
    }

    /// <summary>Records how a section or author looked in the read model before the transaction (first save) and after it (last save).</summary>
    private static void Relabelled(Dictionary<Guid, Relabel> changes, EntityEntry entry, Func<PropertyValues, string> shown)
    {
        var id = (Guid)entry.Property("Id").CurrentValue!;
        var before = changes.TryGetValue(id, out var earlier)
            ? earlier
            : new Relabel((string)entry.OriginalValues["Slug"]!, shown(entry.OriginalValues), Json(entry.OriginalValues["Translations"]), "", "", "");
        changes[id] = before with
        {
            NewSlug = (string)entry.CurrentValues["Slug"]!, NewJson = shown(entry.CurrentValues), NewTranslations = Json(entry.CurrentValues["Translations"]),
        };
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ApiJson.Options);

    private async Task RefreshAsync(HeadlessNewsDbContext context, Pending pending, CancellationToken cancellationToken)
    {
        _pending.Remove(context);
        if (pending.IsEmpty)
        {
            return;
        }
        var relabelled = new HashSet<Guid>();
        var evicted = new HashSet<string>();
        List<Guid> noticesShowingAssets = [];
        var articleIds = new HashSet<Guid>(pending.Articles);
        // Articles saved here, and live blogs whose entries were (their writer records the article's event), are in the
        // change feed already.
        var recorded = new HashSet<Guid>(pending.Articles);
        foreach (var (id, change) in pending.Sections.Where(c => c.Value.Changed))
        {
            relabelled.UnionWith(await RelabelAsync(context, RelabelledKind.Section, id, change, cancellationToken));
        }
        foreach (var (id, change) in pending.Authors.Where(c => c.Value.Changed))
        {
            relabelled.UnionWith(await RelabelAsync(context, RelabelledKind.Author, id, change, cancellationToken));
        }
        // Tags and places appear in arrays beside each other with the same shape, so a text replace could rename the
        // wrong one: the (fewer) articles showing them are rendered again instead.
        if (pending.Tags.Count > 0)
        {
            articleIds.UnionWith(await PublishedAsync(context, context.Set<ArticleTag>().Where(l => pending.Tags.Contains(l.TagId)).Select(l => l.ArticleId), cancellationToken));
        }
        if (pending.Places.Count > 0)
        {
            articleIds.UnionWith(await PublishedAsync(context, context.Set<ArticlePlace>().Where(l => pending.Places.Contains(l.PlaceId)).Select(l => l.ArticleId), cancellationToken));
        }
        if (pending.Quotes.Count > 0)
        {
            articleIds.UnionWith(await PublishedAsync(context, context.Set<ArticleQuote>().Where(l => pending.Quotes.Contains(l.QuoteId)).Select(l => l.ArticleId), cancellationToken));
        }
        if (pending.Sources.Count > 0)
        {
            articleIds.UnionWith(await PublishedAsync(context, context.Set<ArticleSource>().Where(l => pending.Sources.Contains(l.SourceId)).Select(l => l.ArticleId), cancellationToken));
        }
        if (pending.Assets.Count > 0)
        {
            var assets = pending.Assets.ToList();
            articleIds.UnionWith(await context.Set<PublishedArticle>().Where(p => p.AssetIds.Any(a => assets.Contains(a))).Select(p => p.ArticleId).ToListAsync(cancellationToken));
            noticesShowingAssets = await MediaUsage.PublishedNoticesShowingAsync(context, assets, cancellationToken);
            evicted.UnionWith(noticesShowingAssets.SelectMany(Notice.TagsOf));
        }
        if (pending.Entries.Count > 0)
        {
            var liveBlogs = await LiveBlogReadModel.RefreshAsync(context, pending.Entries, cancellationToken);
            articleIds.UnionWith(liveBlogs);
            recorded.UnionWith(liveBlogs);
        }
        var renamedAuthors = pending.Authors.Where(c => c.Value.Changed).Select(c => c.Key).ToList();
        if (pending.Quotes.Count + pending.Sources.Count + pending.Assets.Count + renamedAuthors.Count > 0)
        {
            articleIds.UnionWith(await LiveBlogReadModel.RenderAgainAsync(context,
                await LiveBlogReadModel.EntriesShowingAsync(context, pending.Quotes, pending.Sources, pending.Assets, renamedAuthors, cancellationToken), cancellationToken));
        }
        await ArticleReadModel.RefreshAsync(context, articleIds, cancellationToken);
        var now = clock.GetUtcNow();
        await shownAgain.RecordArticlesAsync(context, [.. articleIds.Union(relabelled).Except(recorded)], now, cancellationToken);
        await shownAgain.RecordNoticesAsync(context, noticesShowingAssets, now, cancellationToken);
        await evictions.EvictAfterCommitAsync(context, relabelled.SelectMany(PublishedArticle.TagsOf).Concat(evicted));
    }

    /// <summary>Those of <paramref name="articleIds"/> the read model holds: only they can show the change.</summary>
    private static Task<List<Guid>> PublishedAsync(HeadlessNewsDbContext db, IQueryable<Guid> articleIds, CancellationToken cancellationToken) =>
        db.Set<PublishedArticle>().Where(p => articleIds.Contains(p.ArticleId)).Select(p => p.ArticleId).ToListAsync(cancellationToken);

    /// <summary>
    /// Shows a section's or author's new slug and name in the published articles using it: the first batch in this
    /// transaction, unless an earlier rename of it is still being applied (batches of one target must run in order); what
    /// is left is recorded with the rename and finished by <see cref="ReadModelRelabeller"/>. Returns the rows changed here.
    /// </summary>
    private async Task<List<Guid>> RelabelAsync(HeadlessNewsDbContext db, RelabelledKind kind, Guid id, Relabel change, CancellationToken cancellationToken)
    {
        var rename = new ReadModelRelabel
        {
            Kind = kind, TargetId = id, OldSlug = change.OldSlug, NewSlug = change.NewSlug, OldJson = change.OldJson, NewJson = change.NewJson,
            CreatedAt = clock.GetUtcNow(),
        };
        List<Guid> changed = [];
        var more = true;
        if (!await db.Set<ReadModelRelabel>().AnyAsync(r => r.Kind == kind && r.TargetId == id, cancellationToken))
        {
            (changed, more) = await rename.RunBatchAsync(db, options.Value.RelabelBatchSize, cancellationToken);
        }
        if (more)
        {
            db.Add(rename);
            await db.SaveChangesAsync(cancellationToken);
        }
        return changed;
    }

    /// <summary>
    /// A section's or author's slug, delivered JSON (default-language name) and names in other languages before and after
    /// the transaction. Articles in other languages may show a translated name the text replace cannot find: they are rendered again.
    /// </summary>
    private sealed record Relabel(string OldSlug, string OldJson, string OldTranslations, string NewSlug, string NewJson, string NewTranslations)
    {
        public bool Changed => OldSlug != NewSlug || OldJson != NewJson || OldTranslations != NewTranslations;
    }

    private sealed class Pending
    {
        public HashSet<Guid> Articles { get; } = [];
        public Dictionary<Guid, Relabel> Sections { get; } = [];
        public Dictionary<Guid, Relabel> Authors { get; } = [];
        public HashSet<Guid> Tags { get; } = [];
        public HashSet<Guid> Places { get; } = [];
        public HashSet<Guid> Quotes { get; } = [];
        public HashSet<Guid> Sources { get; } = [];
        public HashSet<Guid> Assets { get; } = [];
        public HashSet<Guid> Entries { get; } = [];
        public bool Saving { get; set; }
        public bool IsEmpty => Articles.Count + Sections.Count + Authors.Count + Tags.Count + Places.Count + Quotes.Count + Sources.Count + Assets.Count + Entries.Count == 0;
    }
}
