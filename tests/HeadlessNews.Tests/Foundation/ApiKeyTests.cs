using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Foundation;

public sealed class ApiKeyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_key_created_through_the_api_can_list_keys_and_its_secret_is_shown_only_once()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage", "content:write");
        var created = await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new { name = "Desk editor", scopes = new[] { "content:write" } }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        var secret = created.GetProperty("secret").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        Assert.StartsWith(created.GetProperty("prefix").GetString()!, secret, StringComparison.Ordinal);

        var listed = await (await admin.GetAsync("/v1/manage/api-keys?limit=100")).AssertSuccessAsync();
        var entry = listed.GetProperty("items").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.False(entry.TryGetProperty("secret", out _));
        Assert.Equal("Desk editor", entry.GetProperty("name").GetString());

        var stored = await api.WithDbAsync(db => Task.FromResult(db.Set<HeadlessNews.Api.Infrastructure.Security.ApiKey>().Single(k => k.Id == Guid.Parse(id))));
        Assert.DoesNotContain(secret, Convert.ToBase64String(stored.SecretHash), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_key_on_a_management_route_is_401_with_a_bearer_challenge()
    {
        var response = await api.CreateClient().GetAsync("/v1/manage/api-keys");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_key_without_the_scope_is_403()
    {
        var writer = await api.ClientWithScopesAsync("content:write");
        await (await writer.GetAsync("/v1/manage/api-keys")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_everywhere_at_once()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var created = await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new { name = "Short-lived", scopes = new[] { "keys:manage" } }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        var victim = api.CreateClient();
        victim.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("secret").GetString());
        await (await victim.GetAsync("/v1/manage/api-keys")).AssertSuccessAsync();

        var revoke = new HttpRequestMessage(HttpMethod.Delete, $"/v1/manage/api-keys/{created.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(revoke)).StatusCode);

        await (await victim.GetAsync("/v1/manage/api-keys")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await victim.GetAsync("/health/live")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_unknown_or_malformed_key_is_401_even_on_public_routes()
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "hn_" + new string('x', 43));
        var response = await client.GetAsync("/health/live");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        await (await client.GetAsync("/health/live")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_expired_key_is_401()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var created = await (await admin.PostAsJsonAsync("/v1/manage/api-keys",
            new { name = "Expiring", scopes = new[] { "keys:manage" }, expiresAt = api.Clock.GetUtcNow().AddMinutes(5) })).AssertSuccessAsync(HttpStatusCode.Created);
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("secret").GetString());
        await (await client.GetAsync("/v1/manage/api-keys")).AssertSuccessAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(6));
        try
        {
            await (await client.GetAsync("/v1/manage/api-keys")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromMinutes(-6));
        }
    }

    [Fact]
    public async Task Unknown_scopes_are_a_validation_problem_keyed_by_field()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var problem = await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new { name = "Bad", scopes = new[] { "content:write", "root" } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("scopes[1]", out _), problem.ToString());
    }

    [Fact]
    public async Task Every_management_write_lands_in_the_audit_log_with_the_person_acting()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage", "feeds:partner");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/api-keys") { Content = JsonContent.Create(new { name = "Audited", scopes = new[] { "feeds:partner" } }) };
        request.Headers.Add("X-On-Behalf-Of", "Ceri Jones");
        var created = await (await admin.SendAsync(request)).AssertSuccessAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();

        var audit = await (await admin.GetAsync($"/v1/manage/audit?resourceId={id}")).AssertSuccessAsync();
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal("POST", entry.GetProperty("method").GetString());
        Assert.Equal("/v1/manage/api-keys", entry.GetProperty("route").GetString());
        Assert.Equal("Ceri Jones", entry.GetProperty("actor").GetProperty("onBehalfOf").GetString());
        Assert.Equal(201, entry.GetProperty("status").GetInt32());
    }
}
