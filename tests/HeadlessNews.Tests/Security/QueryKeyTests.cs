using System.Net;
using System.Net.Http.Headers;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Security;

/// <summary><c>?key=</c> exists for feed readers that cannot send headers; a URL leaks, so only partner-only keys may travel in one.</summary>
public sealed class QueryKeyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_query_string_key_is_accepted_only_for_a_key_whose_only_scope_is_feeds_partner()
    {
        var reader = api.CreateClient();
        var partner = await api.CreateKeyAsync(["feeds:partner"]);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/feeds/articles.rss?key={partner}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/changes?key={partner}")).StatusCode);

        foreach (var scopes in new[] { new[] { "*" }, ["feeds:partner", "content:write"], ["keys:manage"] })
        {
            var secret = await api.CreateKeyAsync(scopes);
            var refused = await reader.GetAsync($"/v1/feeds/articles.rss?key={secret}");
            var problem = await refused.AssertProblemAsync(HttpStatusCode.Unauthorized);
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains("feeds:partner", detail, StringComparison.Ordinal);
            Assert.Contains("Authorization: Bearer", detail, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, detail, StringComparison.Ordinal);

            var bearer = new HttpRequestMessage(HttpMethod.Get, "/v1/feeds/articles.rss");
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            Assert.Equal(HttpStatusCode.OK, (await reader.SendAsync(bearer)).StatusCode);
        }
    }
}
