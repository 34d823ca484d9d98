
namespace HeadlessNews.Api.Features.Authors;

/// <param name="Slug">URL-safe and unique; generated from the name when absent.</param>
/// <param name="Role">e.g. "Local democracy reporter".</param>
/// <param name="Bio">Plain text.</param>
/// <param name="Translations">Name and bio (description) by language, e.g. {"cy": {"name": "…", "description": "…"}}; delivery with ?language= uses them.</param>
public sealed record SaveAuthorRequest(string Name, string? Slug, string? Role, string? Bio, IReadOnlyDictionary<string, NameTranslation>? Translations = null);

public sealed record AuthorResponse(Guid Id, string Slug, string Name, string? Role, string? Bio, IReadOnlyDictionary<string, NameTranslation> Translations,
    int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
