using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.ApiKeys;

/// <summary>The one way keys are made and revoked: by the management API, the command line and the first-run bootstrap.</summary>
public static class ApiKeyIssuer
{
    public static async Task<(ApiKey Key, string Secret)> CreateAsync(HeadlessNewsDbContext db, TimeProvider clock, CreateApiKeyRequest request, CancellationToken cancellationToken)
    {
        var secret = ApiKeySecrets.Generate();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name.Trim(),
            Prefix = ApiKeySecrets.PrefixOf(secret),
            SecretHash = ApiKeySecrets.Hash(secret),
            Scopes = [.. request.Scopes.Distinct()],
            SectionLimits = [.. (request.Sections ?? []).Distinct()],
            TagLimits = [.. (request.Tags ?? []).Distinct()],
            CreatedAt = clock.GetUtcNow(),
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
        };
        db.Set<ApiKey>().Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return (key, secret);
    }

    /// <summary>Revokes a key; false when no such key exists.</summary>
    public static async Task<bool> RevokeAsync(HeadlessNewsDbContext db, TimeProvider clock, Guid id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var found = await db.Set<ApiKey>().AnyAsync(k => k.Id == id, cancellationToken);
        await db.Set<ApiKey>().Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, now), cancellationToken);
        return found;
    }

    public static IQueryable<ApiKeyResponse> ProjectToResponse(this IQueryable<ApiKey> keys) =>
        keys.Select(k => new ApiKeyResponse(k.Id, k.Name, k.Prefix, k.Scopes, k.SectionLimits, k.TagLimits, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt));

    public static CreatedApiKeyResponse ToCreatedResponse(ApiKey key, string secret) =>
        new(key.Id, key.Name, key.Prefix, key.Scopes, key.SectionLimits, key.TagLimits, key.CreatedAt, key.ExpiresAt, secret);
}
