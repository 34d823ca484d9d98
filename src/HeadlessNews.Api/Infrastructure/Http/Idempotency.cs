using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessNews.Api.Infrastructure.Leases;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// <c>Idempotency-Key</c> on creating POSTs (IETF httpapi draft semantics): the same key and body
/// replay the first response; the same key with another body is 422; a key still in flight is 409 with, in
/// <c>Retry-After</c>, the seconds left on its holder's lease (another process), or a couple of seconds (this one).
/// Keys are scoped to the API key and the request path, and remembered for 24 hours. A record in flight belongs to the
/// process (boot) handling it: once its request has ended (answered, and settled even if the database was away for a
/// moment, see <see cref="IdempotencyKeysInHand"/>) or that process is gone (it restarted, or its lease ran out) the
/// next same-key request runs in its place, unless the first one's writes had committed
/// (<see cref="IdempotencyCommitMarker"/>): that work is never done twice.
/// </summary>
public static class Idempotency
{
    public const string HeaderName = "Idempotency-Key";
    private const int MaxKeyLength = 255;
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    /// <summary>A record still "in flight" after this long was left by a live process that could not settle it (its database was away).</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Marks an endpoint as honouring Idempotency-Key, and documents its 409 (key in flight) and 422 (key reused with
    /// another body). <paramref name="oneTimeSecret"/> names a JSON property of its response shown once and never stored
    /// (a key's or webhook's secret): a replay answers it as null.
    /// </summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder, string? oneTimeSecret = null) => builder
        .WithMetadata(new IdempotentEndpoint(oneTimeSecret))
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    /// <summary>Whether an endpoint's metadata marks it as taking an <see cref="HeaderName"/>.</summary>
    public static bool IsIdempotent(IEnumerable<object> metadata) => metadata.OfType<IdempotentEndpoint>().Any();

    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var keys = context.Request.Headers[HeaderName];
        if (keys.Count == 0 || context.GetEndpoint()?.Metadata.GetMetadata<IdempotentEndpoint>() is null)
        {
            return next(context);
        }
        var key = keys.ToString();
        return keys.Count > 1 ? Problems.WriteAsync(context, 400, "Bad Request", $"Send one {HeaderName}, not {keys.Count}.")
            : string.IsNullOrWhiteSpace(key) ? Problems.WriteAsync(context, 400, "Bad Request", $"{HeaderName} may not be empty; leave it out to send without one.")
            : key.Length > MaxKeyLength ? Problems.WriteAsync(context, 400, "Bad Request", $"{HeaderName} may be at most {MaxKeyLength} characters.")
            : HandleAsync(context, key, next);
    });

    private static async Task HandleAsync(HttpContext context, string key, RequestDelegate next)
    {
        var db = context.RequestServices.GetRequiredService<HeadlessNewsDbContext>();
        var boot = context.RequestServices.GetRequiredService<ThisNode>().BootId;
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var inHand = context.RequestServices.GetRequiredService<IdempotencyKeysInHand>();
        var scope = Caller.From(context).ScopeId;
        var path = context.Request.Path.Value ?? string.Empty;
        var claim = new IdempotencyClaim(scope, path, key, boot);

        context.Request.EnableBuffering();
        var requestHash = await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted);
        context.Request.Body.Position = 0;

        // One request of this process at a time has the key in hand, from before it is claimed until it is settled, so two
        // requests here can never both take it (one inserting while the other reads the row it inserted).
        if (!inHand.Hold(claim))
        {
            await AnswerInProgressAsync(context, DatabaseRetries.MaxDelay);
            return;
        }
        var proceeding = false;
        try
        {
            var keyed = db.Set<IdempotencyRecord>().Where(r => r.ApiKeyId == scope && r.Path == path && r.Key == key);
            await keyed.Where(r => r.CreatedAt < now - Retention).ExecuteDeleteAsync(context.RequestAborted);
            proceeding = await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO idempotency_records (api_key_id, path, key, request_hash, created_at, owner_boot_id)
                VALUES ({scope}, {path}, {key}, {requestHash}, {now}, {boot}) ON CONFLICT DO NOTHING
                """, context.RequestAborted) == 1
                || await TakeOverOrAnswerAsync(context, db, keyed, claim, now, requestHash);
        }
        finally
        {
            if (!proceeding)
            {
                inHand.LetGo(claim);
            }
        }
        if (!proceeding)
        {
            return;
        }

        var commits = context.RequestServices.GetRequiredService<IdempotencyCommitMarker>();
        commits.Hold(db, scope, path, key, boot);
        // A save of one statement would otherwise commit without a transaction the marker can join.
        db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        var originalBody = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        var completed = false;
        try
        {
            await next(context);
            completed = context.Response.StatusCode < 500;
        }
        finally
        {
            commits.Release(db);
            db.Database.AutoTransactionBehavior = AutoTransactionBehavior.WhenNeeded;
            context.Response.Body = originalBody;
            await SettleOrKeepTryingAsync(context, db, claim, () => completed
                ? new StoredAnswer(context.Response.StatusCode, Remembered(context, captured.ToArray()), context.Response.ContentType,
                    context.Response.Headers.Location.ToString(), context.Response.Headers.ETag.ToString())
                : null);
            captured.Position = 0;
            await captured.CopyToAsync(originalBody, CancellationToken.None);
        }
    }

    /// <summary>
    /// Stores the answer for replays, or, when the request failed, frees the key (only when nothing committed: work that
    /// was done must not run again for the same key). A request that has ended must not keep holding its key because
    /// the database was away just then: the settling is retried in the background, and the key stays in hand until it is done.
    /// </summary>
    private static async Task SettleOrKeepTryingAsync(HttpContext context, HeadlessNewsDbContext db, IdempotencyClaim claim, Func<StoredAnswer?> answerOf)
    {
        var inHand = context.RequestServices.GetRequiredService<IdempotencyKeysInHand>();
        StoredAnswer? answer = null;
        try
        {
            answer = answerOf();
            await SettleAsync(db, claim, answer, CancellationToken.None);
        }
        catch (Exception e) when (e.IsDatabaseUnavailable())
        {
            var scopes = context.RequestServices.GetRequiredService<IServiceScopeFactory>();
            context.RequestServices.GetRequiredService<DatabaseRetries>().KeepTrying($"Settling {HeaderName} {claim.Key} of {claim.Path}", async stopping =>
            {
                await using var scope = scopes.CreateAsyncScope();
                await SettleAsync(scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>(), claim, answer, stopping);
            }, () => inHand.LetGo(claim));
            return;
        }
        catch
        {
            inHand.LetGo(claim);
            throw;
        }
        inHand.LetGo(claim);
    }

    private static async Task SettleAsync(HeadlessNewsDbContext db, IdempotencyClaim claim, StoredAnswer? answer, CancellationToken cancellationToken)
    {
        var mine = db.Set<IdempotencyRecord>().Where(r => r.ApiKeyId == claim.Scope && r.Path == claim.Path && r.Key == claim.Key && r.OwnerBootId == claim.Boot);
        if (answer is null)
        {
            await mine.Where(r => r.CommittedAt == null).ExecuteDeleteAsync(cancellationToken);
            return;
        }
        await mine.ExecuteUpdateAsync(r => r
            .SetProperty(x => x.StatusCode, answer.StatusCode)
            .SetProperty(x => x.ResponseBody, answer.Body)
            .SetProperty(x => x.ContentType, answer.ContentType)
            .SetProperty(x => x.Location, answer.Location)
            .SetProperty(x => x.ETag, answer.ETag), cancellationToken);
    }

    /// <summary>
    /// The key is held: answer from its record (replay, 422, 409), or, when its holder is gone without having done the
    /// work (its request in this process has ended, its process restarted, or fell silent past its lease), take the key
    /// over for this request and return true.
    /// </summary>
    private static async Task<bool> TakeOverOrAnswerAsync(
        HttpContext context, HeadlessNewsDbContext db, IQueryable<IdempotencyRecord> keyed, IdempotencyClaim claim, DateTimeOffset now, byte[] requestHash)
    {
        var existing = await keyed.AsNoTracking()
            .Select(r => new { Record = r, LeaseUntil = db.Set<Node>().Where(n => n.BootId == r.OwnerBootId).Select(n => (DateTimeOffset?)n.LeaseUntil).FirstOrDefault() })
            .FirstOrDefaultAsync(context.RequestAborted);
        if (existing is null)
        {
            // Settled and removed (it failed) between our insert and this read: nothing holds the key now.
            await AnswerInProgressAsync(context, TimeSpan.Zero);
            return false;
        }
        var record = existing.Record;
        // This request has the key in hand in this process, so a record of this process is one whose request has ended.
        // Another process holds it until its lease runs out (no lease: it has restarted), or until the backstop for a
        // live holder that could not settle it.
        var abandonedAt = record.CreatedAt + AbandonedAfter;
        var freeAt = record.OwnerBootId == claim.Boot
            ? now
            : existing.LeaseUntil is not { } leaseUntil ? now : leaseUntil < abandonedAt ? leaseUntil : abandonedAt;
        var holderGone = freeAt <= now;
        if (record.StatusCode is not null || record.CommittedAt is not null || !holderGone)
        {
            await AnswerFromRecordAsync(context, record, requestHash, freeAt - now, holderGone);
            return false;
        }
        if (await keyed.Where(r => r.OwnerBootId == record.OwnerBootId && r.StatusCode == null && r.CommittedAt == null)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.OwnerBootId, claim.Boot).SetProperty(x => x.CreatedAt, now).SetProperty(x => x.RequestHash, requestHash),
                    context.RequestAborted) == 1)
        {
            return true;
        }
        await AnswerInProgressAsync(context, TimeSpan.Zero);
        return false;
    }

    private static async Task AnswerFromRecordAsync(HttpContext context, IdempotencyRecord existing, byte[] requestHash, TimeSpan heldFor, bool holderGone)
    {
        if (!CryptographicOperations.FixedTimeEquals(existing.RequestHash, requestHash))
        {
            await Problems.WriteAsync(context, StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                $"This {HeaderName} was first used with a different request body; use a new key for a new request.");
            return;
        }
        if (existing.StatusCode is not { } status)
        {
            await (existing.CommittedAt is not null && holderGone
                ? Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Request carried out, response lost",
                    $"The first request with this {HeaderName} was carried out, but its process stopped before its response was stored; "
                    + "it is not run again. Look the resource up instead of sending the request again.")
                : AnswerInProgressAsync(context, heldFor));
            return;
        }
        context.Response.StatusCode = status;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (!string.IsNullOrEmpty(existing.ContentType))
        {
            context.Response.ContentType = existing.ContentType;
        }
        if (!string.IsNullOrEmpty(existing.Location))
        {
            context.Response.Headers.Location = existing.Location;
        }
        if (!string.IsNullOrEmpty(existing.ETag))
        {
            context.Response.Headers[HeaderNames.ETag] = existing.ETag;
        }
        await context.Response.Body.WriteAsync(existing.ResponseBody ?? [], context.RequestAborted);
    }

    /// <summary>409 with the whole seconds left until the key is free again (its holder settles it or its lease runs out).</summary>
    private static Task AnswerInProgressAsync(HttpContext context, TimeSpan heldFor)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(heldFor.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Request in progress",
            $"The first request with this {HeaderName} is still being processed; retry after the seconds in Retry-After.");
    }


    /// <summary>The response body to keep for replays: the one-time secret, if the endpoint has one, becomes null.</summary>
    private static byte[] Remembered(HttpContext context, byte[] body)
    {
        var secret = context.GetEndpoint()?.Metadata.GetMetadata<IdempotentEndpoint>()?.OneTimeSecret;
        if (secret is null || context.Response.StatusCode is < 200 or > 299 || JsonNode.Parse(body) is not JsonObject json || !json.ContainsKey(secret))
        {
            return body;
        }
        json[secret] = null;
        return JsonSerializer.SerializeToUtf8Bytes(json);
    }

    private sealed record IdempotentEndpoint(string? OneTimeSecret);

    private sealed record StoredAnswer(int StatusCode, byte[] Body, string? ContentType, string Location, string ETag);
}

/// <summary>One request's hold on an idempotency key: the caller's scope, the path, the key, and the process (boot) holding it.</summary>
internal sealed record IdempotencyClaim(Guid Scope, string Path, string Key, Guid Boot);

/// <summary>
/// The idempotency keys this process holds, from the claim until its record is settled (answered or freed), including a
/// settling retried in the background while the database is away. A record of this process whose key is not in hand
/// belongs to a request that has ended, and the key is free.
/// </summary>
internal sealed class IdempotencyKeysInHand
{
    private readonly ConcurrentDictionary<IdempotencyClaim, bool> _held = new();

    /// <summary>False when another request of this process holds it.</summary>
    public bool Hold(IdempotencyClaim claim) => _held.TryAdd(claim, true);

    public void LetGo(IdempotencyClaim claim) => _held.TryRemove(claim, out _);
}

public sealed class IdempotencyRecord
{
    public Guid ApiKeyId { get; set; }
    public required string Path { get; set; }
    public required string Key { get; set; }
    public required byte[] RequestHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The boot of the process handling the request while <see cref="StatusCode"/> is null.</summary>
    public Guid OwnerBootId { get; set; }
    /// <summary>Set in the transaction of the request's own writes: if its process dies before answering, the work is done and not run again.</summary>
    public DateTimeOffset? CommittedAt { get; set; }
    public int? StatusCode { get; set; }
    public byte[]? ResponseBody { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public string? ETag { get; set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_records");
        builder.HasKey(r => new { r.ApiKeyId, r.Path, r.Key });
        builder.HasIndex(r => r.CreatedAt);
    }
}
