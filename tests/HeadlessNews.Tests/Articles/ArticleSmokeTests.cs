using System.Net;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Articles;

public sealed class ArticleSmokeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_article_with_every_relation_round_trips()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var section = await client.CreateSectionAsync();
        var author = await client.CreateAuthorAsync();
        var source = await client.CreateSourceAsync();
        var quote = await client.CreateQuoteAsync();
        var created = await client.CreateArticleAsync(new
        {
            headline = Editorial.Unique("Pier reopens"),
            section = section.GetProperty("slug").GetString(),
            authors = new[] { author.GetProperty("slug").GetString() },
            tags = new[] { "Storms", "Tourism" },
            places = new[] { "Llandudno" },
            sourceIds = new[] { source.Id() },
            body = new object[] { new { type = "paragraph", html = "<b>x</b>" }, new { type = "quote", quoteId = quote.Id() } },
        });
        var published = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Other"), body = Editorial.OneParagraph() });
        Assert.Equal("published", published.GetProperty("status").GetString());
        var read = await client.GetJsonAsync($"/v1/manage/articles/{created.Id()}");
        Assert.Equal(created.ToString(), read.ToString());
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{created.Id()}", 1, new { headline = "changed" })).AssertSuccessAsync();
    }
}
