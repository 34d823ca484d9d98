
namespace HeadlessNews.Api.Features.Articles;

public static class LiveBlogEntryEndpoints
{
    /// <summary>Editorial routes under /v1/manage/articles/{id}/entries.</summary>
    public static RouteGroupBuilder MapLiveBlogEntries(this RouteGroupBuilder manage)
    {
        var entries = manage.MapGroup("/articles/{id:guid}/entries").WithTags("Live blogs");
        entries.MapPost("", CreateEntry).WithName("CreateLiveBlogEntry").WithSummary("Add an entry to a live blog (its readers receive it at once).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        entries.MapGet("", ListEntries).WithName("ListLiveBlogEntries").WithSummary("A live blog's entries as editors see them, newest first.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        entries.MapPut("/{entryId:guid}", UpdateEntry).WithName("UpdateLiveBlogEntry")
            .WithSummary("Replace an entry's content (If-Match); correction appends a dated correction.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        entries.MapDelete("/{entryId:guid}", DeleteEntry).WithName("DeleteLiveBlogEntry").WithSummary("Delete an entry (If-Match); readers are told.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        return manage;
    }

    private static async Task<Results<Created<LiveBlogEntryResponse>, ProblemHttpResult>> CreateEntry(
        Guid id, SaveLiveBlogEntryRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await LiveBlogEntryWrites.CreateAsync(db, clock, Caller.From(http), id, request, cancellationToken))
            .ToCreated(http.Response, $"{ArticleEndpoints.Collection}/{id}/entries", e => e);

    private static async Task<Results<Ok<Page<LiveBlogEntryResponse>>, ProblemHttpResult>> ListEntries(
        Guid id, int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        return await LiveBlogEntryWrites.ListAsync(db, id, after, take, cancellationToken) is { } entries
            ? TypedResults.Ok(Pagination.ToPage(http, signer, entries, take, e => new KeysetCursor(e.CreatedAt, e.Id)))
            : Problems.NotFound($"No article has id {id}.");
    }

    private static async Task<Results<Ok<LiveBlogEntryResponse>, ProblemHttpResult>> UpdateEntry(
        Guid id, Guid entryId, SaveLiveBlogEntryRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await LiveBlogEntryWrites.UpdateAsync(db, clock, Caller.From(http), id, entryId, http.Request.ExpectedVersion(), request, cancellationToken))
            .ToOk(http.Response, e => e);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteEntry(
        Guid id, Guid entryId, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await LiveBlogEntryWrites.DeleteAsync(db, clock, Caller.From(http), id, entryId, http.Request.ExpectedVersion(), cancellationToken)).ToNoContent(http.Response);
}
