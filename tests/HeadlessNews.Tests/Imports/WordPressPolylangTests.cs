using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// Polylang, the plugin bilingual WordPress sites use: each post has a <c>language</c> term, and a post shares one
/// <c>post_translations</c> term with its translations. They come across as editions of one story.
/// </summary>
public sealed class WordPressPolylangTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_post_and_its_welsh_translation_become_two_editions_of_one_story_and_a_second_welsh_one_stands_alone()
    {
        var (run, file) = WordPressImportTests.Fixture(out var pid);
        var set = $"pll_{run}";
        var wxr = await File.ReadAllTextAsync(file);
        wxr = wxr.Insert(wxr.IndexOf("\t<item>", StringComparison.Ordinal), $$"""
            	<wp:term><wp:term_id>40</wp:term_id><wp:term_taxonomy><![CDATA[language]]></wp:term_taxonomy><wp:term_slug><![CDATA[cy]]></wp:term_slug><wp:term_name><![CDATA[Cymraeg]]></wp:term_name><wp:term_description><![CDATA[a:3:{s:6:"locale";s:5:"cy_GB";s:3:"rtl";i:0;s:9:"flag_code";s:5:"wales";}]]></wp:term_description></wp:term>
            	<wp:term><wp:term_id>41</wp:term_id><wp:term_taxonomy><![CDATA[post_translations]]></wp:term_taxonomy><wp:term_slug><![CDATA[{{set}}]]></wp:term_slug><wp:term_name><![CDATA[{{set}}]]></wp:term_name><wp:term_description><![CDATA[a:2:{s:2:"en";i:{{pid}}101;s:2:"cy";i:{{pid}}102;}]]></wp:term_description></wp:term>

            """);
        string Polylang(string language) =>
            $"<category domain=\"language\" nicename=\"{language}\"><![CDATA[{language}]]></category><category domain=\"post_translations\" nicename=\"{set}\"><![CDATA[{set}]]></category>";
        wxr = InsertIntoItem(wxr, $"{pid}101", Polylang("en"));
        wxr = InsertIntoItem(wxr, $"{pid}102", Polylang("cy"));
        wxr = InsertIntoItem(wxr, $"{pid}103", Polylang("cy"));
        await File.WriteAllTextAsync(file, wxr);

        var (exit, output) = await api.RunImportAsync(file, "--report", file + ".report.json", "--media", "link");
        Assert.True(exit == 0, output);

        var client = api.CreateClient();
        var english = await client.GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        var welsh = await client.GetJsonAsync($"/v1/articles/pwer-y-bobl-{run}");
        Assert.Equal("en", english.GetProperty("language").GetString());
        Assert.Equal("cy", welsh.GetProperty("language").GetString());
        Assert.Equal([("cy", $"pwer-y-bobl-{run}")], Editions(english));
        Assert.Equal([("en", $"harbour-wall-repaired-{run}")], Editions(welsh));

        // The set had its Welsh edition already: the third post is imported as a story of its own, and reported.
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        var third = report.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("sourceId").GetString() == pid + "103");
        Assert.Contains("not linked to its Polylang translations", third.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("reason").GetString()!.Contains("language terms", StringComparison.Ordinal));

        // A second run finds every edition where the first put it.
        Assert.Equal(0, (await api.RunImportAsync(file, "--media", "link")).Exit);
        Assert.Equal([("cy", $"pwer-y-bobl-{run}")], Editions(await client.GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}")));
    }

    private static List<(string?, string?)> Editions(JsonElement article) =>
        [.. article.GetProperty("translations").EnumerateArray().Select(t => (t.GetProperty("language").GetString(), t.GetProperty("slug").GetString()))];

    private static string InsertIntoItem(string wxr, string postId, string terms)
    {
        var at = wxr.IndexOf($"<wp:post_id>{postId}</wp:post_id>", StringComparison.Ordinal);
        Assert.True(at > 0, $"post {postId} is in the fixture");
        return wxr.Insert(at, terms);
    }
}
