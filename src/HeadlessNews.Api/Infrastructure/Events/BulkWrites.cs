using System.Runtime.CompilerServices;

namespace HeadlessNews.Api.Infrastructure.Events;

/// <summary>
/// A bulk writer (an import) marks the context it writes through. Its changes still reach the change feed and the read
/// model, but subscribers are not sent one webhook per item (the writer records one summary event) and delivery caches
/// are not evicted per row (the writer evicts once at the end).
/// </summary>
public static class BulkWrites
{
    private static readonly ConditionalWeakTable<DbContext, object> Active = [];

    /// <summary>Marks <paramref name="db"/> until the result is disposed (pooled contexts are reused, so always dispose it).</summary>
    public static IDisposable Begin(DbContext db)
    {
        Active.AddOrUpdate(db, Active);
        return new Mark(db);
    }

    public static bool IsActive(DbContext db) => Active.TryGetValue(db, out _);

    private sealed class Mark(DbContext db) : IDisposable
    {
        public void Dispose() => Active.Remove(db);
    }
}
