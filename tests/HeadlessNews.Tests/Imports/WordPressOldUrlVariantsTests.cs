using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>The URLs WordPress answered for a post besides its permalink, as old links and search engines still ask for them.</summary>
public sealed class WordPressOldUrlVariantsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/2015/07/02/harbour-wall-repaired-RUN/amp/")]
    [InlineData("/2015/07/02/harbour-wall-repaired-RUN/feed/")]
    [InlineData("/2015/07/02/harbour-wall-repaired-RUN/embed/")]
    [InlineData("/2015/07/02/harbour-wall-repaired-RUN/comment-page-2/#comments")]
    [InlineData("/2015/07/02/harbour-wall-repaired-RUN/2/")]
    [InlineData("/index.php/2015/07/02/harbour-wall-repaired-RUN/")]
    [InlineData("https://RUN.glannau-gazette.example/2015/07/02/harbour-wall-repaired-RUN/amp/?utm_source=twitter")]
    public async Task A_post_s_amp_feed_embed_comment_and_page_urls_lead_to_its_article(string oldUrl)
    {
        var run = await ImportedAsync();
        var answer = await api.CreateClient().GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString(oldUrl.Replace("RUN", run, StringComparison.Ordinal))}");
        Assert.Equal($"harbour-wall-repaired-{run}", answer.GetProperty("slug").GetString());
        Assert.Equal(301, answer.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task An_endpoint_of_a_path_nobody_had_is_still_not_found()
    {
        var run = await ImportedAsync();
        var client = api.CreateClient();
        await (await client.GetAsync($"/v1/redirects?path={Uri.EscapeDataString($"/2015/07/02/never-{run}/amp/")}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/v1/redirects?path={Uri.EscapeDataString($"/2015/07/02/harbour-wall-repaired-{run}/gallery/")}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    /// <summary>Imports the fixture under a run name of its own.</summary>
    private async Task<string> ImportedAsync()
    {
        var (run, file) = WordPressImportTests.Fixture(out _);
        Assert.Equal(0, (await api.RunImportAsync(file, "--media", "skip")).Exit);
        return run;
    }
}
