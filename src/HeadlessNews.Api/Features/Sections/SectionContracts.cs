
namespace HeadlessNews.Api.Features.Sections;

/// <param name="Slug">URL-safe and unique; generated from the name when absent.</param>
/// <param name="Translations">Name and description by language, e.g. {"cy": {"name": "Newyddion"}}; delivery with ?language= uses them.</param>
public sealed record SaveSectionRequest(string Name, string? Slug, string? Description, IReadOnlyDictionary<string, NameTranslation>? Translations = null);

public sealed record SectionResponse(Guid Id, string Slug, string Name, string? Description, IReadOnlyDictionary<string, NameTranslation> Translations,
    int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
