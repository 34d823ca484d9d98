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

        Assert.Equal(
            [("paragraph", "The full meeting, as the council streamed it:"), ("embed", "https://www.youtube.com/embed/pmCOUNCIL01"),
             ("paragraph", "Where the new moorings go:"), ("embed", "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2400"),
             ("list", "Item 4, the moorings: | Item 5, any other business"), ("embed", "https://player.vimeo.com/video/765432101")],
            Shown(article));
    }

    [Fact]
    public async Task A_social_post_pasted_as_its_embed_code_becomes_an_embed_of_the_post_and_its_script_goes_unreported()
    {
        var (run, file, pid) = await ImportAsync();
        var client = api.CreateClient();

        // Pasted into the classic editor: the blockquote and its script on lines of their own.
        var classic = Shown(await client.GetJsonAsync($"/v1/articles/nant-peris-road-closed-{run}"));
        Assert.Equal(
            [("paragraph", "Porth Menai Council closed the Nant Peris road on Tuesday night after a rockfall."),
             ("embed", "https://twitter.com/porthmenaicyngor/status/1765000000000000001"), ("paragraph", "A walker sent us this from the lay-by:"),
             ("embed", "https://www.instagram.com/p/PMrockfall2/"), ("paragraph", "The road should reopen on Friday."),
             ("paragraph", "Earlier on the night, from the quarry car park, on TikTok, Bluesky and Facebook:"),
             ("embed", "https://www.tiktok.com/@eryriwalkers/video/7340000000000000005"),
             ("embed", "https://bsky.app/profile/did:plc:pmcyngor0000000000000000/post/3kpmrock6"),
             ("embed", "https://www.facebook.com/porthmenaicyngor/posts/pfbid0pmRock7")],
            classic);
        // In a custom HTML block, and in embed blocks whose wrapper holds the provider's HTML (as the REST API renders them):
        // the wrapper's text is the post's words, not its address.
        var blocks = Shown(await client.GetJsonAsync($"/v1/articles/cup-final-tickets-{run}"));
        Assert.Equal(
            [("paragraph", "Fans queued from six for the cup final tickets."), ("embed", "https://twitter.com/porthmenairfc/status/1765000000000000002"),
             ("embed", "https://www.instagram.com/p/PMqueue3/"), ("embed", "https://twitter.com/porthmenairfc/status/1765000000000000004")],
            blocks);
        // The embed stands for the provider's script: nothing was lost, so neither post is in the report.
        Assert.DoesNotContain(ReportedIds(file), id => id == pid + "505" || id == pid + "506");
    }

    [Fact]
    public async Task A_social_networks_script_without_a_pasted_post_is_reported_and_an_embed_wrapper_holding_only_its_link_is_an_embed()
    {
        var (run, file, pid) = await ImportAsync();
        var blocks = Shown(await api.CreateClient().GetJsonAsync($"/v1/articles/rfc-final-follow-{run}"));

        // WordPress's embed block when the provider's HTML could not be fetched: its wrapper holds a link to the address.
        Assert.Equal(("embed", "https://maps.porth-menai.example/embed?ground=1"), blocks[1]);
        // A timeline has no block of its own: its link stays, and the script it needed is reported, not dropped unseen.
        Assert.Equal("paragraph", blocks[2].Item1);
        Assert.Contains("Posts by porthmenairfc</a>", blocks[2].Item2, StringComparison.Ordinal);
        Assert.Contains("<script>", Reported(file, pid + "509"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Line_breaks_a_paragraph_or_a_list_item_starts_or_ends_with_are_dropped_as_wpautop_does()
    {
        var (run, _, _) = await ImportAsync();
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-office-saturdays-{run}");

        Assert.Equal(
            [("paragraph", "The harbour office opens on Saturdays from April."), ("paragraph", "Opening hours:<br>\n9am to 1pm"),
             ("paragraph", "Moorings can be paid at the office<br>\nor online."),
             ("list", "Visitors’ moorings: £20 a night | Annual moorings: <strong>£400</strong>")],
            Shown(article));
    }

    [Fact]
    public async Task A_link_with_a_line_break_in_it_as_elementor_writes_one_keeps_its_address_its_break_and_its_paragraph()
    {
        var (run, _, _) = await ImportAsync();
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/llanfair-bypass-notice-{run}");

        var site = $"https://{run}.porth-menai.example";
        const string rel = "rel=\"nofollow noopener noreferrer\"";
        Assert.Equal(
            [("heading", "Llanfair bypass: have your say"),
             ("paragraph", $"The council wants to hear from residents before 30 April. <a href=\"{site}/notices/llanfair-bypass/\" {rel}>Read the<br>full notice</a> before you reply."),
             // A button laid out over lines: its line breaks at the edges are not the reader's, the one in its text is.
             ("paragraph", $"<a href=\"{site}/notices/llanfair-bypass.pdf\" {rel}>Read the<br>full notice (PDF)</a>"),
             ("paragraph", $"Objections go to the <a href=\"{site}/planning/\" {rel}>planning<br>\noffice</a> in Caernarfon."),
             ("paragraph", "The public meeting is in Llanfair village hall on 12 April.")],
            Shown(article));
    }

    private async Task<(string Run, string File, string Pid)> ImportAsync()
    {
        var (run, file) = WordPressImportTests.Fixture(out var pid, name: "porth-menai-post.wxr.xml");
        var (exit, output) = await api.RunImportAsync(file, "--media", "link", "--report", file + ".report.json");
        Assert.True(exit == 0, output);
        return (run, file, pid);
    }

    /// <summary>An article's body as each block's type and what it shows: its text, its address, or its items.</summary>
    private static List<(string?, string?)> Shown(JsonElement article) =>
        [.. article.GetProperty("body").EnumerateArray().Select(b => (b.GetProperty("type").GetString(),
            b.TryGetProperty("url", out var url) ? url.GetString() : b.TryGetProperty("html", out var html) ? html.GetString()
            : b.TryGetProperty("text", out var text) ? text.GetString() : string.Join(" | ", b.GetProperty("items").EnumerateArray().Select(i => i.GetString()))))];

    private static IEnumerable<string> ReportedIds(string file) =>
        [.. JsonDocument.Parse(File.ReadAllText(file + ".report.json")).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sourceId").GetString()!)];

    private static string Reported(string file, string sourceId) =>
        JsonDocument.Parse(File.ReadAllText(file + ".report.json")).RootElement.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("sourceId").GetString() == sourceId).GetProperty("reason").GetString()!;
}
