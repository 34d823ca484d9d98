using Mapster;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>How every versioned management resource (sections, authors, quotes, sources) is read over HTTP.</summary>
public static class VersionedReads
{
    /// <summary>A page of the resources, most recently updated first, with a signed keyset cursor.</summary>
    public static async Task<Results<Ok<Page<TResponse>>, ProblemHttpResult>> ListRecentlyUpdatedAsync<TEntity, TResponse>(
        this HeadlessNewsDbContext db, int? limit, string? cursor, HttpContext http, TokenSigner signer, CancellationToken cancellationToken) where TEntity : class, IVersioned
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var rows = await db.Set<TEntity>().AsNoTracking().NewestFirst(e => e.UpdatedAt, e => e.Id, after, take).ToListAsync(cancellationToken);
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
}
