using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.ApiKeys;

public static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeys(this RouteGroupBuilder manage)
    {
        var keys = manage.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Scopes.Policies.KeysManage);
        keys.MapPost("", CreateKey).WithName("CreateApiKey").WithSummary("Create an API key; the secret is in this response only.").WithIdempotency();
        keys.MapGet("", ListKeys).WithName("ListApiKeys").WithSummary("List API keys (prefix, name, scopes, expiry, last use), newest first.");
        keys.MapGet("/{id:guid}", GetKey).WithName("GetApiKey").WithSummary("Read one API key's metadata.");
        keys.MapDelete("/{id:guid}", RevokeKey).WithName("RevokeApiKey").WithSummary("Revoke an API key; it is refused from then on.");
        return manage;
    }

    private static async Task<Created<CreatedApiKeyResponse>> CreateKey(CreateApiKeyRequest request, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (key, secret) = await ApiKeyIssuer.CreateAsync(db, clock, request, cancellationToken);
        return TypedResults.Created($"/v1/manage/api-keys/{key.Id}", ApiKeyIssuer.ToCreatedResponse(key, secret));
    }

    private static async Task<Results<Ok<Page<ApiKeyResponse>>, ProblemHttpResult>> ListKeys(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var query = db.Set<ApiKey>().AsNoTracking();
        if (after is not null)
        {
            query = query.Where(k => k.CreatedAt < after.At || (k.CreatedAt == after.At && k.Id.CompareTo(after.Id) < 0));
        }
        var rows = await query.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id).Take(take + 1).ProjectToResponse().ToListAsync(cancellationToken);
        return TypedResults.Ok(Pagination.ToPage(http, signer, rows, take, k => new KeysetCursor(k.CreatedAt, k.Id)));
    }

    private static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> GetKey(Guid id, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var key = await db.Set<ApiKey>().AsNoTracking().Where(k => k.Id == id).ProjectToResponse().FirstOrDefaultAsync(cancellationToken);
        return key is null ? Problems.NotFound($"No API key has id {id}.") : TypedResults.Ok(key);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(Guid id, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        await ApiKeyIssuer.RevokeAsync(db, clock, id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound($"No API key has id {id}.");
}
