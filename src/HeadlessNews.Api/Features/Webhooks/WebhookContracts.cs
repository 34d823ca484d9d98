using System.Text.Json.Nodes;
using HeadlessNews.Api.Infrastructure.Events;

namespace HeadlessNews.Api.Features.Webhooks;

/// <param name="Url">Where deliveries are POSTed: an http(s) URL on a public address.</param>
/// <param name="Events">Event types to receive, e.g. article.published, notice.withdrawn.</param>
/// <param name="Description">A note for people, e.g. "Rebuild the Bangor edition front page".</param>
public sealed record CreateWebhookRequest(string Url, string[] Events, string? Description);

/// <param name="Enabled">false pauses deliveries; true re-enables a webhook the dispatcher disabled. Absent keeps the current state.</param>
public sealed record UpdateWebhookRequest(string Url, string[] Events, string? Description, bool? Enabled);

public sealed record WebhookResponse(
    Guid Id, string Url, string[] Events, string? Description, bool Enabled, string? DisabledReason, DateTimeOffset? DisabledAt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version);

/// <summary>The webhook with its signing secret: returned when it is created or rotated, and never again (an idempotent replay of the create answers it as null).</summary>
public sealed record WebhookWithSecretResponse(
    Guid Id, string Url, string[] Events, string? Description, bool Enabled, string? DisabledReason, DateTimeOffset? DisabledAt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version, string? Secret, DateTimeOffset? PreviousSecretExpiresAt);

/// <summary>One delivery attempt.</summary>
/// <param name="MessageId">The <c>webhook-id</c> the receiver saw (the event's id, the same on every attempt).</param>
/// <param name="Status">The receiver's HTTP status code; null when no response came (timeout, network error, refused address).</param>
public sealed record WebhookDeliveryResponse(
    Guid Id, Guid MessageId, string EventType, int Attempt, WebhookAttemptOutcome Outcome, int? Status, int DurationMs,
    DateTimeOffset At, string? ResponseExcerpt, string? Error);

/// <summary>A message's delivery state.</summary>
public sealed record WebhookMessageResponse(
    Guid MessageId, string EventType, WebhookMessageStatus Status, int Attempts, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt, DateTimeOffset? FailedAt);

/// <summary>The thin payload: receivers fetch the full resource from <c>url</c>.</summary>
/// <param name="Actor">Who made the change (a person, or an API key and whom it acted for); null for scheduled and command-line work.</param>
public sealed record WebhookPayload(string Type, DateTimeOffset Timestamp, WebhookPayloadData Data, EventActor? Actor);

public sealed record WebhookPayloadData(Guid Id, string? Slug, int Version, string Url)
{
    /// <summary>An article's language (BCP-47): each edition of a story has its own events.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Language { get; init; }
}

/// <summary>The payload of events that carry nothing but the resource's id (<c>tip.received</c>).</summary>
public sealed record IdOnlyWebhookPayload(string Type, DateTimeOffset Timestamp, IdOnlyWebhookPayloadData Data);

public sealed record IdOnlyWebhookPayloadData(Guid Id);

/// <summary>An event that carries its own data (<c>import.completed</c>: the run's counts).</summary>
public sealed record CarriedWebhookPayload(string Type, DateTimeOffset Timestamp, JsonNode? Data);
