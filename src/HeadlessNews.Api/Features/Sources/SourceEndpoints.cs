using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Sources;

public static class SourceEndpoints
{
    public const string ResourceType = "source";

    public static RouteGroupBuilder MapSources(this RouteGroupBuilder manage)
    {
        var sources = manage.MapGroup("/sources").WithTags("Sources");
        sources.MapPost("", CreateSource).WithName("CreateSource").WithSummary("Create a source.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency();
        sources.MapGet("", ListSources).WithName("ListSources").WithSummary("List sources, most recently updated first.")
            .RequireAuthorization(Scopes.Policies.ContentRead);
        sources.MapGet("/{id:guid}", GetSource).WithName("GetSource").WithSummary("Read one source.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        sources.MapPut("/{id:guid}", UpdateSource).WithName("UpdateSource").WithSummary("Replace a source (If-Match); every article citing it shows the change.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        sources.MapDelete("/{id:guid}", DeleteSource).WithName("DeleteSource").WithSummary("Delete a source no published article cites (If-Match); quotes from it keep their text.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        return manage;
    }

    private static async Task<Results<Created<SourceResponse>, ProblemHttpResult>> CreateSource(
        SaveSourceRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var source = new Source { Id = Guid.CreateVersion7(), Title = string.Empty, Version = 1, CreatedAt = now };
        Apply(source, request, now);
        db.Add(source);
        if (await db.SaveVersionedAsync(source, ResourceType, cancellationToken) is { } problem)
        {
            return problem;
        }
        response.SetETag(source.Version);
        return TypedResults.Created($"/v1/manage/sources/{source.Id}", source.Adapt<SourceResponse>());
    }

    private static Task<Results<Ok<Page<SourceResponse>>, ProblemHttpResult>> ListSources(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken) =>
        db.ListRecentlyUpdatedAsync<Source, SourceResponse>(limit, cursor, http, signer, cancellationToken);

    private static Task<Results<Ok<SourceResponse>, ProblemHttpResult>> GetSource(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<Source, SourceResponse>(id, ResourceType, response, cancellationToken);

    private static async Task<Results<Ok<SourceResponse>, ProblemHttpResult>> UpdateSource(
        Guid id, SaveSourceRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (source, refused) = await db.FindForWriteAsync<Source>(id, ResourceType, http.Request, cancellationToken);
        if (source is null)
        {
            return refused!;
        }
        var now = clock.Now();
        Apply(source, request, now);
        source.Version++;
        if (await db.CitingSource(id).AnyVisibleAsync(now, cancellationToken))
        {
            db.Record(clock, ContentEventTypes.SourceUpdated, ResourceType, source.Id, null, source.Version);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.SaveVersionedAsync(source, ResourceType, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        http.Response.SetETag(source.Version);
        return TypedResults.Ok(source.Adapt<SourceResponse>());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSource(Guid id, HttpRequest request, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var (source, refused) = await db.FindForWriteAsync<Source>(id, ResourceType, request, cancellationToken);
        if (source is null)
        {
            return refused!;
        }
        var users = await db.CitingSource(id).PublishedAsync(cancellationToken);
        if (users.Count > 0)
        {
            return ArticleReference.InUse("source", users);
        }
        db.Remove(source);
        return await db.SaveVersionedAsync(source, ResourceType, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
    }

    private static void Apply(Source source, SaveSourceRequest request, DateTimeOffset now)
    {
        source.Kind = request.Kind!.Value;
        source.Title = request.Title.Trim();
        source.Publisher = request.Publisher;
        source.Url = request.Url;
        source.PublishedOn = request.PublishedOn;
        source.Description = request.Description;
        source.UpdatedAt = now;
    }
}
