using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Audit;

public sealed record AuditEntryResponse(
    Guid Id, DateTimeOffset At, string KeyName, string? OnBehalfOf, string Action, string Path, string? ResourceId, int Status, string RequestId);

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder manage)
    {
        manage.MapGet("/audit", ListAudit).WithTags("Audit").RequireAuthorization(Scopes.Policies.KeysManage)
            .WithName("ListAuditEntries").WithSummary("Every management write, newest first (key name, action, resource, time, request id).");
        return manage;
    }

    private static async Task<Results<Ok<Page<AuditEntryResponse>>, ProblemHttpResult>> ListAudit(
        int? limit, string? cursor, string? resourceId, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var query = db.Set<AuditEntry>().AsNoTracking();
        if (resourceId is not null)
        {
            query = query.Where(e => e.ResourceId == resourceId);
        }
        if (after is not null)
        {
            query = query.Where(e => e.At < after.At || (e.At == after.At && e.Id.CompareTo(after.Id) < 0));
        }
        var rows = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(take + 1)
            .Select(e => new AuditEntryResponse(e.Id, e.At, e.KeyName, e.OnBehalfOf, e.Action, e.Path, e.ResourceId, e.Status, e.RequestId))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(Pagination.ToPage(http, signer, rows, take, e => new KeysetCursor(e.At, e.Id)));
    }
}
