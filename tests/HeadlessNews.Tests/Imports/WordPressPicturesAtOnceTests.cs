using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// A picture is mostly a wait on the old site: an import asks for several at once (as many as it reads the REST API
/// with, no more), ahead of the posts that show them.
/// </summary>
public sealed class WordPressPicturesAtOnceTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Pictures_are_fetched_several_at_a_time_but_never_more_than_four()
    {
        await using var oldSite = await OldWordPressSite.StartAsync(answerAfter: TimeSpan.FromMilliseconds(250));
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
}
