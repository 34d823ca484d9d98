using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Imports;

/// <summary>Running an import again over the same site: what changed there changes here, and nothing else does.</summary>
public sealed class WordPressReimportTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_changed_post_that_was_given_its_own_slug_at_first_is_updated_under_that_slug()
    {
        var (run, file) = WordPressImportTests.Fixture(out var pid);
        Assert.Equal(0, (await ImportAsync(file, "--media", "link")).Exit);
        var secondLook = $"harbour-wall-repaired-{run}-{pid}104";
        Assert.Equal("Harbour wall: a second look", (await api.CreateClient().GetJsonAsync($"/v1/articles/{secondLook}")).GetProperty("headline").GetString());

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace(
            "<title>Harbour wall: a second look</title>", "<title>Harbour wall: a second look, a week on</title>", StringComparison.Ordinal));
        var (exit, output) = await ImportAsync(file, "--media", "link");

        Assert.True(exit == 0, output);
        Assert.Equal("Harbour wall: a second look, a week on", (await api.CreateClient().GetJsonAsync($"/v1/articles/{secondLook}")).GetProperty("headline").GetString());
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        Assert.Equal(1, report.GetProperty("counts").GetProperty("posts").GetProperty("updated").GetInt32());
        Assert.DoesNotContain(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("outcome").GetString() == "failed");
    }

    [Fact]
    public async Task Another_media_mode_updates_only_the_posts_that_show_pictures()
    {
        var (run, file) = WordPressImportTests.Fixture(out _, name: "glannau-gazette-realworld.wxr.xml");
        Assert.Equal(0, (await ImportAsync(file, "--media", "link")).Exit);
        var (exit, output) = await ImportAsync(file, "--media", "skip");
        Assert.True(exit == 0, output);

        // The harbour story has a featured picture; the tide tables have none.
        Assert.Equal(2, await RevisionsAsync($"harbour-wall-repaired-{run}"));
        Assert.Equal(1, await RevisionsAsync($"tide-tables-may-{run}"));
    }

    [Fact]
    public async Task A_changed_post_keeps_the_quotes_it_still_has_and_the_quote_it_no_longer_has_is_deleted_not_left_behind()
    {
        var run = WordPressImportCostTests.NewRun();
        string Body(string second) =>
            $"The lifeboat went out twice.\n\n<blockquote><p>Both kayakers {run} were wearing buoyancy aids.</p><cite>Owain Hughes</cite></blockquote>"
            + $"\n\n<blockquote><p>{second}</p><cite>Siân Roberts</cite></blockquote>";
        var file = await GeneratedWxr.WriteAsync(run, 1, (_, post) => post with { Content = Body($"The tide turns fast off Penmon {run}.") });
        Assert.Equal(0, (await ImportAsync(file, "--media", "skip")).Exit);
        var before = await QuoteIdsAsync($"harbour-{run}-1");

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace($"The tide turns fast off Penmon {run}.", $"The tide turns very fast off Penmon {run}.", StringComparison.Ordinal));
        var (exit, output) = await ImportAsync(file, "--media", "skip");
        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 0, updated 1", output, StringComparison.Ordinal);
        // --media changes nothing in a post without pictures, and another run changes nothing at all.
        (exit, output) = await ImportAsync(file, "--media", "link");
        Assert.True(exit == 0, output);
        Assert.Contains("posts        created 0, updated 0, unchanged 1", output, StringComparison.Ordinal);

        var after = await QuoteIdsAsync($"harbour-{run}-1");
        Assert.Equal(before[0], after[0]);
        Assert.NotEqual(before[1], after[1]);
        var texts = await api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Quotes.Quote>().Where(q => q.Text.Contains(run)).OrderBy(q => q.Text).Select(q => q.Text).ToListAsync());
        Assert.Equal([$"Both kayakers {run} were wearing buoyancy aids.", $"The tide turns very fast off Penmon {run}."], texts);
    }

    private Task<List<Guid>> QuoteIdsAsync(string slug) => api.WithDbAsync(async db =>
        (await db.Set<Article>().Where(a => a.Slug == slug).Select(a => a.Body).SingleAsync()).Where(b => b.QuoteId is not null).Select(b => b.QuoteId!.Value).ToList());

    private Task<int> RevisionsAsync(string slug) => api.WithDbAsync(async db =>
    {
        var id = await db.Set<Article>().Where(a => a.Slug == slug).Select(a => a.Id).SingleAsync();
        return await db.Set<HeadlessNews.Api.Infrastructure.Revisions.Revision>().CountAsync(r => r.ResourceId == id);
    });

    private Task<(int Exit, string Output)> ImportAsync(string file, params string[] options) => api.RunImportAsync(file, ["--report", file + ".report.json", .. options]);
}
