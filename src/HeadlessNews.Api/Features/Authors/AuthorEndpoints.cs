using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Api.Infrastructure.Text;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Authors;

public static class AuthorEndpoints
{
    private const string ResourceType = "author";

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
        SaveAuthorRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var slug = request.Slug ?? Slugs.From(request.Name);
        if (slug.Length == 0)
        {
            return Problems.Validation("slug", "The name has no letters or digits to make a slug from; give a slug.");
        }
        var now = clock.Now();
        var author = new Author { Id = Guid.CreateVersion7(), Slug = slug, Name = request.Name, Role = request.Role, Bio = request.Bio, Version = 1, CreatedAt = now, UpdatedAt = now };
        db.Add(author);
        if (await SaveAsync(db, author, cancellationToken) is { } problem)
        {
            return problem;
        }
        response.SetETag(author.Version);
        return TypedResults.Created($"/v1/manage/authors/{author.Id}", author.Adapt<AuthorResponse>());
    }

    private static async Task<Ok<Page<AuthorResponse>>> ListAuthors(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Page<AuthorResponse>(await db.Set<Author>().AsNoTracking().OrderBy(s => s.Name).ProjectToType<AuthorResponse>().ToListAsync(cancellationToken), null));

    private static Task<Results<Ok<AuthorResponse>, ProblemHttpResult>> GetAuthor(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<Author, AuthorResponse>(id, ResourceType, response, cancellationToken);

    private static async Task<Results<Ok<AuthorResponse>, ProblemHttpResult>> UpdateAuthor(
        Guid id, SaveAuthorRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (author, refused) = await db.FindForWriteAsync<Author>(id, ResourceType, http.Request, cancellationToken);
        if (author is null)
        {
            return refused!;
        }
        author.Name = request.Name;
        author.Slug = request.Slug ?? author.Slug;
        author.Role = request.Role;
        author.Bio = request.Bio;
        author.Version++;
        author.UpdatedAt = clock.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await SaveAsync(db, author, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        http.Response.SetETag(author.Version);
        return TypedResults.Ok(author.Adapt<AuthorResponse>());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAuthor(Guid id, HttpRequest request, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var (author, refused) = await db.FindForWriteAsync<Author>(id, ResourceType, request, cancellationToken);
        if (author is null)
        {
            return refused!;
        }
        var users = await db.Set<ArticleAuthor>().AsNoTracking().Where(l => l.AuthorId == id).Select(l => l.Article!).OrderBy(a => a.Id).Select(a => new ArticleReference(a.Id, a.Slug, a.Headline)).Take(50).ToListAsync(cancellationToken);
        if (users.Count > 0)
        {
            return ArticleReference.InUse("author", users);
        }
        db.Remove(author);
        return await SaveAsync(db, author, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
    }

    private static async Task<ProblemHttpResult?> SaveAsync(HeadlessNewsDbContext db, Author author, CancellationToken cancellationToken)
    {
        try
        {
            return await db.SaveVersionedAsync(author, ResourceType, cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Problems.Conflict($"Another author already has the slug '{author.Slug}'.");
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            return Problems.Conflict("Articles were bylined to this author meanwhile; change them first.");
        }
    }
}
