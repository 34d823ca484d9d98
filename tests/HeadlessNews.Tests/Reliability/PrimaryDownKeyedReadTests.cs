using System.Net;
using System.Net.Http.Headers;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Reliability;

/// <summary>
/// An API whose primary is reached through a stand-in that can be stopped, and whose reads go straight to the server,
/// as a standby would serve them: the primary goes down, the read database stays.
/// </summary>
public sealed class PrimaryDownKeyedReadTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task With_the_primary_down_keyed_delivery_and_feed_reads_answer_from_the_read_database_and_management_answers_503()
    {
        await using var primary = DatabaseStandIn.For(api.ConnectionString);
        await using var node = new ReadReplicaApi(primary.Through(api.ConnectionString), api.ConnectionString);
        var editor = await node.ClientWithScopesAsync("*");
        var slug = (await editor.CreatePublishedAsync(new { headline = "Bangor pier reopens", body = Editorial.OneParagraph() }))
            .GetProperty("slug").GetString()!;
        var partner = await node.CreateKeyAsync(["feeds:partner"]);
        var reader = node.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", partner);
        var feeds = node.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/articles?limit=10")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await feeds.GetAsync($"/v1/feeds/articles.json?limit=10&key={partner}")).StatusCode);

        primary.Stop();

        // Each URL once, so the output cache never answers for the database; the first read of each pool meets a dead connection.
        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            foreach (var (client, url) in new[]
            {
                (reader, $"/v1/articles?limit={20 + i}"), (reader, $"/v1/articles/{slug}?i={i}"),
                (feeds, $"/v1/feeds/articles.json?limit={20 + i}&key={partner}"),
            })
            {
                answers.Add($"{(int)(await client.GetAsync(url)).StatusCode} {url}");
            }
        }
        Assert.All(answers, answer => Assert.StartsWith("200 ", answer, StringComparison.Ordinal));
        await (await editor.GetAsync("/v1/manage/api-keys")).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
    }
}
