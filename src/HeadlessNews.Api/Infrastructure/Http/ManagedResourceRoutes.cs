using HeadlessNews.Api.Infrastructure.Domain;
using Mapster;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// The management routes of a versioned resource that articles refer to (sections, authors, quotes, sources) under
/// <c>/v1/manage/{Path}</c>: create, list (keyset pages, most recently updated first), read, replace with If-Match, delete with If-Match. The rules live in the
/// resource's write path; this is only how HTTP reaches it, the same for each.
/// </summary>
public sealed class ManagedResourceRoutes<TEntity, TRequest, TResponse> where TEntity : class, IVersioned where TRequest : class
{
    public delegate Task<WriteResult<TEntity>> CreateWrite(HeadlessNewsDbContext db, TimeProvider clock, TRequest input, CancellationToken cancellationToken);

    public delegate Task<WriteResult<TEntity>> UpdateWrite(
        HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, Guid id, ExpectedVersion expected, TRequest input, CancellationToken cancellationToken);

    public delegate Task<Refusal?> DeleteWrite(HeadlessNewsDbContext db, IArticleUsage usage, Guid id, ExpectedVersion expected, CancellationToken cancellationToken);

    /// <summary>The collection's path segment, e.g. <c>authors</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The resource's name in operation ids and tags, e.g. <c>Author</c> (plural: <c>Authors</c>).</summary>
    public required string Name { get; init; }

    public required string ResourceType { get; init; }

    public required CreateWrite Create { get; init; }

    public required UpdateWrite Update { get; init; }

    public required DeleteWrite Delete { get; init; }

    public required string ListSummary { get; init; }

    public required string UpdateSummary { get; init; }

    public required string DeleteSummary { get; init; }

    /// <summary>Whether a new one can clash with an existing one (a slug) ⇒ 409.</summary>
    public bool CreateMayConflict { get; init; }

    private string Collection => $"/v1/manage/{Path}";

    public RouteGroupBuilder MapTo(RouteGroupBuilder manage)
    {
        var plural = Name + "s";
        var article = "aeiou".Contains(char.ToLowerInvariant(Name[0]), StringComparison.Ordinal) ? "an" : "a";
        var lowerName = Name.ToLowerInvariant();
        var group = manage.MapGroup("/" + Path).WithTags(plural);
        // Handed over as plain delegates: ASP.NET Core's route-handler analyzer fails on method groups of a generic type.
        Delegate create = CreateAsync, list = ListAsync, get = GetAsync, update = UpdateAsync, delete = DeleteAsync;
        var created = group.MapPost("", create).WithName("Create" + Name).WithSummary($"Create {article} {lowerName}.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency();
        if (CreateMayConflict)
        {
            created.ProducesProblem(StatusCodes.Status409Conflict);
        }
        group.MapGet("", list).WithName("List" + plural).WithSummary(ListSummary)
            .RequireAuthorization(Scopes.Policies.ContentRead);
        group.MapGet("/{id:guid}", get).WithName("Get" + Name).WithSummary($"Read one {lowerName}.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id:guid}", update).WithName("Update" + Name).WithSummary(UpdateSummary)
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        group.MapDelete("/{id:guid}", delete).WithName("Delete" + Name).WithSummary(DeleteSummary)
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        return manage;
    }

    private async Task<Results<Created<TResponse>, ProblemHttpResult>> CreateAsync(
        TRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await Create(db, clock, request, cancellationToken)).ToCreated(response, Collection, e => e.Adapt<TResponse>());

    private static Task<Results<Ok<Page<TResponse>>, ProblemHttpResult>> ListAsync(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken) =>
        db.ListRecentlyUpdatedAsync<TEntity, TResponse>(limit, cursor, http, signer, cancellationToken);

    private Task<Results<Ok<TResponse>, ProblemHttpResult>> GetAsync(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<TEntity, TResponse>(id, ResourceType, response, cancellationToken);

    private async Task<Results<Ok<TResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, TRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await Update(db, clock, usage, id, http.Request.ExpectedVersion(), request, cancellationToken)).ToOk(http.Response, e => e.Adapt<TResponse>());

    private async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, HttpRequest request, HeadlessNewsDbContext db, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await Delete(db, usage, id, request.ExpectedVersion(), cancellationToken)).ToNoContent();
}
