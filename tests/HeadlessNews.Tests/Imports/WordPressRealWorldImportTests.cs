using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// The import of an export shaped as WordPress 6.x's export.php writes it (Imports/Fixtures/glannau-gazette-realworld.wxr.xml):
/// every post, author, category, tag, picture and old URL checked through the API, and everything left out named in the report.
/// </summary>
public sealed class WordPressRealWorldImportTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_post_author_category_tag_picture_and_old_url_of_a_wordpress_6_export_comes_across_and_the_rest_is_reported()
    {
        await using var oldSite = await OldWordPressSite.StartAsync();
        var (run, file) = WordPressImportTests.Fixture(out var pid, oldSite.Url, "glannau-gazette-realworld.wxr.xml");
        var (exit, output) = await api.RunImportAsync(file, "--report", file + ".report.json");
        Assert.True(exit == 0, output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        Assert.Equal(JsonValueKind.Null, report.GetProperty("error").ValueKind);
        var client = api.CreateClient();
        var manage = await api.ClientWithScopesAsync("content:write");
        async Task<JsonElement> Article(string slug) => await client.GetJsonAsync($"/v1/articles/{slug}");
        static List<string?> Types(JsonElement article) => [.. article.GetProperty("body").EnumerateArray().Select(b => b.GetProperty("type").GetString())];

        // Counts: every post but the binned and the auto-draft; every other kind skipped with its reason, comments counted.
        var counts = report.GetProperty("counts");
        Assert.Equal((17, 2), (counts.GetProperty("posts").GetProperty("created").GetInt32(), counts.GetProperty("posts").GetProperty("skipped").GetInt32()));
        foreach (var (kind, skipped) in new[] { ("pages", 2), ("attachments", 7), ("comments", 4), ("revision", 1), ("wp_block", 1), ("menu items", 1), ("wp_template", 1),
            ("wp_global_styles", 1), ("wp_navigation", 1), ("tribe_events", 1), ("wpcf7_contact_form", 1), ("oembed_cache", 1) })
        {
            Assert.Equal(skipped, counts.GetProperty(kind).GetProperty("skipped").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(counts.GetProperty(kind).GetProperty("reason").GetString()), kind);
        }
        var reasons = report.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("sourceId").GetString()!, i => i.GetProperty("reason").GetString()!);
        Assert.Equal("Subscribers: the editor’s notes", report.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("sourceId").GetString() == pid + "113").GetProperty("title").GetString());
        Assert.Contains("trash", reasons[pid + "117"], StringComparison.Ordinal);
        Assert.Contains("auto-draft", reasons[pid + "118"], StringComparison.Ordinal);
        Assert.Contains("<script> was left out", reasons[pid + "101"], StringComparison.Ordinal);
        Assert.Contains("location terms not imported: Llandudno", reasons[pid + "101"], StringComparison.Ordinal);
        Assert.Contains("local date 2024-04-20 08:15 taken as UTC", reasons[pid + "106"], StringComparison.Ordinal);
        Assert.Contains("runs of paragraphs were joined", reasons[pid + "111"], StringComparison.Ordinal);
        Assert.Contains("no date in the export: dated with the time of the import", reasons[pid + "122"], StringComparison.Ordinal);
        var shortcodes = report.GetProperty("unknownShortcodes");
        Assert.Equal([pid + "101", pid + "102"], shortcodes.GetProperty("contact-form-7").EnumerateArray().Select(p => p.GetString()));
        // WordPress's own [video] and [audio] players are not unknown: they become links to their files, as their blocks do.
        Assert.Equal(["contact-form-7"], shortcodes.EnumerateObject().Select(s => s.Name));
        Assert.Contains("a <video> became a link to its file", reasons[pid + "102"], StringComparison.Ordinal);
        Assert.Contains("page breaks (<!--nextpage-->) were dropped", reasons[pid + "102"], StringComparison.Ordinal);

        // Every author, category and tag the export lists, used or not, with its name decoded once.
        var authors = (await manage.GetJsonAsync("/v1/manage/authors?limit=100")).GetProperty("items").EnumerateArray().ToDictionary(a => a.GetProperty("slug").GetString()!, a => a.GetProperty("name").GetString());
        Assert.Equal("Ceri Hughes", authors[$"ceri-hughes-{run}"]);
        Assert.Equal("Tîm Newyddion & Chwaraeon", authors[$"newsdesk-{run}-glannau-gazette-example"]);
        Assert.Equal("Siân O'Neill", authors[$"sian-oneill-{run}"]);
        Assert.Equal("Gwyn Jones", authors[$"gwyn-jones-{run}"]);
        var sections = (await manage.GetJsonAsync("/v1/manage/sections?limit=100")).GetProperty("items").EnumerateArray().ToDictionary(a => a.GetProperty("slug").GetString()!, a => a.GetProperty("name").GetString());
        Assert.Equal("Chwaraeon & Hamdden", sections[$"chwaraeon-a-hamdden-{run}"]);
        Assert.Equal("Dŵr a llifogydd", sections[$"dwr-a-llifogydd-{run}"]);
        Assert.All(new[] { "uncategorized", "newyddion", "conwy", "archif" }, s => Assert.True(sections.ContainsKey($"{s}-{run}"), s));
        Assert.Equal("Lifeboats & Coastguard", (await manage.GetJsonAsync($"/v1/manage/tags/lifeboats-coastguard-{run}")).GetProperty("name").GetString());
        Assert.Equal("Gŵyl", (await manage.GetJsonAsync($"/v1/manage/tags/gwyl-{run}")).GetProperty("name").GetString());
        Assert.Equal("Heb ei ddefnyddio", (await manage.GetJsonAsync($"/v1/manage/tags/unused-tag-{run}")).GetProperty("name").GetString());

        // A Gutenberg story: Yoast's primary category is the section, its description the standfirst; every block in order.
        var harbour = await Article($"harbour-wall-repaired-{run}");
        Assert.Equal(new DateTimeOffset(2024, 3, 12, 7, 30, 0, TimeSpan.Zero), harbour.GetProperty("publishAt").GetDateTimeOffset());
        Assert.Equal($"newyddion-{run}", harbour.GetProperty("section").GetProperty("slug").GetString());
        Assert.Equal([$"conwy-{run}", $"harbwr-{run}"], harbour.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()).Order());
        Assert.Equal("Forty metres of new mortar & two rebuilt steps, finished before the spring tides.", harbour.GetProperty("standfirst").GetString());
        Assert.Equal([$"ceri-hughes-{run}"], harbour.GetProperty("authors").EnumerateArray().Select(a => a.GetProperty("slug").GetString()));
        Assert.Equal(
            ["paragraph", "image", "heading", "list", "quote", "quote", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph", "paragraph",
             "paragraph", "embed", "paragraph", "heading", "paragraph", "embed", "paragraph", "embed", "paragraph"], Types(harbour));
        var body = harbour.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(harbour.GetProperty("heroImage").GetProperty("assetId").GetString(), body[1].GetProperty("assetId").GetString());
        Assert.Equal("Conwy harbour at low tide, boats on the mud", body[1].GetProperty("alt").GetString());
        // The photographer's credit WordPress read from the file, on the picture and the hero.
        Assert.Equal("Glannau Gazette", body[1].GetProperty("credit").GetString());
        Assert.Equal("Glannau Gazette", harbour.GetProperty("heroImage").GetProperty("credit").GetString());
        Assert.Equal(["New mortar along <em>forty metres</em> of wall", "Two sets of steps rebuilt", "one by the lifeboat station", "one by the smallest house",
            "New railings painted harbour blue"], body[3].GetProperty("items").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("Mair Owen, harbour master", body[4].GetProperty("quote").GetProperty("speaker").GetProperty("name").GetString());
        Assert.Equal("Steps &amp; railings | £18,500", body[8].GetProperty("html").GetString());
        Assert.Equal("Newsletter", body[16].GetProperty("text").GetString());
        Assert.Equal($"https://www.youtube.com/watch?v={run}vid001", body[18].GetProperty("url").GetString());
        Assert.Equal($"https://www.instagram.com/p/{run}insta/", body[20].GetProperty("url").GetString());
        Assert.DoesNotContain("dataLayer", harbour.GetProperty("body").GetRawText(), StringComparison.Ordinal);

        // A classic-editor story: entities, wpautop, [caption] of a resized copy, [gallery], a Welsh percent-encoded slug.
        var cafe = await Article($"cafe-y-dre-{run}");
        Assert.Equal("Caffi newydd yn agor yn y dre: “Mae’n ŵyl!” ☕", cafe.GetProperty("headline").GetString());
        Assert.Equal("Chwaraeon & Hamdden", cafe.GetProperty("section").GetProperty("name").GetString());
        Assert.Equal(["paragraph", "image", "paragraph", "heading", "list", "image", "image", "paragraph", "paragraph", "paragraph", "embed", "paragraph"], Types(cafe));
        var cafeBody = cafe.GetProperty("body").EnumerateArray().ToList();
        Assert.Contains("it’s already busy.<br>", cafeBody[0].GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Equal(("Bangor pier in the evening", "The queue stretched to the pier & beyond"), (cafeBody[1].GetProperty("alt").GetString(), cafeBody[1].GetProperty("caption").GetString()));
        Assert.Equal(cafeBody[1].GetProperty("assetId").GetString(), cafeBody[6].GetProperty("assetId").GetString());
        Assert.Equal("Moelfre’s lifeboat on exercise", cafeBody[5].GetProperty("caption").GetString());
        Assert.Contains("/wp-content/uploads/2024/03/agor.mp4\"", cafeBody[7].GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Contains("/wp-content/uploads/2024/03/cyfweliad.mp3\"", cafeBody[8].GetProperty("html").GetString(), StringComparison.Ordinal);

        // Galleries, old and new markup, and [gallery] without ids: every picture.
        var pictures = await Article($"eisteddfod-in-pictures-{run}");
        Assert.Equal(["paragraph", "image", "image", "image", "paragraph", "image", "image"], Types(pictures));
        Assert.Equal(["paragraph", "image", "image"], Types(await Article($"pier-photos-{run}")));
        Assert.Equal([.. new[] { "bad-moelfre.jpg", "eisteddfod-1.jpg", "eisteddfod-2.jpg", "eisteddfod-3.jpg", "harbwr-conwy.jpg", "pier-bangor.jpg" }.Select(p => p)],
            oldSite.Requested.Select(p => p[(p.LastIndexOf('/') + 1)..]).Order());
        Assert.Equal(6, report.GetProperty("images").GetProperty("downloaded").GetInt32());

        // Dates and statuses.
        Assert.Equal(new DateTimeOffset(2024, 4, 20, 8, 15, 0, TimeSpan.Zero), (await Article($"ferry-timetable-{run}")).GetProperty("publishAt").GetDateTimeOffset());
        var budget = await Article($"budget-meeting-{run}");
        Assert.InRange(budget.GetProperty("body").GetArrayLength(), 1, 1000);
        Assert.Contains("Paragraph 1100 of", budget.GetProperty("body").GetRawText(), StringComparison.Ordinal);
        Assert.Contains("item 160 agreed", budget.GetProperty("body").GetRawText(), StringComparison.Ordinal);
        Assert.Equal("The mayor said: \"We will rebuild.\" The statement ended there.", (await Article($"mayor-statement-{run}")).GetProperty("body")[0].GetProperty("html").GetString());
        await (await client.GetAsync($"/v1/articles/llifogydd-{run}-{pid}110")).AssertSuccessAsync();
        foreach (var hidden in new[] { $"tide-tables-may-{run}", $"a55-closed-{run}", $"editors-notes-{run}", $"staff-rota-{run}", $"eisteddfod-2030-{run}", $"bus-shelter-deganwy-{run}", $"binned-story-{run}" })
        {
            await (await client.GetAsync($"/v1/articles/{hidden}")).AssertProblemAsync(System.Net.HttpStatusCode.NotFound);
        }

        // Every old URL: the permalink (percent-encoded Welsh too), /?p=ID, each former slug, the former date, both together.
        async Task<string?> Redirect(string path) => (await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString(path)}")).GetProperty("slug").GetString();
        foreach (var old in new[] { $"/2024/03/12/harbour-wall-repaired-{run}/", $"/?p={pid}101", $"/2024/03/12/harbour-wall-work-{run}/", $"/2024/03/12/wal-yr-harbwr-{run}/",
            $"/2024/03/11/harbour-wall-repaired-{run}/", $"/2024/03/11/wal-yr-harbwr-{run}/" })
        {
            Assert.Equal($"harbour-wall-repaired-{run}", await Redirect(old));
        }
        Assert.Equal($"cafe-y-dre-{run}", await Redirect($"{oldSite.Url}/2024/03/15/caf%c3%a9-y-dre-{run}/"));
        Assert.Equal($"llifogydd-{run}-{pid}110", await Redirect($"/2024/02/12/llifogydd-{run}/"));

        // A hand-trimmed export (no dates, fields wrapped in line breaks): the post comes, its structure kept, its old URL answers.
        var carnival = await Article($"carnival-route-{run}");
        Assert.Equal(["paragraph", "list", "paragraph"], Types(carnival));
        Assert.Equal("The parade leaves the pier at noon and follows this route:", carnival.GetProperty("body")[0].GetProperty("html").GetString());
        Assert.Equal($"carnival-route-{run}", await Redirect($"/2024/05/02/carnival-route-{run}/"));
    }

    /// <summary>The exporting site's uploads on a loopback port: each picture a JPEG of its own; anything else 404.</summary>
}
