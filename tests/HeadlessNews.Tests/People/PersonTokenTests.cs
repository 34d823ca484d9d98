using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using HeadlessNews.Tests.Webhooks;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HeadlessNews.Tests.People;

/// <summary>
/// People signed in at real OpenID providers (OpenIddict on loopback): a newsroom at the top level and an agency under
/// Issuers, both trusted; a third, rogue provider is not.
/// </summary>
public sealed class PersonTokenTests(PersonTokenTests.Factory api) : IClassFixture<PersonTokenTests.Factory>
{
    public const string Audience = "headlessnews-api";

    public sealed class Factory : ApiFactory
    {
        public TestIdentityProvider Newsroom { get; private set; } = null!;
        public TestIdentityProvider Agency { get; private set; } = null!;
        public TestIdentityProvider Rogue { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            Newsroom = await TestIdentityProvider.StartAsync();
            Agency = await TestIdentityProvider.StartAsync();
            Rogue = await TestIdentityProvider.StartAsync();
            await base.InitializeAsync();
        }

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Auth:Oidc:Authority"] = Newsroom.Authority,
            ["Auth:Oidc:Audience"] = Audience,
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Auth:Oidc:RoleScopes:reporter"] = "content:write",
            ["Auth:Oidc:RoleScopes:editor"] = "content:write,content:publish",
            ["Auth:Oidc:RoleScopes:contributor"] = "content:write",
            ["Auth:Oidc:RoleScopes:admin"] = "*",
            ["Auth:Oidc:Issuers:agency:Authority"] = Agency.Authority,
            ["Auth:Oidc:Issuers:agency:Audience"] = Audience,
            ["Auth:Oidc:Issuers:agency:RequireHttpsMetadata"] = "false",
            ["Webhooks:PollIntervalMs"] = "100",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // Several tests present unknown keys; each may ask for the keys again, at most once a second here (default 5 min).
            builder.ConfigureServices(services => services.ConfigureAll<JwtBearerOptions>(o => o.RefreshInterval = TimeSpan.FromSeconds(1)));
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await Newsroom.DisposeAsync();
            await Agency.DisposeAsync();
            await Rogue.DisposeAsync();
        }

        public HttpClient ClientWith(string token)
        {
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        /// <summary>A client for a newly made person at the newsroom with <paramref name="roles"/>.</summary>
        public async Task<(HttpClient Client, string Subject)> PersonAsync(params string[] roles)
        {
            var subject = Guid.NewGuid().ToString("N");
            return (ClientWith(await Newsroom.IssueAsync(subject, Editorial.Unique("Person"), Audience, roles, $"{subject}@newsroom.example")), subject);
        }
    }

    private static async Task AssertRefusedAsync(HttpClient client)
    {
        var response = await client.GetAsync("/v1/manage/articles");
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A token made outside the provider, naming the newsroom as issuer and this API as audience.</summary>
    private string Sign(SigningCredentials credentials, params Claim[] claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = api.Newsroom.Authority + "/",
        Audience = Audience,
        Subject = new ClaimsIdentity(claims),
        Expires = DateTime.UtcNow.AddMinutes(5),
        SigningCredentials = credentials,
    });

