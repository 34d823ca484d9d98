using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Reliability;

/// <summary>
/// After PostgreSQL restarts, or an administrator ends the API's backends, every connection the API pooled is dead.
/// Readers must not be the ones who find that out.
/// </summary>
public sealed class BrokenConnectionReadTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const int Rounds = 5;

    [Fact]
    public async Task Delivery_reads_right_after_every_backend_of_the_database_was_terminated_all_answer_200()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var token = Guid.NewGuid().ToString("N")[..10];
        var slugs = new List<string>();
        for (var i = 0; i <= Rounds; i++)
        {
            var article = await editor.CreatePublishedAsync(new { headline = $"Menai ferry {token} sailing {i}", body = Editorial.OneParagraph() });
            slugs.Add(article.GetProperty("slug").GetString()!);
        }
        var reader = api.CreateClient();
        // Every URL is read once only, so the output cache never answers for the database.
        string[] Reads(int round) =>
        [
            $"/v1/articles/{slugs[round]}", $"/v1/articles?limit={10 + round}", $"/v1/search?q={token}&limit={10 + round}",
            $"/v1/feeds/articles.rss?limit={10 + round}",
        ];
        // Several reads at once, so that each pool holds more than one connection.
        var warmUp = await Task.WhenAll(Reads(Rounds).Concat(Enumerable.Range(0, 8).Select(i => $"/v1/articles?limit={30 + i}")).Select(reader.GetAsync));
        Assert.All(warmUp, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));

        Assert.True(await TerminateTheApisBackendsAsync() > 0, "the API held no connection to terminate");

        var answers = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var url in Reads(round))
            {
                answers.Add($"{(int)(await reader.GetAsync(url)).StatusCode} {url}");
            }
        }
        Assert.All(answers, answer => Assert.StartsWith("200 ", answer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_the_standby_stops_reads_move_to_the_next_host_at_once()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var token = Guid.NewGuid().ToString("N")[..10];
        var slug = (await editor.CreatePublishedAsync(new { headline = $"Conwy bridge {token} reopens", body = Editorial.OneParagraph() }))
            .GetProperty("slug").GetString()!;
        var primary = new NpgsqlConnectionStringBuilder(api.ConnectionString);
        await using var standby = DatabaseStandIn.For(api.ConnectionString);
        // The stand-in is a primary too, so prefer-standby settles on the first host: every read goes through it.
        var read = new NpgsqlConnectionStringBuilder(api.ConnectionString)
        {
            Host = $"127.0.0.1:{standby.Port},{primary.Host}:{primary.Port}",
            TargetSessionAttributes = "prefer-standby",
        };
        await using var reading = new ReadReplicaApi(api.ConnectionString, read.ConnectionString);
        var reader = reading.CreateClient();
        var warmUp = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => reader.GetAsync($"/v1/articles?limit={10 + i}")));
        Assert.All(warmUp, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.True(standby.Connections > 0, "no read went through the standby");

        standby.Stop();

        var answers = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var url = i % 2 == 0 ? $"/v1/articles?limit={30 + i}" : $"/v1/search?q={token}&limit={30 + i}";
            answers.Add($"{(int)(await reader.GetAsync(url)).StatusCode} {url}");
        }
        answers.Add($"{(int)(await reader.GetAsync($"/v1/articles/{slug}")).StatusCode} /v1/articles/{slug}");
        Assert.All(answers, answer => Assert.StartsWith("200 ", answer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_run_again_after_a_broken_connection_spends_one_permit_of_its_callers_budget()
    {
        var primary = new NpgsqlConnectionStringBuilder(api.ConnectionString);
        await using var standby = DatabaseStandIn.For(api.ConnectionString);
        var read = new NpgsqlConnectionStringBuilder(api.ConnectionString)
        {
            Host = $"127.0.0.1:{standby.Port},{primary.Host}:{primary.Port}",
            TargetSessionAttributes = "prefer-standby",
        };
        await using var reading = new ReadReplicaApi(api.ConnectionString, read.ConnectionString, new Dictionary<string, string?>
        {
            ["RateLimiting:Enabled"] = "true",
            ["RateLimiting:WindowSeconds"] = "600",
            ["RateLimiting:Delivery:Anonymous"] = "3",
        });
        var reader = reading.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/articles?limit=10")).StatusCode);
        Assert.True(standby.Connections > 0, "no read went through the standby");

        standby.Stop();

        // The first read after the stop meets the reset connection and runs again (without the retry it is a 503, see
        // the test above); it spends one permit of three, not two.
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/articles?limit=11")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/articles?limit=12")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await reader.GetAsync("/v1/articles?limit=13")).StatusCode);
    }

    private async Task<int> TerminateTheApisBackendsAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(api.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand(
            """
            SELECT (count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)))::int
            FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            """,
            connection);
        return (int)(await terminate.ExecuteScalarAsync())!;
    }
}
