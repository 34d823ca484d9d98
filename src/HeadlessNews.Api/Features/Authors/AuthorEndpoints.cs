using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Authors;

public static class AuthorEndpoints
{
    private const string Collection = "/v1/manage/authors";

    public static RouteGroupBuilder MapAuthors(this RouteGroupBuilder manage)
    {
        var authors = manage.MapGroup("/authors").WithTags("Authors");
        authors.MapPost("", CreateAuthor).WithName("CreateAuthor").WithSummary("Create an author.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency()
            .ProducesProblem(StatusCodes.Status409Conflict);
        authors.MapGet("", ListAuthors).WithName("ListAuthors").WithSummary("List every author by name.")
            .RequireAuthorization(Scopes.Policies.ContentRead);
        authors.MapGet("/{id:guid}", GetAuthor).WithName("GetAuthor").WithSummary("Read one author.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        authors.MapPut("/{id:guid}", UpdateAuthor).WithName("UpdateAuthor").WithSummary("Replace an author's name, slug, role and bio (If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        authors.MapDelete("/{id:guid}", DeleteAuthor).WithName("DeleteAuthor").WithSummary("Delete an author who has no bylines (If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        return manage;
    }

    private static async Task<Results<Created<AuthorResponse>, ProblemHttpResult>> CreateAuthor(
        SaveAuthorRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await AuthorWrites.CreateAsync(db, clock, request, cancellationToken)).ToCreated(response, Collection, e => e.Adapt<AuthorResponse>());

    private static async Task<Ok<Page<AuthorResponse>>> ListAuthors(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Page<AuthorResponse>(await db.Set<Author>().AsNoTracking().OrderBy(s => s.Name).ProjectToType<AuthorResponse>().ToListAsync(cancellationToken), null));

    private static Task<Results<Ok<AuthorResponse>, ProblemHttpResult>> GetAuthor(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<Author, AuthorResponse>(id, AuthorWrites.ResourceType, response, cancellationToken);

    private static async Task<Results<Ok<AuthorResponse>, ProblemHttpResult>> UpdateAuthor(
        Guid id, SaveAuthorRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await AuthorWrites.UpdateAsync(db, clock, usage, id, http.Request.ExpectedVersion(), request, cancellationToken)).ToOk(http.Response, e => e.Adapt<AuthorResponse>());

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAuthor(
        Guid id, HttpRequest request, HeadlessNewsDbContext db, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await AuthorWrites.DeleteAsync(db, usage, id, request.ExpectedVersion(), cancellationToken)).ToNoContent();
}
