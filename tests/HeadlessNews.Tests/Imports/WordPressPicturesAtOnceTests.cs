using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// A picture is mostly a wait on the old site: an import asks for several at once (as many as it reads the REST API
/// with, no more), ahead of the posts that show them, and only for the posts it writes.
/// </summary>
public sealed class WordPressPicturesAtOnceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Pictures_are_fetched_several_at_a_time_but_never_more_than_four()
    {
        await using var oldSite = await OldWordPressSite.StartAsync(slow: true);
        var (run, file) = WordPressImportTests.Fixture(out var pid, oldSite.Url);
        var pictures = string.Concat(Enumerable.Range(1, 12).Select(i => $"\n\n<img src=\"{oldSite.Url}/wp-content/uploads/2020/01/quay-{i}.jpg\" alt=\"Quay {i}\">"))
            + $"\n\n<img src=\"{oldSite.Url}/wp-content/uploads/2020/01/gone.png\" alt=\"Gone\">";
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace(
            "<content:encoded><![CDATA[A week on, the new mortar has held through two high tides.]]></content:encoded>",
            $"<content:encoded><![CDATA[A week on, the new mortar has held through two high tides.{pictures}]]></content:encoded>", StringComparison.Ordinal));

        var (exit, output) = await api.RunImportAsync(file, "--report", file + ".report.json");

        Assert.True(exit == 0, output);
        var secondLook = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}-{pid}104");
        var images = secondLook.GetProperty("body").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "image").ToList();
        Assert.Equal(13, images.Count);
        Assert.All(images[..12], image => Assert.Equal(JsonValueKind.String, image.GetProperty("assetId").ValueKind));
        Assert.Equal($"{oldSite.Url}/wp-content/uploads/2020/01/gone.png", images[12].GetProperty("url").GetString());
        Assert.Equal(12, oldSite.Requested.Count(path => path.Contains("quay-", StringComparison.Ordinal)));
        Assert.InRange(oldSite.MostAtOnce, 2, 4);
        // The picture that is gone (404) is reported on the post that shows it.
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json"));
        var reported = report.RootElement.GetProperty("items").EnumerateArray().Single(item => item.GetProperty("sourceId").GetString() == $"{pid}104");
        Assert.Contains("gone.png kept as a link", reported.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_repeated_in_the_export_whose_repeat_was_imported_before_still_gets_its_pictures()
    {
        // One post id twice (an export tool's duplicate): the second version shows a picture. The first import writes both
        // and keeps the second's hash; a re-run finds the second unchanged when it reads ahead, so only the writer, once the
        // first version has been written over it again, sees it must be written, picture included.
        await using var oldSite = await OldWordPressSite.StartAsync();
        var run = "r" + Guid.NewGuid().ToString("N")[..8];
        var file = await GeneratedWxr.WriteAsync(run, 2, (i, post) => i == 2
            ? post with { Name = $"harbour-{run}-1", Content = $"The wall, mended.\n\n<img src=\"{oldSite.Url}/wp-content/uploads/2015/07/wall.jpg\" alt=\"The wall\">" }
            : post);
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("<wp:post_id>2</wp:post_id>", "<wp:post_id>1</wp:post_id>", StringComparison.Ordinal));

        for (var pass = 1; pass <= 2; pass++)
        {
            var (exit, output) = await api.RunImportAsync(file, "--report", file + ".report.json");
            Assert.True(exit == 0, output);
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json"));
            Assert.Equal(0, report.RootElement.GetProperty("images").GetProperty("failed").GetInt32());
            var article = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-{run}-1");
            var picture = Assert.Single(article.GetProperty("body").EnumerateArray(), b => b.GetProperty("type").GetString() == "image");
            Assert.Equal(JsonValueKind.String, picture.GetProperty("assetId").ValueKind);
        }
    }

    [Fact]
    public async Task A_picture_of_a_post_edited_here_since_is_not_fetched_unless_the_edits_are_overwritten()
    {
        await using var oldSite = await OldWordPressSite.StartAsync();
        var run = "r" + Guid.NewGuid().ToString("N")[..8];
        var file = await GeneratedWxr.WriteAsync(run, 1);
        Assert.Equal(0, (await api.RunImportAsync(file)).Exit);
        var manage = await api.ClientWithScopesAsync("content:write");
        var imported = (await manage.GetJsonAsync($"/v1/manage/articles?q={Uri.EscapeDataString("Harbour news 1")}&limit=100")).GetProperty("items").EnumerateArray()
            .Single(a => a.GetProperty("slug").GetString() == $"harbour-{run}-1");
        await (await manage.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{imported.Id()}", imported.GetProperty("version").GetInt32(),
            new { headline = "Harbour news (edited here)", body = new[] { new { type = "paragraph", html = "Edited." } } })).AssertSuccessAsync();
        // WordPress adds a picture to the post meanwhile.
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("The harbour wall, part 1.",
            $"The harbour wall, part 1.\n\n<img src=\"{oldSite.Url}/wp-content/uploads/2015/07/part-1.jpg\" alt=\"Part 1\">", StringComparison.Ordinal));

        var (exit, output) = await api.RunImportAsync(file, "--report", file + ".report.json");

        Assert.True(exit == 0, output);
        Assert.Empty(oldSite.Requested);
        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")))
        {
            Assert.Equal(0, report.RootElement.GetProperty("images").GetProperty("downloaded").GetInt32());
        }

        (exit, output) = await api.RunImportAsync(file, "--overwrite");

        Assert.True(exit == 0, output);
        Assert.Equal(["2015/07/part-1.jpg"], oldSite.Requested);
        var article = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-{run}-1");
        var picture = Assert.Single(article.GetProperty("body").EnumerateArray(), b => b.GetProperty("type").GetString() == "image");
        Assert.Equal(JsonValueKind.String, picture.GetProperty("assetId").ValueKind);
    }
}
