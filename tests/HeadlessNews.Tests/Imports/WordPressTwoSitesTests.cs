using System.Net;
using System.Text.Json;
using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// Two WordPress sites moving into one newsroom (their post ids, slugs, old links and logins meet), and one site exported
/// again under another address: what the second import does with what the first one left.
/// </summary>
public sealed class WordPressTwoSitesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_post_whose_slug_and_slug_with_its_id_belong_to_another_site_s_articles_is_imported_under_a_numbered_slug_and_reported()
    {
        var run = WordPressImportCostTests.NewRun();
        var party = $"party-{run}";
        // The first site has two posts named alike: party-… and party-…-2 (its post id added).
        var first = await GeneratedWxr.WriteAsync(run, 2, (_, post) => post with { Name = party }, site: $"https://{run}-first.example");
        var second = await GeneratedWxr.WriteAsync(run, 2, (i, post) => i == 2 ? post with { Name = party, Title = "Party on the quay" } : post with { Name = $"quay-{run}-{i}" },
            site: $"https://{run}-second.example");
        Assert.Equal(0, (await ImportAsync(first)).Exit);

        var (exit, output) = await ImportAsync(second);

        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 2, updated 0, unchanged 0, skipped 0, failed 0", output, StringComparison.Ordinal);
        Assert.Equal("Party on the quay", (await api.CreateClient().GetJsonAsync($"/v1/articles/{party}-2-2")).GetProperty("headline").GetString());
        var renamed = Reported(second).Single(i => i.GetProperty("sourceId").GetString() == "2");
        Assert.Equal("created", renamed.GetProperty("outcome").GetString());
        Assert.Contains($"slug '{party}' was taken: imported as '{party}-2-2'", renamed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // Nothing left to do on a re-run.
        (exit, output) = await ImportAsync(second);
        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 0, updated 0, unchanged 2, skipped 0, failed 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_site_exported_again_over_https_and_with_www_creates_nothing_even_over_records_an_older_release_kept_with_the_scheme()
    {
        var run = WordPressImportCostTests.NewRun();
        var overHttp = await GeneratedWxr.WriteAsync(run, 3, site: $"http://{run}.harbour-gazette.example");
        var (exit, output) = await ImportAsync(overHttp);
        Assert.True(exit == 0, output);
        Assert.Equal(3, Posts(overHttp).GetProperty("created").GetInt32());

        var overHttps = await GeneratedWxr.WriteAsync(run, 3, site: $"https://www.{run}.harbour-gazette.example");
        (exit, output) = await ImportAsync(overHttps);
        Assert.True(exit == 0, output);
        Assert.Equal(0, Posts(overHttps).GetProperty("created").GetInt32());

        // Records an earlier release made, keyed by the address as the export gave it.
        var site = $"https://{run}.harbour-gazette.example";
        Assert.Equal(3, await api.WithDbAsync(db => db.Set<ImportedItem>().Where(i => i.Source == site)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.Source, $"http://{run}.harbour-gazette.example"))));
        (exit, output) = await ImportAsync(overHttps);
        Assert.True(exit == 0, output);
        Assert.Equal((0, 3), (Posts(overHttps).GetProperty("created").GetInt32(), Posts(overHttps).GetProperty("unchanged").GetInt32()));
        Assert.Equal(3, await api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Articles.Article>().CountAsync(a => a.Slug.StartsWith($"harbour-{run}-"))));
    }

    [Fact]
    public async Task An_old_link_another_site_s_article_has_is_reported_on_the_post_that_cannot_have_it()
    {
        var run = WordPressImportCostTests.NewRun();
        var first = await GeneratedWxr.WriteAsync(run, 1, (_, post) => post with { Name = $"first-{run}" }, site: $"https://{run}-first.example");
        var second = await GeneratedWxr.WriteAsync(run, 1, (_, post) => post with { Name = $"second-{run}" }, site: $"https://{run}-second.example");
        Assert.Equal(0, (await ImportAsync(first)).Exit);

        var (exit, output) = await ImportAsync(second);

        Assert.True(exit == 0, output);
        var post = Reported(second).Single(i => i.GetProperty("sourceId").GetString() == "1");
        Assert.Contains("its old link /?p=1 already leads to another article: not redirected", post.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.NotEqual($"second-{run}", (await api.CreateClient().GetJsonAsync("/v1/redirects?path=%2F%3Fp%3D1")).GetProperty("slug").GetString());
    }

    [Fact]
    public async Task A_folder_of_two_subsites_exports_imports_each_site_as_its_own_source_and_neither_overwrites_the_other_s_posts()
    {
        var run = WordPressImportCostTests.NewRun();
        // Two subsites of one network: both number their posts from 1.
        var gwynedd = await GeneratedWxr.WriteAsync(run, 2, (i, post) => post with { Title = $"Newyddion Gwynedd {i}", Name = $"gwynedd-{run}-{i}" },
            site: $"https://{run}.newyddion.example/gwynedd");
        var mon = await GeneratedWxr.WriteAsync(run, 2, (i, post) => post with { Title = $"Anglesey news {i}", Name = $"mon-{run}-{i}" },
            site: $"https://{run}.newyddion.example/mon");
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"wxr-network-{run}")).FullName;
        File.Move(gwynedd, Path.Combine(folder, "gwynedd.xml"));
        File.Move(mon, Path.Combine(folder, "mon.xml"));
        var report = Path.Combine(folder, "report.json");

        var (exit, output) = await api.RunImportAsync(folder, "--media", "skip", "--report", report);

        Assert.True(exit == 0, output);
        var client = api.CreateClient();
        foreach (var (slug, headline) in new[] { ("gwynedd", "Newyddion Gwynedd"), ("mon", "Anglesey news") }.SelectMany(s => new[] { 1, 2 }.Select(i => ($"{s.Item1}-{run}-{i}", $"{s.Item2} {i}"))))
        {
            Assert.Equal(headline, (await client.GetJsonAsync($"/v1/articles/{slug}")).GetProperty("headline").GetString());
        }
        var reports = JsonDocument.Parse(File.ReadAllText(report)).RootElement.EnumerateArray().ToList();
        Assert.Equal([$"https://{run}.newyddion.example/gwynedd", $"https://{run}.newyddion.example/mon"], reports.Select(r => r.GetProperty("source").GetString()));
        Assert.All(reports, r => Assert.Equal(2, r.GetProperty("counts").GetProperty("posts").GetProperty("created").GetInt32()));
        // Each site is the source its files imported one at a time would be: nothing to do for either.
        (exit, output) = await ImportAsync(Path.Combine(folder, "mon.xml"));
        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 0, updated 0, unchanged 2, skipped 0, failed 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subsite_s_shortlink_leads_to_that_subsite_s_post_not_to_another_site_s_post_with_the_same_id()
    {
        var run = WordPressImportCostTests.NewRun();
        var root = await GeneratedWxr.WriteAsync(run, 1, (_, post) => post with { Name = $"root-{run}" }, site: $"https://{run}-root.example");
        var gwynedd = await GeneratedWxr.WriteAsync(run, 1, (_, post) => post with { Name = $"gwynedd-{run}" }, site: $"https://{run}.newyddion.example/gwynedd-{run}");
        var mon = await GeneratedWxr.WriteAsync(run, 1, (_, post) => post with { Name = $"mon-{run}" }, site: $"https://{run}.newyddion.example/mon-{run}");
        foreach (var file in new[] { root, gwynedd, mon })
        {
            var (exit, output) = await ImportAsync(file);
            Assert.True(exit == 0, output);
        }

        async Task<string?> Redirect(string path) =>
            (await api.CreateClient().GetJsonAsync($"/v1/redirects?path={Uri.EscapeDataString(path)}")).GetProperty("slug").GetString();
        Assert.Equal($"gwynedd-{run}", await Redirect($"/gwynedd-{run}/?p=1"));
        Assert.Equal($"gwynedd-{run}", await Redirect($"https://{run}.newyddion.example/gwynedd-{run}/index.php?p=1&preview=true"));
        Assert.Equal($"mon-{run}", await Redirect($"/mon-{run}?p=1"));
        Assert.DoesNotContain(Reported(mon), i => i.GetProperty("reason").GetString()!.Contains("already lead", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_login_another_site_named_otherwise_is_the_author_already_here_and_reported()
    {
        var run = WordPressImportCostTests.NewRun();
        var first = await GeneratedWxr.WriteAsync(run, 1, site: $"https://{run}-first.example", author: "Alice");
        var second = await GeneratedWxr.WriteAsync(run, 1, site: $"https://{run}-second.example", author: "Alice Gazette");
        Assert.Equal(0, (await ImportAsync(first)).Exit);

        var (exit, output) = await ImportAsync(second);

        Assert.True(exit == 0, output);
        var author = Reported(second).Single(i => i.GetProperty("sourceId").GetString() == $"{run}-ceri");
        Assert.Equal("unchanged", author.GetProperty("outcome").GetString());
        Assert.Contains("bylined Alice, not Alice Gazette", author.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slug_with_an_emoji_is_reported_with_the_slug_it_became()
    {
        var run = WordPressImportCostTests.NewRun();
        var file = await GeneratedWxr.WriteAsync(run, 1, (_, post) => post with { Name = $"%f0%9f%8e%89-party-{run}" });

        var (exit, output) = await ImportAsync(file);

        Assert.True(exit == 0, output);
        Assert.Equal("Harbour news 1", (await api.CreateClient().GetJsonAsync($"/v1/articles/party-{run}")).GetProperty("headline").GetString());
        var post = Reported(file).Single(i => i.GetProperty("sourceId").GetString() == "1");
        Assert.Contains($"its slug 🎉-party-{run} became 'party-{run}'", post.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_id_repeated_in_one_export_imports_its_last_copy_only_reported_there_and_a_re_run_finds_it_unchanged()
    {
        var run = WordPressImportCostTests.NewRun();
        var file = await GeneratedWxr.WriteAsync(run, 3, (i, post) => i == 3 ? post with { Id = "1", Title = "Harbour news, the other one", Name = $"other-{run}" } : post);

        var (exit, output) = await ImportAsync(file);

        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 2, updated 0, unchanged 0, skipped 0, failed 0", output, StringComparison.Ordinal);
        var repeat = Reported(file).Single(i => i.GetProperty("sourceId").GetString() == "1");
        Assert.Equal("created", repeat.GetProperty("outcome").GetString());
        Assert.Contains("its post id 1 comes earlier in the export too (\"Harbour news 1\"): this later copy is the one kept", repeat.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/other-{run}");
        Assert.Equal("Harbour news, the other one", article.GetProperty("headline").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.CreateClient().GetAsync($"/v1/articles/harbour-{run}-1")).StatusCode);

        // Nothing changed: no revision, no slug flipped back to the earlier copy's.
        (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 0, updated 0, unchanged 2, skipped 0, failed 0", output, StringComparison.Ordinal);
        Assert.Equal(article.GetProperty("version").GetInt32(), (await api.CreateClient().GetJsonAsync($"/v1/articles/other-{run}")).GetProperty("version").GetInt32());
    }

    private Task<(int Exit, string Output)> ImportAsync(string file) => api.RunImportAsync(file, "--media", "skip", "--report", file + ".report.json");

    private static JsonElement Report(string file) => JsonDocument.Parse(File.ReadAllText(file + ".report.json")).RootElement;

    private static JsonElement Posts(string file) => Report(file).GetProperty("counts").GetProperty("posts");

    private static List<JsonElement> Reported(string file) => [.. Report(file).GetProperty("items").EnumerateArray()];
}
