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

    private Task<int> RevisionsAsync(string slug) => api.WithDbAsync(async db =>
    {
        var id = await db.Set<Article>().Where(a => a.Slug == slug).Select(a => a.Id).SingleAsync();
        return await db.Set<HeadlessNews.Api.Infrastructure.Revisions.Revision>().CountAsync(r => r.ResourceId == id);
    });

    private Task<(int Exit, string Output)> ImportAsync(string file, params string[] options) => api.RunImportAsync(file, ["--report", file + ".report.json", .. options]);
}