    private static string Base64Url(string json) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task A_person_from_a_trusted_issuer_is_discovered_and_named_by_me()
    {
        var subject = Guid.NewGuid().ToString("N");
        var token = await api.Newsroom.IssueAsync(subject, "Ffion Hughes", Audience, ["editor"], "ffion@newsroom.example");

        var me = await api.ClientWith(token).GetJsonAsync("/v1/manage/me");

        Assert.Equal("person", me.GetProperty("kind").GetString());
        Assert.Equal("Ffion Hughes", me.GetProperty("name").GetString());
        Assert.Equal(subject, me.GetProperty("subject").GetString());
        Assert.Equal(api.Newsroom.Authority + "/", me.GetProperty("issuer").GetString());
        Assert.Equal("ffion@newsroom.example", me.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("keyPrefix").ValueKind);
        Assert.Equal(["content:write", "content:publish"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Me_describes_an_api_key_too()
    {
        var me = await (await api.ClientWithScopesAsync("content:write")).GetJsonAsync("/v1/manage/me");

        Assert.Equal("key", me.GetProperty("kind").GetString());
        Assert.StartsWith("hn_", me.GetProperty("keyPrefix").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, me.GetProperty("subject").ValueKind);
        Assert.Equal(["content:write"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task A_second_configured_issuer_is_trusted_with_the_shared_role_mapping()
    {
        var token = await api.Agency.IssueAsync("agency-desk-1", "Agency Desk", Audience, ["reporter"]);

        var created = await api.ClientWith(token).CreateArticleAsync(new { headline = Editorial.Unique("Agency copy") });

        Assert.Equal("draft", created.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_token_from_an_issuer_that_is_not_configured_is_refused()
    {
        var token = await api.Rogue.IssueAsync("intruder", "Intruder", Audience, ["admin"]);

        await AssertRefusedAsync(api.ClientWith(token));
    }

    [Fact]
    public async Task A_token_naming_a_trusted_issuer_but_signed_with_another_key_is_refused()
    {
        var forged = Sign(new SigningCredentials(api.Rogue.SigningKey, SecurityAlgorithms.RsaSha256), new Claim("sub", "intruder"), new Claim("roles", "admin"));

        await AssertRefusedAsync(api.ClientWith(forged));
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var token = await api.Newsroom.IssueAsync(Guid.NewGuid().ToString("N"), "Late Reporter", Audience, ["reporter"], lifetime: TimeSpan.FromMinutes(2));
        var client = api.ClientWith(token);
        await client.GetJsonAsync("/v1/manage/articles");

        // Past the expiry and the 60 s of allowed clock skew, by the API's clock.
        api.Clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        try
        {
            await AssertRefusedAsync(client);
        }
        finally
        {
            api.Clock.Advance(-(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1)));
        }
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        var token = await api.Newsroom.IssueAsync(Guid.NewGuid().ToString("N"), "Reporter", "the-payroll-api", ["admin"]);

        await AssertRefusedAsync(api.ClientWith(token));
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var real = new JsonWebToken(await api.Newsroom.IssueAsync(Guid.NewGuid().ToString("N"), "Reporter", Audience, ["reporter"]));
        var payload = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(real.EncodedPayload)).Replace("\"reporter\"", "\"admin\"", StringComparison.Ordinal);
        var unsigned = $"{Base64Url("{\"alg\":\"none\",\"typ\":\"at+jwt\"}")}.{Base64Url(payload)}.";

        await AssertRefusedAsync(api.ClientWith(unsigned));
    }

    [Theory]
    [InlineData("abc.def.ghi")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln")]
    [InlineData("..")]
    public async Task A_malformed_token_is_refused_with_401_not_a_server_error(string token)
    {
        await AssertRefusedAsync(api.ClientWith(token));
    }

    [Fact]
    public async Task A_token_from_the_provider_naming_a_critical_header_extension_is_refused()
    {
        var critical = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = api.Newsroom.Authority + "/",
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString("N")), new Claim("roles", "editor")]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(api.Newsroom.SigningKey, SecurityAlgorithms.RsaSha256),
            AdditionalHeaderClaims = new Dictionary<string, object> { ["crit"] = new[] { "b64" }, ["b64"] = false },
        });

        await AssertRefusedAsync(api.ClientWith(critical));
    }

    [Fact]
    public async Task A_symmetric_hs256_token_is_refused_even_with_the_real_key_id()
    {
        var real = new JsonWebToken(await api.Newsroom.IssueAsync(Guid.NewGuid().ToString("N"), "Reporter", Audience, ["reporter"]));
        // The classic confusion: an HMAC keyed with the provider's public key material, under the real kid.
        var secret = new SymmetricSecurityKey(api.Newsroom.SigningKey.Rsa.ExportRSAPublicKey()) { KeyId = real.Kid };
        var forged = Sign(new SigningCredentials(secret, SecurityAlgorithms.HmacSha256), new Claim("sub", "intruder"), new Claim("roles", "admin"));

        await AssertRefusedAsync(api.ClientWith(forged));
    }

    [Fact]
    public async Task A_token_signed_with_a_rotated_key_is_accepted_once_the_keys_are_fetched_again()
    {
        var before = await api.Newsroom.IssueAsync(Guid.NewGuid().ToString("N"), "Reporter", Audience, ["reporter"]);
        await api.ClientWith(before).GetJsonAsync("/v1/manage/articles");

        var rotated = api.Newsroom.RotateSigningKey();
        var after = await api.Newsroom.IssueAsync(Guid.NewGuid().ToString("N"), "Reporter", Audience, ["reporter"]);
        Assert.Equal(rotated.KeyId, new JsonWebToken(after).Kid);
        using var discovery = new HttpClient();
        var jwks = await discovery.GetFromJsonAsync<JsonElement>(api.Newsroom.Authority + "/.well-known/jwks");
        Assert.Contains(rotated.KeyId, jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()));

        // The unknown kid makes the API fetch the provider's keys again (not more often than its refresh interval).
        var client = api.ClientWith(after);
        await Eventually.TrueAsync(async () => (await client.GetAsync("/v1/manage/articles")).StatusCode == HttpStatusCode.OK,
            "the token signed with the new key to be accepted");
        Assert.Equal(HttpStatusCode.OK, (await api.ClientWith(before).GetAsync("/v1/manage/articles")).StatusCode);
    }

    [Fact]
    public async Task A_person_whose_role_changed_gets_the_new_scopes_with_their_next_token()
    {
        var subject = Guid.NewGuid().ToString("N");
        var asReporter = api.ClientWith(await api.Newsroom.IssueAsync(subject, "Rhys Evans", Audience, ["reporter"]));
        var article = await asReporter.CreateArticleAsync(new { headline = Editorial.Unique("Promotion day"), body = Editorial.OneParagraph() });

        await (await asReporter.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/publish", article.Version()))
            .AssertProblemAsync(HttpStatusCode.Forbidden);

        var asEditor = api.ClientWith(await api.Newsroom.IssueAsync(subject, "Rhys Evans", Audience, ["editor"]));
        await (await asEditor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/publish", article.Version())).AssertSuccessAsync();

        var demoted = api.ClientWith(await api.Newsroom.IssueAsync(subject, "Rhys Evans", Audience, []));
        await (await demoted.GetAsync("/v1/manage/articles")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Scope_and_key_claims_in_the_token_itself_grant_nothing()
    {
        // As a provider could issue it (Keycloak and others put OAuth scopes in "scope"), signed with the newsroom's real key.
        var token = Sign(new SigningCredentials(api.Newsroom.SigningKey, SecurityAlgorithms.RsaSha256),
            new Claim("sub", Guid.NewGuid().ToString("N")), new Claim("scope", "*"), new Claim("key_prefix", "hn_admin"));
        var client = api.ClientWith(token);

        await (await client.GetAsync("/v1/manage/api-keys")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_contributor_cannot_edit_someone_elses_draft()
    {
        var (author, _) = await api.PersonAsync("contributor");
        var (other, _) = await api.PersonAsync("contributor");
        var draft = await author.CreateArticleAsync(new { headline = Editorial.Unique("Village fete") });

        var response = await other.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{draft.Id()}", draft.Version(), new { headline = "Hijacked" });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await author.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{draft.Id()}", draft.Version(), new { headline = "Village fete, updated" }))
            .AssertSuccessAsync();
    }

    [Fact]
    public async Task A_contributor_cannot_edit_their_own_article_once_it_is_published()
    {
        var (contributor, _) = await api.PersonAsync("contributor");
        var (editor, _) = await api.PersonAsync("editor");
        var draft = await contributor.CreateArticleAsync(new { headline = Editorial.Unique("Harbour regatta"), body = Editorial.OneParagraph() });
        var published = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version())).AssertSuccessAsync();

        await (await contributor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{draft.Id()}", published.Version(), new { headline = "Changed live" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await contributor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/corrections", published.Version(), new { text = "A correction" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await contributor.PostAsJsonAsync("/v1/manage/sections", new { name = Editorial.Unique("Section") })).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Created_by_me_lists_only_the_callers_own_articles()
    {
        var (mine, _) = await api.PersonAsync("reporter");
        var (theirs, _) = await api.PersonAsync("reporter");
        var own = await mine.CreateArticleAsync(new { headline = Editorial.Unique("Mine") });
        var other = await theirs.CreateArticleAsync(new { headline = Editorial.Unique("Theirs") });

        var listed = (await mine.GetJsonAsync("/v1/manage/articles?createdBy=me&limit=100")).GetProperty("items").EnumerateArray().Select(a => a.Id()).ToList();

        Assert.Equal([own.Id()], listed);
        Assert.DoesNotContain(other.Id(), listed);
        await (await mine.GetAsync("/v1/manage/articles?createdBy=someone")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_revision_and_the_audit_entry_name_the_person_and_ignore_x_on_behalf_of()
    {
        var (editor, subject) = await api.PersonAsync("editor");
        editor.DefaultRequestHeaders.Add("X-On-Behalf-Of", "Someone Else");
        var article = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Named in the record") });
        var me = await editor.GetJsonAsync("/v1/manage/me");

        var revision = await editor.GetJsonAsync($"/v1/manage/articles/{article.Id()}/revisions/1");
        var actor = revision.GetProperty("actor");
        Assert.Equal("person", actor.GetProperty("kind").GetString());
        Assert.Equal(me.GetProperty("name").GetString(), actor.GetProperty("name").GetString());
        Assert.Equal(subject, actor.GetProperty("subject").GetString());
        Assert.Equal(api.Newsroom.Authority + "/", actor.GetProperty("issuer").GetString());
        Assert.Equal(JsonValueKind.Null, revision.GetProperty("onBehalfOf").ValueKind);

        var admin = await api.ClientWithScopesAsync("*");
        var entry = (await admin.GetJsonAsync($"/v1/manage/audit?resourceId={article.Id()}")).GetProperty("items").EnumerateArray().Single();
        var audited = entry.GetProperty("actor");
        Assert.Equal("person", audited.GetProperty("kind").GetString());
        Assert.Equal(subject, audited.GetProperty("subject").GetString());
        Assert.Equal(api.Newsroom.Authority + "/", audited.GetProperty("issuer").GetString());
        Assert.Equal(JsonValueKind.Null, audited.GetProperty("onBehalfOf").ValueKind);
        await admin.GetJsonAsync("/v1/manage/audit/verify");
    }

    [Fact]
    public async Task A_webhook_payload_names_the_person_who_published()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = await api.ClientWithScopesAsync("*");
        await admin.CreateAsync("/v1/manage/webhooks", new { url = receiver.Url, events = new[] { "article.published" } });
        var (editor, subject) = await api.PersonAsync("editor");
        var article = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Signed by a person"), body = Editorial.OneParagraph() });

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/publish", article.Version())).AssertSuccessAsync();

        ReceivedWebhook? delivered = null;
        await Eventually.TrueAsync(() => (delivered = receiver.Received.FirstOrDefault(r => r.Body.Contains(article.Id(), StringComparison.Ordinal))) is not null,
            "the article.published delivery");
        var actor = JsonDocument.Parse(delivered!.Body).RootElement.GetProperty("actor");
        Assert.Equal("person", actor.GetProperty("kind").GetString());
        Assert.Equal(subject, actor.GetProperty("subject").GetString());
        Assert.Equal(api.Newsroom.Authority + "/", actor.GetProperty("issuer").GetString());
    }

    [Fact]
    public async Task Entries_without_a_person_keep_the_hash_they_had_before_people_were_added()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var section = await admin.CreateSectionAsync();

        var unchanged = await api.WithDbAsync(db => db.Database.SqlQueryRaw<bool>("""
            SELECT hash = sha256(previous_hash || convert_to(jsonb_build_array(
                seq, id, (extract(epoch FROM at) * 1000000)::bigint, api_key_id, actor_kind, actor_name, key_prefix,
                on_behalf_of, method, route, path, status, resource_type, resource_id, request_id)::text, 'UTF8')) AS "Value"
            FROM audit_entries WHERE resource_id = {0}
            """, section.Id()).SingleAsync());

        Assert.True(unchanged);
    }

    [Fact]
    public async Task Presence_shows_the_other_editors_until_they_go_quiet_for_a_minute()
    {
        var (first, _) = await api.PersonAsync("editor");
        var (second, _) = await api.PersonAsync("reporter");
        var article = await first.CreateArticleAsync(new { headline = Editorial.Unique("Busy story") });
        var url = $"/v1/manage/articles/{article.Id()}/presence";
        var secondName = (await second.GetJsonAsync("/v1/manage/me")).GetProperty("name").GetString();

        Assert.Empty((await (await first.PutAsync(url, null)).AssertSuccessAsync()).GetProperty("others").EnumerateArray());
        var seen = await (await second.PutAsync(url, null)).AssertSuccessAsync();
        Assert.Single(seen.GetProperty("others").EnumerateArray());

        var others = (await (await first.PutAsync(url, null)).AssertSuccessAsync()).GetProperty("others").EnumerateArray().ToList();
        Assert.Equal([secondName], others.Select(o => o.GetProperty("name").GetString()));

        api.Clock.Advance(TimeSpan.FromSeconds(61));
        try
        {
            Assert.Empty((await (await first.PutAsync(url, null)).AssertSuccessAsync()).GetProperty("others").EnumerateArray());
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromSeconds(-61));
        }
        await (await first.PutAsync($"/v1/manage/articles/{Guid.NewGuid()}/presence", null)).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
