
namespace HeadlessNews.Api.Features.Redirects;

/// <summary>Hand-made redirects, and the imported ones to look at (management; content scopes).</summary>
public static class RedirectEndpoints
{
    private const string Collection = "/v1/manage/redirects";

    public static RouteGroupBuilder MapRedirects(this RouteGroupBuilder manage)
    {
        var redirects = manage.MapGroup("/redirects").WithTags("Redirects");
        redirects.MapGet("", ListRedirects).WithName("ListRedirects").WithSummary("List redirects (imported and hand-made), newest first.")
            .RequireAuthorization(Scopes.Policies.ContentRead);
        redirects.MapPost("", CreateRedirect).WithName("CreateRedirect").WithSummary("Make an old path answer with a permanent redirect to a location.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency()
            .ProducesProblem(StatusCodes.Status409Conflict);
        redirects.MapDelete("/{id:guid}", DeleteRedirect).WithName("DeleteRedirect").WithSummary("Remove a redirect.")
            .RequireAuthorization(Scopes.Policies.ContentWrite)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return manage;
    }

    private static async Task<Results<Ok<Page<RedirectResponse>>, ProblemHttpResult>> ListRedirects(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var rows = await db.Set<Redirect>().AsNoTracking().NewestFirst(r => r.CreatedAt, r => r.Id, after, take).ToListAsync(cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, r => new KeysetCursor(r.CreatedAt, r.Id));
        return TypedResults.Ok(new Page<RedirectResponse>([.. page.Items.Select(ToResponse)], page.Next));
    }

    private static async Task<Results<Created<RedirectResponse>, ProblemHttpResult>> CreateRedirect(
        CreateRedirectRequest request, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var path = RedirectPaths.Normalise(request.Path)!;
        if (await db.Set<Redirect>().AnyAsync(r => r.Path == path, cancellationToken))
        {
            return Problems.Conflict($"The path {path} already redirects; delete that redirect first.");
        }
        var redirect = new Redirect { Id = Guid.CreateVersion7(), Path = path, Location = request.Location.Trim(), Origin = RedirectOrigins.Manual, CreatedAt = clock.Now() };
        db.Add(redirect);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Problems.Conflict($"The path {path} already redirects; delete that redirect first.");
        }
        return TypedResults.Created($"{Collection}/{redirect.Id}", ToResponse(redirect));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRedirect(Guid id, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var redirect = await db.Set<Redirect>().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (redirect is null)
        {
            return Problems.NotFound($"No redirect has id {id}.");
        }
        db.Remove(redirect);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static RedirectResponse ToResponse(Redirect r) => new(r.Id, r.Path, r.Location, r.ArticleId, r.Origin, r.CreatedAt);
}
