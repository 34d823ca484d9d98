using System.Globalization;
using System.Text.Json;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Media;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// An import writes two chunks of 100 posts at once, each in its own transaction. What two posts in different chunks share
/// comes out as one writer would leave it: a slug or a headline goes to the earlier post, and an author or tag first met in
/// one chunk is there for the other at once.
/// </summary>
public sealed class WordPressImportLanesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Posts_of_chunks_written_at_once_that_share_a_slug_a_headline_an_author_or_a_tag_all_import_as_one_writer_would_import_them()
    {
        var run = "l" + Guid.NewGuid().ToString("N")[..8];
        var file = await GeneratedWxr.WriteAsync(run, posts: 300, (post, item) => post switch
        {
            // Drafts without a slug: numbered from one headline.
            10 or 110 => item with { Name = "", Title = $"Ferry timetable {run}", Status = "draft" },
            // The second chunk takes the first one's slugs, post for post.
            > 100 and <= 200 when post != 105 => item with { Name = $"harbour-{run}-{post - 100}" },
            // An author and a tag no list names, first met by two chunks written at once.
            105 or 205 => item with { Creator = $"{run}-guest", Tag = $"lifeboat-{run}" },
            _ => item,
        });

        // Off the test framework's synchronisation context, as on the command line.
        var (exit, output) = await Task.Run(() => api.RunImportAsync(file, "--report", file + ".report.json", "--media", "skip"));

        Assert.True(exit == 0, output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        Assert.DoesNotContain(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("outcome").GetString() == "failed");
        Assert.Equal(300, report.GetProperty("counts").GetProperty("posts").GetProperty("created").GetInt32());
        var slugs = await api.WithDbAsync(db => db.Set<Article>().Where(a => a.Headline.StartsWith("Harbour news ") && a.Slug.Contains(run))
            .ToDictionaryAsync(a => a.Headline, a => a.Slug));
        foreach (var post in Enumerable.Range(1, 100).Where(p => p is not (10 or 5)))
        {
            Assert.Equal($"harbour-{run}-{post}", slugs[$"Harbour news {post}"]);
            Assert.Equal($"harbour-{run}-{post}-{post + 100}", slugs[$"Harbour news {post + 100}"]);
        }
        var drafts = await api.WithDbAsync(db => db.Set<Article>().Where(a => a.Headline == $"Ferry timetable {run}").OrderBy(a => a.CreatedAt).Select(a => a.Slug).ToListAsync());
        Assert.Equal([$"ferry-timetable-{run}", $"ferry-timetable-{run}-2"], drafts);
        var client = api.CreateClient();
        foreach (var post in new[] { 105, 205 })
        {
            var article = await client.GetJsonAsync($"/v1/articles/harbour-{run}-{post}");
            Assert.Equal([$"{run}-guest"], article.GetProperty("authors").EnumerateArray().Select(a => a.GetProperty("slug").GetString()));
            Assert.Contains($"lifeboat-{run}", article.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));
        }
    }

    [Fact]
    public async Task A_picture_with_an_alt_text_longer_than_the_media_library_keeps_is_stored_with_it_cut_and_the_import_goes_on()
    {
        // The old site's one picture; post 150 shows it with an alt text longer than an asset keeps (500).
        var picture = TestImages.Jpeg(TestImages.Photo(64, 48));
        await using var oldSite = await LoopbackSite.StartAsync(site => site.MapGet("/wp-content/uploads/2015/07/wall.jpg", () => Results.Bytes(picture, "image/jpeg")));
        var run = "l" + Guid.NewGuid().ToString("N")[..8];
        var file = await GeneratedWxr.WriteAsync(run, posts: 300, (post, item) => post == 150
            ? item with { Content = $"""<p>The wall.</p><img src="{oldSite.Urls.First()}/wp-content/uploads/2015/07/wall.jpg" alt="{new string('w', 600)}">""" }
            : item);

        var (exit, output) = await Task.Run(() => api.RunImportAsync(file, "--report", file + ".report.json", "--media", "download"));

        Assert.True(exit == 0, output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        Assert.DoesNotContain(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("outcome").GetString() == "failed");
        Assert.Equal(300, report.GetProperty("counts").GetProperty("posts").GetProperty("created").GetInt32());
        Assert.Equal(1, report.GetProperty("images").GetProperty("downloaded").GetInt32());
        Assert.Equal(300, await api.WithDbAsync(db => db.Set<Article>().CountAsync(a => a.Slug.StartsWith($"harbour-{run}-"))));
    }

    [Fact]
    public async Task The_report_lists_posts_in_the_files_order_whichever_chunk_wrote_them()
    {
        // Every post keeps a shortcode as text, and every third one has no title (created as a draft, reported).
        var run = "l" + Guid.NewGuid().ToString("N")[..8];
        var file = await GeneratedWxr.WriteAsync(run, posts: 300, (post, item) => item with
        {
            Content = $"The harbour wall, part {post}. [tide_table port=\"conwy\"]",
            Title = post % 3 == 0 ? "" : item.Title,
        });

        var (exit, output) = await Task.Run(() => api.RunImportAsync(file, "--report", file + ".report.json", "--media", "skip"));

        Assert.True(exit == 0, output);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(file + ".report.json")).RootElement;
        var inOrder = Enumerable.Range(1, 300).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(inOrder, report.GetProperty("unknownShortcodes").GetProperty("tide_table").EnumerateArray().Select(p => p.GetString()));
        // (Other tests' exports took /?p=1… too: those posts are reported for their old links.)
        Assert.Equal(inOrder.Where(p => int.Parse(p, CultureInfo.InvariantCulture) % 3 == 0),
            report.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("reason").GetString()!.Contains("no title", StringComparison.Ordinal))
                .Select(i => i.GetProperty("sourceId").GetString()));
    }
}
