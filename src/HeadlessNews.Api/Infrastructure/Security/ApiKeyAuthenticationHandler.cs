using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> (and <c>?key=</c> on feed routes, for readers that cannot send
/// headers, from keys whose only scope is <c>feeds:partner</c>) against the hashed keys in the database. Failures spend
/// the client address's <see cref="FailedAuthenticationBudget"/>, which is checked before the lookup.
/// <para>
/// Keys are looked up on the primary, so a revocation holds on every node at once. A delivery or feed read whose lookup
/// finds the primary unavailable looks the key up on the read database (a standby) instead: delivery answers from the
/// standby while the primary is down, keyed readers included. Management has nothing to answer without the primary.
/// </para>
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    TimeProvider clock,
    ApiKeyMint mint,
    FailedAuthenticationBudget budget,
    ReadDatabase reads,
    ConnectionPools pools) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string KeyPrefixClaim = "key_prefix";
    private const string RefusalDetail = "refusal-detail";
    private const string RetryAfterSeconds = "retry-after";
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (presented, inQuery) = PresentedSecret(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        // A key this deployment minted is always looked up, so a valid key is never blocked; any other must fit the budget.
        if (!mint.Minted(presented) && budget.Exhausted(Context) is { } retryAfter)
        {
            return AuthenticateResult.Fail("Too many failed authentications.", new AuthenticationProperties(new Dictionary<string, string?>
            {
                [RetryAfterSeconds] = retryAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            }));
        }
        var result = await AuthenticateAsync(presented, inQuery);
        if (result.Failure is not null)
        {
            budget.Spend(Context);
        }
        return result;
    }

    private async Task<AuthenticateResult> AuthenticateAsync(string presented, bool inQuery)
    {
        if (!ApiKeySecrets.LooksLikeSecret(presented))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }

        var hash = ApiKeySecrets.Hash(presented);
        var (key, onPrimary) = await FindAsync(hash);
        var now = clock.GetUtcNow();
        if (key is null || !CryptographicOperations.FixedTimeEquals(key.SecretHash, hash))
        {
            return AuthenticateResult.Fail("The API key is unknown.");
        }
        if (key.RevokedAt is not null || key.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("The API key is revoked or expired.");
        }
        // A URL ends up in browser histories, proxy logs and referrers: only a key that can do nothing but read partner feeds may travel in one.
        if (inQuery && key.Scopes is not [Scopes.FeedsPartner])
        {
            return AuthenticateResult.Fail("The API key may not be sent in a query string.", new AuthenticationProperties(new Dictionary<string, string?>
            {
                [RefusalDetail] = $"A key in the query string (?key=) is accepted only when its only scope is {Scopes.FeedsPartner}, and this one has "
                    + $"{string.Join(", ", key.Scopes)}. Send it as Authorization: Bearer <key> instead, and consider revoking it: URLs are logged.",
            }));
        }
        if (onPrimary && (key.LastUsedAt is null || now - key.LastUsedAt > LastUsedResolution))
        {
            RecordUse(key, now);
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, key.Id.ToString()), new(ClaimTypes.Name, key.Name), new(KeyPrefixClaim, key.Prefix) };
        claims.AddRange(key.Scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        claims.AddRange(new PartnerLimits(key.SectionLimits, key.TagLimits).ToClaims());
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    private async Task<(ApiKey? Key, bool OnPrimary)> FindAsync(byte[] hash)
    {
        // Resolved only now: most requests carry no key, and leasing a pooled context for them cost ~3 % of an uncached read.
        var primary = Context.RequestServices.GetRequiredService<HeadlessNewsDbContext>();
        try
        {
            return (await FindAsync(primary, hash), true);
        }
        catch (Exception e) when (e.IsDatabaseUnavailable() && reads.UsesReplica && IsDeliveryOrFeedRead(Request) && !Context.RequestAborted.IsCancellationRequested)
        {
            Logger.LogWarning("The primary cannot look up the API key of {Method} {Path} ({Reason}); looking it up on the read database",
                Request.Method, RequestLogging.LoggedPath(Request.Path), e.GetBaseException().Message);
            return (await FindAsync(Context.RequestServices.GetRequiredKeyedService<HeadlessNewsDbContext>(ReadDatabase.Key), hash), false);
        }
    }

    private Task<ApiKey?> FindAsync(HeadlessNewsDbContext db, byte[] hash) =>
        db.Set<ApiKey>().AsNoTracking().FirstOrDefaultAsync(k => k.SecretHash == hash, Context.RequestAborted);

    /// <summary>Reads of delivery and feeds, which answer from the read database (management and tips need the primary).</summary>
    private static bool IsDeliveryOrFeedRead(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && ApiSurfaces.Of(request.Path) is ApiSurface.Delivery or ApiSurface.Feeds;

    /// <summary>
    /// Best effort, after the answer rather than before it: a primary that is slow or went away since the lookup must
    /// neither delay nor fail a read for the sake of a timestamp.
    /// </summary>
    private void RecordUse(ApiKey key, DateTimeOffset now) => _ = Task.Run(async () =>
    {
        try
        {
            await using var command = pools.Primary.CreateCommand("UPDATE api_keys SET last_used_at = $1 WHERE id = $2");
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            command.Parameters.Add(new NpgsqlParameter { Value = key.Id });
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e)
        {
            Logger.LogWarning("The last use of API key {Prefix} was not recorded: {Reason}", key.Prefix, e.GetBaseException().Message);
        }
    });

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await Context.AuthenticateAsync(SchemeName);
        var refusal = result.Properties;
        if (refusal?.GetString(RetryAfterSeconds) is { } seconds)
        {
            await BearerResponses.TooManyFailuresAsync(Context, TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)));
            return;
        }
        var failed = result.Failure is not null;
        await BearerResponses.ChallengeAsync(Context, failed, refusal?.GetString(RefusalDetail)
            ?? (failed ? "The API key is unknown, revoked or expired." : "This route needs an API key: send Authorization: Bearer <key>."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        BearerResponses.ForbiddenAsync(Context, "The API key does not have the scope this route needs.");

    /// <summary>The prefix of the key a request presents, if it looks like one: what the audit log records for a refused key.</summary>
    public static string? PresentedKeyPrefix(HttpRequest request) =>
        PresentedSecret(request).Secret is { } secret && ApiKeySecrets.LooksLikeSecret(secret) ? ApiKeySecrets.PrefixOf(secret) : null;

    private static (string? Secret, bool InQuery) PresentedSecret(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            const string bearer = "Bearer ";
            return (header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? header[bearer.Length..].Trim() : string.Empty, false);
        }
        return AcceptsQueryKey(request.Path) && request.Query.TryGetValue("key", out var key) ? (key.ToString(), true) : (null, false);
    }

    public static bool AcceptsQueryKey(PathString path) => ApiSurfaces.Of(path) == ApiSurface.Feeds;
}
