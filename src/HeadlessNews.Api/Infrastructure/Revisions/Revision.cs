using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Revisions;

/// <summary>A full snapshot of a versioned resource after an accepted change: who, when, what.</summary>
public sealed class Revision
{
    public Guid Id { get; set; }
    /// <summary><c>article</c> or <c>notice</c>.</summary>
    public required string ResourceType { get; set; }
    public Guid ResourceId { get; set; }
    /// <summary>The resource's version after the change; revision n is version n.</summary>
    public int Number { get; set; }
    /// <summary>What happened, e.g. <c>created</c>, <c>updated</c>, <c>published</c>, <c>restored from 3</c>.</summary>
    public required string Action { get; set; }
    public required JsonDocument Snapshot { get; set; }
    public required string KeyName { get; set; }
    public string? OnBehalfOf { get; set; }
    public DateTimeOffset At { get; set; }
}

public static class RevisionLog
{
    /// <summary>Adds a revision to the context; it commits with the caller's SaveChanges.</summary>
    public static void RecordRevision<T>(this DbContext db, TimeProvider clock, Caller caller, string resourceType, Guid resourceId, int number, string action, T snapshot) =>
        db.Set<Revision>().Add(new Revision
        {
            Id = Guid.CreateVersion7(),
            ResourceType = resourceType,
            ResourceId = resourceId,
            Number = number,
            Action = action,
            Snapshot = JsonSerializer.SerializeToDocument(snapshot, JsonSerializerOptions.Web),
            KeyName = caller.KeyName,
            OnBehalfOf = caller.OnBehalfOf,
            At = clock.GetUtcNow(),
        });
}

internal sealed class RevisionConfiguration : IEntityTypeConfiguration<Revision>
{
    public void Configure(EntityTypeBuilder<Revision> builder)
    {
        builder.ToTable("revisions");
        builder.Property(r => r.ResourceType).HasMaxLength(32);
        builder.Property(r => r.Action).HasMaxLength(64);
        builder.Property(r => r.Snapshot).HasColumnType("jsonb");
        builder.HasIndex(r => new { r.ResourceType, r.ResourceId, r.Number }).IsUnique();
    }
}
