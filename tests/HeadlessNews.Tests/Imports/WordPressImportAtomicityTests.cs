using System.Net;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Imports;

/// <summary>A post and its import bookkeeping are written together or not at all, and what is imported is delivered at once.</summary>
public sealed class WordPressImportAtomicityTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_post_whose_bookkeeping_cannot_be_saved_leaves_no_article_and_a_re_run_creates_it_exactly_once()
    {
        var (run, file) = WordPressImportTests.Fixture(out var pid);
        var source = $"https://{run}.glannau-gazette.example";
        var failing = pid + "102";
        // The import record of one post fails to save, as a duplicate would (or a kill right after the article's write).
        // Names and values are this test's own (no client input): plain SQL text.
        var refuse = $"""
            CREATE FUNCTION refuse_{run}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.source = '{source}' AND NEW.source_id = '{failing}' THEN
                    RAISE EXCEPTION 'injected duplicate' USING ERRCODE = 'unique_violation';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_{run} BEFORE INSERT ON imported_items FOR EACH ROW EXECUTE FUNCTION refuse_{run}();
            """;
        await api.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(refuse));

        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        var client = api.CreateClient();
        await (await client.GetAsync($"/v1/articles/pwer-y-bobl-{run}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/v1/articles/harbour-wall-repaired-{run}")).AssertSuccessAsync();
        Assert.Equal((0, 0), await WrittenAsync(run, source, failing));
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        Assert.Equal((9, 1, 1), (report.GetProperty("counts").GetProperty("posts").GetProperty("created").GetInt32(),
            report.GetProperty("counts").GetProperty("posts").GetProperty("skipped").GetInt32(), report.GetProperty("counts").GetProperty("posts").GetProperty("failed").GetInt32()));
        Assert.Contains("posts        created 9, updated 0, unchanged 0, skipped 1, failed 1", output, StringComparison.Ordinal);
        Assert.Contains(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("sourceId").GetString() == failing
            && i.GetProperty("outcome").GetString() == "failed" && i.GetProperty("reason").GetString()!.Contains("injected duplicate", StringComparison.Ordinal));

        var allow = $"DROP TRIGGER refuse_{run} ON imported_items; DROP FUNCTION refuse_{run}();";
        await api.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(allow));
        (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);
        var again = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement.GetProperty("counts").GetProperty("posts");
        Assert.Equal((1, 9), (again.GetProperty("created").GetInt32(), again.GetProperty("unchanged").GetInt32()));
        Assert.Equal((1, 1), await WrittenAsync(run, source, failing));
        var welsh = await client.GetJsonAsync($"/v1/articles/pwer-y-bobl-{run}");
        Assert.Equal("Pŵer y bobl: ŷd yn tyfu ar Ynys Môn", welsh.GetProperty("headline").GetString());
    }

    [Fact]
    public async Task Imported_published_posts_are_delivered_by_slug_and_in_lists_as_soon_as_the_import_ends()
    {
        var (run, file) = WordPressImportTests.Fixture(out var pid);
        var (exit, output) = await ImportAsync(file);
        Assert.True(exit == 0, output);

        var client = api.CreateClient();
        foreach (var slug in new[] { $"harbour-wall-repaired-{run}", $"pwer-y-bobl-{run}", $"harbour-wall-repaired-{run}-{pid}104" })
        {
            Assert.Equal(slug, (await client.GetJsonAsync($"/v1/articles/{slug}")).GetProperty("slug").GetString());
        }
        var listed = (await client.GetJsonAsync($"/v1/articles?section=newyddion-{run}&limit=100")).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("slug").GetString()).ToList();
        Assert.Contains($"harbour-wall-repaired-{run}", listed);
        var byAuthor = (await client.GetJsonAsync($"/v1/articles?author=ceri-hughes-{run}&limit=100")).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("slug").GetString()).ToList();
        Assert.Contains($"harbour-wall-repaired-{run}", byAuthor);
    }

    /// <summary>The failing post's articles (by its slug) and import records.</summary>
    private Task<(int Articles, int Records)> WrittenAsync(string run, string source, string sourceId) => api.WithDbAsync(async db =>
        (await db.Set<Article>().CountAsync(a => a.Slug.StartsWith($"pwer-y-bobl-{run}")),
            await db.Set<ImportedItem>().CountAsync(i => i.Source == source && i.SourceId == sourceId)));

    private Task<(int Exit, string Output)> ImportAsync(string file) => api.RunImportAsync(file, "--report", file + ".report.json", "--media", "link");
}
