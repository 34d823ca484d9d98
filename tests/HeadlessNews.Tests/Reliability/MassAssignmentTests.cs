using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Reliability;

public sealed class MassAssignmentTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset Forged = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_client_cannot_set_server_owned_fields_of_an_api_key()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage", "feeds:partner");
        var forgedId = Guid.CreateVersion7();
        var created = await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new
        {
            id = forgedId,
            name = "Denbigh syndication partner",
            scopes = new[] { "feeds:partner" },
            createdAt = Forged,
            lastUsedAt = Forged,
            revokedAt = Forged,
            prefix = "hn_forged00",
            secret = "hn_forgedforgedforgedforgedforgedforgedforged",
            secretHash = "AAAA",
            version = 99,
        })).AssertSuccessAsync(HttpStatusCode.Created);

        var id = created.GetProperty("id").GetGuid();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.NotEqual(forgedId, id);
        Assert.NotEqual("hn_forgedforgedforgedforgedforgedforgedforged", secret);
        Assert.StartsWith(created.GetProperty("prefix").GetString()!, secret, StringComparison.Ordinal);
        Assert.True(created.GetProperty("createdAt").GetDateTimeOffset() > Forged.AddYears(20));
        await (await admin.GetAsync($"/v1/manage/api-keys/{forgedId}")).AssertProblemAsync(HttpStatusCode.NotFound);

        var stored = await (await admin.GetAsync($"/v1/manage/api-keys/{id}")).AssertSuccessAsync();
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("lastUsedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("revokedAt").ValueKind);
        Assert.NotEqual("hn_forged00", stored.GetProperty("prefix").GetString());

        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await client.GetAsync("/health/live")).StatusCode);
    }

    private static object ForgedServerFields(Guid id, string headline) => new
    {
        id,
        headline,
        body = new[] { new { type = "paragraph", html = "<p>The Menai bridge reopened to lorries on Tuesday.</p>" } },
        version = 42,
        status = "published",
        publishAt = Forged,
        firstPublishedAt = Forged,
        createdAt = Forged,
        updatedAt = Forged,
        bodyHtml = "<script>alert(1)</script>",
        corrections = new[] { new { at = Forged, text = "Forged correction" } },
        revision = 7,
        revisions = new[] { new { number = 1, action = "published", keyName = "forger", at = Forged } },
    };

    private static void AssertServerOwned(JsonElement article, Guid forgedId, int version)
    {
        Assert.NotEqual(forgedId, article.GetProperty("id").GetGuid());
        Assert.Equal(version, article.GetProperty("version").GetInt32());
        Assert.Equal("draft", article.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, article.GetProperty("publishAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, article.GetProperty("firstPublishedAt").ValueKind);
        Assert.True(article.GetProperty("createdAt").GetDateTimeOffset() > Forged.AddYears(20));
        Assert.True(article.GetProperty("updatedAt").GetDateTimeOffset() > Forged.AddYears(20));
        Assert.Empty(article.GetProperty("corrections").EnumerateArray());
        Assert.False(article.TryGetProperty("bodyHtml", out var html) && html.ValueKind == JsonValueKind.String && html.GetString()!.Contains("<script", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_cannot_set_server_owned_fields_of_an_article_on_create_or_update()
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var forgedId = Guid.CreateVersion7();
        var createdResponse = await editor.PostAsJsonAsync("/v1/manage/articles", ForgedServerFields(forgedId, $"Menai bridge reopens {Guid.NewGuid():N}"));
        var created = await createdResponse.AssertSuccessAsync(HttpStatusCode.Created);
        AssertServerOwned(created, forgedId, version: 1);
        var id = created.GetProperty("id").GetGuid();
        await (await editor.GetAsync($"/v1/manage/articles/{forgedId}")).AssertProblemAsync(HttpStatusCode.NotFound);

        var update = new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/articles/{id}")
        {
            Content = JsonContent.Create(ForgedServerFields(forgedId, $"Menai bridge reopens to lorries {Guid.NewGuid():N}")),
        };
        update.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var updated = await (await editor.SendAsync(update)).AssertSuccessAsync();
        AssertServerOwned(updated, forgedId, version: 2);
        Assert.Equal(id, updated.GetProperty("id").GetGuid());

        var revisions = await (await editor.GetAsync($"/v1/manage/articles/{id}/revisions")).AssertSuccessAsync();
        var items = revisions.GetProperty("items");
        Assert.Equal([2, 1], items.EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));
        Assert.DoesNotContain(items.EnumerateArray(), r => r.GetProperty("keyName").GetString() == "forger");
    }
}
