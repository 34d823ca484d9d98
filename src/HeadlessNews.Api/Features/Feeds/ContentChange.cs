using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Feeds;

/// <summary>
/// One entry of the partner change feed: a resource became visible or changed (upsert) or stopped being
/// visible (delete). Written when the causing event comes due, so a scheduled publication appears at its time.
/// </summary>
public sealed class ContentChange
{
    public long Sequence { get; set; }
    /// <summary>The writing transaction; readers order by (transaction, sequence) and stop below running transactions.</summary>
    public ulong TransactionId { get; set; }
    public required string Op { get; set; }
    public required string ResourceType { get; set; }
    public Guid ResourceId { get; set; }
    public string? Slug { get; set; }
    public int Version { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>An article's section and tags when the entry was recorded: which limited partners it concerns.</summary>
    public Guid? SectionId { get; set; }
    public Guid[] TagIds { get; set; } = [];
}

internal sealed class ContentChangeConfiguration : IEntityTypeConfiguration<ContentChange>
{
    public void Configure(EntityTypeBuilder<ContentChange> builder)
    {
        builder.ToTable("content_changes");
        builder.HasKey(c => c.Sequence);
        builder.Property(c => c.Sequence).UseIdentityAlwaysColumn();
        builder.Property(c => c.TransactionId).HasColumnType("xid8").HasDefaultValueSql("pg_current_xact_id()").ValueGeneratedOnAdd();
        builder.Property(c => c.Op).HasMaxLength(8);
        builder.Property(c => c.ResourceType).HasMaxLength(32);
        builder.Property(c => c.TagIds).HasDefaultValueSql("'{}'");
        builder.HasIndex(c => new { c.TransactionId, c.Sequence });
        builder.HasIndex(c => new { c.ResourceId, c.TransactionId, c.Sequence });
    }
}
