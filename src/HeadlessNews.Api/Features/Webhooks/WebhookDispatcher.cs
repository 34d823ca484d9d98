using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Leases;

namespace HeadlessNews.Api.Features.Webhooks;

/// <summary>
/// Runs on every node. Fan-out turns due outbox events into one message per matching enabled webhook, in the
/// transaction that marks the events dispatched (row locks, so a node that dies mid-way leaves nothing held).
/// Delivery claims due messages for this process's boot (<see cref="ThisNode"/>) whenever it has a free slot, at most
/// <see cref="WebhookOptions.MaxConcurrentPerWebhook"/> per webhook over all nodes and
/// <see cref="WebhookOptions.MaxConcurrentDeliveries"/> on this node, so a slow target delays only its own messages.
/// A claim lasts as long as its process's lease: claims of a process that restarted or fell silent are due again at
/// once, without an attempt being counted, since an attempt cut short by our own crash says nothing about the target.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    TimeProvider clock,
    ThisNode node,
    IOptionsMonitor<WebhookOptions> options,
    IConfiguration configuration,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    /// <summary>Serialises claims over all nodes (pg_advisory_xact_lock), so the per-webhook limit holds cluster-wide.</summary>
    private const long ClaimLock = 0x4845_4144_484F_4F4B;
    private static readonly JsonSerializerOptions PayloadJson = ApiJson.Options;

    /// <summary>
    /// Every poll interval: fan out due events, give back what gone processes held, and fill free slots. In between, a
    /// delivery that settles frees its slot, which is filled at once (its webhook's next message may be due).
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var inFlight = new List<Task>();
        var nextPoll = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            inFlight.RemoveAll(delivery => delivery.IsCompleted);
            var settings = options.CurrentValue;
            var polling = clock.GetUtcNow() >= nextPoll;
            if (polling)
            {
                nextPoll = clock.GetUtcNow().AddMilliseconds(settings.PollIntervalMs);
            }
            var moreWaiting = false;
            try
            {
                if (polling && await FanOutAsync(stoppingToken))
                {
                    nextPoll = DateTimeOffset.MinValue;
                }
                var free = Math.Min(settings.MaxConcurrentDeliveries - inFlight.Count, settings.BatchSize);
                var claims = free > 0 ? await ClaimAsync(free, polling, stoppingToken) : [];
                inFlight.AddRange(claims.Select(claim => DeliverOneAsync(claim, stoppingToken)));
                moreWaiting = nextPoll == DateTimeOffset.MinValue || (free > 0 && claims.Count == free);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Webhook dispatch failed; trying again at the next poll.");
            }
            if (!moreWaiting)
            {
                await PauseAsync(nextPoll - clock.GetUtcNow(), inFlight, stoppingToken);
            }
        }
        // Deliveries cut short by the stop give their messages back themselves.
        await Task.WhenAll(inFlight);
    }

    /// <summary>Waits until the next poll, or less when a delivery settles.</summary>
    private async Task PauseAsync(TimeSpan untilPoll, List<Task> inFlight, CancellationToken stoppingToken)
    {
        if (untilPoll <= TimeSpan.Zero)
        {
            return;
        }
        using var pause = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAny([Task.Delay(untilPoll, clock, pause.Token), .. inFlight]);
        await pause.CancelAsync();
    }

    /// <summary>Fans out one batch of due events; true when the batch was full (more may be due).</summary>
    private async Task<bool> FanOutAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var events = await db.Set<ContentEvent>().FromSql($"""
            SELECT * FROM content_events
            WHERE dispatched_at IS NULL AND due_at <= {now}
            ORDER BY due_at, sequence
            LIMIT {settings.BatchSize}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);
        if (events.Count == 0)
        {
            return false;
        }
        var webhooks = await db.Set<Webhook>().AsNoTracking().Where(w => w.Enabled).Select(w => new { w.Id, w.Events }).ToListAsync(cancellationToken);
        foreach (var contentEvent in events)
        {
            contentEvent.DispatchedAt = now;
            var payload = Payload(contentEvent);
            foreach (var webhook in webhooks.Where(w => w.Events.Contains(contentEvent.Type)))
            {
                db.Set<WebhookMessage>().Add(new WebhookMessage
                {
                    Id = Guid.CreateVersion7(),
                    WebhookId = webhook.Id,
                    EventId = contentEvent.Id,
                    EventType = contentEvent.Type,
                    Payload = payload,
                    Status = WebhookMessageStatus.Pending,
                    NextAttemptAt = now,
                    GiveUpAt = now + settings.GiveUpAfter,
                    CreatedAt = now,
                });
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return events.Count == settings.BatchSize;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due messages for this boot: per webhook no more than its free slots, first
    /// attempts before retries, oldest first; first, when <paramref name="releaseGone"/>, gives back the claims of
    /// processes that are gone (due again at once: an attempt cut short by our own crash is not the target's failure).
    /// </summary>
    private async Task<List<Claim>> ClaimAsync(int limit, bool releaseGone, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var claimToken = Guid.NewGuid();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({ClaimLock})", cancellationToken);
        if (releaseGone)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE webhook_messages m SET claimed_by = NULL, claim_token = NULL, next_attempt_at = {now}
                WHERE m.claimed_by IS NOT NULL AND m.claimed_by <> {node.BootId} AND m.status = 'Pending'
                  AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.boot_id = m.claimed_by AND n.lease_until > {now})
                """, cancellationToken);
        }
        var messages = await db.Set<WebhookMessage>().FromSql($"""
            UPDATE webhook_messages SET next_attempt_at = {now + settings.ClaimLease}, claim_token = {claimToken}, claimed_by = {node.BootId}
            WHERE id IN (
                SELECT due.id FROM webhooks w CROSS JOIN LATERAL (
                    SELECT m.id, m.next_attempt_at, m.backoff_step FROM webhook_messages m
                    WHERE m.webhook_id = w.id AND m.status = 'Pending' AND m.next_attempt_at <= {now}
                    ORDER BY m.next_attempt_at
                    LIMIT greatest(0, {settings.MaxConcurrentPerWebhook} - (SELECT count(*) FROM webhook_messages busy
                        WHERE busy.webhook_id = w.id AND busy.claimed_by IS NOT NULL AND busy.next_attempt_at > {now}))
                    FOR UPDATE SKIP LOCKED) due
                WHERE w.enabled
                ORDER BY due.backoff_step > 0, due.next_attempt_at
                LIMIT {limit})
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        var ids = messages.Select(m => m.WebhookId).Distinct().ToList();
        var webhooks = await db.Set<Webhook>().AsNoTracking().Where(w => ids.Contains(w.Id)).ToDictionaryAsync(w => w.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. messages.Select(m => new Claim(m, webhooks[m.WebhookId], claimToken))];
    }

    private async Task DeliverOneAsync(Claim claim, CancellationToken stoppingToken)
    {
        var (message, webhook, claimToken) = claim;
        var settings = options.CurrentValue;
        var attemptedAt = clock.GetUtcNow();
        var started = clock.GetTimestamp();
        var attempt = new WebhookAttempt
        {
            Id = Guid.CreateVersion7(),
            WebhookId = webhook.Id,
            MessageId = message.Id,
            EventId = message.EventId,
            EventType = message.EventType,
            Attempt = message.Attempts + 1,
            At = attemptedAt,
        };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            using var request = SignedRequest(message, webhook, attemptedAt);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            attempt.StatusCode = (int)response.StatusCode;
            attempt.ResponseExcerpt = await WebhookResponseExcerpt.ReadAsync(response, deadline.Token);
            attempt.Outcome = response.IsSuccessStatusCode ? WebhookAttemptOutcome.Delivered : WebhookAttemptOutcome.HttpError;
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Cut short by this node stopping (a cancelled send, or its connection torn down): not the target's failure.
            await ReleaseAsync(message, claimToken);
            return;
        }
        catch (OperationCanceledException)
        {
            attempt.Outcome = WebhookAttemptOutcome.Timeout;
            attempt.Error = $"No complete answer within {settings.TimeoutSeconds} s.";
        }
        catch (HttpRequestException e) when (FindRefusal(e) is { } refusal)
        {
            attempt.Outcome = WebhookAttemptOutcome.Refused;
            attempt.Error = AcceptedText.Cut(refusal.Message, 1000);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            // A failed connect usually arrives wrapped in HttpRequestException, but not always bare of it: any form is the target's failure, logged and retried.
            attempt.Outcome = WebhookAttemptOutcome.NetworkError;
            attempt.Error = AcceptedText.Cut(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message, 1000);
        }
        attempt.DurationMs = (int)clock.GetElapsedTime(started).TotalMilliseconds;
        logger.LogInformation("Webhook {WebhookId} message {MessageId} ({EventType}) attempt {Attempt}: {Outcome} {StatusCode} in {DurationMs} ms",
            webhook.Id, message.EventId, message.EventType, attempt.Attempt, attempt.Outcome, attempt.StatusCode, attempt.DurationMs);
        try
        {
            await RecordAsync(message, attempt, claimToken);
        }
        catch (Exception e)
        {
            // Typically the webhook was deleted meanwhile, or the database is away; the claim's backstop (ClaimLease) brings the message back.
            logger.LogWarning(e, "Could not record attempt {Attempt} of webhook message {MessageId}.", attempt.Attempt, message.EventId);
        }
    }

    private static HttpRequestMessage SignedRequest(WebhookMessage message, Webhook webhook, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds();
        var secrets = webhook.PreviousSecret is { } previous && webhook.PreviousSecretExpiresAt > now ? new[] { webhook.Secret, previous } : [webhook.Secret];
        var messageId = message.EventId.ToString();
        var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(message.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSigning.Sign(secrets, messageId, timestamp, message.Payload));
        return request;
    }

    /// <summary>Stores the attempt and moves the message on: delivered, due again after a back-off, or failed for good.</summary>
    private async Task RecordAsync(WebhookMessage message, WebhookAttempt attempt, Guid claimToken)
    {
        var settings = options.CurrentValue;
        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        db.Set<WebhookAttempt>().Add(attempt);
        await db.SaveChangesAsync(CancellationToken.None);
        var mine = db.Set<WebhookMessage>().Where(m => m.Id == message.Id && m.ClaimToken == claimToken);
        var failedForGood = false;
        if (attempt.Outcome == WebhookAttemptOutcome.Delivered)
        {
            await mine.ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Status, WebhookMessageStatus.Delivered)
                .SetProperty(x => x.DeliveredAt, now)
                .SetProperty(x => x.Attempts, attempt.Attempt)
                .SetProperty(x => x.ClaimToken, (Guid?)null)
                .SetProperty(x => x.ClaimedBy, (Guid?)null), CancellationToken.None);
        }
        else
        {
            var next = now + Backoff(settings, message.BackoffStep);
            failedForGood = next > message.GiveUpAt;
            failedForGood &= await mine.ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Status, failedForGood ? WebhookMessageStatus.Failed : WebhookMessageStatus.Pending)
                .SetProperty(x => x.NextAttemptAt, next)
                .SetProperty(x => x.FailedAt, failedForGood ? now : null)
                .SetProperty(x => x.BackoffStep, message.BackoffStep + 1)
                .SetProperty(x => x.Attempts, attempt.Attempt)
                .SetProperty(x => x.ClaimToken, (Guid?)null)
                .SetProperty(x => x.ClaimedBy, (Guid?)null), CancellationToken.None) == 1;
        }
        if (failedForGood)
        {
            await DisableIfFailingAsync(db, message.WebhookId, settings, now);
        }
        await transaction.CommitAsync(CancellationToken.None);
    }

    private static async Task DisableIfFailingAsync(HeadlessNewsDbContext db, Guid webhookId, WebhookOptions settings, DateTimeOffset now)
    {
        var since = now - settings.DisableAfterFailingFor;
        if (await db.Set<WebhookAttempt>().AnyAsync(a => a.WebhookId == webhookId && a.Outcome == WebhookAttemptOutcome.Delivered && a.At > since))
        {
            return;
        }
        var reason = $"Disabled automatically at {now:u}: no delivery succeeded since {since:u} and a message failed for good.";
        await db.Set<Webhook>().Where(w => w.Id == webhookId && w.Enabled).ExecuteUpdateAsync(w => w
            .SetProperty(x => x.Enabled, false)
            .SetProperty(x => x.DisabledReason, reason)
            .SetProperty(x => x.DisabledAt, now)
            .SetProperty(x => x.UpdatedAt, now)
            .SetProperty(x => x.Version, x => x.Version + 1));
    }

    /// <summary>Gives a claimed message back at once (this node is stopping), without counting an attempt.</summary>
    private async Task ReleaseAsync(WebhookMessage message, Guid claimToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
            var now = clock.GetUtcNow();
            await db.Set<WebhookMessage>().Where(m => m.Id == message.Id && m.ClaimToken == claimToken)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.NextAttemptAt, now).SetProperty(x => x.ClaimToken, (Guid?)null).SetProperty(x => x.ClaimedBy, (Guid?)null));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not release webhook message {MessageId}; it is free once this node's lease runs out.", message.EventId);
        }
    }

    internal static TimeSpan Backoff(WebhookOptions settings, int step)
    {
        var schedule = settings.EffectiveRetrySchedule;
        var delay = schedule[Math.Min(step, schedule.Count - 1)];
        return delay + delay * (settings.RetryJitter * Random.Shared.NextDouble());
    }

    private string Payload(ContentEvent contentEvent)
    {
        if (contentEvent.Data is { } carried)
        {
            return JsonSerializer.Serialize(new CarriedWebhookPayload(contentEvent.Type, contentEvent.DueAt, JsonNode.Parse(carried)), PayloadJson);
        }
        // A tip's event says only that one arrived: nothing of it, not even a URL, leaves the system. An import has no URL.
        if (contentEvent.Type is ContentEventTypes.TipReceived or ContentEventTypes.ImportCompleted)
        {
            return JsonSerializer.Serialize(new IdOnlyWebhookPayload(contentEvent.Type, contentEvent.DueAt, new IdOnlyWebhookPayloadData(contentEvent.ResourceId)), PayloadJson);
        }
        var baseUrl = (configuration["Delivery:PublicBaseUrl"] is { Length: > 0 } configured ? configured : "http://localhost:5080").TrimEnd('/');
        var path = contentEvent.ResourceType switch
        {
            "article" => $"/v1/articles/{Uri.EscapeDataString(contentEvent.Slug ?? contentEvent.ResourceId.ToString())}",
            // An entry's slug is its live blog's: readers page the blog's entries.
            LiveBlogEntryWrites.ResourceType => $"/v1/articles/{Uri.EscapeDataString(contentEvent.Slug!)}/entries",
            _ => $"/v1/{contentEvent.ResourceType}s/{contentEvent.ResourceId}",
        };
        var data = new WebhookPayloadData(contentEvent.ResourceId, contentEvent.Slug, contentEvent.Version, baseUrl + path) { Language = contentEvent.Language };
        return JsonSerializer.Serialize(new WebhookPayload(contentEvent.Type, contentEvent.DueAt, data, contentEvent.Actor), PayloadJson);
    }

    private static WebhookTargetRefusedException? FindRefusal(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is WebhookTargetRefusedException refusal)
            {
                return refusal;
            }
        }
        return null;
    }


    private sealed record Claim(WebhookMessage Message, Webhook Webhook, Guid Token);
}
