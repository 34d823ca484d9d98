using System.Collections.Immutable;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace HeadlessNews.Tests.Support;

/// <summary>
/// A real OpenID provider (OpenIddict) on a loopback port: discovery and JWKS over http, and signed JWT access tokens
/// from the token endpoint (client credentials, with the subject, name, roles, audience and lifetime the test asks for).
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestIdentityProvider(WebApplication app) => _app = app;

    /// <summary>The issuer's base URL, e.g. http://127.0.0.1:40123 (tokens carry it with a trailing slash as <c>iss</c>).</summary>
    public string Authority => _app.Urls.First();

    /// <summary>The key tokens are signed with now.</summary>
    public RsaSecurityKey SigningKey => (RsaSecurityKey)Options.SigningCredentials[0].Key;

    private OpenIddictServerOptions Options => _app.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOpenIddict().AddServer(server =>
        {
            server.SetTokenEndpointUris("connect/token")
                .SetConfigurationEndpointUris(".well-known/openid-configuration")
                .SetJsonWebKeySetEndpointUris(".well-known/jwks");
            server.AllowClientCredentialsFlow();
            server.EnableDegradedMode();
            server.DisableAccessTokenEncryption();
            server.AddSigningKey(NewKey()).AddEphemeralEncryptionKey();
            server.UseAspNetCore().DisableTransportSecurityRequirement();
            // Degraded mode has no client store: every client is accepted, and the test chooses who the token names.
            server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseInlineHandler(_ => default));
            server.AddEventHandler<OpenIddictServerEvents.HandleTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                var request = context.Request;
                var identity = new ClaimsIdentity("test", Claims.Name, Claims.Role);
                identity.SetClaim(Claims.Subject, (string?)request["subject"]);
                identity.SetClaim(Claims.Name, (string?)request["person_name"]);
                identity.SetClaim(Claims.Email, (string?)request["email"]);
                identity.SetClaims("roles", [.. ((string?)request["roles"] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)]);
                identity.SetDestinations(_ => [Destinations.AccessToken]);
                var principal = new ClaimsPrincipal(identity);
                principal.SetResources((string?)request["token_audience"] ?? string.Empty);
                principal.SetAccessTokenLifetime(TimeSpan.FromSeconds(long.Parse((string?)request["lifetime_seconds"] ?? "300", System.Globalization.CultureInfo.InvariantCulture)));
                context.SignIn(principal);
                return default;
            }));
        });
        var app = builder.Build();
        app.UseAuthentication();
        await app.StartAsync();
        return new TestIdentityProvider(app);
    }

    /// <summary>An access token from the token endpoint, as a client would get it.</summary>
    public async Task<string> IssueAsync(string subject, string name, string audience, string[] roles, string? email = null, TimeSpan? lifetime = null)
    {
        using var client = new HttpClient();
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypes.ClientCredentials,
            ["client_id"] = "newsroom-editor",
            ["client_secret"] = "not-checked",
            ["subject"] = subject,
            ["person_name"] = name,
            ["roles"] = string.Join(',', roles),
            ["token_audience"] = audience,
            ["lifetime_seconds"] = ((long)(lifetime ?? TimeSpan.FromMinutes(5)).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (email is not null)
        {
            form["email"] = email;
        }
        var response = await client.PostAsync(Authority + "/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Starts signing with a new key (new kid), published in JWKS beside the old one, as providers rotate.</summary>
    public RsaSecurityKey RotateSigningKey()
    {
        var key = NewKey();
        Options.SigningCredentials.Insert(0, new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
        return key;
    }

    private static RsaSecurityKey NewKey() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
