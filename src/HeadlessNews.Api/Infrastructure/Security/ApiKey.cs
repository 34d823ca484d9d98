using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Security;

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the secret, safe to show so people can tell keys apart.</summary>
    public required string Prefix { get; set; }
    /// <summary>SHA-256 of the whole secret; the secret itself is never stored.</summary>
    public required byte[] SecretHash { get; set; }
    public required string[] Scopes { get; set; }
    /// <summary>For partner keys: when non-empty, only content in these sections (by id, so a renamed slug changes nothing) is visible.</summary>
    public Guid[] SectionLimits { get; set; } = [];
    /// <summary>For partner keys: when non-empty, only content with one of these tags (by id) is visible.</summary>
    public Guid[] TagLimits { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.HasIndex(k => k.SecretHash).IsUnique();
    }
}
