using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Revisions;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using HeadlessNews.Api.Infrastructure.Text;

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

    private static RouteHandlerBuilder ProducesWriteProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status428PreconditionRequired);

    private static async Task<Results<Created<NoticeResponse>, ProblemHttpResult>> CreateNotice(
        NoticeRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var now = NoticeMapping.AsStored(clock.GetUtcNow());
        var notice = new Notice
        {
            Id = Guid.CreateVersion7(),
            Reference = string.Empty,
            Title = string.Empty,
            Body = string.Empty,
            IssuerName = string.Empty,
            Status = NoticeStatus.Draft,
            CreatedAt = now,
        };
        if (await ApplyAsync(db, notice, request, cancellationToken) is { } problem)
        {
            return problem;
        }
        db.Set<Notice>().Add(notice);
        db.RecordChange(clock, json.Value.SerializerOptions, Caller.From(http), notice, "created", eventType: null);
        if (await SaveAsync(db, notice, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        http.Response.SetETag(notice.Version);
        return TypedResults.Created($"/v1/manage/notices/{notice.Id}", NoticeMapping.ToResponse(notice));
    }

    private static async Task<Results<Ok<Page<NoticeResponse>>, ProblemHttpResult>> ListNotices(
        string? status, string? category, string? issuer, int? limit, string? cursor,
        HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(signer, limit, cursor, out var take, out var after) is { } problem)
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
        if (after is not null)
        {
            query = query.Where(n => n.CreatedAt < after.At || (n.CreatedAt == after.At && n.Id.CompareTo(after.Id) < 0));
        }
        var rows = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(take + 1)
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
        Guid id, NoticeRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var notice = await db.Set<Notice>().FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (notice is null)
        {
            return NotFound(id);
        }
        if (Versioning.CheckIfMatch(http.Request, notice.Version) is { } precondition)
        {
            return precondition;
        }
        if (await ApplyAsync(db, notice, request, cancellationToken) is { } problem)
        {
            return problem;
        }
        var eventType = notice.Status == NoticeStatus.Published ? ContentEventTypes.NoticeUpdated : null;
        db.RecordChange(clock, json.Value.SerializerOptions, Caller.From(http), notice, "updated", eventType);
        return await CommitAsync(http, db, notice, cancellationToken);
    }

    /// <summary>
    /// A draft was never public, so deleting it removes it (and its revisions; the audit log keeps the deletion) and frees
    /// its reference. A notice that has been published is a public record: it can be withdrawn, never deleted.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteNotice(
        Guid id, HttpContext http, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var notice = await db.Set<Notice>().FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (notice is null)
        {
            return NotFound(id);
        }
        if (Versioning.CheckIfMatch(http.Request, notice.Version) is { } precondition)
        {
            return precondition;
        }
        if (notice.Status != NoticeStatus.Draft)
        {
            return Problems.Conflict($"Notice {id} is {SnakeCaseNames.Of(notice.Status)}; only drafts can be deleted. Withdraw a published notice instead.");
        }
        db.Set<Notice>().Remove(notice);
        db.Set<Revision>().RemoveRange(await db.Set<Revision>()
            .Where(r => r.ResourceType == Notice.ResourceType && r.ResourceId == id).ToListAsync(cancellationToken));
        return await SaveAsync(db, notice, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
    }

    private static Task<Results<Ok<NoticeResponse>, ProblemHttpResult>> PublishNotice(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken cancellationToken) =>
        TransitionAsync(id, NoticeStatus.Draft, NoticeStatus.Published, "published", ContentEventTypes.NoticePublished,
            http, db, clock, json.Value.SerializerOptions, cancellationToken);

    private static Task<Results<Ok<NoticeResponse>, ProblemHttpResult>> WithdrawNotice(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken cancellationToken) =>
        TransitionAsync(id, NoticeStatus.Published, NoticeStatus.Withdrawn, "withdrawn", ContentEventTypes.NoticeWithdrawn,
            http, db, clock, json.Value.SerializerOptions, cancellationToken);

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
        var snapshot = revision.Snapshot.Deserialize<NoticeResponse>(ApiJson.Options)!;
        return TypedResults.Ok(new NoticeRevisionResponse(revision.Number, revision.Action, revision.ActorName, revision.OnBehalfOf, revision.At, snapshot));
    }

    private static async Task<Results<Ok<NoticeResponse>, ProblemHttpResult>> TransitionAsync(
        Guid id, NoticeStatus from, NoticeStatus to, string action, string eventType,
        HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var notice = await db.Set<Notice>().FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (notice is null)
        {
            return NotFound(id);
        }
        if (Versioning.CheckIfMatch(http.Request, notice.Version) is { } precondition)
        {
            return precondition;
        }
        if (notice.Status != from)
        {
            return Problems.Conflict($"Notice {id} is {SnakeCaseNames.Of(notice.Status)}; only a {SnakeCaseNames.Of(from)} notice can be {action}.");
        }
        notice.Status = to;
        if (to == NoticeStatus.Published)
        {
            notice.PublishedAt = NoticeMapping.AsStored(clock.GetUtcNow());
        }
        db.RecordChange(clock, json, Caller.From(http), notice, action, eventType);
        return await CommitAsync(http, db, notice, cancellationToken);
    }

    /// <summary>Applies the request; a problem when the sanitised body is empty or the issuer already uses the reference.</summary>
    private static async Task<ProblemHttpResult?> ApplyAsync(HeadlessNewsDbContext db, Notice notice, NoticeRequest request, CancellationToken cancellationToken)
    {
        NoticeMapping.Apply(notice, request);
        if (notice.Body.Length == 0)
        {
            return Problems.Validation("body", "body has no content left once unsafe HTML is removed.");
        }
        var taken = await db.Set<Notice>().AnyAsync(
            n => n.IssuerName == notice.IssuerName && n.Reference == notice.Reference && n.Id != notice.Id, cancellationToken);
        return taken ? DuplicateReference(notice) : null;
    }

    private static async Task<Results<Ok<NoticeResponse>, ProblemHttpResult>> CommitAsync(
        HttpContext http, HeadlessNewsDbContext db, Notice notice, CancellationToken cancellationToken)
    {
        if (await SaveAsync(db, notice, cancellationToken) is { } problem)
        {
            return problem;
        }
        http.Response.SetETag(notice.Version);
        return TypedResults.Ok(NoticeMapping.ToResponse(notice));
    }

    /// <summary>Saves once; a concurrent writer becomes 412 and a reference taken meanwhile becomes 409.</summary>
    private static async Task<ProblemHttpResult?> SaveAsync(HeadlessNewsDbContext db, Notice notice, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || IsUniqueViolation(e, RevisionNumberIndex))
        {
            // A concurrent writer of the same version either changed the row first or, when the revision row is
            // written first, already holds that revision number: both mean this write is stale.
            db.ChangeTracker.Clear();
            var current = await db.Set<Notice>().Where(n => n.Id == notice.Id).Select(n => (int?)n.Version).FirstOrDefaultAsync(cancellationToken);
            return current is { } version ? Problems.PreconditionFailed(version) : NotFound(notice.Id);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e, UniqueReferenceIndex))
        {
            db.ChangeTracker.Clear();
            return DuplicateReference(notice);
        }
    }

    private const string UniqueReferenceIndex = "ix_notices_issuer_name_reference";
    private const string RevisionNumberIndex = "ix_revisions_resource_type_resource_id_number";

    private static bool IsUniqueViolation(DbUpdateException e, string index) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique && unique.ConstraintName == index;

    private static ProblemHttpResult DuplicateReference(Notice notice) =>
        Problems.Conflict($"{notice.IssuerName} already has a notice with reference {notice.Reference}.");

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"No notice has id {id}.");
}
