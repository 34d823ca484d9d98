using System.Data.Common;
using System.Runtime.CompilerServices;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HeadlessNews.Api.Features.Delivery;

/// <summary>
/// The one way changes reach the delivery read model: whoever saves an article, or changes a section, author, quote,
/// source or asset, this interceptor refreshes the <see cref="PublishedArticle"/> rows affected, in the same transaction, just
/// before it commits (or, for a save without a transaction of its own, right after it). No writer calls into Delivery.
/// </summary>
internal sealed class ReadModelRefresher : SaveChangesInterceptor, IDbTransactionInterceptor
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

    public async Task TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        // A commit inside SaveChanges is EF's own transaction: SavedChanges refreshes after it.
        if (eventData.Context is HeadlessNewsDbContext context && _pending.TryGetValue(context, out var pending) && !pending.Saving)
        {
            await RefreshAsync(context, pending, cancellationToken);
        }
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
                var changed = entry.Entity switch
                {
                    Article => pending.Articles,
                    Section => pending.Sections,
                    Author => pending.Authors,
                    Quote => pending.Quotes,
                    Source => pending.Sources,
                    Asset => pending.Assets,
                    _ => null,
                };
                changed?.Add((Guid)entry.Property("Id").CurrentValue!);
            }
        }
    }

    private async Task RefreshAsync(HeadlessNewsDbContext context, Pending pending, CancellationToken cancellationToken)
    {
        _pending.Remove(context);
        if (pending.IsEmpty)
        {
            return;
        }
        // A section or byline shows outside the body: those articles keep their rendered body unless something else changed it.
        var sameBodies = new HashSet<Guid>();
        if (pending.Sections.Count > 0)
        {
            sameBodies.UnionWith(await PublishedAsync(context, context.Set<Article>().Where(a => a.SectionId != null && pending.Sections.Contains(a.SectionId.Value)).Select(a => a.Id), cancellationToken));
        }
        if (pending.Authors.Count > 0)
        {
            sameBodies.UnionWith(await PublishedAsync(context, context.Set<ArticleAuthor>().Where(l => pending.Authors.Contains(l.AuthorId)).Select(l => l.ArticleId), cancellationToken));
        }
        var articleIds = new HashSet<Guid>(pending.Articles);
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
        }
        if (pending.Entries.Count > 0)
        {
            sameBodies.UnionWith(await LiveBlogReadModel.RefreshAsync(context, pending.Entries, cancellationToken));
        }
        sameBodies.ExceptWith(articleIds);
        await ArticleReadModel.RefreshAsync(context, [.. articleIds, .. sameBodies], sameBodies, cancellationToken);
    }

    /// <summary>Those of <paramref name="articleIds"/> the read model holds: only they can show the change.</summary>
    private static Task<List<Guid>> PublishedAsync(HeadlessNewsDbContext db, IQueryable<Guid> articleIds, CancellationToken cancellationToken) =>
        db.Set<PublishedArticle>().Where(p => articleIds.Contains(p.ArticleId)).Select(p => p.ArticleId).ToListAsync(cancellationToken);

    private sealed class Pending
    {
        public HashSet<Guid> Articles { get; } = [];
        public HashSet<Guid> Sections { get; } = [];
        public HashSet<Guid> Authors { get; } = [];
        public HashSet<Guid> Quotes { get; } = [];
        public HashSet<Guid> Sources { get; } = [];
        public HashSet<Guid> Assets { get; } = [];
        public HashSet<Guid> Entries { get; } = [];
        public bool Saving { get; set; }
        public bool IsEmpty => Articles.Count + Sections.Count + Authors.Count + Quotes.Count + Sources.Count + Assets.Count + Entries.Count == 0;
    }
}
