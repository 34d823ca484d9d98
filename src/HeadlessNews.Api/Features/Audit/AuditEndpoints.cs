
namespace HeadlessNews.Api.Features.Audit;

/// <param name="Kind">key (an API key, or "anonymous" when none was valid) or person.</param>
/// <param name="KeyPrefix">The prefix of the key used, or of the key presented when it was refused.</param>
/// <param name="OnBehalfOf">The person an editorial tool said it acted for (X-On-Behalf-Of; keys only).</param>
/// <param name="Subject">For a person: the subject their identity provider gives them.</param>
/// <param name="Issuer">For a person: the identity provider (token issuer).</param>
public sealed record AuditActor(string Kind, string Name, string? KeyPrefix, string? OnBehalfOf, string? Subject, string? Issuer);

/// <param name="Method">The HTTP method, or CLI for the command line.</param>
/// <param name="Route">The route template, or the command (e.g. "keys create").</param>
/// <param name="Status">The HTTP status of the answer (refusals included: 401, 403).</param>
/// <param name="PreviousHash">The hash of the entry before this one (64 zeros for the first), hex.</param>
/// <param name="Hash">SHA-256 of the previous hash and this entry's fields, hex.</param>
public sealed record AuditEntryResponse(
    Guid Id, DateTimeOffset At, AuditActor Actor, string Method, string Route, string Path, int Status, string? ResourceType, string? ResourceId,
    string RequestId, string PreviousHash, string Hash);

/// <param name="Verified">How many entries the chain holds, each checked.</param>
/// <param name="LastHash">The newest entry's hash: kept elsewhere, it shows later whether entries were removed from the end.</param>
public sealed record AuditVerification(long Verified, string? LastHash);

public static class AuditEndpoints
{
    /// <summary>
    /// Recomputes every entry's hash (the same SQL function the insert trigger uses) and checks each links to the one
    /// before; in one statement, so one snapshot.
    /// </summary>
    private const string VerifySql = """
        WITH chain AS (
            SELECT id, seq, hash,
                   hash = hn_audit_entry_hash(e)
                   AND previous_hash = coalesce(lag(hash) OVER (ORDER BY seq), decode(repeat('00', 32), 'hex')) AS intact
            FROM audit_entries e)
        SELECT (SELECT count(*) FROM chain),
               (SELECT id FROM chain WHERE NOT intact ORDER BY seq LIMIT 1),
               (SELECT hash FROM chain ORDER BY seq DESC LIMIT 1)
        """;

    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder manage)
    {
        var audit = manage.MapGroup("/audit").WithTags("Audit").RequireAuthorization(Scopes.Policies.KeysManage);
        audit.MapGet("", ListAudit).WithName("ListAuditEntries")
            .WithSummary("Every management write and every refused management call (401/403), newest first.");
        audit.MapGet("/verify", VerifyAudit).WithName("VerifyAuditChain")
            .WithSummary("Check the audit log's hash chain: 200 with the number of entries when it holds, else 409 naming the first broken entry.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return manage;
    }

    private static async Task<Results<Ok<Page<AuditEntryResponse>>, ProblemHttpResult>> ListAudit(
        int? limit, string? cursor, string? resourceId, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var query = db.Set<AuditEntry>().AsNoTracking();
        if (resourceId is not null)
        {
            query = query.Where(e => e.ResourceId == resourceId);
        }
        var rows = (await query.NewestFirst(e => e.At, e => e.Id, after, take).ToListAsync(cancellationToken))
            .Select(e => new AuditEntryResponse(e.Id, e.At, new AuditActor(e.ActorKind, e.ActorName, e.KeyPrefix, e.OnBehalfOf, e.Subject, e.Issuer), e.Method, e.Route, e.Path,
                e.Status, e.ResourceType, e.ResourceId, e.RequestId, Convert.ToHexStringLower(e.PreviousHash), Convert.ToHexStringLower(e.Hash)))
            .ToList();
        return TypedResults.Ok(Pagination.ToPage(http, signer, rows, take, e => new KeysetCursor(e.At, e.Id)));
    }

    private static async Task<Results<Ok<AuditVerification>, ProblemHttpResult>> VerifyAudit(HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = VerifySql;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (!await reader.IsDBNullAsync(1, cancellationToken))
            {
                var broken = reader.GetGuid(1);
                return Problems.Conflict($"The audit log's hash chain breaks at entry {broken}: it, or the entry before it, was changed or removed.",
                    new Dictionary<string, object?> { ["entryId"] = broken });
            }
            return TypedResults.Ok(new AuditVerification(reader.GetInt64(0),
                await reader.IsDBNullAsync(2, cancellationToken) ? null : Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(2))));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
