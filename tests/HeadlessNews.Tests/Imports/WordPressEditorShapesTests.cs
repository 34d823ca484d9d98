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

    [Fact]
    public async Task Jetpack_embed_shortcodes_of_a_wordpress_com_site_become_embeds_and_a_bracketed_note_stays_text()
    {
        var (run, file, _) = await ImportAsync();
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/new-stand-videos-{run}");

        var body = article.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(["paragraph", "embed", "embed", "embed", "embed", "embed", "embed", "embed", "paragraph", "paragraph"], body.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal(
            ["http://www.youtube.com/watch?v=pmRUGBY0001", "https://youtu.be/pmRUGBY0002", "https://vimeo.com/123456789",
             "https://twitter.com/porthmenairfc/status/640000000000000001", "https://www.instagram.com/p/PMrfcStand1/",
             "https://api.soundcloud.com/tracks/111111", "https://www.dailymotion.com/video/x8pmrfc"],
            body.Where(b => b.GetProperty("type").GetString() == "embed").Select(b => b.GetProperty("url").GetString()));
        // A capitalised bracket is an editor's note: WordPress's shortcode names are lower case.
        Assert.Equal("[YouTube clip of the try below]", body[8].GetProperty("html").GetString());
        Assert.Empty(JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("unknownShortcodes").EnumerateObject());
    }

    [Fact]
    public async Task A_gallery_laid_out_as_a_list_or_a_jetpack_slideshow_keeps_each_picture_with_its_caption_not_the_captions_as_a_list()
    {
        var (run, _, _) = await ImportAsync();
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/chamber-pictures-{run}");

        var body = article.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(["paragraph", "image", "image", "image", "image", "list"], body.Select(b => b.GetProperty("type").GetString()));
        static string? Text(JsonElement block, string name) => block.TryGetProperty(name, out var value) ? value.GetString() : null;
        var chamber = $"https://{run}.porth-menai.example/wp-content/uploads/2019/06/chamber.jpg";
        var mace = $"https://{run}.porth-menai.example/wp-content/uploads/2019/06/mace.jpg";
        // WordPress 5.0's gallery (a list of figures), then Jetpack's slideshow: the originals, alt texts and captions.
        Assert.Equal(
            [(chamber, "The chamber from the gallery", "The new roof from below"), (mace, "The mayor’s mace", null),
             (chamber, "The chamber from the gallery", "Slide one: the roof"), (mace, "The mayor’s mace", "Slide two: the mace")],
            body.Skip(1).Take(4).Select(b => (Text(b, "url"), Text(b, "alt"), Text(b, "caption"))));
        // A list of text is still a list.
        Assert.Equal(["Roof: £40,000", "Windows: £12,000"], body[5].GetProperty("items").EnumerateArray().Select(i => i.GetString()));
    }

    [Fact]
    public async Task A_player_pasted_into_a_paragraph_or_a_list_item_becomes_an_embed_after_its_text_instead_of_vanishing()
    {
        var (run, _, _) = await ImportAsync();
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/council-meeting-video-{run}");

        var body = article.GetProperty("body").EnumerateArray().Select(b => (b.GetProperty("type").GetString(),
            b.TryGetProperty("url", out var url) ? url.GetString() : b.TryGetProperty("html", out var html) ? html.GetString() : string.Join(" | ", b.GetProperty("items").EnumerateArray().Select(i => i.GetString()))));
        Assert.Equal(
            [("paragraph", "The full meeting, as the council streamed it:"), ("embed", "https://www.youtube.com/embed/pmCOUNCIL01"),
             ("paragraph", "Where the new moorings go:"), ("embed", "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2400"),
             ("list", "Item 4, the moorings: | Item 5, any other business"), ("embed", "https://player.vimeo.com/video/765432101")],
            body);
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
