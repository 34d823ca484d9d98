using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Sections;

namespace HeadlessNews.Api.Features.ApiKeys;

/// <summary>The one way keys are made and revoked: by the management API, the command line and the first-run bootstrap.</summary>
public static class ApiKeyIssuer
{
    /// <summary>The request's partner limits as ids; a slug that names no section or tag is an error keyed by its JSON path.</summary>
    public static async Task<(PartnerLimits Limits, Dictionary<string, string[]> Errors)> ResolveLimitsAsync(
        HeadlessNewsDbContext db, CreateApiKeyRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var sections = await ResolveAsync("sections", "section", request.Sections, errors,
            slugs => db.Set<Section>().Where(s => slugs.Contains(s.Slug)).ToDictionaryAsync(s => s.Slug, s => s.Id, cancellationToken));
        var tags = await ResolveAsync("tags", "tag", request.Tags, errors,
            slugs => db.Set<Tag>().Where(t => slugs.Contains(t.Slug)).ToDictionaryAsync(t => t.Slug, t => t.Id, cancellationToken));
        return (new PartnerLimits(sections, tags), errors);
    }

    private static async Task<Guid[]> ResolveAsync(
        string field, string noun, string[]? slugs, Dictionary<string, string[]> errors, Func<string[], Task<Dictionary<string, Guid>>> find)
    {
        if (slugs is null or [])
        {
            return [];
        }
        var found = await find(slugs);
        for (var i = 0; i < slugs.Length; i++)
        {
            if (!found.ContainsKey(slugs[i]))
            {
                errors[$"{field}[{i}]"] = [$"No {noun} has the slug '{slugs[i]}'."];
            }
        }
        return [.. slugs.Where(found.ContainsKey).Select(s => found[s]).Distinct()];
    }

    public static async Task<CreatedApiKeyResponse> CreateAsync(
        HeadlessNewsDbContext db, TimeProvider clock, ApiKeyMint mint, CreateApiKeyRequest request, PartnerLimits limits, CancellationToken cancellationToken)
    {
        var secret = mint.NewSecret();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name.Trim(),
            Prefix = ApiKeySecrets.PrefixOf(secret),
            SecretHash = ApiKeySecrets.Hash(secret),
            Scopes = [.. request.Scopes.Distinct()],
            SectionLimits = limits.Sections,
            TagLimits = limits.Tags,
            CreatedAt = clock.GetUtcNow(),
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
        };
        db.Set<ApiKey>().Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKeyResponse(key.Id, key.Name, key.Prefix, key.Scopes, [.. (request.Sections ?? []).Distinct()], [.. (request.Tags ?? []).Distinct()],
            key.CreatedAt, key.ExpiresAt, secret);
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

    /// <summary>Keys as the API shows them: partner limits by the sections' and tags' slugs as they are now.</summary>
    public static IQueryable<ApiKeyResponse> ProjectToResponse(this IQueryable<ApiKey> keys, HeadlessNewsDbContext db) =>
        keys.Select(k => new ApiKeyResponse(k.Id, k.Name, k.Prefix, k.Scopes,
            db.Set<Section>().Where(s => k.SectionLimits.Contains(s.Id)).OrderBy(s => s.Slug).Select(s => s.Slug).ToArray(),
            db.Set<Tag>().Where(t => k.TagLimits.Contains(t.Id)).OrderBy(t => t.Slug).Select(t => t.Slug).ToArray(),
            k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt));
}
