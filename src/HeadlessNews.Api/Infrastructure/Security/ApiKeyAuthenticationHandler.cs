using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> (and <c>?key=</c> on feed routes, for readers
/// that cannot send headers) against the hashed keys in the database.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string SectionLimitClaim = "section_limit";
    public const string TagLimitClaim = "tag_limit";
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedSecret();
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        if (presented.Length == 0 || !ApiKeySecrets.LooksLikeSecret(presented))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }

        // Resolved only now: most requests carry no key, and leasing a pooled context for them cost ~3 % of an uncached read.
        var db = Context.RequestServices.GetRequiredService<HeadlessNewsDbContext>();
        var hash = ApiKeySecrets.Hash(presented);
        var key = await db.Set<ApiKey>().AsNoTracking().FirstOrDefaultAsync(k => k.SecretHash == hash, Context.RequestAborted);
        var now = clock.GetUtcNow();
        if (key is null || !CryptographicOperations.FixedTimeEquals(key.SecretHash, hash))
        {
            return AuthenticateResult.Fail("The API key is unknown.");
        }
        if (key.RevokedAt is not null || key.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("The API key is revoked or expired.");
        }
        if (key.LastUsedAt is null || now - key.LastUsedAt > LastUsedResolution)
        {
            await db.Set<ApiKey>().Where(k => k.Id == key.Id).ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedAt, now), Context.RequestAborted);
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, key.Id.ToString()), new(ClaimTypes.Name, key.Name) };
        claims.AddRange(key.Scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        claims.AddRange(key.SectionLimits.Select(s => new Claim(SectionLimitClaim, s)));
        claims.AddRange(key.TagLimits.Select(t => new Claim(TagLimitClaim, t)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failed = (await Context.AuthenticateAsync(SchemeName)).Failure is not null;
        Response.Headers[HeaderNames.WWWAuthenticate] = failed ? "Bearer error=\"invalid_token\"" : "Bearer";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            failed ? "The API key is unknown, revoked or expired." : "This route needs an API key: send Authorization: Bearer <key>.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "The API key does not have the scope this route needs.");

    private string? PresentedSecret()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            const string bearer = "Bearer ";
            return header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? header[bearer.Length..].Trim() : string.Empty;
        }
        return AcceptsQueryKey(Request.Path) && Request.Query.TryGetValue("key", out var key) ? key.ToString() : null;
    }

    public static bool AcceptsQueryKey(PathString path) =>
        path.StartsWithSegments("/v1/feeds") || path.StartsWithSegments("/v1/changes") || path.StartsWithSegments("/sitemaps");
}
