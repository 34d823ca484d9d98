namespace HeadlessNews.Api.Features.Sources;

/// <param name="Url">Absolute http or https URL, when the source is online.</param>
/// <param name="PublishedOn">The date the source was published, e.g. 2026-03-14.</param>
public sealed record SaveSourceRequest(SourceKind? Kind, string Title, string? Publisher, string? Url, DateOnly? PublishedOn, string? Description);

public sealed record SourceResponse(
    Guid Id, SourceKind Kind, string Title, string? Publisher, string? Url, DateOnly? PublishedOn, string? Description,
    int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
