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
        var admin = await api.ClientWithScopesAsync("keys:manage");
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
}
