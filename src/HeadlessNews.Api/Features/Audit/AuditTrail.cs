using System.Diagnostics;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Routing.Patterns;

namespace HeadlessNews.Api.Features.Audit;

/// <summary>
/// Records every successful management write in one place, so no feature can forget to.
/// Also enforces the length of <c>X-On-Behalf-Of</c>, which revisions and the audit log store.
/// </summary>
public static class AuditTrail
{
    public static IApplicationBuilder UseManagementAudit(this IApplicationBuilder app) => app.Use((context, next) =>
        context.Request.Path.StartsWithSegments("/v1/manage") ? AuditAsync(context, next) : next(context));

    private static async Task AuditAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Headers[Caller.OnBehalfOfHeader].ToString().Length > Caller.OnBehalfOfMaxLength)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad request",
                $"{Caller.OnBehalfOfHeader} may be at most {Caller.OnBehalfOfMaxLength} characters.");
            return;
        }
        await next(context);
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || context.Response.StatusCode is < 200 or > 299)
        {
            return;
        }
        var caller = Caller.From(context);
        var db = context.RequestServices.GetRequiredService<HeadlessNewsDbContext>();
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern;
        var entry = new AuditEntry
        {
            Id = Guid.CreateVersion7(),
            At = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
            ApiKeyId = caller.KeyId,
            KeyName = caller.KeyName,
            OnBehalfOf = caller.OnBehalfOf,
            Action = $"{context.Request.Method} {(route?.RawText ?? context.Request.Path.Value)?.TrimEnd('/')}",
            Path = context.Request.Path.Value ?? string.Empty,
            ResourceId = ResourceId(context, route),
            Status = context.Response.StatusCode,
            RequestId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
        };
        db.Set<AuditEntry>().Add(entry);
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // The write itself has committed and its answer may already be on the wire: failing now would only cut
            // the connection and make the client retry a write that succeeded. Log the entry so it can be restored.
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditTrail))
                .LogError(e, "Could not record the audit entry {Action} {ResourceId} by key {ApiKeyId} at {At} (status {Status}, request {RequestId})",
                    entry.Action, entry.ResourceId, entry.ApiKeyId, entry.At, entry.Status, entry.RequestId);
        }
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
