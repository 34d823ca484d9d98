using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Articles;

public sealed class SampleContentFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Database:SeedSampleContent"] = "true" };
}

public sealed class SampleContentTests(SampleContentFactory api) : IClassFixture<SampleContentFactory>
{
    [Fact]
    public async Task An_empty_database_is_seeded_with_sections_and_published_local_stories_one_scheduled()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var sections = (await client.GetJsonAsync("/v1/manage/sections")).GetProperty("items").EnumerateArray().Select(s => s.GetProperty("slug").GetString()).ToList();
        Assert.Equal(["news", "politics", "sport"], sections.Order());
        var articles = (await client.GetJsonAsync("/v1/manage/articles")).GetProperty("items").EnumerateArray().ToList();
        Assert.InRange(articles.Count, 4, 6);
        Assert.Single(articles, a => a.GetProperty("status").GetString() == "scheduled");
        Assert.All(articles, a => Assert.Contains(a.GetProperty("status").GetString(), (string[])["published", "scheduled"]));
        Assert.Contains(articles, a => a.GetProperty("slug").GetString()!.StartsWith("pwer-y-plant", StringComparison.Ordinal));

        var withQuote = await client.GetJsonAsync($"/v1/manage/articles/{articles.First(a => a.GetProperty("slug").GetString()!.StartsWith("llandudno", StringComparison.Ordinal)).Id()}");
        Assert.Contains(withQuote.GetProperty("body").EnumerateArray(), b => b.GetProperty("type").GetString() == "quote");

        var delivered = (await api.CreateClient().GetJsonAsync("/v1/articles?limit=100")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(articles.Count - 1, delivered.Count);
        var page = await api.CreateClient().GetJsonAsync($"/v1/articles/{withQuote.GetProperty("slug").GetString()}");
        Assert.Contains(page.GetProperty("body").EnumerateArray(), b => b.TryGetProperty("quote", out var quote) && quote.GetProperty("text").GetString()!.Length > 0);
    }
}
