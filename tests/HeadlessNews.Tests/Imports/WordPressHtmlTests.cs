using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Imports;

namespace HeadlessNews.Tests.Imports;

/// <summary>Post HTML as WordPress 6.x stores it (Gutenberg's markup, classic shortcodes) to blocks, with nothing silently lost.</summary>
public sealed class WordPressHtmlTests
{
    private static readonly Uri Site = new("https://glannau-gazette.example/");

    private static readonly Dictionary<string, WpAttachment> Attachments = new()
    {
        ["201"] = new("https://glannau-gazette.example/wp-content/uploads/2024/03/harbwr.jpg", "Conwy harbour at low tide", "The quay", "101", 0),
        ["202"] = new("https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg", "Bangor pier", null, "104", 2),
        ["203"] = new("https://glannau-gazette.example/wp-content/uploads/2024/03/bad.jpg", "The lifeboat", "On exercise", "104", 1),
    };

    private static List<Block> Blocks(string content, IReadOnlyDictionary<string, string>? reusable = null, string postId = "101") =>
        [.. WordPressHtml.Convert(content, Site, Attachments, reusable, postId).Blocks.Select(b => b.Block)];

    [Fact]
    public void A_gutenberg_gallery_old_or_new_keeps_every_picture_with_its_caption_then_the_gallery_caption()
    {
        var blocks = Blocks("""
            <!-- wp:gallery {"linkTo":"none"} -->
            <figure class="wp-block-gallery has-nested-images columns-default is-cropped"><!-- wp:image {"id":201} -->
            <figure class="wp-block-image size-large"><img src="https://glannau-gazette.example/wp-content/uploads/2024/03/harbwr-1024x683.jpg" alt="" class="wp-image-201"/><figcaption class="wp-element-caption">One</figcaption></figure>
            <!-- /wp:image -->

            <!-- wp:image {"id":202} -->
            <figure class="wp-block-image size-large"><img src="https://glannau-gazette.example/wp-content/uploads/2024/03/pier-1024x683.jpg" alt="The pier" class="wp-image-202"/></figure>
            <!-- /wp:image --><figcaption class="blocks-gallery-caption wp-element-caption">Photos: Glannau Gazette</figcaption></figure>
            <!-- /wp:gallery -->

            <!-- wp:gallery {"ids":[203,202]} -->
            <figure class="wp-block-gallery columns-2 is-cropped"><ul class="blocks-gallery-grid"><li class="blocks-gallery-item"><figure><img src="https://glannau-gazette.example/wp-content/uploads/2024/03/bad-1024x683.jpg" alt="" data-id="203"/><figcaption class="blocks-gallery-item__caption">Three</figcaption></figure></li><li class="blocks-gallery-item"><figure><img src="https://glannau-gazette.example/wp-content/uploads/2024/03/pier-1024x683.jpg" alt="" data-id="202"/></figure></li></ul></figure>
            <!-- /wp:gallery -->
            """);
        Assert.Equal(["image", "image", "paragraph", "image", "image"], blocks.Select(b => b.Type));
        Assert.Equal(["harbwr.jpg", "pier.jpg", "bad.jpg", "pier.jpg"], blocks.Where(b => b.Type == "image").Select(b => b.Url![(b.Url!.LastIndexOf('/') + 1)..]));
        Assert.Equal(("Conwy harbour at low tide", "One"), (blocks[0].Alt, blocks[0].Caption));
        Assert.Equal("The pier", blocks[1].Alt);
        Assert.Equal("Photos: Glannau Gazette", blocks[2].Html);
        Assert.Equal("Three", blocks[3].Caption);
    }

