using Microsoft.EntityFrameworkCore.Metadata.Builders;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Sections;

public sealed class Section : ICacheTagged, IVersionedEntity, ICreatedVersioned
{
    public IEnumerable<string> EvictionTags => ["sections"];

    public Guid Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Name and description in other languages, e.g. <c>{"cy": {name, description}}</c>.</summary>
    public Dictionary<string, NameTranslation> Translations { get; set; } = [];
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SectionConfiguration : IEntityTypeConfiguration<Section>
{
    public void Configure(EntityTypeBuilder<Section> builder)
    {
        builder.ToTable("sections");
        builder.Property(s => s.Slug).HasMaxLength(120);
        builder.Property(s => s.Name).HasMaxLength(200);
        builder.Property(s => s.Description).HasMaxLength(2000);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.Property(s => s.Translations).AsJsonColumn().HasDefaultValueSql("'{}'::jsonb");
        builder.HasIndex(s => s.Slug).IsUnique();
        // The delivery list pages newest created first, the management list most recently updated first (keyset on the id after).
        builder.HasIndex(s => new { s.CreatedAt, s.Id });
        builder.HasIndex(s => new { s.UpdatedAt, s.Id });
    }
}
