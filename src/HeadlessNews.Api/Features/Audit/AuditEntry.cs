using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Audit;

public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? ApiKeyId { get; set; }
    public required string KeyName { get; set; }
    public string? OnBehalfOf { get; set; }
    /// <summary>HTTP method and route template, e.g. <c>POST /v1/manage/articles/{id}/publish</c>.</summary>
    public required string Action { get; set; }
    public required string Path { get; set; }
    public string? ResourceId { get; set; }
    public int Status { get; set; }
    public required string RequestId { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasIndex(e => e.At);
        builder.Property(e => e.KeyName).HasMaxLength(200);
        builder.Property(e => e.OnBehalfOf).HasMaxLength(200);
    }
}
