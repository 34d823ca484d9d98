using System.Data.Common;
using System.Runtime.CompilerServices;
using HeadlessNews.Api.Infrastructure.Events;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>An entity whose change makes cached delivery responses stale: it names the cache tags to evict.</summary>
public interface ICacheTagged
{
    IEnumerable<string> EvictionTags { get; }
}

/// <summary>
/// The one place delivery caches are evicted: every saved change to an <see cref="ICacheTagged"/> entity evicts its
/// tags once the change has committed (never before, or a concurrent read could re-cache the old content). A bulk write
/// (<see cref="BulkWrites"/>) evicts nothing per row: its writer evicts once when it is done.
/// </summary>
internal sealed class CacheEvictionInterceptor(ICacheInvalidator invalidator) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, HashSet<string>> _pending = [];

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && !BulkWrites.IsActive(context))
        {
            var tags = context.ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && e.Entity is ICacheTagged)
                .SelectMany(e => ((ICacheTagged)e.Entity).EvictionTags)
                .ToList();
            if (tags.Count > 0)
            {
                _pending.GetOrCreateValue(context).UnionWith(tags);
            }
        }
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { Database.CurrentTransaction: null } context)
        {
            await FlushAsync(context);
        }
        return result;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { Database.CurrentTransaction: null } context)
        {
            _pending.Remove(context);
        }
        return Task.CompletedTask;
    }

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            await FlushAsync(context);
        }
    }

    /// <summary>
    /// Evicts <paramref name="tags"/> once <paramref name="context"/>'s transaction commits (at once without one): for
    /// changes written in SQL, which the change tracker never sees.
    /// </summary>
    public async Task EvictAfterCommitAsync(DbContext context, IEnumerable<string> tags)
    {
        _pending.GetOrCreateValue(context).UnionWith(tags);
        if (context.Database.CurrentTransaction is null)
        {
            await FlushAsync(context);
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

    private async Task FlushAsync(DbContext context)
    {
        if (_pending.TryGetValue(context, out var tags))
        {
            _pending.Remove(context);
            await invalidator.EvictAsync(tags, CancellationToken.None);
        }
    }
}
