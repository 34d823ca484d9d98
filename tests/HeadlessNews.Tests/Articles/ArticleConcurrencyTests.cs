using System.Net;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Articles;

public sealed class ArticleConcurrencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Two_saves_of_the_same_version_at_once_give_one_200_and_one_412_and_lose_no_text()
    {
        var alice = await api.ClientWithScopesAsync("content:write");
        var bob = await api.ClientWithScopesAsync("content:write");
        var article = await alice.CreateArticleAsync(new { headline = Editorial.Unique("Shared story"), body = Editorial.OneParagraph("Original."), tags = new[] { "Harbour" } });
        var url = $"/v1/manage/articles/{article.Id()}";
        var aliceText = "Alice adds the council's reply.";
        var bobText = "Bob adds the harbour master's view.";

        var responses = await Task.WhenAll(
            alice.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { headline = "Shared story", body = Editorial.OneParagraph(aliceText), tags = new[] { "Harbour", "Council" } }),
            bob.SendWithIfMatchAsync(HttpMethod.Put, url, 1, new { headline = "Shared story", body = Editorial.OneParagraph(bobText), tags = new[] { "Harbour", "Boats" } }));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], responses.Select(r => r.StatusCode).Order());
        var winner = responses.Single(r => r.StatusCode == HttpStatusCode.OK);
        var loser = responses.Single(r => r.StatusCode == HttpStatusCode.PreconditionFailed);
        var winnerText = winner == responses[0] ? aliceText : bobText;
        var loserText = winner == responses[0] ? bobText : aliceText;
        var problem = await loser.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt32());

        var current = await alice.GetJsonAsync(url);
        Assert.Equal(2, current.Version());
        Assert.Equal(winnerText, current.GetProperty("body")[0].GetProperty("html").GetString());

        // The loser reloads, merges and saves again: both texts survive.
        var merged = await (await bob.SendWithIfMatchAsync(HttpMethod.Put, url, 2, new
        {
            headline = "Shared story",
            body = new object[] { new { type = "paragraph", html = winnerText }, new { type = "paragraph", html = loserText } },
        })).AssertSuccessAsync();
        Assert.Equal([winnerText, loserText], merged.GetProperty("body").EnumerateArray().Select(b => b.GetProperty("html").GetString()));
        Assert.Equal(3, (await alice.GetJsonAsync(url + "/revisions")).GetProperty("items").GetArrayLength());
    }
}
