using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Media;

/// <summary>Where the eye should stay when a rendition is cropped: 0–1 from the left and from the top.</summary>
public sealed record FocalPoint(double X, double Y)
{
    public static readonly FocalPoint Centre = new(0.5, 0.5);
}

public sealed record AssetRights(string? Holder, string? Licence, DateTimeOffset? ExpiresAt);

/// <summary>An uploaded image: the original is kept in <see cref="IMediaStorage"/> under <see cref="OriginalKey"/>, never served as is.</summary>
public sealed class Asset : IVersioned, ICacheTagged
{
    public const string ResourceType = "asset";

    /// <summary>Renditions' <c>Surrogate-Key</c>; evicting it makes every node forget what it knew of the asset (<see cref="RenditionAssets"/>).</summary>
    public static string CacheTag(Guid id) => CacheTagPrefix + id;

    public const string CacheTagPrefix = "asset:";

    public IEnumerable<string> EvictionTags => [CacheTag(Id)];

    public Guid Id { get; set; }
    public required string Filename { get; set; }
    public required string ContentType { get; set; }
    /// <summary>As displayed, after the EXIF orientation is applied.</summary>
    public int Width { get; set; }
    public int Height { get; set; }
    public long Bytes { get; set; }
    /// <summary>Lowercase hex SHA-256 of the original: identical uploads find the asset they already are.</summary>
    public required string Sha256 { get; set; }
    public string? Alt { get; set; }
    public string? Caption { get; set; }
    public string? Credit { get; set; }
    public string? RightsHolder { get; set; }
    public string? RightsLicence { get; set; }
    public DateTimeOffset? RightsExpiresAt { get; set; }
    public double FocalX { get; set; } = 0.5;
    public double FocalY { get; set; } = 0.5;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }

    public FocalPoint FocalPoint => new(FocalX, FocalY);

    public static string OriginalKey(Guid id) => $"originals/{id}";

    /// <summary>The downscaled copy of a big original that renditions shrink from (<see cref="ImageFiles.Inspect"/>), when there is one.</summary>
    public static string MasterKey(Guid id) => $"masters/{id}";

    /// <summary>The keys of what an upload stores.</summary>
    public static string[] UploadKeys(Guid id) => [OriginalKey(id), MasterKey(id)];

    /// <summary>Every version's renditions of the asset are stored under this.</summary>
    public static string RenditionsPrefix(Guid id) => $"renditions/{id}/";
}

internal sealed class AssetConfiguration : IEntityTypeConfiguration<Asset>
{
    public void Configure(EntityTypeBuilder<Asset> builder)
    {
        builder.ToTable("assets");
        builder.Ignore(a => a.FocalPoint);
        builder.Property(a => a.Filename).HasMaxLength(255);
        builder.Property(a => a.ContentType).HasMaxLength(32);
        builder.Property(a => a.Sha256).HasMaxLength(64);
        builder.Property(a => a.Alt).HasMaxLength(500);
        builder.Property(a => a.Caption).HasMaxLength(1000);
        builder.Property(a => a.Credit).HasMaxLength(200);
        builder.Property(a => a.RightsHolder).HasMaxLength(200);
        builder.Property(a => a.RightsLicence).HasMaxLength(200);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.HasIndex(a => a.Sha256).IsUnique();
        builder.HasIndex(a => new { a.UpdatedAt, a.Id });
    }
}
