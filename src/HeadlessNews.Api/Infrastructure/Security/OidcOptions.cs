using System.Net;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>One OpenID Connect issuer whose access tokens management accepts beside API keys.</summary>
public class OidcIssuerOptions
{
    /// <summary>The issuer URL; its discovery document and signing keys are read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }
    /// <summary>The <c>aud</c> a token must carry (the API's application id or client id at the provider).</summary>
    public string? Audience { get; set; }
    /// <summary><c>false</c> is accepted only for a provider on loopback (a local test provider).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>The claim holding the person's roles, a string or an array; empty means the top-level setting or <c>roles</c>.</summary>
    public string? RoleClaim { get; set; }
    /// <summary>Role ⇒ comma-separated scopes; empty means the top-level mapping.</summary>
    public Dictionary<string, string> RoleScopes { get; set; } = [];
}

/// <summary>
/// <c>Auth:Oidc</c>: one issuer at the top level, and/or several under <c>Issuers:{name}</c> (each inheriting the
/// top-level role claim and role mapping unless it sets its own). Nothing configured: only API keys, as before.
/// </summary>
public sealed class OidcOptions : OidcIssuerOptions
{
    public const string Section = "Auth:Oidc";
    public const string DefaultRoleClaim = "roles";
    /// <summary>The role that may create drafts and edit only drafts it created (<c>content:write</c> unless mapped otherwise).</summary>
    public const string ContributorRole = "contributor";

    public Dictionary<string, OidcIssuerOptions> Issuers { get; set; } = [];

    /// <summary>Every configured issuer by name (the top-level one is named <c>default</c>), with inherited settings filled in.</summary>
    public IEnumerable<(string Name, OidcIssuerOptions Issuer)> Configured()
    {
        var named = Issuers.Select(i => (Name: i.Key, Issuer: i.Value));
        return (Authority is null ? named : named.Prepend((Name: "default", Issuer: this))).Select(i => (i.Name, new OidcIssuerOptions
        {
            Authority = i.Issuer.Authority,
            Audience = i.Issuer.Audience,
            RequireHttpsMetadata = i.Issuer.RequireHttpsMetadata,
            RoleClaim = i.Issuer.RoleClaim ?? RoleClaim ?? DefaultRoleClaim,
            RoleScopes = i.Issuer.RoleScopes.Count > 0 ? i.Issuer.RoleScopes : RoleScopes,
        }));
    }

    /// <summary>What is wrong with the settings, if anything (checked at start-up).</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (name, issuer) in Configured())
        {
            if (!Uri.TryCreate(issuer.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            {
                yield return $"Auth:Oidc issuer '{name}': Authority must be an absolute http(s) URL.";
                continue;
            }
            if (string.IsNullOrWhiteSpace(issuer.Audience))
            {
                yield return $"Auth:Oidc issuer '{name}': Audience is required (a token for another API must not be accepted).";
            }
            if (!issuer.RequireHttpsMetadata ? !IsLoopback(authority) : authority.Scheme != "https")
            {
                yield return $"Auth:Oidc issuer '{name}': the Authority must be https (RequireHttpsMetadata=false is for a provider on loopback only).";
            }
            foreach (var (role, scopes) in issuer.RoleScopes)
            {
                if (ScopesOf(scopes).FirstOrDefault(s => !Scopes.Known.Contains(s)) is { } unknown)
                {
                    yield return $"Auth:Oidc issuer '{name}': RoleScopes:{role} names an unknown scope '{unknown}'.";
                }
            }
        }
    }

    public static string[] ScopesOf(string commaSeparated) =>
        commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
