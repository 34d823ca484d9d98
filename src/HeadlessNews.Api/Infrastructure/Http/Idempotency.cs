using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// <c>Idempotency-Key</c> on creating POSTs (IETF httpapi draft semantics): the same key and body
/// replay the first response; the same key with another body is 422; a key still in flight is 409.
/// Keys are scoped to the API key and the request path, and remembered for 24 hours.
/// </summary>
public static class Idempotency
{
    public const string HeaderName = "Idempotency-Key";
    private const int MaxKeyLength = 255;
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    /// <summary>A record still "in flight" after this long belongs to a request that died; it may be taken over.</summary>
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
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var scope = Caller.From(context).KeyId ?? Guid.Empty;
        var path = context.Request.Path.Value ?? string.Empty;

        context.Request.EnableBuffering();
        var requestHash = await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted);
        context.Request.Body.Position = 0;

        var records = db.Set<IdempotencyRecord>();
        await records.Where(r => r.ApiKeyId == scope && r.Path == path && r.Key == key
                && (r.CreatedAt < now - Retention || (r.StatusCode == null && r.CreatedAt < now - AbandonedAfter)))
            .ExecuteDeleteAsync(context.RequestAborted);
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO idempotency_records (api_key_id, path, key, request_hash, created_at)
            VALUES ({scope}, {path}, {key}, {requestHash}, {now}) ON CONFLICT DO NOTHING
            """, context.RequestAborted);
        if (claimed == 0)
        {
            var existing = await records.AsNoTracking().FirstAsync(r => r.ApiKeyId == scope && r.Path == path && r.Key == key, context.RequestAborted);
            await AnswerFromRecordAsync(context, existing, requestHash);
            return;
        }

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
                var body = Remembered(context, captured.ToArray());
                await records.Where(r => r.ApiKeyId == scope && r.Path == path && r.Key == key).ExecuteUpdateAsync(r => r
                    .SetProperty(x => x.StatusCode, context.Response.StatusCode)
                    .SetProperty(x => x.ResponseBody, body)
                    .SetProperty(x => x.ContentType, context.Response.ContentType)
                    .SetProperty(x => x.Location, context.Response.Headers.Location.ToString())
                    .SetProperty(x => x.ETag, context.Response.Headers.ETag.ToString()), CancellationToken.None);
            }
            else
            {
                await records.Where(r => r.ApiKeyId == scope && r.Path == path && r.Key == key).ExecuteDeleteAsync(CancellationToken.None);
            }
            captured.Position = 0;
            await captured.CopyToAsync(originalBody, CancellationToken.None);
        }
    }

    private static async Task AnswerFromRecordAsync(HttpContext context, IdempotencyRecord existing, byte[] requestHash)
    {
        if (!CryptographicOperations.FixedTimeEquals(existing.RequestHash, requestHash))
        {
            await Problems.WriteAsync(context, StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                $"This {HeaderName} was first used with a different request body; use a new key for a new request.");
            return;
        }
        if (existing.StatusCode is not { } status)
        {
            await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Request in progress",
                $"The first request with this {HeaderName} is still being processed; retry later.");
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
}

public sealed class IdempotencyRecord
{
    public Guid ApiKeyId { get; set; }
    public required string Path { get; set; }
    public required string Key { get; set; }
    public required byte[] RequestHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
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
