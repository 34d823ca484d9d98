using HeadlessNews.Api.Features.Articles;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>
/// Where an imported article came from (site + the source's post id), so a re-run finds it: unchanged (same
/// <see cref="SourceHash"/>) is skipped; changed updates it unless it was edited here since (its version moved past
/// <see cref="ImportedVersion"/>).
/// </summary>
public sealed class ImportedItem
{
    /// <summary>
    /// The source site (<see cref="WordPressArchive.SiteKey"/>: <c>https://news.example.org</c> for http://www.news.example.org/
    /// too; rows recorded before keep the address as given, see <see cref="WordPressArchive.KnownKeys"/>), or <c>file:NAME</c>.
    /// </summary>
    public required string Source { get; set; }
    /// <summary>The source's id for the item (WordPress post id).</summary>
    public required string SourceId { get; set; }
    public Guid ArticleId { get; set; }
    public Article? Article { get; set; }
    /// <summary>SHA-256 (hex) of what the import took from the source item.</summary>
    public required string SourceHash { get; set; }
    /// <summary>The article's version after the import's last write to it.</summary>
    public int ImportedVersion { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
}

internal sealed class ImportedItemConfiguration : IEntityTypeConfiguration<ImportedItem>
{
    public void Configure(EntityTypeBuilder<ImportedItem> builder)
    {
        builder.ToTable("imported_items");
        builder.HasKey(i => new { i.Source, i.SourceId });
        builder.Property(i => i.Source).HasMaxLength(300);
        builder.Property(i => i.SourceId).HasMaxLength(100);
        builder.Property(i => i.SourceHash).HasMaxLength(64);
        builder.HasIndex(i => i.ArticleId);
        builder.HasOne(i => i.Article).WithMany().HasForeignKey(i => i.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}
