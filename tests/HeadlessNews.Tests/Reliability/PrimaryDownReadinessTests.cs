using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Reliability;

/// <summary>
/// A load balancer that follows <c>/health/ready</c> must keep the nodes while the primary is down and delivery still
/// answers from the standby, and take a node out once it cannot read at all.
/// </summary>
public sealed class PrimaryDownReadinessTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Readiness_is_degraded_while_only_the_standby_answers_and_unhealthy_once_delivery_cannot_read()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var slug = (await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Bangor pier toll"), body = Editorial.OneParagraph() }))
            .GetProperty("slug").GetString();
        await using var primary = DatabaseStandIn.For(api.ConnectionString);
        await using var standby = DatabaseStandIn.For(api.ConnectionString);
        await using var node = new ReadReplicaApi(primary.Through(api.ConnectionString), standby.Through(api.ConnectionString));
        var client = node.CreateClient();
        await Eventually.TrueAsync(async () => (await ReadinessAsync(client)).Status == HttpStatusCode.OK, "the node to be ready");
        // Ready at once, degraded until its search index is built (searches use the database meanwhile), then healthy.
        await Eventually.TrueAsync(async () => (await ReadinessAsync(client)).Body.GetProperty("status").GetString() == "healthy", "the node's search index to be built");

        primary.Stop();

        await Eventually.TrueAsync(async () => (await ReadinessAsync(client)).Body.GetProperty("checks").GetProperty("cache-coherence").GetString() == "degraded",
            "the listener to find the primary gone");
        var (status, body) = await ReadinessAsync(client);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal("degraded", body.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/articles/{slug}")).StatusCode);

        standby.Stop();

        (status, body) = await ReadinessAsync(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("database").GetString());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadinessAsync(HttpClient client)
    {
        var response = await client.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
