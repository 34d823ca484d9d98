using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>The claims a person's principal carries once their access token is accepted (nothing else from the token is kept).</summary>
public static class PersonClaims
{
    public const string Issuer = "iss";
    public const string Subject = "sub";
    public const string Email = "email";
    /// <summary>Present when the person's only role is <c>contributor</c>: they may edit only drafts they created.</summary>
    public const string Contributor = "hn_contributor";
}

/// <summary>
/// OpenID Connect access tokens (JWT) beside API keys: one JwtBearer scheme per configured issuer, and a policy scheme,
/// the default, that sends a request to the API-key handler or to the issuer's scheme by the shape of what it presents
/// (keys start with <c>hn_</c>; a JWT has two dots). Only asymmetric signatures are accepted, with at most a minute of
/// clock skew, and the token's own claims never become scopes: the person's roles are mapped to scopes here.
/// </summary>
public static class PersonTokens
{
    public const string SchemeName = "Bearer";
    private const string SchemePrefix = "Oidc:";
    private const string RetryAfterItem = "hn-person-token-retry-after";
    private const string IssuerUnreachableItem = "hn-person-token-issuer-unreachable";
    /// <summary>What a 503 asks the client to wait when the issuer's discovery document or keys cannot be fetched.</summary>
    private const int IssuerRetryAfterSeconds = 5;
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    public static AuthenticationBuilder AddPersonTokens(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        var services = authentication.Services;
        var section = configuration.GetSection(OidcOptions.Section);
        services.AddOptions<OidcOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OidcOptions>, OidcOptionsValidation>();
        var issuers = (section.Get<OidcOptions>() ?? new OidcOptions()).Configured().ToList();
        var routes = issuers.Select(i => (Scheme: SchemePrefix + i.Name, Issuer: i.Issuer.Authority!.TrimEnd('/'))).ToList();
        authentication.AddPolicyScheme(SchemeName, null, options => options.ForwardDefaultSelector = context => Select(context, routes));
        foreach (var (name, issuer) in issuers)
        {
            authentication.AddJwtBearer(SchemePrefix + name);
            services.AddOptions<JwtBearerOptions>(SchemePrefix + name).Configure<TimeProvider>((options, clock) => Configure(options, issuer, clock));
        }
        return authentication;
    }

    /// <summary>Start-up stops on invalid issuer settings, each problem named.</summary>
    private sealed class OidcOptionsValidation : IValidateOptions<OidcOptions>
    {
        public ValidateOptionsResult Validate(string? name, OidcOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    private static string Select(HttpContext context, List<(string Scheme, string Issuer)> routes)
    {
        var token = BearerToken(context);
        if (routes.Count == 0 || token is null || token.StartsWith(ApiKeySecrets.Marker, StringComparison.Ordinal) || token.Count(c => c == '.') != 2)
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }
        // Unvalidated here: the issuer only picks whose keys check the signature; a token no issuer claims goes to the first, which refuses it.
        var issuer = routes.Count > 1 ? UnvalidatedIssuer(token) : null;
        return routes.FirstOrDefault(r => string.Equals(r.Issuer, issuer, StringComparison.Ordinal)).Scheme ?? routes[0].Scheme;
    }

    private static string? BearerToken(HttpContext context)
    {
        const string bearer = "Bearer ";
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? header[bearer.Length..].Trim() : null;
    }

    private static string? UnvalidatedIssuer(string token)
    {
        try
        {
            return new JsonWebToken(token).Issuer.TrimEnd('/');
        }
        catch (ArgumentException)
        {
            // Malformed (SecurityTokenMalformedException is one): the handler refuses it with 401.
            return null;
        }
    }

    private static void Configure(JwtBearerOptions options, OidcIssuerOptions issuer, TimeProvider clock)
    {
        options.Authority = issuer.Authority;
        options.Audience = issuer.Audience;
        options.RequireHttpsMetadata = issuer.RequireHttpsMetadata;
        // A token with a key id the cached keys lack fetches them again at most this often (the library's default, 5
        // minutes, refused a provider's new key that long), and the keys are read again this often whatever happens, so a
        // key the provider withdrew stops being trusted within it (default 12 hours).
        options.RefreshInterval = TimeSpan.FromSeconds(30);
        options.AutomaticRefreshInterval = TimeSpan.FromMinutes(10);
        options.MapInboundClaims = false;
        options.TokenValidationParameters.ValidAlgorithms = Algorithms;
        options.TokenValidationParameters.RequireSignedTokens = true;
        options.TokenValidationParameters.RequireExpirationTime = true;
        options.TokenValidationParameters.ClockSkew = ClockSkew;
        options.Events = new JwtBearerEvents
        {
            OnAuthenticationFailed = async context =>
            {
                // A token of this issuer that could not be checked at all (the issuer's metadata is out of reach): the service
                // is unavailable, the caller did nothing wrong, and it spends no failed-authentication budget. One that is
                // not this issuer's to sign (another issuer, an algorithm it does not use, malformed) is refused all the same.
                if (ClaimsIssuer(context.HttpContext, issuer) && await IsIssuerUnreachableAsync(context))
                {
                    context.HttpContext.Items[IssuerUnreachableItem] = true;
                    return;
                }
                SpendOrRefuse(context.HttpContext);
            },
            OnTokenValidated = context =>
            {
                // RFC 7515 4.1.11: a token naming header extensions as critical must be refused by whoever does not
                // understand them, and this API understands none (the token handler lets them through).
                if (context.SecurityToken is JsonWebToken { } critical && critical.TryGetHeaderValue<object>("crit", out _))
                {
                    SpendOrRefuse(context.HttpContext);
                    context.Fail("The access token names critical header extensions this API does not understand.");
                    return Task.CompletedTask;
                }
                if (context.Principal is not { } principal || context.SecurityToken is not JsonWebToken token || PersonPrincipal(token, principal, issuer, context.Scheme.Name) is not { } person)
                {
                    SpendOrRefuse(context.HttpContext);
                    context.Fail("The access token has no subject.");
                    return Task.CompletedTask;
                }
                context.Principal = person;
                return Task.CompletedTask;
            },
            OnChallenge = context =>
            {
                context.HandleResponse();
                if (context.HttpContext.Items.ContainsKey(IssuerUnreachableItem))
                {
                    context.Response.Headers.RetryAfter = IssuerRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return Problems.WriteAsync(context.HttpContext, StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                        "The token's issuer cannot be reached to check it (its discovery document or signing keys); retry shortly.");
                }
                return context.HttpContext.Items[RetryAfterItem] is TimeSpan retryAfter
                    ? BearerResponses.TooManyFailuresAsync(context.HttpContext, retryAfter)
                    : BearerResponses.ChallengeAsync(context.HttpContext, failed: true,
                        "The access token is invalid, expired, for another audience, or from an issuer or key this API does not trust.");
            },
            OnForbidden = context => BearerResponses.ForbiddenAsync(context.HttpContext, "Your roles do not grant the scope this route needs."),
        };
        // Lifetime against the injected clock (so tests can move it), with the same skew.
        options.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            // The skew moves "now", not the token's times: a token without nbf reports DateTime.MinValue, which cannot be moved back.
            return expires is { } exp && now - parameters.ClockSkew <= exp && (notBefore is not { } nbf || now + parameters.ClockSkew >= nbf);
        };
    }

