using HeadlessNews.Api.Features.Articles;

namespace HeadlessNews.Api.Features.Notices;

/// <summary>The editable content of a notice, for create and for PUT (which replaces it all; omitted optional fields become null).</summary>
/// <param name="Reference">The issuer's own reference, unique per issuer (e.g. "0/51234").</param>
/// <param name="Body">Rich HTML (paragraphs, lists, h2-h4, links, emphasis); anything else is removed.</param>
/// <param name="EffectiveFrom">When the notice takes effect; null for at once.</param>
/// <param name="EffectiveTo">When it stops being active; null for open-ended. Not before effectiveFrom.</param>
/// <param name="ResponseDeadline">Last day for objections or representations, where the notice invites them.</param>
/// <param name="Images">Pictures: each an uploaded asset (assetId, with per-use overrides) or an outside url, like an article's heroImage.</param>
/// <param name="Language">The language of title and body (BCP-47, default en-GB).</param>
/// <param name="Translations">The notice in other languages, e.g. {"cy": {"title": "…", "body": "…"}}: a bilingual notice; delivery with ?language= shows it.</param>
public sealed record NoticeRequest(
    string Reference,
    NoticeCategory? Category,
    string Title,
    string Body,
    NoticeIssuer Issuer,
    NoticeLocation? Location,
    DateTimeOffset? EffectiveFrom,
    DateTimeOffset? EffectiveTo,
    DateTimeOffset? ResponseDeadline,
    IReadOnlyList<NoticeAttachment>? Attachments,
    IReadOnlyList<HeroImage>? Images = null,
    string? Language = null,
    IReadOnlyDictionary<string, NoticeTranslation>? Translations = null);

/// <summary>A notice's title and body (rich HTML, sanitised like the body) in another language.</summary>
public sealed record NoticeTranslation(string Title, string Body);

public sealed record NoticeIssuer(string Name);

/// <param name="Postcode">A UK postcode (e.g. "LL30 2RP"); stored upper case with one space.</param>
/// <param name="Latitude">WGS84 degrees, -90 to 90; give both coordinates or neither.</param>
/// <param name="Longitude">WGS84 degrees, -180 to 180.</param>
public sealed record NoticeLocation(string? Description, string? Postcode, double? Latitude, double? Longitude);

/// <param name="Url">An absolute https URL.</param>
public sealed record NoticeAttachment(string Title, string Url);

public sealed record NoticeResponse(
    Guid Id,
    string Reference,
    NoticeCategory Category,
    string Title,
    string Body,
    NoticeIssuer Issuer,
    NoticeLocation? Location,
    DateTimeOffset? PublishedAt,
    DateTimeOffset? EffectiveFrom,
    DateTimeOffset? EffectiveTo,
    DateTimeOffset? ResponseDeadline,
    IReadOnlyList<NoticeAttachment> Attachments,
    IReadOnlyList<HeroImage> Images,
    NoticeStatus Status,
    int Version,
    string Language = Languages.Default)
{
    public IReadOnlyDictionary<string, NoticeTranslation> Translations { get; init; } = new Dictionary<string, NoticeTranslation>();
}

/// <summary>One accepted change: revision n is version n.</summary>
/// <param name="Action">created, updated, published or withdrawn.</param>
/// <param name="KeyName">The API key that made the change.</param>
/// <param name="OnBehalfOf">The person the editorial tool acted for (X-On-Behalf-Of), if it said.</param>
public sealed record NoticeRevisionSummary(int Number, string Action, string KeyName, string? OnBehalfOf, DateTimeOffset At);

/// <param name="Notice">The notice as it stood after this change.</param>
public sealed record NoticeRevisionResponse(int Number, string Action, string KeyName, string? OnBehalfOf, DateTimeOffset At, NoticeResponse Notice);
