using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Tests.Articles;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.DeliveryInfrastructure;

public sealed class CrossNodeEvictionTests(DeliveryTestApiFactory nodeA) : IClassFixture<DeliveryTestApiFactory>
{
    private const string ListenerName = "headlessnews-cache-listener";

    /// <summary>A second API node on the first node's database.</summary>
    private sealed class SecondNode(string connectionString) : DeliveryTestApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?> { ["ConnectionStrings:HeadlessNews"] = connectionString };
    }

    private static async Task<int> CallAsync(HttpClient client, string x) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/test-cache/{x}")).GetProperty("call").GetInt32();

    private async Task<int> ListenersAsync()
    {
        await using var connection = new NpgsqlConnection(nodeA.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1", connection)
        { Parameters = { new() { Value = ListenerName } } };
        return Convert.ToInt32(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task WaitForListenersAsync(int expected) =>
        Eventually.TrueAsync(async () => await ListenersAsync() >= expected, $"{expected} cache listeners to connect");

    private static Task WaitForCallAsync(HttpClient client, string x, int expected, TimeSpan within) =>
        Eventually.TrueAsync(async () => await CallAsync(client, x) == expected, $"the entry for {x} to be evicted", within.TotalSeconds);

    [Fact]
    public async Task Evicting_on_one_node_removes_the_entry_from_the_other_node_within_a_second()
    {
        await using var nodeB = new SecondNode(nodeA.ConnectionString);
        await nodeB.InitializeAsync();
        var clientA = nodeA.CreateClient();
        var clientB = nodeB.CreateClient();
        await WaitForListenersAsync(2);

        var x = Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(1, await CallAsync(clientB, x));
        Assert.Equal(1, await CallAsync(clientB, x));

        await nodeA.Services.GetRequiredService<ICacheInvalidator>().EvictAsync($"item:{x}");

        await WaitForCallAsync(clientB, x, 2, TimeSpan.FromSeconds(1));
        Assert.Equal(1, await CallAsync(clientA, x));
    }

    [Fact]
    public async Task A_node_whose_listener_reconnects_flushes_its_cache()
    {
        await using var nodeB = new SecondNode(nodeA.ConnectionString);
        await nodeB.InitializeAsync();
        var clientB = nodeB.CreateClient();
        await WaitForListenersAsync(2);

        var x = Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(1, await CallAsync(clientB, x));
        Assert.Equal(1, await CallAsync(clientB, x));

        // Cut every listener off, as a database restart would: notifications sent meanwhile are lost.
        await using (var connection = new NpgsqlConnection(nodeA.ConnectionString))
        {
            await connection.OpenAsync();
            await using var terminate = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1", connection)
            { Parameters = { new() { Value = ListenerName } } };
            await terminate.ExecuteNonQueryAsync();
        }

        await WaitForCallAsync(clientB, x, 2, TimeSpan.FromSeconds(5));
        await WaitForListenersAsync(2);
    }

    [Fact]
    public async Task A_change_written_right_after_the_database_dropped_the_pooled_connections_still_reaches_the_other_node()
    {
        await using var nodeB = new SecondNode(nodeA.ConnectionString);
        await nodeB.InitializeAsync();
        await WaitForListenersAsync(2);
        var editor = await nodeA.ClientWithScopesAsync("*");
        var article = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier reopens"), body = Editorial.OneParagraph() });
        var slug = article.GetProperty("slug").GetString();
        var reader = nodeB.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.Contains("Pier reopens", await reader.GetStringAsync($"/v1/articles/{slug}"), StringComparison.Ordinal);
        }

        // What a database restart does to every pooled connection; the listeners stay connected, as after a restart they
        // reconnect (and flush) before the next write: a lost broadcast is not covered by their flush.
        await using (var connection = new NpgsqlConnection(nodeA.ConnectionString))
        {
            await connection.OpenAsync();
            await using var terminate = new NpgsqlCommand("""
                SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1
                """, connection)
            { Parameters = { new() { Value = ListenerName } } };
            await terminate.ExecuteNonQueryAsync();
        }
        var headline = Editorial.Unique("Pier stays shut");
        // The editor retries a 503 from a dead connection of the write's own pool, as any client would.
        await Eventually.TrueAsync(async () => (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{article.Id()}", article.Version(),
            new { headline, slug, body = Editorial.OneParagraph() })).IsSuccessStatusCode, "the change to be written");

        // Its reads may meet dead connections too (503) until they are gone.
        await Eventually.TrueAsync(async () => await reader.GetAsync($"/v1/articles/{slug}") is { IsSuccessStatusCode: true } read
            && (await read.Content.ReadAsStringAsync()).Contains(headline, StringComparison.Ordinal), "the other node to serve the changed article", 5);
    }
}
