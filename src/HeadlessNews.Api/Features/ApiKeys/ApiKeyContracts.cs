namespace HeadlessNews.Api.Features.ApiKeys;

/// <param name="Name">A label people recognise, e.g. "Newsroom editor (Ceri)".</param>
/// <param name="Scopes">Any of content:write, content:publish, notices:write, feeds:partner, webhooks:manage, keys:manage, or *; only scopes the creating key holds itself.</param>
/// <param name="ExpiresAt">When the key stops working; null for never.</param>
/// <param name="Sections">For feeds:partner keys: limit the key to these sections (by slug; the limit follows the section if its slug is renamed).</param>
/// <param name="Tags">For feeds:partner keys: limit the key to content with one of these tags (by slug).</param>
public sealed record CreateApiKeyRequest(string Name, string[] Scopes, DateTimeOffset? ExpiresAt, string[]? Sections, string[]? Tags);

public sealed record ApiKeyResponse(
    Guid Id, string Name, string Prefix, string[] Scopes, string[] Sections, string[] Tags,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>The new key, with its secret: shown this once and never again (an idempotent replay answers it as null).</summary>
public sealed record CreatedApiKeyResponse(
    Guid Id, string Name, string Prefix, string[] Scopes, string[] Sections, string[] Tags,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string? Secret);
