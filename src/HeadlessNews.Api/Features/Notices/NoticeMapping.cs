using System.Linq.Expressions;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Html;
using HeadlessNews.Api.Infrastructure.Revisions;
using HeadlessNews.Api.Infrastructure.Security;

namespace HeadlessNews.Api.Features.Notices;

/// <summary>Request → entity, entity → response (in SQL and in memory), and the one way a change is recorded.</summary>
public static class NoticeMapping
{
    public static readonly Expression<Func<Notice, NoticeResponse>> Projection = n => new NoticeResponse(
        n.Id,
        n.Reference,
        n.Category,
        n.Title,
        n.Body,
        new NoticeIssuer(n.IssuerName),
        n.LocationDescription == null && n.Postcode == null && n.Latitude == null
            ? null
            : new NoticeLocation(n.LocationDescription, n.Postcode, n.Latitude, n.Longitude),
        n.PublishedAt,
        n.EffectiveFrom,
        n.EffectiveTo,
        n.ResponseDeadline,
        n.Attachments,
        n.Status,
        n.Version);

    private static readonly Func<Notice, NoticeResponse> ToResponseCompiled = Projection.Compile();

    public static NoticeResponse ToResponse(Notice notice) => ToResponseCompiled(notice);

    public static IQueryable<NoticeResponse> ProjectToResponse(this IQueryable<Notice> notices) => notices.Select(Projection);

    /// <summary>Copies the editable content of a valid request onto the notice, sanitising and normalising it.</summary>
    public static void Apply(Notice notice, NoticeRequest request)
    {
        notice.Reference = request.Reference.Trim();
        notice.Category = request.Category!.Value;
        notice.Title = request.Title.Trim();
        notice.Body = HtmlSafety.SanitiseRich(request.Body);
        notice.IssuerName = request.Issuer.Name.Trim();
        notice.LocationDescription = string.IsNullOrWhiteSpace(request.Location?.Description) ? null : request.Location.Description.Trim();
        notice.Postcode = string.IsNullOrWhiteSpace(request.Location?.Postcode) ? null : NoticeLocationValidator.Normalise(request.Location.Postcode);
        notice.Latitude = request.Location?.Latitude;
        notice.Longitude = request.Location?.Longitude;
        notice.EffectiveFrom = AsStored(request.EffectiveFrom);
        notice.EffectiveTo = AsStored(request.EffectiveTo);
        notice.ResponseDeadline = AsStored(request.ResponseDeadline);
        notice.Attachments = [.. (request.Attachments ?? []).Select(a => new NoticeAttachment(a.Title.Trim(), a.Url.Trim()))];
    }

    /// <summary>UTC, at PostgreSQL's microsecond precision, so a write's response equals what later reads return.</summary>
    public static DateTimeOffset AsStored(DateTimeOffset instant) => new(instant.UtcTicks - instant.UtcTicks % 10, TimeSpan.Zero);

    private static DateTimeOffset? AsStored(DateTimeOffset? instant) => instant is { } value ? AsStored(value) : null;

    /// <summary>
    /// Bumps the version and adds the revision (a snapshot in the API's own JSON shape) and, when given, the
    /// outbox event; all commit with the caller's single SaveChanges.
    /// </summary>
    public static void RecordChange(
        this HeadlessNewsDbContext db, TimeProvider clock, JsonSerializerOptions json, Caller caller, Notice notice, string action, string? eventType)
    {
        notice.Version++;
        notice.UpdatedAt = clock.GetUtcNow();
        db.RecordRevision(clock, caller, Notice.ResourceType, notice.Id, notice.Version, action, JsonSerializer.SerializeToElement(ToResponse(notice), json));
        if (eventType is not null)
        {
            db.Record(clock, eventType, Notice.ResourceType, notice.Id, slug: null, notice.Version);
        }
    }

    /// <summary>The list projection: the response plus its keyset position, built from <see cref="Projection"/> so the mapping lives once.</summary>
    internal static readonly Expression<Func<Notice, NoticeListRow>> ListProjection = Expression.Lambda<Func<Notice, NoticeListRow>>(
        Expression.New(
            typeof(NoticeListRow).GetConstructor([typeof(DateTimeOffset), typeof(NoticeResponse)])!,
            Expression.Property(Projection.Parameters[0], nameof(Notice.CreatedAt)),
            Projection.Body),
        Projection.Parameters[0]);
}

internal sealed record NoticeListRow(DateTimeOffset CreatedAt, NoticeResponse Notice);
