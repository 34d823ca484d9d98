using System.Linq.Expressions;
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
        n.Version,
        n.Language)
    {
        Translations = n.Translations,
    };

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
        notice.Language = Languages.Normalise(request.Language ?? Languages.Default);
        notice.Translations = (request.Translations ?? new Dictionary<string, NoticeTranslation>()).ToDictionary(
            t => Languages.Normalise(t.Key), t => new NoticeTranslation(t.Value.Title.Trim(), HtmlSafety.SanitiseRich(t.Value.Body)));
    }

    /// <summary>
    /// The notice as a reader of <paramref name="language"/> gets it: its own text when written in that language or when
    /// no translation into it exists (the fallback happens here, when reading), else the translation; <c>Language</c> says which.
    /// </summary>
    public static NoticeText TextIn(this NoticeResponse notice, string? language) =>
        language is null || Languages.Primary(notice.Language) == Languages.Primary(Languages.Normalise(language)) || notice.Translations.KeyFor(language) is not { } key
            ? new NoticeText(notice.Language, notice.Title, notice.Body)
            : new NoticeText(key, notice.Translations[key].Title, notice.Translations[key].Body);

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

/// <summary>A notice's title and body in one of its languages.</summary>
public sealed record NoticeText(string Language, string Title, string Body);

internal sealed record NoticeListRow(DateTimeOffset CreatedAt, NoticeResponse Notice);
