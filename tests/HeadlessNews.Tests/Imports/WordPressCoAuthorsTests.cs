using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// Co-Authors Plus, the plugin newsrooms on WordPress use for shared bylines: a post's <c>author</c> terms name its
/// authors by login, in byline order, and a <c>guest-author</c> item is a byline without a WordPress account.
/// </summary>
public sealed class WordPressCoAuthorsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_shared_byline_names_every_author_in_order_and_a_guest_author_comes_with_their_name_and_bio()
    {
        var (run, file) = WordPressImportTests.Fixture(out var pid);
        var wxr = await File.ReadAllTextAsync(file);
        wxr = wxr.Replace(
            "<category domain=\"post_tag\" nicename=\"harbour\"><![CDATA[Harbour]]></category>",
            "<category domain=\"post_tag\" nicename=\"harbour\"><![CDATA[Harbour]]></category>"
            + $"<category domain=\"author\" nicename=\"cap-gwen-{run}\"><![CDATA[gwen-{run}]]></category>"
            + $"<category domain=\"author\" nicename=\"cap-ceri-hughes-{run}\"><![CDATA[ceri.hughes.{run}]]></category>",
            StringComparison.Ordinal);
        wxr = wxr.Replace("</channel>", $"""
            <item>
              <title>Gwen Parry</title>
              <wp:post_id>{pid}301</wp:post_id>
              <wp:post_name><![CDATA[cap-gwen-{run}]]></wp:post_name>
              <wp:status><![CDATA[publish]]></wp:status>
              <wp:post_type><![CDATA[guest-author]]></wp:post_type>
              <wp:postmeta><wp:meta_key><![CDATA[cap-display_name]]></wp:meta_key><wp:meta_value><![CDATA[Gwen Parry]]></wp:meta_value></wp:postmeta>
              <wp:postmeta><wp:meta_key><![CDATA[cap-user_login]]></wp:meta_key><wp:meta_value><![CDATA[gwen-{run}]]></wp:meta_value></wp:postmeta>
              <wp:postmeta><wp:meta_key><![CDATA[cap-description]]></wp:meta_key><wp:meta_value><![CDATA[Harbour correspondent &amp; former lifeboat crew.]]></wp:meta_value></wp:postmeta>
            </item>
            </channel>
            """, StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, wxr);

        var (exit, output) = await api.RunImportAsync(file, "--report", file + ".report.json", "--media", "link");
        Assert.True(exit == 0, output);

        var client = api.CreateClient();
        var harbour = await client.GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}");
        var bylines = harbour.GetProperty("authors").EnumerateArray().Select(a => (Slug: a.GetProperty("slug").GetString(), Name: a.GetProperty("name").GetString())).ToList();
        Assert.Equal([($"gwen-{run}", "Gwen Parry"), ($"ceri-hughes-{run}", "Ceri Hughes")], bylines);
        var guest = await client.GetJsonAsync($"/v1/authors/gwen-{run}");
        Assert.Equal("Harbour correspondent & former lifeboat crew.", guest.GetProperty("bio").GetString());

        // A post without Co-Authors Plus terms keeps its creator's byline.
        var welsh = await client.GetJsonAsync($"/v1/articles/pwer-y-bobl-{run}");
        Assert.Equal([$"nia-{run}"], welsh.GetProperty("authors").EnumerateArray().Select(a => a.GetProperty("slug").GetString()));

        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        var guests = report.GetProperty("counts").GetProperty("guest-author");
        Assert.Equal(1, guests.GetProperty("skipped").GetInt32());
        Assert.Contains("become authors", guests.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var harbourReport = report.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("sourceId").GetString() == pid + "101")
            .Select(i => i.GetProperty("reason").GetString()).ToList();
        Assert.DoesNotContain(harbourReport, reason => reason!.Contains("author terms", StringComparison.Ordinal));
    }
}
