using System.Diagnostics;
using System.Net;
using System.Text.Json;
using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Media;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// <c>import wordpress</c> run as the command line runs it, against the test database, with our own fictional WXR
/// (Imports/Fixtures); what it imported is checked through the delivery and management API.
/// </summary>
public sealed class WordPressImportTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_wxr_export_becomes_articles_with_their_dates_bylines_sections_and_blocks()
    {
        var (run, file) = Fixture(out var pid);
        var (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);

        var client = api.CreateClient();
        var harbour = await client.GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        Assert.Equal("Harbour wall repaired before the spring tides", harbour.GetProperty("headline").GetString());
        Assert.Equal("Forty metres of new mortar, two days before the tides.", harbour.GetProperty("standfirst").GetString());
        Assert.Equal(new DateTimeOffset(2015, 7, 2, 9, 30, 0, TimeSpan.Zero), harbour.GetProperty("publishAt").GetDateTimeOffset());
        Assert.True(harbour.GetProperty("old").GetBoolean());
        Assert.Equal($"newyddion-{run}", harbour.GetProperty("section").GetProperty("slug").GetString());
        Assert.Equal(["conwy", "harbour"], harbour.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()).Order());
        Assert.Equal("Ceri Hughes", harbour.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal($"ceri-hughes-{run}", harbour.GetProperty("authors")[0].GetProperty("slug").GetString());
        Assert.Equal($"https://{run}.glannau-gazette.example/wp-content/uploads/2015/07/wall.jpg", harbour.GetProperty("heroImage").GetProperty("url").GetString());
        Assert.Equal("Stone harbour wall", harbour.GetProperty("heroImage").GetProperty("alt").GetString());
        var blocks = harbour.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(["paragraph", "image", "heading", "list", "quote", "paragraph", "embed", "paragraph"], blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Contains("<strong>harbour wall</strong>", blocks[0].GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Contains("<br>", blocks[0].GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Equal("The repaired section seen from the quay", blocks[1].GetProperty("caption").GetString());
        Assert.Equal("Stone wall with new mortar", blocks[1].GetProperty("alt").GetString());
        Assert.Equal(2, blocks[2].GetProperty("level").GetInt32());
        Assert.Equal("New mortar along <em>forty metres</em>", blocks[3].GetProperty("items")[0].GetString());
        Assert.Equal("Mair Owen", blocks[4].GetProperty("quote").GetProperty("speaker").GetProperty("name").GetString());
        Assert.Equal("<em>A line with nobody to credit.</em>", blocks[5].GetProperty("html").GetString());
        Assert.Equal($"https://www.youtube.com/watch?v={run}video01", blocks[6].GetProperty("url").GetString());
        Assert.Contains("patience &amp; good humour", blocks[7].GetProperty("html").GetString(), StringComparison.Ordinal);

        var welsh = await client.GetJsonAsync($"/v1/articles/pwer-y-bobl-{run}");
        Assert.Equal("Pŵer y bobl: ŷd yn tyfu ar Ynys Môn", welsh.GetProperty("headline").GetString());
        var welshBlocks = welsh.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal(["paragraph", "heading", "list", "image", "image", "embed", "paragraph", "embed"], welshBlocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("numbered", welshBlocks[2].GetProperty("style").GetString());
        Assert.Equal("The repaired wall at low tide", welshBlocks[3].GetProperty("caption").GetString());
        Assert.Equal($"https://vimeo.com/{run}0042", welshBlocks[5].GetProperty("url").GetString());
        Assert.Contains("[contact-form-7", welshBlocks[6].GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Equal("https://twitter.com/glannau/status/12345", welshBlocks[7].GetProperty("url").GetString());

        // Two posts wanted one slug: the second keeps it with its WordPress id added. An author missing from the list is made from the login.
        var second = await client.GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}-{pid}104");
        Assert.Equal($"ghostwriter-{run}", second.GetProperty("authors")[0].GetProperty("slug").GetString());

        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        var posts = report.GetProperty("counts").GetProperty("posts");
        Assert.Equal(10, posts.GetProperty("created").GetInt32());
        Assert.Equal(1, posts.GetProperty("skipped").GetInt32());
        Assert.Equal(1, report.GetProperty("counts").GetProperty("pages").GetProperty("skipped").GetInt32());
        Assert.Equal(1, report.GetProperty("counts").GetProperty("menu items").GetProperty("skipped").GetInt32());
        Assert.Equal([pid + "102"], report.GetProperty("unknownShortcodes").GetProperty("contact-form-7").EnumerateArray().Select(p => p.GetString()));
        var reasons = report.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("sourceId").GetString()!, i => i.GetProperty("reason").GetString()!);
        Assert.Contains("trash", reasons[pid + "106"], StringComparison.Ordinal);
        Assert.Contains("private", reasons[pid + "105"], StringComparison.Ordinal);
        Assert.Contains("password-protected", reasons[pid + "108"], StringComparison.Ordinal);
        Assert.Contains("no title", reasons[pid + "110"], StringComparison.Ordinal);
        Assert.Contains("imported as a draft", reasons[pid + "111"], StringComparison.Ordinal);
        Assert.Contains("was taken", reasons[pid + "104"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_the_import_draws_a_progress_bar_instead_of_progress_lines_and_still_prints_the_summary()
    {
        var (_, file) = Fixture();
        await api.WithDbAsync(_ => Task.FromResult(0));
        using var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        using var output = new StringWriter();
        var exit = await WordPressImportCommand.RunAsync(api.Services, ["import", "wordpress", file, "--media", "link"], output, terminal);
        Assert.True(exit == 0, output.ToString());
        Assert.Matches(@"Importing \d+ items", screen.ToString());
        Assert.Contains("100%", screen.ToString(), StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d+/\d+ items", output.ToString());
        Assert.Contains("posts        created 10", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tag_keeps_its_wordpress_nicename_as_its_slug_and_its_name_as_its_name_and_tags_are_counted_like_sections()
    {
        var (run, file) = Fixture();
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace(
            "<category domain=\"post_tag\" nicename=\"harbour\"><![CDATA[Harbour]]></category>",
            $"<category domain=\"post_tag\" nicename=\"porthladd-{run}\"><![CDATA[Harbwr {run}]]></category>", StringComparison.Ordinal));
        var (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);

        var harbour = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        var tag = harbour.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("name").GetString() == $"Harbwr {run}");
        Assert.Equal($"porthladd-{run}", tag.GetProperty("slug").GetString());
        // The new tag at least is created (the fixture's other terms may exist from other tests). Run again: the tag the export
        // lists (every run makes or finds those) is unchanged; the posts are unchanged, so their tags are not looked at.
        var tags = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("counts").GetProperty("tags");
        var (created, unchanged) = (tags.GetProperty("created").GetInt32(), tags.GetProperty("unchanged").GetInt32());
        Assert.InRange(created, 1, int.MaxValue);
        Assert.Contains($"tags         created {created}, updated 0, unchanged {unchanged}", output, StringComparison.Ordinal);
        (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);
        tags = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("counts").GetProperty("tags");
        Assert.Equal((0, 1), (tags.GetProperty("created").GetInt32(), tags.GetProperty("unchanged").GetInt32()));
    }

    [Fact]
    public async Task A_post_with_more_categories_and_tags_than_an_article_takes_keeps_the_first_fifty_and_names_the_rest()
    {
        var (run, file) = Fixture(out var pid);
        var many = string.Concat(Enumerable.Range(1, 55).Select(i => $"<category domain=\"post_tag\" nicename=\"pentref-{i}-{run}\"><![CDATA[Pentref {i}]]></category>"));
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace(
            "<category domain=\"post_tag\" nicename=\"harbour\"><![CDATA[Harbour]]></category>", many, StringComparison.Ordinal));
        var (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);

        var harbour = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        Assert.Equal(HeadlessNews.Api.Features.Articles.SaveArticleRequestValidator.MaxTerms, harbour.GetProperty("tags").GetArrayLength());
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        var reason = report.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("sourceId").GetString() == pid + "101").GetProperty("reason").GetString();
        Assert.Contains("left out (an article takes 50 tags): ", reason, StringComparison.Ordinal);
        Assert.Contains("Pentref 55", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drafts_private_future_and_protected_posts_keep_out_of_delivery_with_the_right_status()
    {
        var (run, file) = Fixture();
        var (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);
        var manage = await api.ClientWithScopesAsync("content:write");
        var delivery = api.CreateClient();

        async Task<JsonElement> Managed(string headline) =>
            (await manage.GetJsonAsync($"/v1/manage/articles?q={Uri.EscapeDataString(headline)}&limit=100")).GetProperty("items").EnumerateArray()
                .Single(a => a.GetProperty("headline").GetString() == headline && a.GetProperty("slug").GetString()!.Contains(run, StringComparison.Ordinal));

        Assert.Equal("scheduled", (await Managed("Eisteddfod returns to Llangefni in 2030")).GetProperty("status").GetString());
        Assert.Equal("draft", (await Managed("Private: staff rota")).GetProperty("status").GetString());
        Assert.Equal("draft", (await Managed("Members only: the editor's notes")).GetProperty("status").GetString());
        Assert.Equal("draft", (await Managed("Pending: ferry timetable changes")).GetProperty("status").GetString());
        Assert.Equal("draft", (await Managed($"Empty post {run}")).GetProperty("status").GetString());
        await (await delivery.GetAsync($"/v1/articles/eisteddfod-{run}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await delivery.GetAsync($"/v1/articles/staff-rota-{run}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await delivery.GetAsync($"/v1/articles/binned-{run}-trashed")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_old_permalink_answers_with_the_new_url()
    {
        var (run, file) = Fixture(out var pid);
        var (exit, output) = await ImportAsync(file, "--media", "skip");
        Assert.True(exit == 0, output);
        var client = api.CreateClient();

        var byLink = await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString($"/2015/07/02/harbour-wall-repaired-{run}/")}");
        Assert.Equal($"/v1/articles/harbour-wall-repaired-{run}", byLink.GetProperty("location").GetString());
        Assert.Equal(301, byLink.GetProperty("status").GetInt32());
        Assert.Equal($"harbour-wall-repaired-{run}", byLink.GetProperty("slug").GetString());
        var welsh = await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString($"https://{run}.glannau-gazette.example/2016/05/14/p%c5%b5er-y-bobl-{run}/")}");
        Assert.Equal($"pwer-y-bobl-{run}", welsh.GetProperty("slug").GetString());

        // /?p=ID is the exporting site's post id; the redirect goes where the article lives.
        var byId = await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString($"/?p={pid}104")}");
        Assert.Equal($"harbour-wall-repaired-{run}-{pid}104", byId.GetProperty("slug").GetString());
        await (await client.GetAsync(byId.GetProperty("location").GetString())).AssertSuccessAsync();

        // A draft's old URL reveals nothing; nor does a path nobody had.
        await (await client.GetAsync($"/v1/redirects?path={Uri.EscapeDataString($"/2030/08/01/eisteddfod-{run}/")}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/v1/redirects?path=/never-{run}/")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/v1/redirects?path=no-slash")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_former_slug_and_a_hand_made_redirect_answer_too()
    {
        var manage = await api.ClientWithScopesAsync("content:write", "content:publish");
        var article = await manage.CreatePublishedAsync(new { headline = Editorial.Unique("Menai bridge lane closure"), body = new[] { new { type = "paragraph", html = "Lanes close at night." } } });
        var formerSlug = article.GetProperty("slug").GetString()!;
        var renamed = formerSlug + "-update";
        await (await manage.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{article.Id()}", article.GetProperty("version").GetInt32(),
            new { headline = "Menai bridge lane closure", slug = renamed, body = new[] { new { type = "paragraph", html = "Lanes close at night." } } })).AssertSuccessAsync();
        var client = api.CreateClient();
        Assert.Equal($"/v1/articles/{renamed}", (await client.GetJsonAsync($"/v1/redirects?path=/news/{formerSlug}/")).GetProperty("location").GetString());

        var path = $"/old-section/{Guid.NewGuid():N}";
        var made = await manage.CreateAsync("/v1/manage/redirects", new { path, location = "https://example.org/new-home" });
        Assert.Equal("manual", made.GetProperty("origin").GetString());
        await (await manage.PostJsonAsync("/v1/manage/redirects", new { path = path + "/", location = "/v1/articles/x" })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await manage.PostJsonAsync("/v1/manage/redirects", new { path = "relative", location = "javascript:alert(1)" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("https://example.org/new-home", (await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString(path)}")).GetProperty("location").GetString());
        await (await manage.DeleteAsync($"/v1/manage/redirects/{made.Id()}")).AssertSuccessAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync($"/v1/redirects?path={Uri.EscapeDataString(path)}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Running_the_same_import_again_creates_nothing_and_leaves_editorial_edits_alone()
    {
        var (run, file) = Fixture(out var pid);
        Assert.Equal(0, (await ImportAsync(file, "--media", "link")).Exit);
        var (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);
        var again = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("counts").GetProperty("posts");
        Assert.Equal(0, again.GetProperty("created").GetInt32());
        Assert.Equal(10, again.GetProperty("unchanged").GetInt32());

        // An editor changes the imported story here; then WordPress changes it too.
        var manage = await api.ClientWithScopesAsync("content:write");
        var harbour = (await manage.GetJsonAsync($"/v1/manage/articles?q={Uri.EscapeDataString("Harbour wall repaired")}&limit=100")).GetProperty("items").EnumerateArray()
            .Single(a => a.GetProperty("slug").GetString() == $"harbour-wall-repaired-{run}");
        await (await manage.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{harbour.Id()}", harbour.GetProperty("version").GetInt32(),
            new { headline = "Harbour wall repaired (edited here)", body = new[] { new { type = "paragraph", html = "Edited." } } })).AssertSuccessAsync();
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("two days ahead of the spring tides", "a day ahead of the spring tides", StringComparison.Ordinal));

        (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);
        var client = api.CreateClient();
        Assert.Equal("Harbour wall repaired (edited here)", (await client.GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}")).GetProperty("headline").GetString());
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        Assert.Contains(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("sourceId").GetString() == pid + "101"
            && i.GetProperty("reason").GetString()!.Contains("edited here", StringComparison.Ordinal));

        (exit, output) = await ImportAsync(file, "--media", "link", "--overwrite");
        Assert.True(exit == 0, output);
        var overwritten = await client.GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        Assert.Equal("Harbour wall repaired before the spring tides", overwritten.GetProperty("headline").GetString());
        Assert.Contains("a day ahead", overwritten.GetProperty("body")[0].GetProperty("html").GetString(), StringComparison.Ordinal);
        var revisions = await manage.GetJsonAsync($"/v1/manage/articles/{harbour.Id()}/revisions");
        // Imported (created published: one revision), edited here, overwritten.
        Assert.True(revisions.GetProperty("items").GetArrayLength() >= 3);
    }

    [Fact]
    public async Task A_post_twice_in_the_export_changed_then_back_as_imported_ends_as_its_last_occurrence_and_is_unchanged()
    {
        var (run, file) = Fixture(out _);
        Assert.Equal(0, (await ImportAsync(file, "--media", "link")).Exit);

        // The post comes twice: changed, then as the last import took it. The earlier copy is not written, so the article
        // is the last copy, unchanged: no revision back and forth.
        var text = await File.ReadAllTextAsync(file);
        var start = text.IndexOf("<item>", StringComparison.Ordinal);
        var original = text[start..(text.IndexOf("</item>", start, StringComparison.Ordinal) + "</item>".Length)];
        var changed = original.Replace("two days ahead of the spring tides", "a day ahead of the spring tides", StringComparison.Ordinal);
        Assert.NotEqual(original, changed);
        await File.WriteAllTextAsync(file, text.Replace(original, changed + "\n" + original, StringComparison.Ordinal));

        var (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);
        var posts = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("counts").GetProperty("posts");
        Assert.Equal((0, 10), (posts.GetProperty("updated").GetInt32(), posts.GetProperty("unchanged").GetInt32()));
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        Assert.Contains("two days ahead", article.GetProperty("body")[0].GetProperty("html").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_and_an_import_sends_one_completed_event_instead_of_one_per_article()
    {
        var (run, file) = Fixture();
        var (exit, output) = await ImportAsync(file, "--dry-run");
        Assert.True(exit == 0, output);
        Assert.Contains("Dry run", output, StringComparison.Ordinal);
        Assert.Equal(10, JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("counts").GetProperty("posts").GetProperty("created").GetInt32());
        var client = api.CreateClient();
        await (await client.GetAsync($"/v1/articles/harbour-wall-repaired-{run}")).AssertProblemAsync(HttpStatusCode.NotFound);

        (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);
        var source = $"https://{run}.glannau-gazette.example";
        var (undispatched, completed) = await api.WithDbAsync(async db =>
        {
            var imported = db.Set<ImportedItem>().Where(i => i.Source == source).Select(i => i.ArticleId);
            var now = DateTimeOffset.UtcNow;
            return (await db.Set<ContentEvent>().CountAsync(e => imported.Contains(e.ResourceId) && e.DispatchedAt == null && e.DueAt <= now),
                await db.Set<ContentEvent>().CountAsync(e => e.Type == ContentEventTypes.ImportCompleted && e.Slug == source));
        });
        Assert.Equal(0, undispatched);
        Assert.Equal(1, completed);
    }

    [Fact]
    public async Task Malformed_xml_is_named_by_line_and_column_and_the_broken_item_is_not_half_imported()
    {
        var (run, file) = Fixture();
        var text = await File.ReadAllTextAsync(file);
        var broken = text.Replace("<title>Pŵer y bobl: ŷd yn tyfu ar Ynys Môn</title>", "<title>Pŵer y bobl & ŷd</title>", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, broken);
        var (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        Assert.Matches(@"[Ll]ine \d+, position \d+", report.GetProperty("error").GetString());
        var client = api.CreateClient();
        await (await client.GetAsync($"/v1/articles/harbour-wall-repaired-{run}")).AssertSuccessAsync();
        await (await client.GetAsync($"/v1/articles/pwer-y-bobl-{run}")).AssertProblemAsync(HttpStatusCode.NotFound);

        // Broken before any item: nothing runs, and the exit code says so.
        await File.WriteAllTextAsync(file, "<?xml version=\"1.0\"?><rss><channel><title>Oops</channel></rss>");
        (exit, output) = await ImportAsync(file);
        Assert.Equal(65, exit);
        Assert.Matches(@"[Ll]ine \d+, position \d+", output);

        // Well-formed, but an RSS feed, not a WordPress export: refused, not imported as drafts.
        await File.WriteAllTextAsync(file, $"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed</title><item><title>Not a post {run}</title><description>x</description></item></channel></rss>");
        (exit, output) = await ImportAsync(file);
        Assert.Equal(65, exit);
        Assert.Contains("not a WordPress export (WXR)", output, StringComparison.Ordinal);

        // A file that is not there: said at once, before the database is started or migrated.
        (exit, output) = await ImportAsync(file + ".missing");
        Assert.Equal(65, exit);
        Assert.Contains($"there is no file or folder {file}.missing.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Reading", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pictures_are_downloaded_into_the_media_library_once_and_one_that_fails_stays_a_link()
    {
        // The old site, serving one picture; the other is gone (404).
        var wall = TestImages.Jpeg(TestImages.Photo(64, 48));
        var wallRequests = 0;
        await using var oldSite = await LoopbackSite.StartAsync(site => site.MapGet("/wp-content/uploads/2015/07/wall.jpg", () =>
        {
            Interlocked.Increment(ref wallRequests);
            return Results.Bytes(wall, "image/jpeg");
        }));
        var (run, file) = Fixture(out _, site: oldSite.Urls.First());

        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        var client = api.CreateClient();
        var harbour = await client.GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        var assetId = harbour.GetProperty("heroImage").GetProperty("assetId").GetString();
        Assert.NotNull(assetId);
        Assert.Equal(assetId, harbour.GetProperty("body")[1].GetProperty("assetId").GetString());
        Assert.Equal(1, wallRequests);
        var manage = await api.ClientWithScopesAsync("content:write");
        Assert.Equal("image/jpeg", (await manage.GetJsonAsync($"/v1/manage/assets/{assetId}")).GetProperty("contentType").GetString());

        var gallery = (await client.GetJsonAsync($"/v1/articles/pwer-y-bobl-{run}")).GetProperty("body").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "image").ToList();
        Assert.Equal(assetId, gallery[0].GetProperty("assetId").GetString());
        Assert.Equal($"{oldSite.Urls.First()}/wp-content/uploads/2016/05/yd.jpg", gallery[1].GetProperty("url").GetString());
        var images = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("images");
        Assert.Equal(1, images.GetProperty("downloaded").GetInt32());
        Assert.Equal(1, images.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task A_live_site_is_read_through_its_rest_api_page_by_page_through_a_429_and_a_503_and_a_hidden_author()
    {
        await using var site = await FakeWordPress.StartAsync();
        var report = Path.Combine(Path.GetTempPath(), $"wp-rest-{site.Run}.report.json");
        var (exit, output) = await ImportFromAsync(site.Url, report, "--media", "link");
        Assert.True(exit == 0, output);

        var client = api.CreateClient();
        var lifeboat = await client.GetJsonAsync($"/v1/articles/lifeboat-launched-twice-{site.Run}");
        Assert.Equal("Moelfre lifeboat launched twice in a day", lifeboat.GetProperty("headline").GetString());
        Assert.Equal("Two shouts before tea.", lifeboat.GetProperty("standfirst").GetString());
        Assert.Equal(new DateTimeOffset(2019, 3, 9, 16, 5, 0, TimeSpan.Zero), lifeboat.GetProperty("publishAt").GetDateTimeOffset());
        Assert.Equal($"newyddion-{site.Run}", lifeboat.GetProperty("section").GetProperty("slug").GetString());
        Assert.Equal(["lifeboat", "moelfre"], lifeboat.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()).Order());
        Assert.Equal("Ceri Hughes", lifeboat.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal($"https://{site.Run}.glannau-gazette.example/wp-content/uploads/2019/03/lifeboat.jpg", lifeboat.GetProperty("heroImage").GetProperty("url").GetString());
        Assert.Equal("Moelfre's lifeboat on its second launch", lifeboat.GetProperty("heroImage").GetProperty("caption").GetString());
        Assert.Equal(2, lifeboat.GetProperty("body").GetArrayLength());

        // The user the API hides (401 on /users/ID) becomes an author made from the post's author id.
        var summit = await client.GetJsonAsync($"/v1/articles/summit-station-opens-{site.Run}");
        Assert.Equal($"wordpress-user-{site.Pid}22", summit.GetProperty("authors")[0].GetProperty("slug").GetString());
        Assert.Equal($"chwaraeon-{site.Run}", summit.GetProperty("section").GetProperty("slug").GetString());
        Assert.Equal("Chwaraeon & Hamdden", summit.GetProperty("section").GetProperty("name").GetString());
        // A NUL (valid in JSON, refused by PostgreSQL) in a title and a tag's name is left out.
        Assert.Equal("Summit station opens for the season", summit.GetProperty("headline").GetString());
        Assert.Equal("Yr Wyddfa", summit.GetProperty("tags")[0].GetProperty("name").GetString());
        var pier = await client.GetJsonAsync($"/v1/articles/pier-paint-finished-{site.Run}");
        Assert.Equal("Bangor pier’s new paint is finished", pier.GetProperty("headline").GetString());
        // The excerpts the API makes for posts without one ("… Continue reading", " […]", or the whole of a short post) are no standfirst.
        Assert.False(pier.TryGetProperty("standfirst", out var made) && made.ValueKind == JsonValueKind.String, made.ToString());
        Assert.False(summit.TryGetProperty("standfirst", out made) && made.ValueKind == JsonValueKind.String, made.ToString());
        Assert.Equal("Côr yn canu eto ar lan y dŵr", (await client.GetJsonAsync($"/v1/articles/cor-yn-canu-eto-{site.Run}")).GetProperty("headline").GetString());
        Assert.Equal($"cor-yn-canu-eto-{site.Run}", (await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString($"/?p={site.Pid}44")}")).GetProperty("slug").GetString());

        var counts = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("counts");
        Assert.Equal(5, counts.GetProperty("posts").GetProperty("created").GetInt32());
        Assert.Equal(2, counts.GetProperty("authors").GetProperty("created").GetInt32());
        Assert.Equal(2, counts.GetProperty("sections").GetProperty("created").GetInt32());
        Assert.Equal(2, site.Requests("/wp-json/wp/v2/posts", page: 2));
        var page2 = site.PostsPage2At.ToArray();
        Assert.True(page2[1] - page2[0] >= TimeSpan.FromSeconds(0.9), "the retry waited for Retry-After: 1");
        Assert.Equal(2, site.Requests("/wp-json/wp/v2/tags", page: 2));
        Assert.Equal(1, site.Requests($"/wp-json/wp/v2/users/{site.Pid}22"));
        Assert.Equal(1, site.Requests("/wp-json/wp/v2/media", page: 1));
        Assert.Contains("Found 5 items; authors 1, categories and tags 5, pictures 2.", output, StringComparison.Ordinal);
        Assert.All(site.Lists, perPage => Assert.Equal("100", perPage));
        Assert.InRange(site.MostAtOnce, 1, 4);

        (exit, output) = await ImportFromAsync(site.Url, report, "--media", "link");
        Assert.True(exit == 0, output);
        counts = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("counts");
        Assert.Equal(0, counts.GetProperty("posts").GetProperty("created").GetInt32());
        Assert.Equal(5, counts.GetProperty("posts").GetProperty("unchanged").GetInt32());
        Assert.All(counts.EnumerateObject(), kind => Assert.Equal(0, kind.Value.GetProperty("created").GetInt32()));
    }

    [Fact]
    public async Task With_pages_a_live_site_s_pages_are_read_after_its_posts()
    {
        await using var site = await FakeWordPress.StartAsync();
        var report = Path.Combine(Path.GetTempPath(), $"wp-rest-{site.Run}.report.json");
        var (exit, output) = await ImportFromAsync(site.Url, report, "--media", "skip", "--pages");
        Assert.True(exit == 0, output);
        var counts = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("counts");
        Assert.Equal((5, 1), (counts.GetProperty("posts").GetProperty("created").GetInt32(), counts.GetProperty("pages").GetProperty("created").GetInt32()));
        var client = api.CreateClient();
        Assert.Equal("Amdanom ni", (await client.GetJsonAsync($"/v1/articles/amdanom-ni-{site.Run}")).GetProperty("headline").GetString());
        // Pictures left out: the media library is not read (a news site's is tens of thousands of items, read before any post).
        Assert.Equal(0, site.Requests("/wp-json/wp/v2/media", page: 1));
        Assert.Contains("its categories, tags, users, then its posts", output, StringComparison.Ordinal);
        Assert.Contains("Found 6 items; authors 1, categories and tags 5, pictures 0.", output, StringComparison.Ordinal);
        Assert.Equal($"amdanom-ni-{site.Run}", (await client.GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString($"/?page_id={site.Pid}51")}")).GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Since_reads_only_the_posts_modified_after_the_date()
    {
        await using var site = await FakeWordPress.StartAsync();
        var report = Path.Combine(Path.GetTempPath(), $"wp-rest-{site.Run}.report.json");
        var (exit, output) = await ImportFromAsync(site.Url, report, "--media", "skip", "--since", "2024-01-01");
        Assert.True(exit == 0, output);
        var posts = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("counts").GetProperty("posts");
        Assert.Equal(1, posts.GetProperty("created").GetInt32());
        var client = api.CreateClient();
        await (await client.GetAsync($"/v1/articles/ferry-timetable-{site.Run}")).AssertSuccessAsync();
        await (await client.GetAsync($"/v1/articles/lifeboat-launched-twice-{site.Run}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, site.Requests($"/wp-json/wp/v2/users/{site.Pid}22"));
    }

    [Fact]
    public async Task A_site_that_fails_mid_import_keeps_what_came_names_the_error_and_a_re_run_resumes()
    {
        await using var site = await FakeWordPress.StartAsync();
        site.VanishedPostsPage = 3;
        var report = Path.Combine(Path.GetTempPath(), $"wp-rest-{site.Run}.report.json");
        var (exit, output) = await ImportFromAsync(site.Url, report, "--media", "skip");
        Assert.True(exit == 0, output);
        var first = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement;
        Assert.Contains("answered 400", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, first.GetProperty("counts").GetProperty("posts").GetProperty("created").GetInt32());
        var client = api.CreateClient();
        await (await client.GetAsync($"/v1/articles/ferry-timetable-{site.Run}")).AssertProblemAsync(HttpStatusCode.NotFound);

        site.VanishedPostsPage = null;
        (exit, output) = await ImportFromAsync(site.Url, report, "--media", "skip");
        Assert.True(exit == 0, output);
        var posts = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("counts").GetProperty("posts");
        Assert.Equal(1, posts.GetProperty("created").GetInt32());
        Assert.Equal(4, posts.GetProperty("unchanged").GetInt32());
        await (await client.GetAsync($"/v1/articles/ferry-timetable-{site.Run}")).AssertSuccessAsync();
    }

    [Fact]
    public async Task A_maintenance_page_instead_of_a_page_of_posts_ends_the_import_with_the_error_in_the_report()
    {
        await using var site = await FakeWordPress.StartAsync();
        site.MaintenancePostsPage = 2;
        var report = Path.Combine(Path.GetTempPath(), $"wp-rest-{site.Run}.report.json");
        var (exit, output) = await ImportFromAsync(site.Url, report, "--media", "skip");
        Assert.True(exit == 0, output);
        var first = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement;
        Assert.Contains("posts?per_page=100&page=2", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("not a JSON list", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, first.GetProperty("counts").GetProperty("posts").GetProperty("created").GetInt32());
    }

    [Fact]
    public async Task A_page_that_never_answers_is_asked_again_then_fails_as_a_request_naming_the_url_instead_of_cancelling_the_run()
    {
        await using var site = await FakeWordPress.StartAsync();
        site.SilentPostsPage = 2;
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };
        var archive = await WpRestArchive.OpenAsync(client, new NoWaiting(), new Uri(site.Url), since: null, pages: false, pictures: true, CancellationToken.None);
        var read = new List<WpItem>();
        var failure = await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var item in archive.Items(CancellationToken.None))
            {
                read.Add(item);
            }
        });
        Assert.Contains("posts?per_page=100&page=2 did not answer within 0.2 s, 6 times", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, read.Count);
        Assert.Equal(6, site.Requests("/wp-json/wp/v2/posts", 2));
    }

    /// <summary>A clock whose waits are over at once: the REST reader's back-off between attempts takes no time.</summary>
    private sealed class NoWaiting : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, TimeSpan.Zero, period);
    }

    /// <summary>The fixture with this run's token in its site, slugs and logins, in a file of its own.</summary>
    private static (string Run, string File) Fixture() => Fixture(out _);

    internal static (string Run, string File) Fixture(out string pid, string? site = null, string name = "glannau-gazette.wxr.xml")
    {
        var run = "r" + Guid.NewGuid().ToString("N")[..8];
        pid = Random.Shared.Next(10_000, 99_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var file = Path.Combine(Path.GetTempPath(), $"wxr-{run}.xml");
        File.WriteAllText(file, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Imports", "Fixtures", name))
            .Replace("https://RUN.glannau-gazette.example", site ?? "https://RUN.glannau-gazette.example", StringComparison.Ordinal)
            .Replace("RUN", run, StringComparison.Ordinal).Replace("PID", pid, StringComparison.Ordinal));
        return (run, file);
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_an_option_without_its_value_and_an_unknown_option_are_refused_before_anything_is_imported()
    {
        var (run, file) = Fixture();
        var nowhere = Path.Combine(Path.GetTempPath(), $"no-folder-{run}", "report.json");
        foreach (var (options, said) in new (string[], string)[]
        {
            (["--report", nowhere], $"Cannot write the report to {nowhere}"),
            (["--media", "link", "--report"], "--report needs a value."),
            (["--report", "--dry-run"], "--report needs a value."),
            (["--bogus"], "Unknown option --bogus."),
            ([file], $"One source at a time: {file} is a second one."),
        })
        {
            var (exit, output) = await api.RunImportAsync(file, options);
            Assert.True(exit == 64, output);
            Assert.Contains(said, output, StringComparison.Ordinal);
        }
        await (await api.CreateClient().GetAsync($"/v1/articles/harbour-wall-repaired-{run}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_import_verb_runs_as_its_own_process_in_development_where_service_scopes_are_checked_with_files_named_from_where_it_was_typed()
    {
        var (run, file) = Fixture(out _);
        await api.WithDbAsync(_ => Task.FromResult(0));
        // As `dotnet run --project` starts it: in the project's folder, with the shell's PWD where the user is.
        var report = $"report-{run}.json";
        var cli = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "import", "wordpress", Path.GetFileName(file), "--media", "link", "--report", report },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
        };
        cli.Environment["ConnectionStrings__HeadlessNews"] = api.ConnectionString;
        cli.Environment["DOTNET_ENVIRONMENT"] = "Development";
        cli.Environment["Database__SeedSampleContent"] = "false";
        cli.Environment["PWD"] = Path.GetDirectoryName(file);
        using var process = Process.Start(cli)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, await errors + await output);
        var harbour = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        Assert.Equal("Harbour wall repaired before the spring tides", harbour.GetProperty("headline").GetString());
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, report)), await errors);
    }

    private Task<(int Exit, string Output)> ImportAsync(string file, params string[] options) => ImportFromAsync(file, file + ".report.json", options);

    private Task<(int Exit, string Output)> ImportFromAsync(string source, string report, params string[] options) =>
        api.RunImportAsync(source, ["--report", report, .. options]);
}
