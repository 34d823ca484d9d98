using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Revisions;

namespace HeadlessNews.Api.Features.Notices;

/// <summary>
/// The one write path for public notices, for every writer: each accepted change bumps the version and records a
/// revision (a snapshot in the API's JSON shape) and, once public, an outbox event, all committed by one save.
/// </summary>
public static class NoticeWrites
{
    private const string UniqueReferenceIndex = "ix_notices_issuer_name_reference";
    private const string RevisionNumberIndex = "ix_revisions_resource_type_resource_id_number";

    /// <summary>A new draft, or (<paramref name="published"/>, e.g. an import of notices already in print) a published notice.</summary>
    public static async Task<WriteResult<Notice>> CreateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, NoticeRequest input, bool published, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var notice = new Notice
        {
            Id = Guid.CreateVersion7(),
            Reference = string.Empty,
            Title = string.Empty,
            Body = string.Empty,
            IssuerName = string.Empty,
            Status = published ? NoticeStatus.Published : NoticeStatus.Draft,
            PublishedAt = published ? now : null,
            CreatedAt = now,
        };
        if (await ApplyAsync(db, notice, input, cancellationToken) is { } refusal)
        {
            return refusal;
        }
        db.Set<Notice>().Add(notice);
        RecordChange(db, clock, actor, notice, published ? "published" : "created", published ? ContentEventTypes.NoticePublished : null);
        return await SaveAsync(db, notice, cancellationToken) is { } failed ? failed : notice;
    }

    /// <summary>Replaces the content; a published notice changes at once.</summary>
    public static async Task<WriteResult<Notice>> UpdateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, NoticeRequest input, CancellationToken cancellationToken)
    {
        var found = await db.FindForWriteAsync<Notice>(id, Notice.ResourceType, expected, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }
        var notice = found.Value!;
        if (await ApplyAsync(db, notice, input, cancellationToken) is { } invalid)
        {
            return invalid;
        }
        RecordChange(db, clock, actor, notice, "updated", notice.Status == NoticeStatus.Published ? ContentEventTypes.NoticeUpdated : null);
        return await SaveAsync(db, notice, cancellationToken) is { } failed ? failed : notice;
    }

    /// <summary>
    /// A draft was never public, so deleting it removes it (and its revisions; the audit log keeps the deletion) and frees
    /// its reference. A notice that has been published is a public record: it can be withdrawn, never deleted.
    /// </summary>
    public static async Task<Refusal?> DeleteAsync(HeadlessNewsDbContext db, Guid id, ExpectedVersion expected, CancellationToken cancellationToken)
    {
        var found = await db.FindForWriteAsync<Notice>(id, Notice.ResourceType, expected, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }
        var notice = found.Value!;
        if (notice.Status != NoticeStatus.Draft)
        {
            return new StateConflict($"Notice {id} is {SnakeCaseNames.Of(notice.Status)}; only drafts can be deleted. Withdraw a published notice instead.");
        }
        db.Set<Notice>().Remove(notice);
        db.Set<Revision>().RemoveRange(await db.Set<Revision>()
            .Where(r => r.ResourceType == Notice.ResourceType && r.ResourceId == id).ToListAsync(cancellationToken));
        return await SaveAsync(db, notice, cancellationToken);
    }

    public static Task<WriteResult<Notice>> PublishAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        TransitionAsync(db, clock, actor, id, expected, NoticeStatus.Draft, NoticeStatus.Published, "published", ContentEventTypes.NoticePublished, cancellationToken);

    /// <summary>Withdraws a published notice: it leaves delivery and feeds.</summary>
    public static Task<WriteResult<Notice>> WithdrawAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected, CancellationToken cancellationToken) =>
        TransitionAsync(db, clock, actor, id, expected, NoticeStatus.Published, NoticeStatus.Withdrawn, "withdrawn", ContentEventTypes.NoticeWithdrawn, cancellationToken);

    private static async Task<WriteResult<Notice>> TransitionAsync(
        HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Guid id, ExpectedVersion expected,
        NoticeStatus from, NoticeStatus to, string action, string eventType, CancellationToken cancellationToken)
    {
        var found = await db.FindForWriteAsync<Notice>(id, Notice.ResourceType, expected, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }
        var notice = found.Value!;
        if (notice.Status != from)
        {
            return new StateConflict($"Notice {id} is {SnakeCaseNames.Of(notice.Status)}; only a {SnakeCaseNames.Of(from)} notice can be {action}.");
        }
        notice.Status = to;
        if (to == NoticeStatus.Published)
        {
            notice.PublishedAt = clock.Now();
        }
        RecordChange(db, clock, actor, notice, action, eventType);
        return await SaveAsync(db, notice, cancellationToken) is { } failed ? failed : notice;
    }

    /// <summary>Applies the input; refused when the sanitised body is empty or the issuer already uses the reference.</summary>
    private static async Task<Refusal?> ApplyAsync(HeadlessNewsDbContext db, Notice notice, NoticeRequest input, CancellationToken cancellationToken)
    {
        NoticeMapping.Apply(notice, input);
        if (notice.Body.Length == 0)
        {
            return Invalid.Field("body", "body has no content left once unsafe HTML is removed.");
        }
        if (notice.Translations.FirstOrDefault(t => t.Value.Body.Length == 0) is { Key: { } emptied })
        {
            return Invalid.Field($"translations.{emptied}.body", "body has no content left once unsafe HTML is removed.");
        }
        var errors = new Dictionary<string, string[]>();
        await DeliveredImages.CheckReferencesAsync(db, notice.Images.Select((image, i) => (Path: $"images[{i}].assetId", image.AssetId)), errors, cancellationToken);
        if (errors.Count > 0)
        {
            return new Invalid(errors);
        }
        var taken = await db.Set<Notice>().AnyAsync(
            n => n.IssuerName == notice.IssuerName && n.Reference == notice.Reference && n.Id != notice.Id, cancellationToken);
        return taken ? DuplicateReference(notice) : null;
    }

    /// <summary>Bumps the version and adds the revision and, when given, the outbox event; all commit with the one save.</summary>
    private static void RecordChange(HeadlessNewsDbContext db, TimeProvider clock, Caller actor, Notice notice, string action, string? eventType)
    {
        notice.Version++;
        notice.UpdatedAt = clock.GetUtcNow();
        db.RecordRevision(clock, actor, Notice.ResourceType, notice.Id, notice.Version, action, NoticeMapping.ToResponse(notice));
        if (eventType is not null)
        {
            db.Record(clock, eventType, Notice.ResourceType, notice.Id, slug: null, notice.Version);
        }
    }

    /// <summary>Saves once; a concurrent writer is a stale version and a reference taken meanwhile a conflict.</summary>
    private static async Task<Refusal?> SaveAsync(HeadlessNewsDbContext db, Notice notice, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || e.IsUniqueViolation(RevisionNumberIndex))
        {
            // A concurrent writer of the same version either changed the row first or, when the revision row is
            // written first, already holds that revision number: both mean this write is stale.
            db.ChangeTracker.Clear();
            return await db.LostRaceAsync<Notice>(notice.Id, Notice.ResourceType, cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation(UniqueReferenceIndex))
        {
            db.ChangeTracker.Clear();
            return DuplicateReference(notice);
        }
    }

    private static StateConflict DuplicateReference(Notice notice) =>
        new($"{notice.IssuerName} already has a notice with reference {notice.Reference}.");
}
