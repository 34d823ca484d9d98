using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Sources;

public static class SourceEndpoints
{
    private const string Collection = "/v1/manage/sources";

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
        SaveSourceRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await SourceWrites.CreateAsync(db, clock, request, cancellationToken)).ToCreated(response, Collection, e => e.Adapt<SourceResponse>());

    private static Task<Results<Ok<Page<SourceResponse>>, ProblemHttpResult>> ListSources(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken) =>
        db.ListRecentlyUpdatedAsync<Source, SourceResponse>(limit, cursor, http, signer, cancellationToken);

    private static Task<Results<Ok<SourceResponse>, ProblemHttpResult>> GetSource(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<Source, SourceResponse>(id, SourceWrites.ResourceType, response, cancellationToken);

    private static async Task<Results<Ok<SourceResponse>, ProblemHttpResult>> UpdateSource(
        Guid id, SaveSourceRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await SourceWrites.UpdateAsync(db, clock, usage, id, http.Request.ExpectedVersion(), request, cancellationToken)).ToOk(http.Response, e => e.Adapt<SourceResponse>());

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSource(
        Guid id, HttpRequest request, HeadlessNewsDbContext db, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await SourceWrites.DeleteAsync(db, usage, id, request.ExpectedVersion(), cancellationToken)).ToNoContent();
}
