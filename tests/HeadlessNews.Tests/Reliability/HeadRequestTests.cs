using System.Net;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Reliability;

/// <summary>HEAD on real Kestrel, which is what leaves the body out.</summary>
public sealed class HeadRequestTests(KestrelApiFactory api) : IClassFixture<KestrelApiFactory>
{
    [Theory]
    [InlineData("/v1/articles?limit=5")]
    [InlineData("/v1/sections")]
    [InlineData("/v1/feeds/articles.rss")]
    public async Task Head_answers_what_get_answers_without_the_body(string url)
    {
        var client = api.CreateClient();
        var get = await client.GetAsync(url);
        var getBody = await get.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.NotEmpty(getBody);
    }

    [Fact]
    public async Task Head_on_a_route_without_get_is_still_405_naming_what_it_allows()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var response = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1/manage/webhooks/00000000-0000-0000-0000-000000000001/rotate-secret"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }
}
