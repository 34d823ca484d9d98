using System.Net;
using System.Text.Json;
using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// The import of an export with every structure of WordPress's own "Theme Unit Test" export, the file a reviewer is likely
/// to try first (Imports/Fixtures/glannau-gazette-themetest.wxr.xml, our own words in its shapes): every post and page comes
/// across, its text and inline markup kept, its blocks converted, and whatever has no place here named in the report; the
/// delivery API, search and feeds then serve all of it.
/// </summary>
public sealed class WordPressThemeTestExportTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_structure_of_the_theme_unit_test_export_comes_across_or_is_named_in_the_report_and_delivery_serves_it_all()
    {
        await using var oldSite = await OldWordPressSite.StartAsync();
        var (run, file) = WordPressImportTests.Fixture(out var pid, oldSite.Url, "glannau-gazette-themetest.wxr.xml");
        var (exit, output) = await api.RunImportAsync(file, "--pages", "--report", file + ".report.json");
        Assert.True(exit == 0, output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        Assert.Equal(JsonValueKind.Null, report.GetProperty("error").ValueKind);
        var client = api.CreateClient();
        var manage = await api.ClientWithScopesAsync("content:write");
        var reasons = report.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("sourceId").GetString()![pid.Length..], i => i.GetProperty("reason").GetString()!);
        string Reason(string id) => reasons.GetValueOrDefault(id) ?? string.Empty;
        async Task<JsonElement> Article(string slug) => await client.GetJsonAsync($"/v1/articles/{slug}-{run}");
        static List<JsonElement> Body(JsonElement article) => [.. article.GetProperty("body").EnumerateArray()];
        static List<string?> Types(JsonElement article) => [.. Body(article).Select(b => b.GetProperty("type").GetString())];
        static string? Html(JsonElement block) => block.GetProperty("html").GetString();
        static bool IsImage(JsonElement block) => block.GetProperty("type").GetString() == "image";

        // Every post and page comes; attachments, menu items (one of them twice) and comments are counted with their reason. No post fails.
        var counts = report.GetProperty("counts");
        int Count(string kind, string what) => counts.GetProperty(kind).GetProperty(what).GetInt32();
        Assert.Equal((54, 0), (Count("posts", "created"), Count("posts", "skipped")));
        Assert.Equal((9, 0), (Count("pages", "created"), Count("pages", "skipped")));
        Assert.Equal((15, 5, 15), (Count("attachments", "skipped"), Count("menu items", "skipped"), Count("comments", "skipped")));
        Assert.DoesNotContain(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("outcome").GetString() is not ("created" or "updated"));
        Assert.Empty(report.GetProperty("unknownShortcodes").EnumerateObject());
        Assert.Equal((15, 0), (report.GetProperty("images").GetProperty("downloaded").GetInt32(), report.GetProperty("images").GetProperty("failed").GetInt32()));

        // Sections and tags: a three-level chain of categories, two categories of the same name, a tag with Greek letters, tags no wp:tag lists.
        var sections = (await manage.GetJsonAsync("/v1/manage/sections?limit=100")).GetProperty("items").EnumerateArray().ToDictionary(s => s.GetProperty("slug").GetString()!, s => s.GetProperty("name").GetString());
        Assert.Equal(("Llandudno", "Ardal", "Ardal", "Rhifyn 2.0", "Ynys Môn"),
            (sections[$"llandudno-{run}"], sections[$"ardal-{run}"], sections[$"ardal-conwy-{run}"], sections[$"rhifyn-2-0-{run}"], sections[$"ynys-mon-{run}"]));
        Assert.Equal("cynnwys περιεχόμενο", (await manage.GetJsonAsync($"/v1/manage/tags/cynnwys-{run}")).GetProperty("name").GetString());
        Assert.Equal("tag prawf", (await manage.GetJsonAsync($"/v1/manage/tags/tag-prawf-{run}")).GetProperty("name").GetString());
        Assert.Equal("s4c.tv", (await manage.GetJsonAsync($"/v1/manage/tags/s4c-tv-{run}")).GetProperty("name").GetString());

        // WordPress 6.x blocks: font sizes and groups are their paragraphs and headings.
        var fonts = await Article("font-sizes");
        Assert.Equal(["paragraph", "heading", "heading", "paragraph", "paragraph", "paragraph"], Types(fonts));
        Assert.Equal("The railings are <strong>harbour blue</strong> again.", Html(Body(fonts)[5]));
        Assert.Equal($"rhifyn-2-0-{run}", fonts.GetProperty("section").GetProperty("slug").GetString());
        // The site's language (the channel's <language>) is every article's: a Welsh site's stories are not filed as English.
        Assert.Equal(("cy", "cy", "cy"), (fonts.GetProperty("language").GetString(), (await Article("post-format-standard")).GetProperty("language").GetString(),
            (await Article("croeso")).GetProperty("language").GetString()));

        // Buttons become their links, columns and rows their paragraphs; a separator, a page break and spacers leave nothing behind but notes.
        var design = await Article("design-blocks");
        Assert.Equal(["The lifeboat station opens its doors on Saturday.", "Book a tour", "Read the programme", "Morning: the crew launch the all-weather boat.",
            "Afternoon: a winch display with the coastguard helicopter.", "Tea", "Cakes", "Parking is on the harbour car park."], Body(design).Select(b => PlainText(Html(b))));
        Assert.Contains($"/lifeboat/\"", Html(Body(design)[2]), StringComparison.Ordinal);

        // The theme's and widgets' blocks WordPress fills in when a page is shown (menus, query loops, archives, latest posts…) have nothing
        // to import: the post keeps its text, and the report names them.
        Assert.Equal(["Our site's council page is built from the theme's own blocks.", "<em>The council meets again on Thursday.</em>"], Body(await Article("theme-blocks")).Select(Html));
        Assert.Contains("blocks WordPress fills in as a page is shown were left out: avatar, comment-author-name, comment-content, comments-title, loginout, page-list, post-author, "
            + "post-author-biography, post-comments-form, post-date, post-featured-image, post-navigation-link, post-terms, post-title, query-pagination-next, query-pagination-numbers, "
            + "query-pagination-previous, query-title, read-more, site-logo, site-tagline, site-title, term-description", Reason("102"), StringComparison.Ordinal);
        Assert.Equal(["The sidebar lists the archives and the latest letters.", "<strong> Tide times </strong>"], Body(await Article("widget-blocks")).Select(Html));
        Assert.Contains("blocks WordPress fills in as a page is shown were left out: archives, calendar, categories, latest-comments, latest-posts, rss, search, social-link, tag-cloud",
            Reason("103"), StringComparison.Ordinal);
        Assert.Contains("blocks WordPress fills in as a page is shown were left out: archives, categories, latest-comments, latest-posts, rss, search, tag-cloud", Reason("148"), StringComparison.Ordinal);
        Assert.Contains("page breaks (<!--nextpage-->) were dropped", Reason("104"), StringComparison.Ordinal);
        Assert.Contains("a divider (<hr>, a separator block) was left out", Reason("104"), StringComparison.Ordinal);

        // Media blocks: an image, a gallery of nested images, a cover over a picture (inline or as a fixed background), a file,
        // media & text with a picture or a video, a video and an audio file (links to their files).
        var media = await Article("media-blocks");
        Assert.Equal(["paragraph", "image", "image", "image", "paragraph", "image", "paragraph", "image", "paragraph", "paragraph", "image", "paragraph", "paragraph", "paragraph", "paragraph"], Types(media));
        var mediaBody = Body(media);
        Assert.Equal(("The eisteddfod field from the hill", "The pavilion at noon"), (mediaBody[1].GetProperty("alt").GetString(), mediaBody[2].GetProperty("caption").GetString()));
        Assert.All(mediaBody.Where(IsImage), image => Assert.True(image.TryGetProperty("assetId", out _)));
        Assert.Contains("/cor-meibion.ogg\"", Html(mediaBody[4]), StringComparison.Ordinal);
        Assert.Equal("Sunset over the Menai", mediaBody[5].GetProperty("alt").GetString());
        Assert.Equal(mediaBody[5].GetProperty("assetId").GetString(), mediaBody[7].GetProperty("assetId").GetString());
        Assert.Equal("Fixed background over the straits", Html(mediaBody[8]));
        Assert.Contains("/rhaglen.pdf\" rel=\"nofollow noopener noreferrer\">Programme for the week</a>", Html(mediaBody[9]), StringComparison.Ordinal);
        Assert.DoesNotContain("Download", media.GetProperty("body").GetRawText(), StringComparison.Ordinal);
        Assert.Equal("The pavilion seats four thousand &amp; was full by ten.", Html(mediaBody[11]));
        Assert.All(mediaBody.Skip(13), video => Assert.Contains("/cynhesu.mov\"", Html(video), StringComparison.Ordinal));
        Assert.Contains("a <video> became a link to its file", Reason("105"), StringComparison.Ordinal);
        Assert.Contains("a <audio> became a link to its file", Reason("105"), StringComparison.Ordinal);

        // Text blocks: an h1 is the article's top heading level, an h5 its lowest; a list in a list item follows it; a quote, a pull quote;
        // a paragraph of the classic block between blocks; code, preformatted text and verse keep their lines; a table with its head and foot.
        var text = await Article("text-blocks");
        Assert.Equal(["paragraph", "heading", "heading", "list", "list", "quote", "paragraph", "paragraph", "paragraph", "quote", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph"], Types(text));
        var textBody = Body(text);
        Assert.Equal((2, 4), (textBody[1].GetProperty("level").GetInt32(), textBody[2].GetProperty("level").GetInt32()));
        Assert.Equal(["Beach huts", "twelve more on the west shore"], textBody[4].GetProperty("items").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("A paragraph pasted in the classic block.", Html(textBody[6]));
        Assert.Equal("tariff = 1.50 * hours", Html(textBody[7]));
        Assert.Equal("Bay&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;Hours&nbsp;&nbsp;&nbsp;Price<br>Pier&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;4&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;£6.00", Html(textBody[8]));
        Assert.Equal(["Car park | Spaces", "Pier | 120", "Total | 120", "Spaces by car park", "Tide in, tide out,<br>the prom waits."], textBody.Skip(10).Select(Html));
        Assert.Contains("a table kept as text, 3 rows", Reason("106"), StringComparison.Ordinal);
        var quotes = (await client.GetJsonAsync("/v1/quotes?limit=100")).GetProperty("items").EnumerateArray()
            .ToDictionary(q => q.GetProperty("id").GetString()!, q => (Text: q.GetProperty("text").GetString(), Speaker: q.GetProperty("speaker").GetProperty("name").GetString()));
        Assert.Equal(("We listened to the traders.", "Cllr Elin Parry"), quotes[textBody[5].GetProperty("quoteId").GetString()!]);
        Assert.Equal(("Parking should not cost more than the ice cream.", "A trader on the prom"), quotes[textBody[9].GetProperty("quoteId").GetString()!]);
        Assert.Equal($"text-blocks-{run}", (await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString($"/2024/03/02/8-2-{run}/")}")).GetProperty("slug").GetString());

        // A hand-tidied post: no CDATA, indented fields, no modified dates, only a tag; its date is the GMT one; lists of links, one nested.
        var keyboard = await Article("keyboard-only");
        Assert.Equal(new DateTimeOffset(2024, 3, 3, 3, 3, 48, TimeSpan.Zero), keyboard.GetProperty("publishAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, keyboard.GetProperty("section").ValueKind);
        Assert.Equal(["paragraph", "list", "list"], Types(keyboard));
        Assert.Equal("Focus that doesn’t jump around — ever.", Body(keyboard)[1].GetProperty("items")[2].GetString());
        Assert.Equal(3, Body(keyboard)[2].GetProperty("items").GetArrayLength());

        // Post formats of the classic editor.
        Assert.Equal(["paragraph", "paragraph", "paragraph"], Types(await Article("post-format-standard")));
        var gallery = await Article("post-format-gallery");
        Assert.Equal(["image", "image", "paragraph", "heading", "image", "image", "heading", "image", "image"], Types(gallery));
        Assert.Equal(("The pavilion", "The pavilion at noon"), (Body(gallery)[0].GetProperty("alt").GetString(), Body(gallery)[0].GetProperty("caption").GetString()));
        Assert.Equal("The eisteddfod in pictures, set in columns: one, then three.", Html(Body(gallery)[2]));
        Assert.Contains("<code>", Reason("109"), StringComparison.Ordinal);
        Assert.StartsWith("“I never wanted to be famous", Html(Body(await Article("post-format-aside"))[0]), StringComparison.Ordinal);
        Assert.Equal(6, Body(await Article("post-format-chat")).Count);
        Assert.Contains("/tides/\" rel=\"nofollow noopener noreferrer\">Tide tables for the coast</a>", Html(Body(await Article("post-format-link"))[0]), StringComparison.Ordinal);
        var linked = Body(await Article("post-format-image-linked")).Single();
        Assert.Equal(("Driftwood on the beach", "Driftwood on Benllech beach after the February gales."), (linked.GetProperty("alt").GetString(), linked.GetProperty("caption").GetString()));
        Assert.Equal(("Only one thing is harder than building a sea wall: agreeing who pays for it.", "Dewi Morgan"),
            quotes[Body(await Article("post-format-quote")).Single().GetProperty("quoteId").GetString()!]);
        Assert.Equal("The A55 is open again both ways at Penmaenmawr (short enough for a text message).", Html(Body(await Article("post-format-status")).Single()));
        Assert.Equal($"https://wordpress.tv/2023/06/03/glannau-gazette-{run}-how-we-cover-the-coast/", Body(await Article("post-format-video-wordpresstv"))[0].GetProperty("url").GetString());
        Assert.Equal($"https://www.youtube.com/watch?v={run}harbour1", Body(await Article("post-format-video-youtube"))[0].GetProperty("url").GetString());
        Assert.Equal("https://twitter.com/glannaugazette/status/1319508408669708289", Body(await Article("media-x-embeds"))[0].GetProperty("url").GetString());
        var audio = Body(await Article("post-format-audio"));
        Assert.Equal(["Listen:", "The male voice choir at the pier", "The player:"], audio.Take(3).Select(b => PlainText(Html(b))));
        Assert.Contains("/cor-meibion.mp3\"", Html(audio[3]), StringComparison.Ordinal);
        Assert.Equal(["image"], Types(await Article("post-format-image")));
        var captioned = await Article("post-format-image-caption");
        Assert.Equal("Driftwood on Benllech beach", Body(captioned).Single().GetProperty("caption").GetString());
        Assert.True(captioned.GetProperty("heroImage").TryGetProperty("assetId", out _));

        // Templates: a standfirst with markup as plain text, the more tag leaves the text whole, featured pictures, a gallery naming a
        // picture the export does not have, comments (not imported, counted), many tags and categories, a paginated post.
        Assert.Equal("Harbour dues rise for the first time in six years, the trust says, with a week to object.",
            (await Article("template-excerpt-defined")).GetProperty("standfirst").GetString());
        Assert.Equal(3, Body(await Article("template-more-tag")).Count);
        Assert.True((await Article("template-featured-image-horizontal")).GetProperty("heroImage").TryGetProperty("assetId", out _));
        Assert.Equal(["paragraph", "image", "image", "paragraph"], Types(await Article("post-format-gallery-tiled")));
        Assert.Contains($"gallery image {pid}399 is not in the export", Reason("122"), StringComparison.Ordinal);
        Assert.Equal(["paragraph", "list"], Types(await Article("template-comments")));
        Assert.Equal(46, (await Article("edge-case-many-tags")).GetProperty("tags").GetArrayLength());
        var manyCategories = await Article("edge-case-many-categories");
        Assert.Equal(($"clasurol-{run}", 50), (manyCategories.GetProperty("section").GetProperty("slug").GetString(), manyCategories.GetProperty("tags").GetArrayLength()));
        Assert.Contains("8 of its categories and tags left out", Reason("126"), StringComparison.Ordinal);
        Assert.Equal(["Regatta diary, day one", "Regatta diary, day two", "Regatta diary, day three"], Body(await Article("template-paginated")).Select(Html));
        Assert.Contains("page breaks (<!--nextpage-->) were dropped", Reason("135"), StringComparison.Ordinal);

        // A sticky post (pinned to the top of WordPress's front page) is imported as any other, and the report says it lost its pin.
        Assert.Equal(["paragraph", "paragraph", "list"], Types(await Article("template-sticky")));
        Assert.Contains("sticky in WordPress (pinned to the top of the front page): an article here has no pinned place", Reason("142"), StringComparison.Ordinal);
        Assert.DoesNotContain("sticky", Reason("141"), StringComparison.Ordinal);

        // Nested and mixed lists: each list's items in order, its nested lists' items after their item.
        var lists = await Article("edge-case-nested-and-mixed-lists");
        Assert.Equal(["paragraph", "list", "heading", "list", "heading", "list"], Types(lists));
        Assert.Equal(["Bangor", "Caernarfon", "<strong>Y Felinheli</strong>", "<strong>Bontnewydd</strong>", "Llanwnda", "Groeslon", "Pwllheli"],
            Body(lists)[3].GetProperty("items").EnumerateArray().Select(i => i.GetString()));

        // Every HTML tag of the markup test: headings, block quotes (with and without cite), a table, a definition list, nested lists,
        // an address, inline elements (those an article cannot keep named), code, a horizontal rule, preformatted text.
        var markup = await Article("markup-html-tags-and-formatting");
        var markupText = Body(markup).Select(b => b.GetProperty("type").GetString() switch
        {
            "paragraph" => Html(b),
            "heading" => $"h{b.GetProperty("level").GetInt32()} {b.GetProperty("text").GetString()}",
            "list" => string.Join(" / ", b.GetProperty("items").EnumerateArray().Select(i => i.GetString())),
            var other => other,
        }).ToList();
        Assert.Equal(["<strong>Headings</strong>", "h2 Heading one", "h2 Heading two", "h3 Heading three", "h4 Heading four", "h4 Heading five", "h4 Heading six", "h2 Block quotes",
            "A letter in one line:", "<em>Keep the harbour open.</em>"], markupText.Take(10));
        Assert.Contains(markupText, p => p!.StartsWith("<em>The <strong>harbour &lt;wall&gt; fund</strong> (or <em>Cronfa'r Wal</em>) pays for repairs.", StringComparison.Ordinal));
        Assert.Contains("the harbour trustees - letters page", markupText);
        Assert.Contains("Boat | Crew", markupText);
        Assert.Contains(markupText, p => p!.Contains("/boats/seren/\" rel=\"nofollow noopener noreferrer\">Seren</a> | 4 | Because the harbour needed a fourth hand.", StringComparison.Ordinal));
        Assert.Contains("The tide, twice a day.", markupText);
        Assert.Contains("List item one / List item one / List item one / List item two / List item two / List item two", markupText);
        Assert.Contains("1 Stryd y Cei<br>\nConwy LL32 8AA<br>\nCymru", markupText);
        Assert.Contains(markupText, p => p!.StartsWith("The web team's timetable code:<br>\n.tide-table {<br>", StringComparison.Ordinal));
        Assert.Contains("The ferry runs <em>only</em> at <em>high</em> tide.", markupText);
        Assert.Contains("Warning: <strong>strong<strong> currents.</strong></strong>", markupText);
        Assert.Contains("The water is H₂O, and the salt is NaCl.", markupText);
        Assert.Contains("The wall took 10⁴ stones, and the 5th course was the hardest.", markupText);
        Assert.Contains("Fares: £4 £3.50 £3.", markupText);
        Assert.Contains(markupText, p => p!.Contains("High water&nbsp;&nbsp;&nbsp;06:12&nbsp;&nbsp;&nbsp;4.8 m<br>", StringComparison.Ordinal) && p.Contains("Neap tides this week &gt; spring tides next &lt; the week after.", StringComparison.Ordinal));
        Assert.Contains("inline markup an article has no place for was kept as its text: <abbr>, <acronym>, <big>, <cite>, <code>, <del>, <ins>, <kbd>, <q>, <s>, <small>, <strike>, <sup>, <tt>, <u>, <var>", Reason("123"), StringComparison.Ordinal);
        Assert.Contains("a divider (<hr>, a separator block) was left out", Reason("123"), StringComparison.Ordinal);
        // A numbered list that starts at 8 or counts down (and Gutenberg's start at 0) counts from 1 here: the report says so.
        const string numbering = "a numbered list's own numbering (a start other than 1, or counting down) was not kept: a list here counts up from 1";
        Assert.Contains(numbering, Reason("123"), StringComparison.Ordinal);
        Assert.Contains(numbering, Reason("144"), StringComparison.Ordinal);
        Assert.DoesNotContain(numbering, Reason("120"), StringComparison.Ordinal);
        Assert.Contains("preformatted text (<pre>) became a paragraph", Reason("123"), StringComparison.Ordinal);

        // Titles: with markup (plain text), with every special character, a single 90-letter word (found by search), none (a draft).
        Assert.Equal("Markup: Title With Markup", (await Article("markup-title-with-markup")).GetProperty("headline").GetString());
        var special = await Article("title-with-special-characters");
        Assert.Equal($"Markup: Title With Special Characters ~`!@#$%^&*()-_=+{{}}[]/\\;:'\"?,.> {run}", special.GetProperty("headline").GetString());
        // A row's empty cells at its end (a short last row of a grid, an unlabelled last column) leave no separators behind.
        Assert.Equal(["! | \" | &amp; | ' | &gt; | &lt;", "[ | \\ | ] | {"], Body(special).Skip(3).Select(Html));
        const string longWord = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogochpenrhynyrhafodfawrllanddanielfab";
        Assert.Equal(longWord, (await Article("title-should-not-overflow")).GetProperty("headline").GetString());
        Assert.Contains((await client.GetJsonAsync($"/v1/search?q={longWord}")).GetProperty("items").EnumerateArray(), hit => hit.GetRawText().Contains($"title-should-not-overflow-{run}", StringComparison.Ordinal));
        Assert.Equal(["heading", "paragraph", "heading", "paragraph", "heading", "paragraph", "heading", "paragraph"], Types(await Article("markup-text-alignment")));

        // Picture alignment: a picture alone in a paragraph, one at the start of a paragraph and one at its end follow it; a resized copy
        // named by a class the export does not have is found by its file's original; captions with links keep their text.
        var alignment = await Article("markup-image-alignment");
        Assert.Equal(["paragraph", "paragraph", "image", "paragraph", "image", "paragraph", "image", "paragraph", "image", "paragraph", "image", "paragraph", "image"], Types(alignment));
        Assert.Equal(("The bay, with a link to the photo desk in its caption.", "A caption longer than its picture is wide."), (Body(alignment)[8].GetProperty("caption").GetString(), Body(alignment)[10].GetProperty("caption").GetString()));
        Assert.Contains("2024/03/pier.jpg", oldSite.Requested);
        Assert.DoesNotContain("2024/03/pier-580x300.jpg", oldSite.Requested);

        // Statuses: scheduled, draft (no slug in the export), password-protected, untitled and empty posts are kept out of delivery with their reasons.
        var all = (await manage.GetJsonAsync("/v1/manage/articles?limit=100")).GetProperty("items").EnumerateArray().ToDictionary(a => a.GetProperty("slug").GetString()!, a => a.GetProperty("status").GetString());
        Assert.Equal(("scheduled", "draft", "draft", "draft", "draft"),
            (all[$"scheduled-{run}"], all["draft"], all[$"template-password-protected-{run}"], all[$"edge-case-no-title-{run}"], all[$"edge-case-no-content-{run}"]));
        Assert.Contains("password-protected: imported as a draft", Reason("132"), StringComparison.Ordinal);
        Assert.Contains("no title: imported as a draft", Reason("133"), StringComparison.Ordinal);
        Assert.Contains("imported as a draft: Publishing needs a headline and at least one body block", Reason("134"), StringComparison.Ordinal);
        foreach (var hidden in new[] { $"scheduled-{run}", "draft", $"template-password-protected-{run}", $"edge-case-no-title-{run}", $"edge-case-no-content-{run}" })
        {
            await (await client.GetAsync($"/v1/articles/{hidden}")).AssertProblemAsync(HttpStatusCode.NotFound);
        }

        // Gutenberg blocks of 2018: common, formatting, layout, embeds, widgets, columns, cover, buttons, quotes, galleries and images.
        var common = Body(await Article("block-category-common"));
        Assert.Equal("A plain paragraph.&nbsp; Nothing fancy: text that flows along the prom.", Html(common[1]));
        Assert.Equal(("The pier, round", 4), (common[6].GetProperty("alt").GetString(), common[7].GetProperty("level").GetInt32()));
        Assert.Equal(["The ferry should run&nbsp;<a href=\"" + oldSite.Url + "/ferry/\" rel=\"nofollow noopener noreferrer\">every hour</a>.", "The ferry should be free for schoolchildren.", "And for their bikes.", "The ferry should wait for the last train."],
            common[8].GetProperty("items").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(["image", "image", "image", "paragraph", "quote"], common.Skip(9).Take(5).Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("the pictures link nowhere", Html(common[12]));
        // A cover of 2018 shows its picture as the background of its own box: the picture, then the text over it.
        Assert.Equal(["image", "paragraph"], common.Skip(15).Take(2).Select(b => b.GetProperty("type").GetString()));
        Assert.Equal(("Sunset over the Menai", "Sunset over the straits, as a cover"), (common[15].GetProperty("alt").GetString(), Html(common[16])));
        var cover = await Article("block-cover");
        Assert.Equal(["image", "paragraph", "paragraph", "image", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph"], Types(cover));
        Assert.Equal(("Sunset over the Menai", "A cover aligned left, over the sunset."), (Body(cover)[0].GetProperty("alt").GetString(), Html(Body(cover)[1])));
        Assert.Equal("<strong>A centred cover, its text on the left.</strong>", Html(Body(cover)[4]));
        Assert.Contains("a <video> became a link to its file", Reason("150"), StringComparison.Ordinal);
        var formatting = Body(await Article("blocks-formatting"));
        Assert.Equal("The web team's note starts with<br>&lt;!-- wp:code --&gt;<br>&lt;?php echo 'Croeso'; ?&gt;", Html(formatting[1]));
        Assert.Equal(("Pasted from the old editor: <em>almost</em> anything goes.", "small print"), (Html(formatting[2]), formatting[3].GetProperty("text").GetString()));
        Assert.Equal("Hand-written HTML from the web team (a box 45% wide).", Html(formatting[4]));
        Assert.Equal("Bus times, as typed.<br><br>Route 5<br><br>Conwy&nbsp;&nbsp;&nbsp;08:10<br>Deganwy 08:22<br>&nbsp;&nbsp;&nbsp;Llandudno 08:35", Html(formatting[5]));
        Assert.Equal("Englyn for the ferry<br><br>Over the straits at dawn,<br>&nbsp;&nbsp;the ferry hums,<br>&nbsp;&nbsp;&nbsp;&nbsp;gulls follow.", Html(formatting[10]));
        Assert.Equal(["Ferry | Departs 09:00", "| Cancelled today.", "Deck #5<br> | Deck #6"], formatting.Skip(7).Take(3).Select(Html));
        var layout = Body(await Article("blocks-layout-elements"));
        Assert.Equal(["paragraph", "paragraph", "paragraph", "paragraph", "image", "paragraph", "paragraph", "paragraph"], layout.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("The open day continues on page two.", Html(layout[6]));
        var embeds = Body(await Article("blocks-embeds"));
        Assert.Equal(["https://twitter.com/glannaugazette/status/1057136472321613824", $"https://youtu.be/{run}harbour2", "https://www.facebook.com/glannaugazette/posts/10156380423617911/",
            $"https://www.instagram.com/p/{run}insta/?utm_source=ig_share_sheet&igshid=1hcx", $"https://wordpress.tv/2018/10/14/glannau-{run}-our-first-block-theme/"],
            embeds.Where(b => b.GetProperty("type").GetString() == "embed").Select(b => b.GetProperty("url").GetString()));
        Assert.Equal(["Posts from the coast, embedded:", "On X,&nbsp; the ferry's return", "On YouTube", "WordPress TV: our talk"], embeds.Where(b => b.GetProperty("type").GetString() == "paragraph").Select(Html));
        var widgets = Body(await Article("blocks-widgets"));
        Assert.Equal(["paragraph", "image", "image", "paragraph", "paragraph"], widgets.Select(b => b.GetProperty("type").GetString()));
        var columns = await Article("column-blocks");
        Assert.Equal(["paragraph", "paragraph", "paragraph", "list", "image", "quote", "image", "paragraph"], Types(columns));
        Assert.Equal("The field on Monday morning, before the crowds.", Body(columns)[4].GetProperty("caption").GetString());
        Assert.Equal(("-The third column quotes a reader", "The sub-editor"), quotes[Body(columns)[5].GetProperty("quoteId").GetString()!]);
        var buttons = Body(await Article("block-button"));
        Assert.Equal(["The lifeboat appeal's buttons are links dressed up.", "Aligned left", "A centred button with more than one line", "Square", "Subscribe to the Gazette"], buttons.Select(b => PlainText(Html(b))));
        var quoteBlocks = Body(await Article("block-quotes"));
        Assert.Equal([("The paper prints what the coast says.", "The editor"), ("A harbour is a promise that the boats will come home.", "Capten Wil Parry"), ("Aligned right", "The letters page"),
            ("Pull quotes shout the letters page's best line.", "The sub-editor"), ("Solid colour for the editor's pick.", "The designer")], quoteBlocks.Select(q => quotes[q.GetProperty("quoteId").GetString()!]));
        var galleries = await Article("block-gallery");
        Assert.Equal(["paragraph", "image", "image", "paragraph", "image", "image"], Types(galleries));
        Assert.Equal("The field from the hill, on the first morning.", Body(galleries)[1].GetProperty("caption").GetString());
        Assert.Equal("<em>(gallery caption)</em> linked to <strong>the pictures' pages</strong>", Html(Body(galleries)[3]));
        Assert.Contains("2024/03/sbectol.gif", oldSite.Requested);
        Assert.Equal(["paragraph", "image", "image", "image", "image"], Types(await Article("block-image")));
        Assert.Equal("The bay, with a link to the photo desk in its caption.", Body(await Article("block-image"))[2].GetProperty("caption").GetString());

        // Pages: a reverse hierarchy, comments, scripts beyond Latin, a floated picture and a page break, a slug in Greek letters, an empty page.
        Assert.Equal(["paragraph", "heading", "list"], Types(await Article("about")));
        Assert.Equal("Καλώς ήρθατε στη Βόρεια Ουαλία. Αυτή η σελίδα δοκιμάζει γράμματα πέρα από τα αγγλικά.", Html(Body(await Article("croeso")).Last()));
        Assert.Equal(["paragraph", "paragraph", "image", "paragraph"], Types(await Article("clearing-floats")));
        async Task<string?> Redirect(string path) => (await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString(path)}")).GetProperty("slug").GetString();
        Assert.Equal($"level-3-{run}", await Redirect($"/level-1-{run}/level-2-{run}/level-3-{run}/"));
        Assert.Equal($"page-with-comments-{run}", await Redirect($"/about-{run}/page-with-comments-{run}/"));
        Assert.Equal($"2-{run}", await Redirect($"/?p={pid}208"));
        Assert.Contains($"its slug σελίδα-2-{run} has letters a slug cannot hold (a-z, 0-9): they were left out of it", Reason("208"), StringComparison.Ordinal);
        Assert.DoesNotContain("a slug cannot hold", Reason("209"), StringComparison.Ordinal);
        Assert.Equal("draft", all[$"lefel-w-3-{run}"]);
        Assert.Equal($"croeso-{run}", await Redirect($"/croeso-{run}/"));
        Assert.Equal($"2-{run}", await Redirect($"/croeso-{run}/%cf%83%ce%b5%ce%bb%ce%af%ce%b4%ce%b1-2-{run}/"));
        // A post whose guid names another post's id (WordPress copies a guid with a duplicated post): /?p=ID is the post with that id.
        Assert.Equal(($"post-format-image-linked-{run}", $"post-format-video-wordpresstv-{run}"), (await Redirect($"/?p={pid}113"), await Redirect($"/?p={pid}116")));

        // Delivery serves every published article, in lists, search and every feed (the partner's with full text) without a server error.
        var published = (await client.GetJsonAsync("/v1/articles?limit=100&include=body")).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("slug").GetString()!).ToList();
        Assert.Equal(57, published.Count);
        foreach (var slug in published)
        {
            await (await client.GetAsync($"/v1/articles/{slug}")).AssertSuccessAsync();
        }
        foreach (var word in new[] { "harbour", "llythrennau", "Ουαλία", "englyn" })
        {
            Assert.NotEmpty((await client.GetJsonAsync($"/v1/search?q={Uri.EscapeDataString(word)}")).GetProperty("items").EnumerateArray());
        }
        foreach (var feed in new[] { "rss", "atom", "json", "ninjs" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/feeds/articles.{feed}")).StatusCode);
        }
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var fullText = await partner.GetAsync("/v1/feeds/articles.rss");
        Assert.Equal(HttpStatusCode.OK, fullText.StatusCode);
        Assert.Contains("(or &lt;em&gt;Cronfa'r Wal&lt;/em&gt;)", await fullText.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The same file again changes nothing: every post and page is found unchanged, nothing is created twice.
        using var again = new StringWriter();
        Assert.Equal(0, await WordPressImportCommand.RunAsync(api.Services, ["import", "wordpress", file, "--pages", "--report", file + ".again.json"], again));
        var second = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".again.json")).RootElement.GetProperty("counts");
        Assert.Equal((0, 54, 0, 9), (second.GetProperty("posts").GetProperty("created").GetInt32(), second.GetProperty("posts").GetProperty("unchanged").GetInt32(),
            second.GetProperty("pages").GetProperty("created").GetInt32(), second.GetProperty("pages").GetProperty("unchanged").GetInt32()));
    }

    private static string PlainText(string? html) => WordPressHtml.PlainText(html);

    /// <summary>The exporting site's uploads on a loopback port: each picture a JPEG of its own; anything else 404.</summary>
}
