using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>A managed resource written with optimistic concurrency: its integer version is its ETag.</summary>
public interface IVersioned
{
    Guid Id { get; }
    int Version { get; }
    DateTimeOffset UpdatedAt { get; }
}

/// <summary>The entity a conditional write may change, or the problem that stops it.</summary>
public readonly record struct Found<T>(T? Entity, ProblemHttpResult? Problem) where T : class;

/// <summary>What every versioned management resource (sections, authors, quotes, sources) does the same way.</summary>
public static class VersionedEntities
{
    /// <summary>A page of the resources, most recently updated first, with a signed keyset cursor.</summary>
    public static async Task<Results<Ok<Page<TResponse>>, ProblemHttpResult>> ListRecentlyUpdatedAsync<TEntity, TResponse>(
        this HeadlessNewsDbContext db, int? limit, string? cursor, HttpContext http, TokenSigner signer, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        if (Pagination.TryRead(signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var query = db.Set<TEntity>().AsNoTracking();
        if (after is not null)
        {
            query = query.Where(e => e.UpdatedAt < after.At || (e.UpdatedAt == after.At && e.Id.CompareTo(after.Id) < 0));
        }
        var rows = await query.OrderByDescending(e => e.UpdatedAt).ThenByDescending(e => e.Id).Take(take + 1).ToListAsync(cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, e => new KeysetCursor(e.UpdatedAt, e.Id));
        return TypedResults.Ok(new Page<TResponse>([.. page.Items.Select(e => e.Adapt<TResponse>())], page.Next));
    }

    /// <summary>One resource with its version as ETag, or a 404 problem naming the <paramref name="kind"/>.</summary>
    public static async Task<Results<Ok<TResponse>, ProblemHttpResult>> GetWithETagAsync<TEntity, TResponse>(
        this HeadlessNewsDbContext db, Guid id, string kind, HttpResponse response, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        var entity = await db.Set<TEntity>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound($"No {kind} has id {id}.");
        }
        response.SetETag(entity.Version);
        return TypedResults.Ok(entity.Adapt<TResponse>());
    }

    /// <summary>The tracked entity an update or delete may change: 404 when it does not exist, 428/412 when If-Match is missing or stale.</summary>
    public static async Task<Found<TEntity>> FindForWriteAsync<TEntity>(
        this HeadlessNewsDbContext db, Guid id, string kind, HttpRequest request, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        var entity = await db.Set<TEntity>().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (entity is null)
        {
            return new(null, Problems.NotFound($"No {kind} has id {id}."));
        }
        return Versioning.CheckIfMatch(request, entity.Version) is { } precondition ? new(null, precondition) : new(entity, null);
    }

    /// <summary>Saves; a write that lost the race to another answers 412 with the winner's version, or 404 if it was deleted.</summary>
    public static async Task<ProblemHttpResult?> SaveVersionedAsync<TEntity>(
        this HeadlessNewsDbContext db, TEntity entity, string kind, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = await db.Set<TEntity>().AsNoTracking().Where(e => e.Id == entity.Id).Select(e => (int?)e.Version).FirstOrDefaultAsync(cancellationToken);
            return current is { } version ? Problems.PreconditionFailed(version) : Problems.NotFound($"The {kind} was deleted meanwhile.");
        }
    }
}
