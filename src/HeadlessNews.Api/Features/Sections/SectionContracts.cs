namespace HeadlessNews.Api.Features.Sections;

/// <param name="Slug">URL-safe and unique; generated from the name when absent.</param>
public sealed record SaveSectionRequest(string Name, string? Slug, string? Description);

public sealed record SectionResponse(Guid Id, string Slug, string Name, string? Description, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
