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