    [Fact]
    public void A_resized_copy_in_a_caption_or_an_img_with_srcset_becomes_the_attachments_original()
    {
        var blocks = Blocks("""
            [caption id="attachment_202" align="alignnone" width="300"]<a href="https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg"><img class="size-medium wp-image-202" src="https://glannau-gazette.example/wp-content/uploads/2024/03/pier-300x200.jpg" alt="" width="300" height="200" srcset="https://glannau-gazette.example/wp-content/uploads/2024/03/pier-300x200.jpg 300w" sizes="(max-width: 300px) 100vw, 300px" /></a> The queue &amp; the pier[/caption]

            <img src="https://glannau-gazette.example/wp-content/uploads/2024/03/bad-150x150.jpg" alt="Our lifeboat" />
            """);
        Assert.Equal(("https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg", "Bangor pier", "The queue & the pier"), (blocks[0].Url, blocks[0].Alt, blocks[0].Caption));
        Assert.Equal(("https://glannau-gazette.example/wp-content/uploads/2024/03/bad.jpg", "Our lifeboat"), (blocks[1].Url, blocks[1].Alt));
    }

    [Fact]
    public void A_gallery_shortcode_without_ids_shows_the_pictures_uploaded_to_the_post_in_their_order()
    {
        var blocks = Blocks("""Readers sent these.\n\n[gallery columns="2" size="medium"]""", postId: "104");
        Assert.Equal(["paragraph", "image", "image"], blocks.Select(b => b.Type));
        Assert.Equal([("The lifeboat", "On exercise"), ("Bangor pier", null)], blocks.Skip(1).Select(b => (b.Alt, b.Caption)));
        Assert.DoesNotContain(blocks, b => b.Html?.Contains("[gallery", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void A_reusable_block_is_expanded_where_it_is_referenced_and_a_missing_one_is_noted()
    {
        var converted = WordPressHtml.Convert("""
            <!-- wp:paragraph -->
            <p>Before.</p>
            <!-- /wp:paragraph -->

            <!-- wp:block {"ref":150} /-->

            <!-- wp:block {"ref":999} /-->
            """, Site, Attachments, new Dictionary<string, string> { ["150"] = "<!-- wp:paragraph -->\n<p>Get the <strong>Gazette</strong> every Friday.</p>\n<!-- /wp:paragraph -->" }, "101");
        Assert.Equal(["Before.", "Get the <strong>Gazette</strong> every Friday."], converted.Blocks.Select(b => b.Block.Html));
        Assert.Contains("reusable block 999 is not in the export", converted.Notes);
    }

    [Fact]
    public void Gutenberg_lists_with_nested_items_tables_embeds_of_any_provider_and_scripts_come_across_without_stray_markup()
    {
        var converted = WordPressHtml.Convert("""
            <!-- wp:list -->
            <ul><!-- wp:list-item -->
            <li>Mortar</li>
            <!-- /wp:list-item -->

            <!-- wp:list-item -->
            <li>Steps<!-- wp:list -->
            <ul><!-- wp:list-item -->
            <li>by the station</li>
            <!-- /wp:list-item --></ul>
            <!-- /wp:list --></li>
            <!-- /wp:list-item --></ul>
            <!-- /wp:list -->

            <!-- wp:table -->
            <figure class="wp-block-table"><table><tbody><tr><td>Mortar</td><td>£42,000</td></tr></tbody></table><figcaption class="wp-element-caption">Costs</figcaption></figure>
            <!-- /wp:table -->

            <!-- wp:embed {"url":"https://www.instagram.com/p/abc/","type":"rich","providerNameSlug":"instagram"} -->
            <figure class="wp-block-embed is-type-rich is-provider-instagram wp-block-embed-instagram"><div class="wp-block-embed__wrapper">
            https://www.instagram.com/p/abc/
            </div></figure>
            <!-- /wp:embed -->

            <!-- wp:html -->
            <script>dataLayer.push({'event': 'map'});</script>
            <!-- /wp:html -->
            """, Site, Attachments, null, "101");
        var blocks = converted.Blocks.Select(b => b.Block).ToList();
        Assert.Equal(["list", "paragraph", "paragraph", "embed"], blocks.Select(b => b.Type));
        Assert.Equal(["Mortar", "Steps", "by the station"], blocks[0].Items);
        Assert.Equal(("Mortar | £42,000", "Costs"), (blocks[1].Html, blocks[2].Html));
        Assert.Equal("https://www.instagram.com/p/abc/", blocks[3].Url);
        Assert.Contains("a <script> was left out", converted.Notes);
        // A list block has one level: the nested items follow their parent's, and the report says the levels went.
        Assert.Contains("a list nested in a list was flattened: its items follow the item they were under, in one list", converted.Notes);
    }

    [Fact]
    public void Gutenberg_video_and_audio_blocks_become_links_to_their_files_not_nothing()
    {
        var converted = WordPressHtml.Convert("""
            <!-- wp:video {"id":301} -->
            <figure class="wp-block-video"><video controls src="https://glannau-gazette.example/wp-content/uploads/2024/03/agor.mp4"></video><figcaption class="wp-element-caption">The opening</figcaption></figure>
            <!-- /wp:video -->

            <!-- wp:audio {"id":302} -->
            <figure class="wp-block-audio"><audio controls src="/wp-content/uploads/2024/03/cyfweliad.mp3"></audio></figure>
            <!-- /wp:audio -->
            """, Site, Attachments, null, "101");
        Assert.Equal(
            ["<a href=\"https://glannau-gazette.example/wp-content/uploads/2024/03/agor.mp4\" rel=\"nofollow noopener noreferrer\">https://glannau-gazette.example/wp-content/uploads/2024/03/agor.mp4</a>", "The opening",
             "<a href=\"https://glannau-gazette.example/wp-content/uploads/2024/03/cyfweliad.mp3\" rel=\"nofollow noopener noreferrer\">https://glannau-gazette.example/wp-content/uploads/2024/03/cyfweliad.mp3</a>"],
            converted.Blocks.Select(b => b.Block.Html));
        Assert.Contains("a <video> became a link to its file", converted.Notes);
    }

    [Fact]
    public void A_post_longer_than_an_article_takes_is_joined_and_split_to_fit_with_nothing_lost()
    {
        var minutes = string.Join("\n", Enumerable.Range(1, 300).Select(i => $"{i:000} Cllr Owen: item {i} agreed, with the amendment read into the minutes by the clerk."));
        var paragraphs = Enumerable.Range(1, 1100).Select(i => $"Paragraph {i}.").ToList();
        var converted = WordPressHtml.Convert(string.Join("\n\n", paragraphs) + "\n\n" + minutes, Site, Attachments, null, "111");
        var blocks = converted.Blocks.Select(b => b.Block).ToList();
        Assert.InRange(blocks.Count, 1, SaveArticleRequestValidator.MaxBlocks);
        Assert.All(blocks, b => Assert.InRange(b.Html!.Length, 1, BlockValidator.MaxHtmlLength));
        var text = string.Join("<br>", blocks.Select(b => b.Html));
        Assert.All(paragraphs.Concat(["300 Cllr Owen"]), p => Assert.Contains(p, text, StringComparison.Ordinal));
        Assert.Equal(2, converted.Notes.Count);
    }

    [Fact]
    public void A_classic_post_keeps_its_structure_where_a_line_of_text_runs_into_a_heading_list_table_or_preformatted_text()
    {
        var converted = WordPressHtml.Convert("""
            The harbour committee met on Tuesday and agreed three things.
            <h2>Decisions</h2>
            <ol>
            	<li>Dredge the inner basin
            <ol>
            	<li>before Easter</li>
            </ol>
            </li>
            	<li>Repaint the railings</li>
            </ol>
            The chair, Gwenllian Parry, thanked the volunteers.
            <table>
            <tbody>
            <tr>
            <td>Dredging</td>
            <td>£4,000</td>
            </tr>
            </tbody>
            </table>
            <address>Harbour Office
            Conwy</address><strong>The tide table</strong>, as the clerk typed it:
            <pre>
            Llandudno   09:10

            	Conwy     09:25
            </pre>
            Bring a flask.
            """, Site, Attachments, null, "101");
        var blocks = converted.Blocks.Select(b => b.Block).ToList();
        Assert.Equal(["paragraph", "heading", "list", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph"], blocks.Select(b => b.Type));
        Assert.Equal("The harbour committee met on Tuesday and agreed three things.", blocks[0].Html);
        Assert.Equal(["Dredge the inner basin", "before Easter", "Repaint the railings"], blocks[2].Items);
        Assert.Equal("Dredging | £4,000", blocks[4].Html);
        Assert.Equal("Harbour Office<br>\nConwy", blocks[5].Html);
        Assert.Equal("<strong>The tide table</strong>, as the clerk typed it:", blocks[6].Html);
        // The blank line inside <pre> is its own: one paragraph, its indentation kept, and the report says what was lost.
        Assert.Equal("Llandudno&nbsp;&nbsp;&nbsp;09:10<br><br>&nbsp;&nbsp;&nbsp;&nbsp;Conwy&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;09:25", blocks[7].Html);
        Assert.Equal("Bring a flask.", blocks[8].Html);
        Assert.Contains(converted.Notes, n => n.StartsWith("preformatted text (<pre>) became a paragraph", StringComparison.Ordinal));
    }

    [Fact]
    public void A_classic_line_that_ends_with_its_own_br_breaks_once_not_twice()
    {
        var converted = WordPressHtml.Convert("""
            Llandudno pier, Saturday:<br />
            bands from noon<BR>
            fireworks at eight
            <address>Pier Office<br/>
            Llandudno</address>
            """, Site, Attachments, null, "101");

        var blocks = converted.Blocks.Select(b => b.Block.Html).ToList();
        Assert.Equal("Llandudno pier, Saturday:<br>\nbands from noon<br>\nfireworks at eight", blocks[0]);
        Assert.Equal("Pier Office<br>\nLlandudno", blocks[1]);
    }

    [Fact]
    public void Text_and_inline_markup_between_blocks_is_one_paragraph_not_one_per_element()
    {
        var blocks = Blocks("""
            <!-- wp:paragraph -->
            <p>The ferry runs again.</p>
            <!-- /wp:paragraph -->

            Timetables from <a href="https://glannau-gazette.example/amserlen">the harbour office</a>, or ring <strong>01492 000000</strong>.

            <!-- wp:file {"id":301,"href":"https://glannau-gazette.example/wp-content/uploads/2024/03/amserlen.pdf"} -->
            <div class="wp-block-file"><a id="wp-block-file--media-1" href="https://glannau-gazette.example/wp-content/uploads/2024/03/amserlen.pdf">Amserlen</a><a href="https://glannau-gazette.example/wp-content/uploads/2024/03/amserlen.pdf" class="wp-block-file__button wp-element-button" download aria-describedby="wp-block-file--media-1">Download</a></div>
            <!-- /wp:file -->
            """);
        Assert.Equal(["paragraph", "paragraph", "paragraph"], blocks.Select(b => b.Type));
        Assert.Equal("Timetables from <a href=\"https://glannau-gazette.example/amserlen\" rel=\"nofollow noopener noreferrer\">the harbour office</a>, or ring <strong>01492 000000</strong>.", blocks[1].Html);
        Assert.Equal("<a href=\"https://glannau-gazette.example/wp-content/uploads/2024/03/amserlen.pdf\" rel=\"nofollow noopener noreferrer\">Amserlen</a>", blocks[2].Html);
    }

    [Fact]
    public void WordPress_players_embeds_of_its_other_providers_lazy_loaded_pictures_and_page_breaks_come_across_or_are_reported()
    {
        var converted = WordPressHtml.Convert("""
            [video width="640" height="360" mp4="https://glannau-gazette.example/wp-content/uploads/2024/03/lansio.mp4"][/video]

            [audio src="/wp-content/uploads/2024/03/cor.mp3"]

            [audio https://glannau-gazette.example/wp-content/uploads/2024/03/emyn.mp3]

            https://wordpress.tv/2024/03/01/conwy-meetup/

            https://soundcloud.com/cor-meibion/anthem

            <!-- wp:embed {"url":"https://www.instagram.com/p/gwyl/?utm_source=share\u0026igshid=abc","type":"rich","providerNameSlug":"instagram"} -->
            <figure class="wp-block-embed is-type-rich is-provider-instagram wp-block-embed-instagram"><div class="wp-block-embed__wrapper">
            https://www.instagram.com/p/gwyl/?utm_source=share&amp;igshid=abc
            </div></figure>
            <!-- /wp:embed -->

            <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-lazy-src="https://glannau-gazette.example/wp-content/uploads/2024/03/castell.jpg" alt="Conwy castle" />

            <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A picture the plugin never filled in" />

            <!--nextpage-->

            Page two.
            """, Site, Attachments, null, "101");
        var blocks = converted.Blocks.Select(b => b.Block).ToList();
        Assert.Equal(["paragraph", "paragraph", "paragraph", "embed", "embed", "embed", "image", "paragraph"], blocks.Select(b => b.Type));
        Assert.Contains("href=\"https://glannau-gazette.example/wp-content/uploads/2024/03/lansio.mp4\"", blocks[0].Html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://glannau-gazette.example/wp-content/uploads/2024/03/cor.mp3\"", blocks[1].Html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://glannau-gazette.example/wp-content/uploads/2024/03/emyn.mp3\"", blocks[2].Html, StringComparison.Ordinal);
        // The URL as the post's HTML writes it (&amp;) is the URL with its & once.
        Assert.Equal(["https://wordpress.tv/2024/03/01/conwy-meetup/", "https://soundcloud.com/cor-meibion/anthem", "https://www.instagram.com/p/gwyl/?utm_source=share&igshid=abc"],
            blocks.Where(b => b.Type == "embed").Select(b => b.Url));
        Assert.Equal(("https://glannau-gazette.example/wp-content/uploads/2024/03/castell.jpg", "Conwy castle"), (blocks[6].Url, blocks[6].Alt));
        Assert.Empty(converted.UnknownShortcodes);
        Assert.Contains("a <video> became a link to its file", converted.Notes);
        Assert.Contains("a picture without a web address was left out", converted.Notes);
        Assert.Contains("page breaks (<!--nextpage-->) were dropped: its pages are one article", converted.Notes);
    }

    [Fact]
    public void A_reusable_block_nested_too_deep_is_reported_as_too_deep_not_as_missing()
    {
        var reusable = new Dictionary<string, string>
        {
            ["1"] = "<!-- wp:block {\"ref\":2} /-->", ["2"] = "<!-- wp:block {\"ref\":3} /-->", ["3"] = "<!-- wp:block {\"ref\":4} /-->", ["4"] = "<p>Deep.</p>",
        };
        var converted = WordPressHtml.Convert("<!-- wp:block {\"ref\":1} /-->", Site, Attachments, reusable, "101");
        Assert.Equal(["reusable block 4 was left out: reusable blocks nested more than 3 deep"], converted.Notes);
    }

    [Fact]
    public void A_block_quote_without_a_speaker_keeps_its_paragraphs_and_links()
    {
        var blocks = Blocks("""
            <blockquote><p>The <strong>pier</strong> stays open, says <a href="https://glannau-gazette.example/cyngor">the council</a>.</p>
            <p>Repairs start in May.</p></blockquote>
            """);
        Assert.Equal(["<em>The <strong>pier</strong> stays open, says <a href=\"https://glannau-gazette.example/cyngor\" rel=\"nofollow noopener noreferrer\">the council</a>.</em>", "<em>Repairs start in May.</em>"],
            blocks.Select(b => b.Html));
    }

    [Fact]
    public void Pictures_in_list_items_or_shown_as_a_cover_background_and_over_long_headings_come_across_or_are_reported()
    {
        var converted = WordPressHtml.Convert($"""
            <!-- wp:cover {"{"}"url":"https://glannau-gazette.example/wp-content/uploads/2024/03/harbwr-1024x683.jpg","id":201,"hasParallax":true{"}"} -->
            <div class="wp-block-cover has-parallax"><span aria-hidden="true" class="wp-block-cover__background has-background-dim"></span><div role="img" class="wp-block-cover__image-background wp-image-201 has-parallax" style="background-position:50% 50%;background-image:url(https://glannau-gazette.example/wp-content/uploads/2024/03/harbwr-1024x683.jpg)"></div><div class="wp-block-cover__inner-container"><!-- wp:paragraph -->
            <p>Low tide at Conwy</p>
            <!-- /wp:paragraph --></div></div>
            <!-- /wp:cover -->

            <!-- wp:list -->
            <ul><li>The new pontoon</li><li><a href="https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg"><img src="https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg" alt="" class="wp-image-202"/></a></li></ul>
            <!-- /wp:list -->

            <!-- wp:heading -->
            <h2>{string.Concat(Enumerable.Repeat("Ll", 200))}</h2>
            <!-- /wp:heading -->
            """, Site, Attachments, null, "101");
        var blocks = converted.Blocks.Select(b => b.Block).ToList();
        Assert.Equal(["image", "paragraph", "list", "image", "heading"], blocks.Select(b => b.Type));
        Assert.Equal(("https://glannau-gazette.example/wp-content/uploads/2024/03/harbwr.jpg", "Conwy harbour at low tide"), (blocks[0].Url, blocks[0].Alt));
        Assert.Equal(["The new pontoon"], blocks[2].Items);
        Assert.Equal(("https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg", "Bangor pier"), (blocks[3].Url, blocks[3].Alt));
        Assert.Equal(300, blocks[4].Text!.Length);
        Assert.Contains("a heading longer than 300 characters was cut to 300", converted.Notes);
    }

    [Fact]
    public void A_divider_classic_or_gutenberg_is_reported_and_the_more_marker_leaves_the_text_as_it_was()
    {
        const string divider = "a divider (<hr>, a separator block) was left out: an article has no divider block";
        var classic = WordPressHtml.Convert("Before the break.\n\n<!--more-->\n\nAfter it.\n\n<hr />\n\nThe end.", Site, Attachments, null, "101");
        Assert.Equal(["Before the break.", "After it.", "The end."], classic.Blocks.Select(b => b.Block.Html));
        Assert.Equal([divider], classic.Notes);
        var gutenberg = WordPressHtml.Convert("""
            <!-- wp:paragraph -->
            <p>One.</p>
            <!-- /wp:paragraph -->

            <!-- wp:more -->
            <!--more-->
            <!-- /wp:more -->

            <!-- wp:separator -->
            <hr class="wp-block-separator has-alpha-channel-opacity"/>
            <!-- /wp:separator -->

            <!-- wp:paragraph -->
            <p>Two.</p>
            <!-- /wp:paragraph -->
            """, Site, Attachments, null, "101");
        Assert.Equal(["One.", "Two."], gutenberg.Blocks.Select(b => b.Block.Html));
        Assert.Equal([divider], gutenberg.Notes);
    }

    [Fact]
    public void A_table_is_kept_as_text_and_reported_with_its_rows_and_a_table_in_a_cell_is_not_counted_twice()
    {
        var converted = WordPressHtml.Convert("""
            <table><caption>Tide times</caption><tbody>
            <tr><th>Place</th><th>High water</th></tr>
            <tr><td>Conwy</td><td><table><tr><td>09:25</td></tr><tr><td>21:40</td></tr></table></td></tr>
            </tbody></table>
            """, Site, Attachments, null, "101");
        Assert.Equal(["Tide times", "Place | High water", "Conwy", "09:25", "21:40"], converted.Blocks.Select(b => b.Block.Html));
        Assert.Equal(["a table kept as text, 4 rows (a paragraph each)"], converted.Notes);
    }

    [Fact]
    public void Inline_markup_an_article_has_no_place_for_keeps_its_meaning_where_it_can_and_is_reported_where_it_cannot()
    {
        var converted = WordPressHtml.Convert("""
            <h2>CO<sub>2</sub> at the harbour</h2>
            <p>E = MC<sup>2</sup>, H<sub>2</sub>O, 10<sup>-3</sup>, x<sub>(2+1)</sub>, the 5<sup>th</sup> time<sup><a href="https://glannau-gazette.example/#n1">1</a></sup>: <b>bold</b>, <i>italic</i>, <code>sudo</code>, <del>old</del> <mark>new</mark>.</p>
            <ul><li>SO<sub>2</sub> and <b>NO</b></li></ul>
            <pre><code>kept as preformatted text</code></pre>
            """, Site, Attachments, null, "101");
        var blocks = converted.Blocks.Select(b => b.Block).ToList();
        Assert.Equal("CO₂ at the harbour", blocks[0].Text);
        Assert.Equal(
            "E = MC², H₂O, 10⁻³, x₍₂₊₁₎, the 5th time<a href=\"https://glannau-gazette.example/#n1\" rel=\"nofollow noopener noreferrer\">¹</a>: <strong>bold</strong>, <em>italic</em>, sudo, old new.",
            blocks[1].Html);
        Assert.Equal(["SO₂ and <strong>NO</strong>"], blocks[2].Items);
        Assert.Contains("inline markup an article has no place for was kept as its text: <code>, <del>, <mark>, <sup>", converted.Notes);
    }

    [Fact]
    public void Only_brackets_that_look_like_shortcodes_are_listed_not_editorial_notes_in_brackets()
    {
        var converted = WordPressHtml.Convert("""
            [Updated 3pm] The council replied. [Photo: Jane Doe] He said it was "there [sic] problem" [1].

            [contact-form-7 id="12" title="Contact us"]

            [su_button url="https://glannau-gazette.example/"]Book[/su_button] [su_divider]

            [su_note]Text[/su_note] [toc] [Read more] [Updated] [and/or] [[escaped]] [Note]…[/Note]
            """, Site, Attachments, null, "101");
        Assert.Equal(["Note", "contact-form-7", "su_button", "su_divider", "su_note", "toc"], converted.UnknownShortcodes);
        Assert.Contains("[Updated 3pm] The council replied.", converted.Blocks[0].Block.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_paragraph_too_long_for_a_block_is_split_between_its_links_and_words_never_inside_a_tag()
    {
        var sentences = string.Concat(Enumerable.Range(1, 400).Select(i =>
            $"Item {i}: <a href=\"https://glannau-gazette.example/cofnodion/{i}\">the minutes of meeting {i}</a> and <strong>vote {i}</strong>. "));
        var bold = string.Concat(Enumerable.Repeat("Bold words run on &amp; on. ", 900));
        var converted = WordPressHtml.Convert($"<p>{sentences}<strong>{bold}</strong></p>", Site, Attachments, null, "101");
        var parts = converted.Blocks.Select(b => b.Block.Html!).ToList();
        Assert.InRange(parts.Count, 4, 10);
        Assert.All(parts, part => Assert.InRange(part.Length, 1, BlockValidator.MaxHtmlLength));
        // Each part is whole HTML: sanitising it again changes nothing, and no link or bold text is cut in two.
        Assert.All(parts, part => Assert.Equal(part, HeadlessNews.Api.Infrastructure.Html.HtmlSafety.SanitiseInline(part)));
        Assert.Equal(400, parts.Sum(p => p.Split("<a href=").Length - 1));
        Assert.Equal(400, parts.Sum(p => p.Split("</a>").Length - 1));
        Assert.All(parts.Where(p => p.Contains("Bold words", StringComparison.Ordinal) && !p.Contains("<a ", StringComparison.Ordinal)),
            part => Assert.Matches("^<strong>[^<]+</strong>$", part));
        Assert.Equal(WordPressHtml.PlainText(sentences + bold), WordPressHtml.PlainText(string.Join(" ", parts)));

        // A word longer than a block is cut between characters, never inside a character reference (here the 20,000th
        // character is inside an "&amp;").
        var word = "xxxx" + string.Concat(Enumerable.Repeat("ab&amp;", 5000));
        var cut = WordPressHtml.Convert($"<p>{word}</p>", Site, Attachments, null, "101").Blocks.Select(b => b.Block.Html!).ToList();
        Assert.Equal(2, cut.Count);
        Assert.All(cut, part => Assert.Equal(part, HeadlessNews.Api.Infrastructure.Html.HtmlSafety.SanitiseInline(part)));
        Assert.Equal("xxxx" + string.Concat(Enumerable.Repeat("ab&", 5000)), string.Concat(cut.Select(WordPressHtml.PlainText)));
    }

    [Fact]
    public void Preformatted_text_and_verse_whose_lines_end_with_br_keep_their_lines_instead_of_running_the_words_together()
    {
        var blocks = Blocks("""
            <!-- wp:preformatted -->
            <pre class="wp-block-preformatted">Bus times<br><br>Conwy   08:10  <br>Deganwy 08:22<br></pre>
            <!-- /wp:preformatted -->

            <!-- wp:verse -->
            <pre class="wp-block-verse">Tide in,<br>  tide out</pre>
            <!-- /wp:verse -->
            """);
        Assert.Equal(["Bus times<br><br>Conwy&nbsp;&nbsp;&nbsp;08:10<br>Deganwy 08:22", "Tide in,<br>&nbsp;&nbsp;tide out"], blocks.Select(b => b.Html));
    }

    [Fact]
    public void A_cover_of_gutenberg_2018_keeps_the_picture_it_shows_as_the_background_of_its_own_box()
    {
        var blocks = Blocks("""
            <!-- wp:cover {"url":"https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg","align":"left","id":202} -->
            <div class="wp-block-cover has-background-dim alignleft" style="background-image:url(https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg)"><p class="wp-block-cover-text">The pier at dusk</p></div>
            <!-- /wp:cover -->

            <!-- wp:cover-image {"url":"https://glannau-gazette.example/wp-content/uploads/2024/03/bad.jpg"} -->
            <div class="wp-block-cover-image has-background-dim" style="background-image:url(https://glannau-gazette.example/wp-content/uploads/2024/03/bad.jpg)"><p class="wp-block-cover-image-text">The lifeboat</p></div>
            <!-- /wp:cover-image -->
            """);
        Assert.Equal(["image", "paragraph", "image", "paragraph"], blocks.Select(b => b.Type));
        Assert.Equal(("https://glannau-gazette.example/wp-content/uploads/2024/03/pier.jpg", "Bangor pier", "The pier at dusk"), (blocks[0].Url, blocks[0].Alt, blocks[1].Html));
        Assert.Equal(("https://glannau-gazette.example/wp-content/uploads/2024/03/bad.jpg", "The lifeboat"), (blocks[2].Url, blocks[2].Alt));
    }

    [Fact]
    public void Blocks_wordpress_fills_in_as_a_page_is_shown_are_named_in_the_report_not_dropped_silently()
    {
        var converted = WordPressHtml.Convert("""
            <!-- wp:paragraph -->
            <p>The latest from the harbour:</p>
            <!-- /wp:paragraph -->

            <!-- wp:latest-posts {"categories":"6","postsToShow":10,"displayPostDate":true} /-->

            <!-- wp:social-links -->
            <ul class="wp-block-social-links"><!-- wp:social-link {"url":"https://glannau-gazette.example/","service":"wordpress"} /--></ul>
            <!-- /wp:social-links -->

            <!-- wp:jetpack/contact-form /-->

            <!-- wp:shortcode /-->
            """, Site, Attachments, null, "101");
        Assert.Equal(["The latest from the harbour:"], converted.Blocks.Select(b => b.Block.Html));
        Assert.Equal(["blocks WordPress fills in as a page is shown were left out: jetpack/contact-form, latest-posts, social-link"], converted.Notes);
    }

    [Fact]
    public void A_table_row_s_empty_cells_at_its_end_leave_no_separators_and_those_before_text_keep_its_place()
    {
        var blocks = Blocks("""
            <table><thead><tr><th>Boat</th><th>Crew</th><th></th></tr></thead>
            <tbody><tr><td></td><td>4</td><td>Seren</td></tr><tr><td>Gwylan</td><td></td><td> </td></tr></tbody></table>
            """);
        Assert.Equal(["Boat | Crew", "| 4 | Seren", "Gwylan"], blocks.Select(b => b.Html));
    }
}
