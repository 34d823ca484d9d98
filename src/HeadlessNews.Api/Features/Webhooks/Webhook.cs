using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Features.Webhooks;

/// <summary>A subscription: a URL that receives the listed event types, signed with its secret.</summary>
public sealed class Webhook
{
    public Guid Id { get; set; }
    public required string Url { get; set; }
    public required string[] Events { get; set; }
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>Why the dispatcher disabled the webhook (cleared when someone enables it again).</summary>
    public string? DisabledReason { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
    /// <summary>The signing secret (<c>whsec_…</c>). Kept readable because every delivery is signed with it.</summary>
    public required string Secret { get; set; }
    /// <summary>The secret before the last rotation, still signed with until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }
}

public enum WebhookMessageStatus
{
    Pending,
    Delivered,
    Failed,
}

/// <summary>One event to deliver to one webhook; retried until delivered or given up.</summary>
public sealed class WebhookMessage
{
    public Guid Id { get; set; }
    public Guid WebhookId { get; set; }
    /// <summary>The content event's id: the <c>webhook-id</c> header, stable across retries.</summary>
    public Guid EventId { get; set; }
    public required string EventType { get; set; }
    /// <summary>The exact JSON body sent on every attempt.</summary>
    public required string Payload { get; set; }
    public WebhookMessageStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>Attempts since the message was (re)queued; picks the back-off delay.</summary>
    public int BackoffStep { get; set; }
    /// <summary>When the message is due; while a node is delivering it, a backstop for a live node that could not settle it.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>Set by the node that claimed the message, so a node whose claim was taken over cannot overwrite a newer result.</summary>
    public Guid? ClaimToken { get; set; }
    /// <summary>The boot of the process delivering the message: the claim lasts as long as that process's lease.</summary>
    public Guid? ClaimedBy { get; set; }
    public DateTimeOffset GiveUpAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? FailedAt { get; set; }
}

public enum WebhookAttemptOutcome
{
    Delivered,
    HttpError,
    Timeout,
    NetworkError,
    Refused,
}

/// <summary>The delivery log: one row per attempt.</summary>
public sealed class WebhookAttempt
{
    public Guid Id { get; set; }
    public Guid WebhookId { get; set; }
    public Guid MessageId { get; set; }
    public Guid EventId { get; set; }
    public required string EventType { get; set; }
    public int Attempt { get; set; }
    public WebhookAttemptOutcome Outcome { get; set; }
    public int? StatusCode { get; set; }
    public int DurationMs { get; set; }
    public DateTimeOffset At { get; set; }
    public string? ResponseExcerpt { get; set; }
    public string? Error { get; set; }
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> builder)
    {
        builder.ToTable("webhooks");
        builder.Property(w => w.Url).HasMaxLength(2000);
        builder.Property(w => w.Description).HasMaxLength(500);
        builder.Property(w => w.Secret).HasMaxLength(100);
        builder.Property(w => w.PreviousSecret).HasMaxLength(100);
        builder.Property(w => w.Version).IsConcurrencyToken();
        builder.HasIndex(w => new { w.CreatedAt, w.Id });
    }
}

internal sealed class WebhookMessageConfiguration : IEntityTypeConfiguration<WebhookMessage>
{
    public void Configure(EntityTypeBuilder<WebhookMessage> builder)
    {
        builder.ToTable("webhook_messages");
        builder.Property(m => m.EventType).HasMaxLength(64);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Webhook>().WithMany().HasForeignKey(m => m.WebhookId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => new { m.WebhookId, m.EventId }).IsUnique();
        builder.HasIndex(m => new { m.WebhookId, m.NextAttemptAt }).HasFilter("status = 'Pending'");
        builder.HasIndex(m => m.WebhookId).HasDatabaseName("ix_webhook_messages_claimed").HasFilter("claimed_by IS NOT NULL");
    }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.ToTable("webhook_attempts");
        builder.Property(a => a.EventType).HasMaxLength(64);
        builder.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.ResponseExcerpt).HasMaxLength(1024);
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.HasOne<Webhook>().WithMany().HasForeignKey(a => a.WebhookId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.WebhookId, a.At, a.Id });
        builder.HasIndex(a => new { a.WebhookId, a.Outcome, a.At });
    }
}
