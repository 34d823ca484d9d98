using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Tips;

public enum TipStatus
{
    New,
    Triaged,
    Assigned,
    Used,
    Declined,
}

public enum TipSender
{
    Reader,
    Newsroom,
}

/// <summary>
/// A reader's tip. Nothing here identifies the reader beyond what they typed, and that is sealed (encrypted with the Data
/// Protection key ring, which is not in the database): the receipt is kept only as a hash, and times only to the hour.
/// Ids are random (v4), never time-ordered (v7), so they carry no time either.
/// </summary>
public sealed class Tip : IVersioned
{
    public Guid Id { get; set; }
    public required byte[] ReceiptHash { get; set; }
    public TipStatus Status { get; set; }
    public byte[]? SealedName { get; set; }
    public byte[]? SealedContact { get; set; }
    public byte[]? SealedNotes { get; set; }
    public string? Assignee { get; set; }
    public Guid? ArticleId { get; set; }
    /// <summary>With <see cref="ArticleId"/>, exempts the tip from retention.</summary>
    public bool Keep { get; set; }
    public int Version { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>The last message or newsroom change, to the hour; retention counts from here.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
    public List<TipMessage> Messages { get; set; } = [];
    public List<TipAttachment> Attachments { get; set; } = [];
}

public sealed class TipMessage
{
    public Guid Id { get; set; }
    public Guid TipId { get; set; }
    /// <summary>Order within the tip (times are only to the hour).</summary>
    public long Sequence { get; set; }
    public TipSender From { get; set; }
    public required byte[] SealedText { get; set; }
    /// <summary>Who in the newsroom replied (the key's name); null for the reader.</summary>
    public string? Author { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>A file the reader sent, its metadata removed, sealed. Its original name is not kept.</summary>
public sealed class TipAttachment
{
    public Guid Id { get; set; }
    public Guid TipId { get; set; }
    public int Position { get; set; }
    public required string ContentType { get; set; }
    public long Length { get; set; }
    public required byte[] SealedContent { get; set; }
}

/// <summary>A proof-of-work solution already accepted, kept until its challenge would have expired anyway.</summary>
public sealed class SpentTipChallenge
{
    public required byte[] Hash { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>All that remains of purged tips: how many went on each day.</summary>
public sealed class TipPurge
{
    public DateOnly Day { get; set; }
    public int Purged { get; set; }
}

internal sealed class TipConfiguration : IEntityTypeConfiguration<Tip>
{
    public void Configure(EntityTypeBuilder<Tip> builder)
    {
        builder.ToTable("tips");
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Assignee).HasMaxLength(200);
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.HasIndex(t => t.ReceiptHash).IsUnique();
        builder.HasIndex(t => new { t.Status, t.ReceivedAt, t.Id });
        builder.HasIndex(t => new { t.ReceivedAt, t.Id });
        builder.HasIndex(t => t.UpdatedAt);
        builder.HasMany(t => t.Messages).WithOne().HasForeignKey(m => m.TipId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(t => t.Attachments).WithOne().HasForeignKey(a => a.TipId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TipMessageConfiguration : IEntityTypeConfiguration<TipMessage>
{
    public void Configure(EntityTypeBuilder<TipMessage> builder)
    {
        builder.ToTable("tip_messages");
        builder.Property(m => m.Sequence).UseIdentityAlwaysColumn();
        builder.Property(m => m.From).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Author).HasMaxLength(400);
        builder.HasIndex(m => new { m.TipId, m.Sequence });
    }
}

internal sealed class TipAttachmentConfiguration : IEntityTypeConfiguration<TipAttachment>
{
    public void Configure(EntityTypeBuilder<TipAttachment> builder)
    {
        builder.ToTable("tip_attachments");
        builder.Property(a => a.ContentType).HasMaxLength(64);
        builder.HasIndex(a => new { a.TipId, a.Position }).IsUnique();
    }
}

internal sealed class SpentTipChallengeConfiguration : IEntityTypeConfiguration<SpentTipChallenge>
{
    public void Configure(EntityTypeBuilder<SpentTipChallenge> builder)
    {
        builder.ToTable("tip_spent_challenges");
        builder.HasKey(c => c.Hash);
        builder.HasIndex(c => c.ExpiresAt);
    }
}

internal sealed class TipPurgeConfiguration : IEntityTypeConfiguration<TipPurge>
{
    public void Configure(EntityTypeBuilder<TipPurge> builder)
    {
        builder.ToTable("tip_purges");
        builder.HasKey(p => p.Day);
    }
}
