using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace HeadlessNews.Api.Features.Audit;

/// <summary>
/// One audited action. The database links each entry into a hash chain as it is inserted (<see cref="Seq"/>,
/// <see cref="PreviousHash"/>, <see cref="Hash"/>, computed by a trigger) and refuses to update or delete any entry:
/// see the AuditHashChain migration.
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    /// <summary>The entry's place in the chain, assigned by the database.</summary>
    public long Seq { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? ApiKeyId { get; set; }
    /// <summary><see cref="AuditActors.Key"/> or <see cref="AuditActors.Person"/>.</summary>
    public required string ActorKind { get; set; }
    /// <summary>The key's name, "anonymous" for a call without a valid key, or the person at the command line.</summary>
    public required string ActorName { get; set; }
    public string? KeyPrefix { get; set; }
    public string? OnBehalfOf { get; set; }
    /// <summary>For a person: the token's issuer and subject (hashed into the chain only when present).</summary>
    public string? Issuer { get; set; }
    public string? Subject { get; set; }
    /// <summary>The HTTP method, or <c>CLI</c> for the command line.</summary>
    public required string Method { get; set; }
    /// <summary>The route template, e.g. <c>/v1/manage/articles/{id:guid}/publish</c>, or the command, e.g. <c>keys create</c>.</summary>
    public required string Route { get; set; }
    public required string Path { get; set; }
    public int Status { get; set; }
    public string? ResourceType { get; set; }
    public string? ResourceId { get; set; }
    public required string RequestId { get; set; }
    public byte[] PreviousHash { get; set; } = null!;
    public byte[] Hash { get; set; } = null!;
}

public static class AuditActors
{
    public const string Key = Caller.KeyKind;
    public const string Person = Caller.PersonKind;
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => e.Seq).IsUnique();
        builder.HasIndex(e => e.ResourceId);
        builder.Property(e => e.ActorKind).HasMaxLength(16);
        builder.Property(e => e.ActorName).HasMaxLength(200);
        builder.Property(e => e.KeyPrefix).HasMaxLength(16);
        builder.Property(e => e.OnBehalfOf).HasMaxLength(200);
        builder.Property(e => e.Method).HasMaxLength(16);
        // Written by the insert trigger (not an identity: the chain's order is the order appends commit), read back after the insert.
        builder.Property(e => e.Seq).ValueGeneratedOnAdd().Metadata.SetValueGenerationStrategy(NpgsqlValueGenerationStrategy.None);
        builder.Property(e => e.PreviousHash).ValueGeneratedOnAdd();
        builder.Property(e => e.Hash).ValueGeneratedOnAdd();
    }
}
