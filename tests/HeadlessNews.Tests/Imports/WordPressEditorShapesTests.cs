using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// Shapes the block editor, Jetpack and WordPress.com write into real exports (Imports/Fixtures/porth-menai-post.wxr.xml),
/// each checked through the delivery API: what the post showed its readers comes across.
/// </summary>
public sealed class WordPressEditorShapesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Gutenberg_footnotes_kept_in_post_meta_become_a_numbered_list_where_the_footnotes_block_stood()
    {
        var (run, file, pid) = await ImportAsync();
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/moorings-plan-{run}");

        var body = article.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(["paragraph", "list", "paragraph"], body.Select(b => b.GetProperty("type").GetString()));
        // The markers stay as the numbers readers saw, without links to anchors the article does not have.
        Assert.Equal("The harbour board met on Monday.¹ Members agreed the new moorings fee.²", body[0].GetProperty("html").GetString());
        Assert.Equal("numbered", body[1].GetProperty("style").GetString());
        var notes = body[1].GetProperty("items").EnumerateArray().Select(i => i.GetString()!).ToList();
        Assert.Equal("Minutes of the harbour board, 4 March 2024, item 6.", notes[0]);
        Assert.StartsWith($"Set for two years: <a href=\"https://{run}.porth-menai.example/fees/\"", notes[1], StringComparison.Ordinal);
        Assert.EndsWith(">the table of fees</a>.", notes[1], StringComparison.Ordinal);
        Assert.Equal("The new fees start in April.", body[2].GetProperty("html").GetString());
        Assert.Contains("footnotes became a numbered list", Reported(file, pid + "501"), StringComparison.Ordinal);
    }

    private async Task<(string Run, string File, string Pid)> ImportAsync()
    {
        var (run, file) = WordPressImportTests.Fixture(out var pid, name: "porth-menai-post.wxr.xml");
        var (exit, output) = await api.RunImportAsync(file, "--media", "link", "--report", file + ".report.json");
        Assert.True(exit == 0, output);
        return (run, file, pid);
    }

    private static string Reported(string file, string sourceId) =>
        JsonDocument.Parse(File.ReadAllText(file + ".report.json")).RootElement.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("sourceId").GetString() == sourceId).GetProperty("reason").GetString()!;
}
