using System.Security.Claims;

namespace HeadlessNews.Api.Features.ApiKeys;

public static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeys(this RouteGroupBuilder manage)
    {
        var keys = manage.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Scopes.Policies.KeysManage);
        keys.MapPost("", CreateKey).WithName("CreateApiKey")
            .WithSummary("Create an API key with scopes (and partner limits) the calling key holds itself; the secret is in this response only.")
            .WithIdempotency(oneTimeSecret: "secret");
        keys.MapGet("", ListKeys).WithName("ListApiKeys").WithSummary("List API keys (prefix, name, scopes, expiry, last use), newest first.");
        keys.MapGet("/{id:guid}", GetKey).WithName("GetApiKey").WithSummary("Read one API key's metadata.");
        keys.MapDelete("/{id:guid}", RevokeKey).WithName("RevokeApiKey").WithSummary("Revoke an API key; it is refused from then on.");
        return manage;
    }

    /// <summary>
    /// A key can give no more than it has: only scopes the calling key holds (so <c>keys:manage</c> alone cannot mint
    /// <c>*</c>), and a partner key no wider than the caller's own partner limits. The first admin key comes from the command line.
    /// </summary>
    private static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> CreateKey(
        CreateApiKeyRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, ApiKeyMint mint, CancellationToken cancellationToken)
    {
        if (Scopes.NotHeldBy(http.User, request.Scopes) is [_, ..] missing)
        {
            return Problems.Forbidden($"A key can only give scopes it holds itself, and this one does not hold {string.Join(", ", missing)}.");
        }
        var (limits, errors) = await ApiKeyIssuer.ResolveLimitsAsync(db, request, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (SeesMoreThan(http.User, request.Scopes, limits))
        {
            return Problems.Forbidden("This key is limited to some sections or tags, so a partner key it creates must be limited within them.");
        }
        var created = await ApiKeyIssuer.CreateAsync(db, clock, mint, request, limits, cancellationToken);
        return TypedResults.Created($"/v1/manage/api-keys/{created.Id}", created);
    }

    private static async Task<Results<Ok<Page<ApiKeyResponse>>, ProblemHttpResult>> ListKeys(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var rows = await db.Set<ApiKey>().AsNoTracking().NewestFirst(k => k.CreatedAt, k => k.Id, after, take).ProjectToResponse(db).ToListAsync(cancellationToken);
        return TypedResults.Ok(Pagination.ToPage(http, signer, rows, take, k => new KeysetCursor(k.CreatedAt, k.Id)));
    }

    private static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> GetKey(Guid id, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var key = await db.Set<ApiKey>().AsNoTracking().Where(k => k.Id == id).ProjectToResponse(db).FirstOrDefaultAsync(cancellationToken);
        return key is null ? Problems.NotFound($"No API key has id {id}.") : TypedResults.Ok(key);
    }

    /// <summary>
    /// A key can take away only what it could have given (the rule of <see cref="CreateKey"/>): <c>keys:manage</c> alone
    /// cannot revoke a <c>*</c> key, the administrator's included. The command line revokes any key.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        Guid id, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var key = await db.Set<ApiKey>().AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound($"No API key has id {id}.");
        }
        if (Scopes.NotHeldBy(http.User, key.Scopes) is [_, ..] missing)
        {
            return Problems.Forbidden($"A key can only revoke keys it could create, and this one does not hold {string.Join(", ", missing)}.");
        }
        if (SeesMoreThan(http.User, key.Scopes, new PartnerLimits(key.SectionLimits, key.TagLimits)))
        {
            return Problems.Forbidden("This key is limited to some sections or tags, so it can only revoke partner keys limited within them.");
        }
        return await ApiKeyIssuer.RevokeAsync(db, clock, id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound($"No API key has id {id}.");
    }

    /// <summary>Whether a key with these scopes and limits would read feeds the caller's own partner limits keep from it.</summary>
    private static bool SeesMoreThan(ClaimsPrincipal caller, IEnumerable<string> scopes, PartnerLimits limits) =>
        scopes.Any(s => s is Scopes.FeedsPartner or Scopes.All) && !limits.IsWithin(PartnerLimits.Of(caller));
}
