using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>What differs between the kinds of reference content <see cref="VersionedWrites"/> writes the same way.</summary>
public sealed class VersionedKind<TEntity> where TEntity : class, IVersionedEntity
{
    /// <summary>How messages name it, e.g. <c>section</c>; also its resource type in the outbox.</summary>
    public required string Name { get; init; }

    /// <summary>Which articles' use of it stops a deletion (see <see cref="IArticleUsage"/>).</summary>
    public required ReferencedContent Content { get; init; }

    /// <summary>The outbox event an update records while a visible article uses it, if any.</summary>
    public string? UpdatedEvent { get; init; }

    /// <summary>What a unique violation at save means (another one has the slug), if it can happen.</summary>
    public Func<TEntity, Refusal>? OnUniqueViolation { get; init; }

    /// <summary>What a foreign key violation at save means (articles started using it meanwhile), if it can happen.</summary>
    public Func<TEntity, Refusal>? OnForeignKeyViolation { get; init; }

    /// <summary>What else, besides articles using it, stops a deletion (checked after them), if anything.</summary>
    public Func<HeadlessNewsDbContext, Guid, CancellationToken, Task<Refusal?>>? OtherDeletionBlock { get; init; }
}

/// <summary>
/// The versioned writes every piece of reference content (sections, authors, quotes, sources) shares, so each refuses
/// the same way: missing (404), stale or unnamed version (412/428), in use or taken (409).
/// </summary>
public static class VersionedWrites
{
    public static async Task<WriteResult<TEntity>> CreateAsync<TEntity>(
        this VersionedKind<TEntity> kind, HeadlessNewsDbContext db, TEntity entity, CancellationToken cancellationToken) where TEntity : class, IVersionedEntity
    {
        db.Add(entity);
        return await kind.SaveAsync(db, entity, cancellationToken) is { } refusal ? refusal : entity;
    }

    /// <summary>Applies <paramref name="apply"/> to the version the writer read, bumps it, and saves in a transaction (the read model refreshes before it commits).</summary>
    public static async Task<WriteResult<TEntity>> UpdateAsync<TEntity>(
        this VersionedKind<TEntity> kind, HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, Guid id, ExpectedVersion expected,
        Action<TEntity> apply, CancellationToken cancellationToken) where TEntity : class, IVersionedEntity
    {
        var found = await db.FindForWriteAsync<TEntity>(id, kind.Name, expected, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }
        var entity = found.Value!;
        var now = clock.Now();
        apply(entity);
        entity.Version++;
        entity.UpdatedAt = now;
        if (kind.UpdatedEvent is { } updated && await usage.AnyVisibleAsync(db, kind.Content, id, now, cancellationToken))
        {
            db.Record(clock, updated, kind.Name, id, null, entity.Version);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await kind.SaveAsync(db, entity, cancellationToken) is { } failed)
        {
            return failed;
        }
        await transaction.CommitAsync(cancellationToken);
        return entity;
    }

    public static async Task<Refusal?> DeleteAsync<TEntity>(
        this VersionedKind<TEntity> kind, HeadlessNewsDbContext db, IArticleUsage usage, Guid id, ExpectedVersion expected, CancellationToken cancellationToken)
        where TEntity : class, IVersionedEntity
    {
        var found = await db.FindForWriteAsync<TEntity>(id, kind.Name, expected, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }
        var users = await usage.BlockingDeletionAsync(db, kind.Content, id, cancellationToken);
        if (users.Count > 0)
        {
            return InUse.By(kind.Name, users);
        }
        if (kind.OtherDeletionBlock is { } block && await block(db, id, cancellationToken) is { } blocked)
        {
            return blocked;
        }
        db.Remove(found.Value!);
        return await kind.SaveAsync(db, found.Value!, cancellationToken);
    }

    /// <summary>The tracked entity a change may apply to: refused when it does not exist or the writer's version is not its version.</summary>
    public static async Task<WriteResult<TEntity>> FindForWriteAsync<TEntity>(
        this HeadlessNewsDbContext db, Guid id, string kind, ExpectedVersion expected, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        var entity = await db.Set<TEntity>().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (entity is null)
        {
            return new Missing($"No {kind} has id {id}.");
        }
        return expected.Check(entity.Version) is { } stale ? stale : entity;
    }

    /// <summary>Saves; a write that lost the race to another is refused with the winner's version, or as missing if it was deleted.</summary>
    public static async Task<Refusal?> SaveVersionedAsync<TEntity>(
        this HeadlessNewsDbContext db, TEntity entity, string kind, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return await db.LostRaceAsync<TEntity>(entity.Id, kind, cancellationToken);
        }
    }

    /// <summary>Why a write that raced another was refused: the version the winner left, or missing.</summary>
    public static async Task<Refusal> LostRaceAsync<TEntity>(this HeadlessNewsDbContext db, Guid id, string kind, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        var current = await db.Set<TEntity>().AsNoTracking().Where(e => e.Id == id).Select(e => (int?)e.Version).FirstOrDefaultAsync(cancellationToken);
        return current is { } version ? new VersionConflict(version) : new Missing($"The {kind} was deleted meanwhile.");
    }

    private static async Task<Refusal?> SaveAsync<TEntity>(this VersionedKind<TEntity> kind, HeadlessNewsDbContext db, TEntity entity, CancellationToken cancellationToken)
        where TEntity : class, IVersionedEntity
    {
        try
        {
            return await db.SaveVersionedAsync(entity, kind.Name, cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation() && kind.OnUniqueViolation is { } unique)
        {
            return unique(entity);
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation() && kind.OnForeignKeyViolation is { } foreignKey)
        {
            return foreignKey(entity);
        }
    }
}
