using System.Text;
using HeadlessNews.Api.Features.Imports;

namespace HeadlessNews.Tests.Imports;

/// <summary>The WXR reader on what WordPress's export.php writes that a tidy export does not have.</summary>
public sealed class WxrReaderTests
{
    [Fact]
    public async Task Term_meta_nested_in_a_category_or_tag_is_read_past_not_a_reason_to_stop()
    {
        var entries = await ReadAsync("""
            <wp:category><wp:term_id>12</wp:term_id><wp:category_nicename><![CDATA[newyddion]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[Newyddion]]></wp:cat_name>
              <wp:termmeta><wp:meta_key><![CDATA[_category_colour]]></wp:meta_key><wp:meta_value><![CDATA[#c8102e]]></wp:meta_value></wp:termmeta>
            </wp:category>
            <wp:term><wp:term_id>35</wp:term_id><wp:term_taxonomy><![CDATA[location]]></wp:term_taxonomy><wp:term_slug><![CDATA[llandudno]]></wp:term_slug>
              <wp:termmeta><wp:meta_key><![CDATA[geo_lat]]></wp:meta_key><wp:meta_value><![CDATA[53.3]]></wp:meta_value></wp:termmeta></wp:term>
            """, Item("101", "<wp:status>publish</wp:status>"));
        Assert.Contains(new WpTerm("category", "newyddion", "Newyddion", "12"), entries.OfType<WpTerm>());
        Assert.Equal("101", Assert.Single(entries.OfType<WpItem>()).PostId);
    }

    [Fact]
    public async Task A_control_character_pasted_into_a_post_is_dropped_and_the_posts_after_it_are_read()
    {
        var entries = await ReadAsync("", Item("101", "<content:encoded><![CDATA[We will rebuild.\v The end.]]></content:encoded>"), Item("102", "<title>Next &#12;story</title>"),
            Item("103", "<title>C1\u0085 and DEL\u007f &#x9B;too</title>"));
        var items = entries.OfType<WpItem>().ToList();
        Assert.Equal(["101", "102", "103"], items.Select(i => i.PostId));
        Assert.Equal("We will rebuild. The end.", items[0].Content);
        Assert.Equal("Next story", items[1].Title);
        Assert.Equal("C1 and DEL too", items[2].Title);
    }

    [Fact]
    public async Task Names_of_terms_and_authors_are_stored_html_escaped_by_wordpress_and_read_once_decoded()
    {
        var entries = await ReadAsync("""
            <wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[newsdesk@glannau.example]]></wp:author_login><wp:author_display_name><![CDATA[Tîm Newyddion &amp; Chwaraeon]]></wp:author_display_name></wp:author>
            <wp:category><wp:term_id>14</wp:term_id><wp:category_nicename><![CDATA[chwaraeon]]></wp:category_nicename><wp:cat_name><![CDATA[Chwaraeon &amp; Hamdden]]></wp:cat_name></wp:category>
            <wp:tag><wp:term_id>22</wp:term_id><wp:tag_slug><![CDATA[lifeboats]]></wp:tag_slug><wp:tag_name><![CDATA[Lifeboats &amp; Coastguard]]></wp:tag_name></wp:tag>
            """, Item("101", """<category domain="post_tag" nicename="lifeboats"><![CDATA[Lifeboats &amp; Coastguard]]></category>"""));
        Assert.Equal("Tîm Newyddion & Chwaraeon", entries.OfType<WpAuthor>().Single().DisplayName);
        Assert.Equal(["Chwaraeon & Hamdden", "Lifeboats & Coastguard"], entries.OfType<WpTerm>().Select(t => t.Name));
        Assert.Equal("Lifeboats & Coastguard", entries.OfType<WpItem>().Single().Terms.Single().Name);
    }

    [Fact]
    public async Task A_file_declared_in_a_windows_code_page_is_decoded_as_declared()
    {
        var entries = await ReadAsync("windows-1252", "", Item("101", "<title>Caffi\u2019r Dre raises \u00a35,000</title>"));
        Assert.Equal("Caffi\u2019r Dre raises \u00a35,000", Assert.Single(entries.OfType<WpItem>()).Title);
    }

