using Microsoft.EntityFrameworkCore.Metadata.Builders;
using HeadlessNews.Api.Infrastructure.Caching;

namespace HeadlessNews.Api.Features.Authors;

public sealed class Author : ICacheTagged, IVersionedEntity, ICreatedVersioned
{
    public IEnumerable<string> EvictionTags => ["authors", $"author:{Slug}"];

    public Guid Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string? Role { get; set; }
    public string? Bio { get; set; }
    /// <summary>Name and description in other languages, e.g. <c>{"cy": {name, description}}</c>.</summary>
    public Dictionary<string, NameTranslation> Translations { get; set; } = [];
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class AuthorConfiguration : IEntityTypeConfiguration<Author>
{
    public void Configure(EntityTypeBuilder<Author> builder)
    {
        builder.ToTable("authors");
        builder.Property(a => a.Slug).HasMaxLength(120);
        builder.Property(a => a.Name).HasMaxLength(200);
        builder.Property(a => a.Role).HasMaxLength(200);
        builder.Property(a => a.Bio).HasMaxLength(5000);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.Property(a => a.Translations).AsJsonColumn().HasDefaultValueSql("'{}'::jsonb");
        builder.HasIndex(a => a.Slug).IsUnique();
        // The delivery list pages newest created first, the management list most recently updated first (keyset on the id after).
        builder.HasIndex(a => new { a.CreatedAt, a.Id });
        builder.HasIndex(a => new { a.UpdatedAt, a.Id });
    }
}
