using System.Linq.Expressions;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Html;

namespace HeadlessNews.Api.Features.Notices;

/// <summary>Request → entity and entity → response (in SQL and in memory).</summary>
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
        n.Images,
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
        notice.Images = [.. request.Images ?? []];
    }

    /// <summary>A notice's instants as they are stored (see <see cref="DatabaseTime.AsStored(DateTimeOffset)"/>).</summary>
    public static DateTimeOffset AsStored(DateTimeOffset instant) => DatabaseTime.AsStored(instant);

    private static DateTimeOffset? AsStored(DateTimeOffset? instant) => DatabaseTime.AsStored(instant);

    /// <summary>The list projection: the response plus its keyset position, built from <see cref="Projection"/> so the mapping lives once.</summary>
    internal static readonly Expression<Func<Notice, NoticeListRow>> ListProjection = Expression.Lambda<Func<Notice, NoticeListRow>>(
        Expression.New(
            typeof(NoticeListRow).GetConstructor([typeof(DateTimeOffset), typeof(NoticeResponse)])!,
            Expression.Property(Projection.Parameters[0], nameof(Notice.CreatedAt)),
            Projection.Body),
        Projection.Parameters[0]);
}

internal sealed record NoticeListRow(DateTimeOffset CreatedAt, NoticeResponse Notice);
