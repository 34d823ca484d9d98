using Microsoft.EntityFrameworkCore.Metadata.Builders;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Sources;

public enum SourceKind
{
    Report,
    PressRelease,
    Statement,
    Dataset,
    CourtRecord,
    Article,
    Interview,
    SocialPost,
    Other,
}

/// <summary>A document or conversation a story relies on: cited by articles, and the origin of quotes.</summary>
public sealed class Source : ICacheTagged, IVersionedEntity, ICreatedVersioned
{
    public IEnumerable<string> EvictionTags => [$"source:{Id}", "sources", "search"];

    public Guid Id { get; set; }
    public SourceKind Kind { get; set; }
    public required string Title { get; set; }
    public string? Publisher { get; set; }
    public string? Url { get; set; }
    public DateOnly? PublishedOn { get; set; }
    public string? Description { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SourceConfiguration : IEntityTypeConfiguration<Source>
{
    public void Configure(EntityTypeBuilder<Source> builder)
    {
        builder.ToTable("sources");
        builder.Property(s => s.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(s => s.Title).HasMaxLength(500);
        builder.Property(s => s.Publisher).HasMaxLength(200);
        builder.Property(s => s.Url).HasMaxLength(2000);
        builder.Property(s => s.Description).HasMaxLength(5000);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.HasIndex(s => s.UpdatedAt);
    }
}
