using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Delivery;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.ApiKeys;

public sealed class KeyScopeTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    [Fact]
    public async Task A_keys_manage_key_cannot_mint_a_key_with_a_scope_it_does_not_hold()
    {
        var manager = await api.ClientWithScopesAsync("keys:manage");
        foreach (var scopes in new[] { new[] { "*" }, ["content:write"], ["keys:manage", "webhooks:manage"] })
        {
            var refused = await manager.PostAsJsonAsync("/v1/manage/api-keys", new { name = Editorial.Unique("Escalation"), scopes });
            var problem = await refused.AssertProblemAsync(HttpStatusCode.Forbidden);
            Assert.Contains(scopes[^1], problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        await (await manager.PostAsJsonAsync("/v1/manage/api-keys", new { name = Editorial.Unique("Peer"), scopes = new[] { "keys:manage" } }))
            .AssertSuccessAsync(HttpStatusCode.Created);

        var admin = await api.ClientWithScopesAsync("*");
        await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new { name = Editorial.Unique("Admin"), scopes = new[] { "*" } }))
            .AssertSuccessAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_keys_manage_key_cannot_revoke_a_key_with_a_scope_it_does_not_hold()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var manager = await api.ClientWithScopesAsync("keys:manage");
        async Task<JsonElement> CreateAsync(params string[] scopes) =>
            await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new { name = Editorial.Unique("Target"), scopes })).AssertSuccessAsync(HttpStatusCode.Created);
        var administrator = await CreateAsync("*");
        var writer = await CreateAsync("content:write");
        var peer = await CreateAsync("keys:manage");

        foreach (var target in new[] { administrator, writer })
        {
            var id = target.GetProperty("id").GetString();
            await (await manager.DeleteAsync($"/v1/manage/api-keys/{id}")).AssertProblemAsync(HttpStatusCode.Forbidden);
            var stored = await (await admin.GetAsync($"/v1/manage/api-keys/{id}")).AssertSuccessAsync();
            Assert.Equal(JsonValueKind.Null, stored.GetProperty("revokedAt").ValueKind);
        }
        var stillAdmin = api.CreateClient();
        stillAdmin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", administrator.GetProperty("secret").GetString());
        await (await stillAdmin.GetAsync("/v1/manage/api-keys")).AssertSuccessAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync($"/v1/manage/api-keys/{peer.GetProperty("id").GetString()}")).StatusCode);
        var revoked = await (await admin.GetAsync($"/v1/manage/api-keys/{peer.GetProperty("id").GetString()}")).AssertSuccessAsync();
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task A_key_limited_to_a_section_cannot_mint_a_partner_key_that_sees_more()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var section = (await admin.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var other = (await admin.CreateSectionAsync()).GetProperty("slug").GetString()!;
        var limited = await (await admin.PostAsJsonAsync("/v1/manage/api-keys",
            new { name = Editorial.Unique("Limited manager"), scopes = new[] { "keys:manage", "feeds:partner" }, sections = new[] { section } }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        var manager = api.CreateClient();
        manager.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", limited.GetProperty("secret").GetString());

        await (await manager.PostAsJsonAsync("/v1/manage/api-keys", new { name = Editorial.Unique("Unlimited"), scopes = new[] { "feeds:partner" } }))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await manager.PostAsJsonAsync("/v1/manage/api-keys", new { name = Editorial.Unique("Elsewhere"), scopes = new[] { "feeds:partner" }, sections = new[] { other } }))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await manager.PostAsJsonAsync("/v1/manage/api-keys", new { name = Editorial.Unique("Same"), scopes = new[] { "feeds:partner" }, sections = new[] { section } }))
            .AssertSuccessAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_partner_limited_to_a_section_sees_the_same_after_the_section_slug_is_renamed()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = await editor.CreateSectionAsync();
        var slug = section.GetProperty("slug").GetString()!;
        var otherSection = (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!;
        // Published first, so that the change feed reaching the second article has passed over this one.
        var outside = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Elsewhere"), section = otherSection, body = Editorial.OneParagraph() });
        var inside = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Ferry timetable"), section = slug, body = Editorial.OneParagraph() });
        var key = await (await editor.PostAsJsonAsync("/v1/manage/api-keys",
            new { name = Editorial.Unique("Partner"), scopes = new[] { "feeds:partner" }, sections = new[] { slug } })).AssertSuccessAsync(HttpStatusCode.Created);
        var partner = api.CreateClient();
        partner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.GetProperty("secret").GetString());

        var renamed = slug + "-renamed";
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/sections/{section.Id()}", section.Version(),
            new { name = section.GetProperty("name").GetString(), slug = renamed })).AssertSuccessAsync();

        var feed = await partner.GetStringAsync("/v1/feeds/articles.json?limit=100");
        Assert.Contains(inside.Id(), feed, StringComparison.Ordinal);
        Assert.DoesNotContain(outside.Id(), feed, StringComparison.Ordinal);
        var changes = await ChangesAsync(partner, inside.Id());
        Assert.Contains(inside.Id(), changes);
        Assert.DoesNotContain(outside.Id(), changes);

        var listed = await editor.GetJsonAsync($"/v1/manage/api-keys/{key.Id()}");
        Assert.Equal([renamed], listed.GetProperty("sections").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task A_partner_limited_to_a_tag_sees_only_articles_with_it()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var outside = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Bridge"), tags = new[] { Editorial.Unique("Bridges") }, body = Editorial.OneParagraph() });
        var inside = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Ferry"), tags = new[] { Editorial.Unique("Ferries") }, body = Editorial.OneParagraph() });
        var tag = inside.GetProperty("tags")[0].GetProperty("slug").GetString()!;
        var partner = api.CreateClient();
        partner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await api.CreateKeyAsync(["feeds:partner"], tags: [tag]));

        var feed = await partner.GetStringAsync("/v1/feeds/articles.json?limit=100");
        Assert.Contains(inside.Id(), feed, StringComparison.Ordinal);
        Assert.DoesNotContain(outside.Id(), feed, StringComparison.Ordinal);
        var changes = await ChangesAsync(partner, inside.Id());
        Assert.DoesNotContain(outside.Id(), changes);
    }

    [Fact]
    public async Task A_partner_limit_to_a_section_or_tag_that_does_not_exist_is_a_validation_problem()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage", "feeds:partner");
        var problem = await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new
        {
            name = Editorial.Unique("Partner"), scopes = new[] { "feeds:partner" }, sections = new[] { Editorial.Unique("no-such-section").Replace(' ', '-') },
            tags = new[] { Editorial.Unique("no-such-tag").Replace(' ', '-') },
        })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("sections[0]", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("tags[0]", out _), problem.ToString());
    }

    [Fact]
    public async Task A_section_a_partner_key_is_limited_to_cannot_be_deleted()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = await editor.CreateSectionAsync();
        await (await editor.PostAsJsonAsync("/v1/manage/api-keys", new
        {
            name = Editorial.Unique("Partner"), scopes = new[] { "feeds:partner" }, sections = new[] { section.GetProperty("slug").GetString() },
        })).AssertSuccessAsync(HttpStatusCode.Created);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/sections/{section.Id()}", section.Version()))
            .AssertProblemAsync(HttpStatusCode.Conflict);
    }

    private static async Task<List<string>> ChangesAsync(HttpClient partner, string until)
    {
        var ids = new List<string>();
        string? token = null;
        await Eventually.TrueAsync(async () =>
        {
            var page = await partner.GetJsonAsync(token is null ? "/v1/changes" : $"/v1/changes?since={Uri.EscapeDataString(token)}");
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.Id()));
            token = page.GetProperty("next").GetString();
            return ids.Contains(until);
        }, "the change feed to carry the article");
        return ids;
    }
}
