using System.Diagnostics;
using Microsoft.AspNetCore.Routing.Patterns;

namespace HeadlessNews.Api.Features.Audit;

/// <summary>
/// Records every successful management write, every read marked <see cref="WithReadAudit"/>, and every management call refused for want of a key or a scope (401,
/// 403, whatever the method), in one place, so no feature can forget to. It runs outside authentication to see those
/// refusals. Bodies are never recorded. Also enforces the length of <c>X-On-Behalf-Of</c>, which revisions and the
/// audit log store.
/// </summary>
public static class AuditTrail
{
    public static IApplicationBuilder UseManagementAudit(this IApplicationBuilder app) => app.Use((context, next) =>
        context.Request.Path.StartsWithSegments("/v1/manage") ? AuditAsync(context, next) : next(context));

    /// <summary>Appends an entry; the database links it into the hash chain.</summary>
    public static async Task RecordAsync(HeadlessNewsDbContext db, AuditEntry entry, CancellationToken cancellationToken)
    {
        db.Set<AuditEntry>().Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task AuditAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Headers[Caller.OnBehalfOfHeader].ToString().Length > Caller.OnBehalfOfMaxLength)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request",
                $"{Caller.OnBehalfOfHeader} may be at most {Caller.OnBehalfOfMaxLength} characters.");
            return;
        }
        await next(context);
        if (!IsAudited(context))
        {
            return;
        }
        var entry = FromRequest(context);
        try
        {
            await RecordAsync(context.RequestServices.GetRequiredService<HeadlessNewsDbContext>(), entry, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The write itself has committed and its answer may already be on the wire: failing now would only cut
            // the connection and make the client retry a write that succeeded. Log the entry so it can be restored.
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditTrail))
                .LogError(e, "Could not record the audit entry {Method} {Route} {ResourceId} by key {ApiKeyId} / subject {Subject} at {At} (status {Status}, request {RequestId})",
                    entry.Method, entry.Route, entry.ResourceId, entry.ApiKeyId, entry.Subject, entry.At, entry.Status, entry.RequestId);
        }
    }

    /// <summary>Marks reads that are audited too (a tip's content: who read which tip when).</summary>
    public static TBuilder WithReadAudit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AuditedRead.Instance);

    private sealed class AuditedRead
    {
        public static readonly AuditedRead Instance = new();
    }

    private static bool IsAudited(HttpContext context)
    {
        var (method, status) = (context.Request.Method, context.Response.StatusCode);
        return status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden
            || (status is >= 200 and <= 299
                && ((!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method)) || context.GetEndpoint()?.Metadata.GetMetadata<AuditedRead>() is not null));
    }

    private static AuditEntry FromRequest(HttpContext context)
    {
        var caller = Caller.From(context);
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern;
        var template = (route?.RawText ?? context.Request.Path.Value ?? string.Empty).TrimEnd('/');
        var resourceId = ResourceId(context, route);
        return new AuditEntry
        {
            Id = Guid.CreateVersion7(),
            At = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
            ApiKeyId = caller.KeyId,
            ActorKind = caller.Kind,
            ActorName = caller.Name,
            Issuer = caller.Person?.Issuer,
            Subject = caller.Person?.Subject,
            // A refused key has no claims; the prefix of what was presented tells its owner which key it was.
            KeyPrefix = context.User.FindFirst(ApiKeyAuthenticationHandler.KeyPrefixClaim)?.Value ?? ApiKeyAuthenticationHandler.PresentedKeyPrefix(context.Request),
            OnBehalfOf = caller.OnBehalfOf,
            Method = context.Request.Method,
            Route = template,
            Path = context.Request.Path.Value ?? string.Empty,
            Status = context.Response.StatusCode,
            // The collection the route is under, in the singular: /v1/manage/api-keys/{id} is an api-key.
            ResourceType = resourceId is null ? null : template.Split('/', StringSplitOptions.RemoveEmptyEntries) is [_, _, var collection, ..] ? collection.TrimEnd('s') : null,
            ResourceId = resourceId,
            RequestId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
        };
    }

    private static string? ResourceId(HttpContext context, RoutePattern? route)
    {
        if (context.Request.RouteValues.TryGetValue("id", out var id) && id is not null)
        {
            return id.ToString();
        }
        var location = context.Response.Headers.Location.ToString();
        return location.Length > 0 && route is not null ? location[(location.LastIndexOf('/') + 1)..] : null;
    }
}
