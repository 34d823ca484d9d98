using System.Globalization;
using System.Security.Cryptography;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Leases;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// <c>Idempotency-Key</c> on creating POSTs (IETF httpapi draft semantics): the same key and body
/// replay the first response; the same key with another body is 422; a key still in flight is 409 with the seconds
/// left on its holder's lease in <c>Retry-After</c>. Keys are scoped to the API key and the request path, and remembered
/// for 24 hours. A record in flight belongs to the process (boot) handling it: it is taken over as soon as that process
/// is gone (it restarted, or its lease ran out), not after a fixed wait.
/// </summary>
public static class Idempotency
{
    public const string HeaderName = "Idempotency-Key";
    private const int MaxKeyLength = 255;
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    /// <summary>A record still "in flight" after this long was left by a live process that could not settle it (its database was away).</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    /// <summary>Marks an endpoint as honouring Idempotency-Key.</summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IdempotentEndpoint());

    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var key = context.Request.Headers[HeaderName].ToString();
        if (key.Length == 0 || context.GetEndpoint()?.Metadata.GetMetadata<IdempotentEndpoint>() is null)
        {
            return next(context);
        }
        return key.Length > MaxKeyLength
            ? Problems.WriteAsync(context, 400, "Bad request", $"{HeaderName} may be at most {MaxKeyLength} characters.")
            : HandleAsync(context, key, next);
    });

    private static async Task HandleAsync(HttpContext context, string key, RequestDelegate next)
    {
        var db = context.RequestServices.GetRequiredService<HeadlessNewsDbContext>();
        var boot = context.RequestServices.GetRequiredService<ThisNode>().BootId;
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var scope = Caller.From(context).KeyId ?? Guid.Empty;
        var path = context.Request.Path.Value ?? string.Empty;

        context.Request.EnableBuffering();
        var requestHash = await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted);
        context.Request.Body.Position = 0;

        var records = db.Set<IdempotencyRecord>();
        var live = db.Set<Node>().Where(n => n.LeaseUntil > now);
        await records.Where(r => r.ApiKeyId == scope && r.Path == path && r.Key == key
                && (r.CreatedAt < now - Retention || (r.StatusCode == null
                    && (r.CreatedAt < now - AbandonedAfter || (r.OwnerBootId != boot && !live.Any(n => n.BootId == r.OwnerBootId))))))
            .ExecuteDeleteAsync(context.RequestAborted);
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO idempotency_records (api_key_id, path, key, request_hash, created_at, owner_boot_id)
            VALUES ({scope}, {path}, {key}, {requestHash}, {now}, {boot}) ON CONFLICT DO NOTHING
            """, context.RequestAborted);
        if (claimed == 0)
        {
            var existing = await records.AsNoTracking().Where(r => r.ApiKeyId == scope && r.Path == path && r.Key == key)
                .Select(r => new { Record = r, LeaseUntil = db.Set<Node>().Where(n => n.BootId == r.OwnerBootId).Select(n => (DateTimeOffset?)n.LeaseUntil).FirstOrDefault() })
                .FirstOrDefaultAsync(context.RequestAborted);
            if (existing is null)
            {
                // Settled and removed (it failed) between our insert and this read: nothing holds the key now.
                await AnswerInProgressAsync(context, TimeSpan.Zero);
                return;
            }
            var freeAt = existing.Record.CreatedAt + AbandonedAfter;
            if (existing.LeaseUntil < freeAt)
            {
                freeAt = existing.LeaseUntil.Value;
            }
            await AnswerFromRecordAsync(context, existing.Record, requestHash, freeAt - now);
            return;
        }

        var mine = records.Where(r => r.ApiKeyId == scope && r.Path == path && r.Key == key && r.OwnerBootId == boot);
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
            context.Response.Body = originalBody;
            if (completed)
            {
                var body = captured.ToArray();
                await mine.ExecuteUpdateAsync(r => r
                    .SetProperty(x => x.StatusCode, context.Response.StatusCode)
                    .SetProperty(x => x.ResponseBody, body)
                    .SetProperty(x => x.ContentType, context.Response.ContentType)
                    .SetProperty(x => x.Location, context.Response.Headers.Location.ToString())
                    .SetProperty(x => x.ETag, context.Response.Headers.ETag.ToString()), CancellationToken.None);
            }
            else
            {
                await mine.ExecuteDeleteAsync(CancellationToken.None);
            }
            captured.Position = 0;
            await captured.CopyToAsync(originalBody, CancellationToken.None);
        }
    }

    private static async Task AnswerFromRecordAsync(HttpContext context, IdempotencyRecord existing, byte[] requestHash, TimeSpan heldFor)
    {
        if (!CryptographicOperations.FixedTimeEquals(existing.RequestHash, requestHash))
        {
            await Problems.WriteAsync(context, StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                $"This {HeaderName} was first used with a different request body; use a new key for a new request.");
            return;
        }
        if (existing.StatusCode is not { } status)
        {
            await AnswerInProgressAsync(context, heldFor);
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

    private sealed class IdempotentEndpoint;
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
