
namespace HeadlessNews.Api.Features.Webhooks;

public static class WebhookEndpoints
{
    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder manage)
    {
        var webhooks = manage.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Scopes.Policies.WebhooksManage);
        webhooks.MapPost("", CreateWebhook).WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to content events; the signing secret is in this response only.").WithIdempotency(oneTimeSecret: "secret");
        webhooks.MapGet("", ListWebhooks).WithName("ListWebhooks").WithSummary("List webhooks, newest first.");
        webhooks.MapGet("/{id:guid}", GetWebhook).WithName("GetWebhook").WithSummary("Read one webhook (without its secret).");
        webhooks.MapPut("/{id:guid}", UpdateWebhook).WithName("UpdateWebhook").WithSummary("Change a webhook's URL, events, description or enabled state (If-Match).")
            .ProducesWriteProblems();
        webhooks.MapDelete("/{id:guid}", DeleteWebhook).WithName("DeleteWebhook").WithSummary("Delete a webhook and its delivery log (If-Match).")
            .ProducesWriteProblems();
        webhooks.MapPost("/{id:guid}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret")
            .WithSummary("Issue a new signing secret (If-Match); deliveries carry a signature with the old one too for a grace period.")
            .ProducesWriteProblems();
        webhooks.MapGet("/{id:guid}/deliveries", ListDeliveries).WithName("ListWebhookDeliveries")
            .WithSummary("Every delivery attempt, newest first: status code, duration and the start of the response.");
        webhooks.MapPost("/{id:guid}/messages/{messageId:guid}/retry", RetryMessage).WithName("RetryWebhookMessage")
            .WithSummary("Queue a message (by its webhook-id) for delivery again now, whatever its state.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return manage;
    }

    private static async Task<Created<WebhookWithSecretResponse>> CreateWebhook(
        CreateWebhookRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var webhook = new Webhook
        {
            Id = Guid.CreateVersion7(),
            Url = request.Url,
            Events = [.. request.Events.Distinct()],
            Description = request.Description,
            Secret = WebhookSigning.GenerateSecret(),
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        db.Set<Webhook>().Add(webhook);
        await db.SaveChangesAsync(cancellationToken);
        response.SetETag(webhook.Version);
        return TypedResults.Created($"/v1/manage/webhooks/{webhook.Id}", WithSecret(webhook));
    }

    private static async Task<Results<Ok<Page<WebhookResponse>>, ProblemHttpResult>> ListWebhooks(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var rows = await db.Set<Webhook>().AsNoTracking().NewestFirst(w => w.CreatedAt, w => w.Id, after, take).ProjectToResponse().ToListAsync(cancellationToken);
        return TypedResults.Ok(Pagination.ToPage(http, signer, rows, take, w => new KeysetCursor(w.CreatedAt, w.Id)));
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetWebhook(
        Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var webhook = await db.Set<Webhook>().AsNoTracking().Where(w => w.Id == id).ProjectToResponse().FirstOrDefaultAsync(cancellationToken);
        if (webhook is null)
        {
            return NotFound(id);
        }
        response.SetETag(webhook.Version);
        return TypedResults.Ok(webhook);
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> UpdateWebhook(
        Guid id, UpdateWebhookRequest request, HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var webhook = await db.Set<Webhook>().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (webhook is null)
        {
            return NotFound(id);
        }
        if (Versioning.CheckIfMatch(http, webhook.Version) is { } precondition)
        {
            return precondition;
        }
        webhook.Url = request.Url;
        webhook.Events = [.. request.Events.Distinct()];
        webhook.Description = request.Description;
        if (request.Enabled is { } enabled && enabled != webhook.Enabled)
        {
            webhook.Enabled = enabled;
            webhook.DisabledReason = enabled ? null : "Disabled through the API.";
            webhook.DisabledAt = enabled ? null : clock.GetUtcNow();
        }
        if (await SaveVersionAsync(db, webhook, clock, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        http.HttpContext.Response.SetETag(webhook.Version);
        return TypedResults.Ok(ToResponse(webhook));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(
        Guid id, HttpRequest http, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var webhook = await db.Set<Webhook>().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (webhook is null)
        {
            return NotFound(id);
        }
        if (Versioning.CheckIfMatch(http, webhook.Version) is { } precondition)
        {
            return precondition;
        }
        db.Remove(webhook);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return await CurrentVersionProblemAsync(db, id, cancellationToken);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WebhookWithSecretResponse>, ProblemHttpResult>> RotateSecret(
        Guid id, HttpRequest http, HeadlessNewsDbContext db, TimeProvider clock, IOptionsSnapshot<WebhookOptions> options, CancellationToken cancellationToken)
    {
        var webhook = await db.Set<Webhook>().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (webhook is null)
        {
            return NotFound(id);
        }
        if (Versioning.CheckIfMatch(http, webhook.Version) is { } precondition)
        {
            return precondition;
        }
        webhook.PreviousSecret = webhook.Secret;
        webhook.PreviousSecretExpiresAt = clock.GetUtcNow() + options.Value.PreviousSecretGracePeriod;
        webhook.Secret = WebhookSigning.GenerateSecret();
        if (await SaveVersionAsync(db, webhook, clock, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        http.HttpContext.Response.SetETag(webhook.Version);
        return TypedResults.Ok(WithSecret(webhook));
    }

    private static async Task<Results<Ok<Page<WebhookDeliveryResponse>>, ProblemHttpResult>> ListDeliveries(
        Guid id, int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        if (!await db.Set<Webhook>().AnyAsync(w => w.Id == id, cancellationToken))
        {
            return NotFound(id);
        }
        var rows = await db.Set<WebhookAttempt>().AsNoTracking().Where(a => a.WebhookId == id).NewestFirst(a => a.At, a => a.Id, after, take)
            .Select(a => new WebhookDeliveryResponse(a.Id, a.EventId, a.EventType, a.Attempt, a.Outcome, a.StatusCode, a.DurationMs, a.At, a.ResponseExcerpt, a.Error))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(Pagination.ToPage(http, signer, rows, take, a => new KeysetCursor(a.At, a.Id)));
    }

    private static async Task<Results<Accepted<WebhookMessageResponse>, ProblemHttpResult>> RetryMessage(
        Guid id, Guid messageId, HeadlessNewsDbContext db, TimeProvider clock, IOptionsSnapshot<WebhookOptions> options, CancellationToken cancellationToken)
    {
        var webhook = await db.Set<Webhook>().AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (webhook is null)
        {
            return NotFound(id);
        }
        if (!webhook.Enabled)
        {
            return Problems.Conflict("The webhook is disabled; enable it (PUT with enabled: true) before retrying its messages.");
        }
        var now = clock.GetUtcNow();
        var updated = await db.Set<WebhookMessage>().Where(m => m.WebhookId == id && m.EventId == messageId).ExecuteUpdateAsync(m => m
            .SetProperty(x => x.Status, WebhookMessageStatus.Pending)
            .SetProperty(x => x.NextAttemptAt, now)
            .SetProperty(x => x.BackoffStep, 0)
            .SetProperty(x => x.GiveUpAt, now + options.Value.GiveUpAfter)
            .SetProperty(x => x.ClaimToken, (Guid?)null)
            .SetProperty(x => x.ClaimedBy, (Guid?)null)
            .SetProperty(x => x.FailedAt, (DateTimeOffset?)null), cancellationToken);
        if (updated == 0)
        {
            return Problems.NotFound($"Webhook {id} has no message {messageId}.");
        }
        var message = await db.Set<WebhookMessage>().AsNoTracking().Where(m => m.WebhookId == id && m.EventId == messageId)
            .Select(m => new WebhookMessageResponse(m.EventId, m.EventType, m.Status, m.Attempts, m.NextAttemptAt, m.DeliveredAt, m.FailedAt))
            .FirstAsync(cancellationToken);
        return TypedResults.Accepted($"/v1/manage/webhooks/{id}/deliveries", message);
    }

    /// <summary>Bumps the version and saves; the 412 problem when someone else saved first.</summary>
    private static async Task<ProblemHttpResult?> SaveVersionAsync(HeadlessNewsDbContext db, Webhook webhook, TimeProvider clock, CancellationToken cancellationToken)
    {
        webhook.Version++;
        webhook.UpdatedAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return await CurrentVersionProblemAsync(db, webhook.Id, cancellationToken);
        }
    }

    private static async Task<ProblemHttpResult> CurrentVersionProblemAsync(HeadlessNewsDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var current = await db.Set<Webhook>().AsNoTracking().Where(w => w.Id == id).Select(w => (int?)w.Version).FirstOrDefaultAsync(cancellationToken);
        return current is { } version ? Problems.PreconditionFailed(version) : NotFound(id);
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"No webhook has id {id}.");

    private static IQueryable<WebhookResponse> ProjectToResponse(this IQueryable<Webhook> webhooks) =>
        webhooks.Select(w => new WebhookResponse(w.Id, w.Url, w.Events, w.Description, w.Enabled, w.DisabledReason, w.DisabledAt, w.CreatedAt, w.UpdatedAt, w.Version));

    private static WebhookResponse ToResponse(Webhook w) =>
        new(w.Id, w.Url, w.Events, w.Description, w.Enabled, w.DisabledReason, w.DisabledAt, w.CreatedAt, w.UpdatedAt, w.Version);

    private static WebhookWithSecretResponse WithSecret(Webhook w) =>
        new(w.Id, w.Url, w.Events, w.Description, w.Enabled, w.DisabledReason, w.DisabledAt, w.CreatedAt, w.UpdatedAt, w.Version, w.Secret, w.PreviousSecretExpiresAt);
}
