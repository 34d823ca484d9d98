using System.Text;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// What real sites' exports hold that a tidy one does not, each case found by importing such a file: every post is
/// imported as it was, or reported with a reason; the run never stops on one of them.
/// </summary>
public sealed class WordPressHostileExportTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Blank_lines_a_theme_printed_before_the_xml_declaration_do_not_stop_the_import()
    {
        var run = Run();
        // A plugin or theme that echoes a line break before export.php writes its output; with a byte order mark too.
        var file = await WriteAsync(run, [Post(run, 1, "Leading lines")], before: "\n\n");
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        await File.WriteAllBytesAsync(file, [0xEF, 0xBB, 0xBF, .. await File.ReadAllBytesAsync(file)]);
        (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        Assert.Equal("Leading lines", (await api.CreateClient().GetJsonAsync($"/v1/articles/post-{run}-1")).GetProperty("headline").GetString());
    }

    [Fact]
    public async Task A_title_excerpt_or_quote_cut_to_length_where_an_emoji_falls_on_the_cut_keeps_the_emoji_whole()
    {
        var run = Run();
        var file = await WriteAsync(run, [
            Post(run, 1, new string('W', 299) + "\U0001F30A tail of a very long title"),
            Post(run, 2, "Long excerpt", excerpt: new string('x', 999) + "\U0001F30A and more"),
            Post(run, 3, "Long speaker", content: $"<blockquote><p>Said a thing.</p><cite>{new string('S', 199)}\U0001F30A and more</cite></blockquote>"),
        ]);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);

        var client = api.CreateClient();
        Assert.Equal(new string('W', 299), (await client.GetJsonAsync($"/v1/articles/post-{run}-1")).GetProperty("headline").GetString());
        Assert.Equal(new string('x', 999), (await client.GetJsonAsync($"/v1/articles/post-{run}-2")).GetProperty("standfirst").GetString());
        var quote = (await client.GetJsonAsync($"/v1/articles/post-{run}-3")).GetProperty("body")[0];
        Assert.Equal(new string('S', 199), quote.GetProperty("quote").GetProperty("speaker").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_picture_with_an_alt_text_or_caption_longer_than_an_image_keeps_is_imported_with_them_cut_and_noted()
    {
        var run = Run();
        var site = $"https://{run}.ffynnon-herald.example";
        var longAlt = string.Concat(Enumerable.Repeat("The old stone bridge over the river at dusk. ", 40));
        var longCaption = string.Concat(Enumerable.Repeat("Photographed from the east bank. ", 80));
        var file = await WriteAsync(run, [
            Post(run, 1, "Bridge pictures",
                content: $"""<!-- wp:image --><figure class="wp-block-image"><img src="{site}/wp-content/uploads/pont.jpg" alt="{longAlt}"/><figcaption>{longCaption}</figcaption></figure><!-- /wp:image -->""",
                extra: "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>2</wp:meta_value></wp:postmeta>"),
            $"""
            <item><title>Bridge</title><wp:post_id>2</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status><wp:post_parent>1</wp:post_parent>
              <wp:attachment_url>{site}/wp-content/uploads/pont-hero.jpg</wp:attachment_url>
              <wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[{longAlt}]]></wp:meta_value></wp:postmeta></item>
            """,
        ]);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);

        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/post-{run}-1");
        var picture = article.GetProperty("body")[0];
        Assert.Equal(longAlt[..500], picture.GetProperty("alt").GetString());
        Assert.Equal(longCaption[..1000].TrimEnd(), picture.GetProperty("caption").GetString());
        Assert.Equal(longAlt[..500], article.GetProperty("heroImage").GetProperty("alt").GetString());
        Assert.Contains("alt text or caption was cut", Reported(file, 1).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unclosed_bold_tag_keeps_the_paragraphs_and_embeds_after_it_instead_of_making_them_one_bold_paragraph()
    {
        var run = Run();
        // The HTML parser carries an unclosed <strong> over everything after it, as a browser shows the rest of the post in bold.
        var file = await WriteAsync(run, [Post(run, 1, "Unclosed bold", content: """
            <p>The council met <strong>on Tuesday</p>
            <p>Second paragraph.</p>
            <iframe src="https://www.youtube.com/embed/unclosed01"></iframe>
            <p>Third paragraph.</p>
            """)]);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);

        var body = (await api.CreateClient().GetJsonAsync($"/v1/articles/post-{run}-1")).GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(["paragraph", "paragraph", "embed", "paragraph"], body.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("The council met <strong>on Tuesday</strong>", body[0].GetProperty("html").GetString());
        Assert.Equal("Second paragraph.", body[1].GetProperty("html").GetString());
        Assert.Equal("https://www.youtube.com/embed/unclosed01", body[2].GetProperty("url").GetString());
        Assert.Equal("Third paragraph.", body[3].GetProperty("html").GetString());
    }

    [Fact]
    public async Task A_list_longer_than_a_list_block_takes_or_with_an_overlong_item_is_split_into_lists_and_noted()
    {
        var run = Run();
        var results = string.Concat(Enumerable.Range(1, 700).Select(i => $"<li>Runner {i}</li>"));
        var file = await WriteAsync(run, [
            Post(run, 1, "Fun run results", content: $"<ol>{results}</ol>"),
            Post(run, 2, "Minutes in a list", content: $"<ul><li>{string.Concat(Enumerable.Repeat("The committee agreed the minutes. ", 700))}</li><li>Any other business</li></ul>"),
        ]);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);

        var client = api.CreateClient();
        var lists = (await client.GetJsonAsync($"/v1/articles/post-{run}-1")).GetProperty("body").EnumerateArray().ToList();
        Assert.Equal([500, 200], lists.Select(l => l.GetProperty("items").GetArrayLength()));
        Assert.Equal("Runner 501", lists[1].GetProperty("items")[0].GetString());
        Assert.Contains("split into lists", Reported(file, 1).GetProperty("reason").GetString(), StringComparison.Ordinal);
        var minutes = (await client.GetJsonAsync($"/v1/articles/post-{run}-2")).GetProperty("body").EnumerateArray().Single().GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("Any other business", minutes[^1].GetString());
        Assert.All(minutes, item => Assert.InRange(item.GetString()!.Length, 1, 20_000));
        Assert.Equal(700, string.Concat(minutes.SkipLast(1).Select(i => i.GetString())).Split("agreed").Length - 1);
    }

    [Fact]
    public async Task Posts_an_export_tool_wrote_without_post_ids_are_each_an_article_and_a_rerun_finds_them_unchanged()
    {
        var run = Run();
        var file = await WriteAsync(run, [
            Post(run, 1, "First without an id").Replace("<wp:post_id>1</wp:post_id>", "", StringComparison.Ordinal),
            Post(run, 2, "Second without an id").Replace("<wp:post_id>2</wp:post_id>", "", StringComparison.Ordinal),
        ]);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 2, updated 0", output, StringComparison.Ordinal);

        var client = api.CreateClient();
        Assert.Equal("First without an id", (await client.GetJsonAsync($"/v1/articles/post-{run}-1")).GetProperty("headline").GetString());
        Assert.Equal("Second without an id", (await client.GetJsonAsync($"/v1/articles/post-{run}-2")).GetProperty("headline").GetString());
        (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 0, updated 0, unchanged 2", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_tags_a_plugin_writes_into_the_export_header_without_declaring_their_prefix_do_not_stop_the_import()
    {
        var run = Run();
        // export.php runs rss2_head: a WebSub plugin's atom:link and a podcast plugin's itunes tags land in the channel undeclared.
        var file = await WriteAsync(run, [
            """<atom:link rel="hub" href="https://pubsubhubbub.example/"/><itunes:owner><itunes:name>Ffynnon Herald</itunes:name></itunes:owner>""",
            Post(run, 1, "After the hub link"),
        ]);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        Assert.Equal("After the hub link", (await api.CreateClient().GetJsonAsync($"/v1/articles/post-{run}-1")).GetProperty("headline").GetString());
    }

    [Fact]
    public async Task A_post_laid_out_with_a_page_builder_keeps_its_text_as_paragraphs_without_the_layout_shortcodes()
    {
        var run = Run();
        var file = await WriteAsync(run, [
            Post(run, 1, "WPBakery post", content: """[vc_row][vc_column width="1/2"][vc_column_text]<p>Hello from the quay.</p>[/vc_column_text][/vc_column][vc_column width="1/2"][vc_column_text css=".vc_custom_1{margin: 0 !important;}"]Second column text.[/vc_column_text][/vc_column][/vc_row]"""),
            Post(run, 2, "Divi post", content: """[et_pb_section fb_built="1" _builder_version="4.9.2"][et_pb_row][et_pb_column type="4_4"][et_pb_text]<p>Divi words here.</p>[/et_pb_text][et_pb_image src="https://example.org/a.jpg"][/et_pb_image][/et_pb_column][/et_pb_row][/et_pb_section]"""),
        ]);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);

        var client = api.CreateClient();
        static List<string?> Paragraphs(JsonElement article) => [.. article.GetProperty("body").EnumerateArray().Select(b => b.GetProperty("html").GetString())];
        Assert.Equal(["Hello from the quay.", "Second column text."], Paragraphs(await client.GetJsonAsync($"/v1/articles/post-{run}-1")));
        Assert.Equal("Divi words here.", Paragraphs(await client.GetJsonAsync($"/v1/articles/post-{run}-2"))[0]);
        Assert.Contains("page builder", Reported(file, 1).GetProperty("reason").GetString(), StringComparison.Ordinal);
        // What the layout held that is not text is still named for the publisher.
        Assert.Equal(["et_pb_image"], JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("unknownShortcodes").EnumerateObject().Select(s => s.Name));
    }

    private Task<(int Exit, string Output)> ImportAsync(string file) => api.RunImportAsync(file, "--media", "link", "--report", file + ".report.json");

    [Fact]
    public async Task A_category_or_tag_in_a_script_slugs_cannot_spell_is_named_in_the_report_not_dropped_silently()
    {
        var run = Run();
        var file = await WriteAsync(run, [Post(run, 1, "Twin towns",
            extra: """<category domain="category" nicename="%ce%b1%ce%b8%ce%ae%ce%bd%ce%b1"><![CDATA[Αθήνα]]></category><category domain="post_tag" nicename="%d0%bc%d0%be%d1%81%d0%ba%d0%b2%d0%b0"><![CDATA[Москва]]></category><category domain="post_tag" nicename="gefeillio"><![CDATA[Gefeillio]]></category>""")]);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);

        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/post-{run}-1");
        Assert.Equal(["gefeillio"], article.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));
        var reason = Reported(file, 1).GetProperty("reason").GetString();
        Assert.Contains("no section: its category Αθήνα has no letter or digit a slug can hold", reason, StringComparison.Ordinal);
        Assert.Contains("categories and tags left out, as each has no letter or digit a slug can hold (a-z, 0-9): Москва", reason, StringComparison.Ordinal);
    }

    private static JsonElement Reported(string file, int id) =>
        JsonDocument.Parse(File.ReadAllText(file + ".report.json")).RootElement.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("sourceId").GetString() == id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string Run() => "h" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A published post of the run's site, <c>post-RUN-ID</c>.</summary>
    private static string Post(string run, int id, string title, string content = "<p>Body.</p>", string excerpt = "", string extra = "") => $"""
        <item>
          <title><![CDATA[{title}]]></title>
          <link>https://{run}.ffynnon-herald.example/2021/03/04/post-{run}-{id}/</link>
          <dc:creator><![CDATA[{run}-bethan]]></dc:creator>
          <guid isPermaLink="false">https://{run}.ffynnon-herald.example/?p={id}</guid>
          <content:encoded><![CDATA[{content}]]></content:encoded>
          <excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
          <wp:post_id>{id}</wp:post_id>
          <wp:post_date><![CDATA[2021-03-04 10:00:00]]></wp:post_date>
          <wp:post_date_gmt><![CDATA[2021-03-04 10:00:00]]></wp:post_date_gmt>
          <wp:post_name><![CDATA[post-{run}-{id}]]></wp:post_name>
          <wp:status><![CDATA[publish]]></wp:status>
          <wp:post_type><![CDATA[post]]></wp:post_type>
          {extra}
        </item>
        """;

    /// <summary>A WXR 1.2 export of the run's own site holding <paramref name="items"/>, with <paramref name="before"/> ahead of its declaration.</summary>
    private static async Task<string> WriteAsync(string run, IEnumerable<string> items, string before = "")
    {
        var file = Path.Combine(Path.GetTempPath(), $"wxr-{run}.xml");
        await File.WriteAllTextAsync(file, before + $"""
            <?xml version="1.0" encoding="UTF-8" ?>
            <rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
              xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel><title>Ffynnon Herald</title><link>https://{run}.ffynnon-herald.example</link><wp:wxr_version>1.2</wp:wxr_version>
            <wp:base_site_url>https://{run}.ffynnon-herald.example</wp:base_site_url>
            <wp:author><wp:author_login><![CDATA[{run}-bethan]]></wp:author_login><wp:author_display_name><![CDATA[Bethan Lloyd]]></wp:author_display_name></wp:author>
            {string.Join("\n", items)}
            </channel></rss>
            """, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return file;
    }
}
