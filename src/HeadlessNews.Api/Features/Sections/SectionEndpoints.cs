using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Sections;

public static class SectionEndpoints
{
    private const string Collection = "/v1/manage/sections";

    public static RouteGroupBuilder MapSections(this RouteGroupBuilder manage)
    {
        var sections = manage.MapGroup("/sections").WithTags("Sections");
        sections.MapPost("", CreateSection).WithName("CreateSection").WithSummary("Create a section.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency()
            .ProducesProblem(StatusCodes.Status409Conflict);
        sections.MapGet("", ListSections).WithName("ListSections").WithSummary("List every section by name.")
            .RequireAuthorization(Scopes.Policies.ContentRead);
        sections.MapGet("/{id:guid}", GetSection).WithName("GetSection").WithSummary("Read one section.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        sections.MapPut("/{id:guid}", UpdateSection).WithName("UpdateSection").WithSummary("Replace a section's name, slug and description (If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        sections.MapDelete("/{id:guid}", DeleteSection).WithName("DeleteSection").WithSummary("Delete a section no article is filed under (If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        return manage;
    }

    private static async Task<Results<Created<SectionResponse>, ProblemHttpResult>> CreateSection(
        SaveSectionRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await SectionWrites.CreateAsync(db, clock, request, cancellationToken)).ToCreated(response, Collection, e => e.Adapt<SectionResponse>());

    private static async Task<Ok<Page<SectionResponse>>> ListSections(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Page<SectionResponse>(await db.Set<Section>().AsNoTracking().OrderBy(s => s.Name).ProjectToType<SectionResponse>().ToListAsync(cancellationToken), null));

    private static Task<Results<Ok<SectionResponse>, ProblemHttpResult>> GetSection(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<Section, SectionResponse>(id, SectionWrites.ResourceType, response, cancellationToken);

    private static async Task<Results<Ok<SectionResponse>, ProblemHttpResult>> UpdateSection(
        Guid id, SaveSectionRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await SectionWrites.UpdateAsync(db, clock, usage, id, http.Request.ExpectedVersion(), request, cancellationToken)).ToOk(http.Response, e => e.Adapt<SectionResponse>());

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSection(
        Guid id, HttpRequest request, HeadlessNewsDbContext db, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await SectionWrites.DeleteAsync(db, usage, id, request.ExpectedVersion(), cancellationToken)).ToNoContent();
}