    [Fact]
    public async Task Categories_and_tags_written_as_generic_terms_are_read_and_other_taxonomies_are_not()
    {
        var entries = await ReadAsync("""
            <wp:term><wp:term_id>40</wp:term_id><wp:term_taxonomy>category</wp:term_taxonomy><wp:term_slug><![CDATA[archif-2019]]></wp:term_slug><wp:term_name><![CDATA[Archif 2019]]></wp:term_name></wp:term>
            <wp:term><wp:term_id>41</wp:term_id><wp:term_taxonomy><![CDATA[post_tag]]></wp:term_taxonomy><wp:term_slug>eira</wp:term_slug><wp:term_name><![CDATA[Eira &amp; rhew]]></wp:term_name></wp:term>
            <wp:term><wp:term_id>42</wp:term_id><wp:term_taxonomy>nav_menu</wp:term_taxonomy><wp:term_slug>prif-ddewislen</wp:term_slug><wp:term_name><![CDATA[Prif ddewislen]]></wp:term_name></wp:term>
            """);
        Assert.Equal([new WpTerm("category", "archif-2019", "Archif 2019", "40"), new WpTerm("post_tag", "eira", "Eira & rhew", "41")], entries.OfType<WpTerm>());
    }

    [Fact]
    public async Task Fields_wrapped_in_line_breaks_are_trimmed_and_a_field_given_twice_keeps_its_first_value()
    {
        var entries = await ReadAsync("", """
            <item><title>Snow closes the pass</title>
              <link>
                https://glannau-gazette.example/2019/01/30/snow-closes-the-pass/
              </link>
              <wp:post_id>301</wp:post_id><wp:post_id>9301</wp:post_id>
              <wp:post_type>
                post
              </wp:post_type><wp:status><![CDATA[publish ]]></wp:status>
            </item>
            """, """
            <item><title>The pass</title><wp:post_id>302</wp:post_id><wp:post_type>attachment</wp:post_type><wp:post_parent> 301 </wp:post_parent>
              <wp:attachment_url>https://glannau-gazette.example/wp-content/uploads/2019/01/bwlch.jpg
              </wp:attachment_url></item>
            """);
        var items = entries.OfType<WpItem>().ToList();
        Assert.Equal(("301", "post", "publish"), (items[0].PostId, items[0].PostType, items[0].Status));
        Assert.Equal("https://glannau-gazette.example/2019/01/30/snow-closes-the-pass/", items[0].Link);
        Assert.Equal(("https://glannau-gazette.example/wp-content/uploads/2019/01/bwlch.jpg", "301"), (items[1].AttachmentUrl, items[1].ParentId));
    }

    [Fact]
    public async Task A_wxr_1_0_export_s_plain_copy_of_each_category_and_tag_is_not_read_as_another_category()
    {
        // WordPress 2.8's export.php: each term plain (for feed readers), then with its domain; "Archif" only plain.
        var entries = await ReadAsync("", Item("7", """
            <category><![CDATA[Llanrwst]]></category><category domain="category" nicename="llanrwst"><![CDATA[Llanrwst]]></category>
            <category><![CDATA[River Conwy]]></category><category domain="tag" nicename="river-conwy"><![CDATA[River Conwy]]></category>
            <category><![CDATA[Archif]]></category>
            """));
        Assert.Equal(
            [new WpTerm("category", "llanrwst", "Llanrwst"), new WpTerm("post_tag", "river-conwy", "River Conwy"), new WpTerm("category", "", "Archif")],
            entries.OfType<WpItem>().Single().Terms);
    }

    private static string Item(string id, string fields) =>
        $"<item><wp:post_id>{id}</wp:post_id><wp:post_type><![CDATA[post]]></wp:post_type>{fields}</item>";

    internal static Task<List<object>> ReadAsync(string channel, params string[] items) => ReadAsync("UTF-8", channel, items);

    /// <summary>The export written in <paramref name="encoding"/>, as its declaration says.</summary>
    private static async Task<List<object>> ReadAsync(string encoding, string channel, string[] items)
    {
        var xml = $"""
            <?xml version="1.0" encoding="{encoding}" ?>
            <rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
              xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel><title>Glannau Gazette</title><link>https://glannau-gazette.example</link><wp:wxr_version>1.2</wp:wxr_version>
            {channel}
            {string.Join("\n", items)}
            </channel></rss>
            """;
        var entries = new List<object>();
        await foreach (var entry in WxrReader.ReadAsync(new MemoryStream(WxrText.EncodingNamed(encoding).GetBytes(xml)), CancellationToken.None))
        {
            entries.Add(entry);
        }
        return entries;
    }
}
