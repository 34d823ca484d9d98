using HeadlessNews.Api.Infrastructure.Revisions;

namespace HeadlessNews.Api.Features.Notices;

public static class NoticeEndpoints
{
    public static RouteGroupBuilder MapNotices(this RouteGroupBuilder manage)
    {
        var notices = manage.MapGroup("/notices").WithTags("Public notices").RequireAuthorization(Scopes.Policies.NoticesWrite);
        notices.MapPost("", CreateNotice).WithName("CreateNotice").WithSummary("Create a draft public notice.")
            .WithIdempotency().ProducesProblem(StatusCodes.Status409Conflict);
        notices.MapGet("", ListNotices).WithName("ListNotices").WithSummary("List notices, newest first, by status, category and issuer.");
        notices.MapGet("/{id:guid}", GetNotice).WithName("GetNotice").WithSummary("Read one notice in any status.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        notices.MapPut("/{id:guid}", UpdateNotice).WithName("UpdateNotice")
            .WithSummary("Replace a notice's content (needs If-Match); a published notice changes at once.")
            .ProducesWriteProblems();
        notices.MapDelete("/{id:guid}", DeleteNotice).WithName("DeleteNotice")
            .WithSummary("Delete a draft notice (needs If-Match); published or withdrawn notices stay on record (409).")
            .ProducesWriteProblems();
        notices.MapPost("/{id:guid}/publish", PublishNotice).WithName("PublishNotice")
            .WithSummary("Publish a draft notice now (needs If-Match); sets publishedAt.")
            .ProducesWriteProblems();
        notices.MapPost("/{id:guid}/withdraw", WithdrawNotice).WithName("WithdrawNotice")
            .WithSummary("Withdraw a published notice (needs If-Match); it leaves delivery and feeds.")
            .ProducesWriteProblems();
        notices.MapGet("/{id:guid}/revisions", ListNoticeRevisions).WithName("ListNoticeRevisions")
            .WithSummary("Every accepted change to a notice, newest first: who, when and what.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        notices.MapGet("/{id:guid}/revisions/{number:int}", GetNoticeRevision).WithName("GetNoticeRevision")
            .WithSummary("The notice as it stood after revision n (revision n is version n).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return manage;
    }

    private static async Task<Results<Created<NoticeResponse>, ProblemHttpResult>> CreateNotice(
        NoticeRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await NoticeWrites.CreateAsync(db, clock, Caller.From(http), request, published: false, cancellationToken))
            .ToCreated(http.Response, "/v1/manage/notices", NoticeMapping.ToResponse);

    private static async Task<Results<Ok<Page<NoticeResponse>>, ProblemHttpResult>> ListNotices(
        string? status, string? category, string? issuer, int? limit, string? cursor,
        HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var query = db.Set<Notice>().AsNoTracking();
        if (status is not null)
        {
            if (!SnakeCaseNames.TryParse<NoticeStatus>(status, out var wanted))
            {
                return TypedResults.Ok(new Page<NoticeResponse>([], null));
            }
            query = query.Where(n => n.Status == wanted);
        }
        if (category is not null)
        {
            if (!SnakeCaseNames.TryParse<NoticeCategory>(category, out var wanted))
            {
                return TypedResults.Ok(new Page<NoticeResponse>([], null));
            }
            query = query.Where(n => n.Category == wanted);
        }
        if (issuer is not null)
        {
            var issuerName = issuer.Trim();
            query = query.Where(n => n.IssuerName == issuerName);
        }
        var rows = await query.NewestFirst(n => n.CreatedAt, n => n.Id, after, take)
            .Select(NoticeMapping.ListProjection).ToListAsync(cancellationToken);
        var page = Pagination.ToPage(http, signer, rows, take, r => new KeysetCursor(r.CreatedAt, r.Notice.Id));
        return TypedResults.Ok(new Page<NoticeResponse>([.. page.Items.Select(r => r.Notice)], page.Next));
    }

    private static async Task<Results<Ok<NoticeResponse>, ProblemHttpResult>> GetNotice(
        Guid id, HttpContext http, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var notice = await db.Set<Notice>().AsNoTracking().Where(n => n.Id == id).ProjectToResponse().FirstOrDefaultAsync(cancellationToken);
        if (notice is null)
        {
            return NotFound(id);
        }
        http.Response.SetETag(notice.Version);
        return TypedResults.Ok(notice);
    }

    private static async Task<Results<Ok<NoticeResponse>, ProblemHttpResult>> UpdateNotice(
        Guid id, NoticeRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await NoticeWrites.UpdateAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), request, cancellationToken))
            .ToOk(http.Response, NoticeMapping.ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteNotice(
        Guid id, HttpContext http, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        (await NoticeWrites.DeleteAsync(db, id, http.Request.ExpectedVersion(), cancellationToken)).ToNoContent();

    private static async Task<Results<Ok<NoticeResponse>, ProblemHttpResult>> PublishNotice(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await NoticeWrites.PublishAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), cancellationToken)).ToOk(http.Response, NoticeMapping.ToResponse);

    private static async Task<Results<Ok<NoticeResponse>, ProblemHttpResult>> WithdrawNotice(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await NoticeWrites.WithdrawAsync(db, clock, Caller.From(http), id, http.Request.ExpectedVersion(), cancellationToken)).ToOk(http.Response, NoticeMapping.ToResponse);

    private static async Task<Results<Ok<Page<NoticeRevisionSummary>>, ProblemHttpResult>> ListNoticeRevisions(
        Guid id, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Set<Notice>().AnyAsync(n => n.Id == id, cancellationToken))
        {
            return NotFound(id);
        }
        var revisions = await db.Set<Revision>().AsNoTracking()
            .Where(r => r.ResourceType == Notice.ResourceType && r.ResourceId == id)
            .OrderByDescending(r => r.Number)
            .Select(r => new NoticeRevisionSummary(r.Number, r.Action, r.ActorName, r.OnBehalfOf, r.At))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<NoticeRevisionSummary>(revisions, null));
    }

    private static async Task<Results<Ok<NoticeRevisionResponse>, ProblemHttpResult>> GetNoticeRevision(
        Guid id, int number, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var revision = await db.Set<Revision>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.ResourceType == Notice.ResourceType && r.ResourceId == id && r.Number == number, cancellationToken);
        if (revision is null)
        {
            return Problems.NotFound($"Notice {id} has no revision {number}.");
        }
        // Not the request-body options: their text checks must not refuse what was stored before they existed.
        var snapshot = revision.Snapshot.ReadSnapshot<NoticeResponse>();
        return TypedResults.Ok(new NoticeRevisionResponse(revision.Number, revision.Action, revision.ActorName, revision.OnBehalfOf, revision.At, snapshot));
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"No notice has id {id}.");
}