    /// <summary>
    /// Whether the issuer's discovery document and keys cannot be had: the token handler reports that failure only as a
    /// signature it could not check, so the configuration is asked for again (answered from its cache when it is there).
    /// </summary>
    /// <summary>Whether the request's token, read unchecked, names <paramref name="issuer"/> and one of the algorithms accepted.</summary>
    private static bool ClaimsIssuer(HttpContext context, OidcIssuerOptions issuer)
    {
        try
        {
            var claimed = new JsonWebToken(BearerToken(context) ?? string.Empty);
            return Algorithms.Contains(claimed.Alg) && string.Equals(claimed.Issuer.TrimEnd('/'), issuer.Authority!.TrimEnd('/'), StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<bool> IsIssuerUnreachableAsync(AuthenticationFailedContext context)
    {
        if (context.Options.ConfigurationManager is not { } configuration)
        {
            return false;
        }
        try
        {
            await configuration.GetConfigurationAsync(context.HttpContext.RequestAborted);
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException)
        {
            return true;
        }
    }

    /// <summary>
    /// A failed token spends the client address's failed-authentication budget, shared with keys; once it is spent the
    /// answer is 429. Checking a token needs no database, so unlike a key it is checked first and a valid one always passes.
    /// </summary>
    private static void SpendOrRefuse(HttpContext context)
    {
        var budget = context.RequestServices.GetRequiredService<FailedAuthenticationBudget>();
        if (budget.Exhausted(context) is { } retryAfter)
        {
            context.Items[RetryAfterItem] = retryAfter;
            return;
        }
        budget.Spend(context);
    }

    /// <summary>The person's principal: who they are, and the scopes their roles map to; every other claim of the token is dropped.</summary>
    private static ClaimsPrincipal? PersonPrincipal(JsonWebToken token, ClaimsPrincipal validated, OidcIssuerOptions issuer, string scheme)
    {
        var subject = validated.FindFirstValue(PersonClaims.Subject);
        if (string.IsNullOrWhiteSpace(subject))
        {
            return null;
        }
        var roles = validated.FindAll(issuer.RoleClaim!).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
        var mapped = roles.Where(r => issuer.RoleScopes.ContainsKey(r) || r == OidcOptions.ContributorRole).ToList();
        var scopes = mapped.SelectMany(r => issuer.RoleScopes.TryGetValue(r, out var s) ? OidcOptions.ScopesOf(s) : [Scopes.ContentWrite]).Distinct(StringComparer.Ordinal);
        var email = validated.FindFirstValue(PersonClaims.Email);
        var name = new[] { validated.FindFirstValue("name"), validated.FindFirstValue("preferred_username"), email, subject }.First(n => !string.IsNullOrWhiteSpace(n))!;
        var claims = new List<Claim>
        {
            new(PersonClaims.Issuer, token.Issuer),
            new(PersonClaims.Subject, subject),
            new(ClaimTypes.Name, name.Length > Caller.NameMaxLength ? name[..Caller.NameMaxLength] : name),
        };
        if (!string.IsNullOrWhiteSpace(email))
        {
            claims.Add(new Claim(PersonClaims.Email, email));
        }
        if (mapped.Count > 0 && mapped.All(r => r == OidcOptions.ContributorRole))
        {
            claims.Add(new Claim(PersonClaims.Contributor, "true"));
        }
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

/// <summary>The 401/403/429 answers of bearer authentication, the same for keys and tokens.</summary>
public static class BearerResponses
{
    public static Task ChallengeAsync(HttpContext context, bool failed, string detail)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = failed ? "Bearer error=\"invalid_token\"" : "Bearer";
        return Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    public static Task TooManyFailuresAsync(HttpContext context, TimeSpan retryAfter) =>
        RateLimits.RejectAsync(context, retryAfter,
            s => $"This client address has made too many requests with unknown, revoked or expired keys or tokens; retry after {s} s.");

    public static Task ForbiddenAsync(HttpContext context, string detail) =>
        Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", detail);
}
