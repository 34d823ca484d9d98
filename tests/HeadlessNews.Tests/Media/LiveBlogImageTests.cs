using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.LiveBlogs;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Media;

/// <summary>A live blog entry's pictures are shown like an article's own: public while the live blog is visible, guarded on delete.</summary>
public sealed class LiveBlogImageTests(MediaApiFactory api) : IClassFixture<MediaApiFactory>
{
    private static object[] BodyShowing(string assetId) =>
        [new { type = "paragraph", html = "Waves over the sea wall." }, new { type = "image", assetId, alt = "The sea wall" }];

    [Fact]
    public async Task A_picture_in_an_entry_of_a_published_live_blog_is_public_until_the_entry_drops_it_or_the_blog_is_unpublished()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var url = MediaTests.RenditionUrl(asset, 640, "jpg");
        var reader = api.CreateClient();
        var blog = await editor.CreateLiveBlogAsync("Storm on the coast");
        await (await reader.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);

        var entry = await editor.AddEntryAsync(blog, "", body: BodyShowing(asset.Id()));
        var delivered = await reader.GetJsonAsync($"/v1/articles/{blog.Slug()}/entries");
        Assert.Contains($"/{asset.Id()}/", delivered.GetProperty("items")[0].GetProperty("body")[1].GetProperty("src").GetString(), StringComparison.Ordinal);
        var shown = await reader.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", shown.Headers.CacheControl?.ToString());

        var edited = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, LiveBlogs.LiveBlogs.EntryUrl(blog, entry), entry.Version(),
            new { body = new object[] { new { type = "paragraph", html = "The picture was of another town." } } })).AssertSuccessAsync();
        await (await reader.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, LiveBlogs.LiveBlogs.EntryUrl(blog, entry), edited.Version(),
            new { body = BodyShowing(asset.Id()) })).AssertSuccessAsync();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{blog.Id()}/unpublish", blog.Version(), new { })).AssertSuccessAsync();
        await (await reader.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_picture_added_to_an_entry_older_than_those_the_article_carries_is_public_at_once()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var url = MediaTests.RenditionUrl(asset, 320, "webp");
        var blog = await editor.CreateLiveBlogAsync("Ferry delays");
        var old = await editor.AddEntryAsync(blog, "First sailing cancelled.");
        for (var i = 0; i < 20; i++)
        {
            await editor.AddEntryAsync(blog, $"Update {i}.");
        }
        var reader = api.CreateClient();
        await (await reader.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);

        // The article's own document does not change (it carries the newest 20): only the entry's does.
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, LiveBlogs.LiveBlogs.EntryUrl(blog, old), old.Version(),
            new { body = BodyShowing(asset.Id()) })).AssertSuccessAsync();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Deleting_an_asset_a_live_blog_entry_shows_is_409_naming_the_live_blog_and_allowed_once_the_entry_is_deleted()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(500, 400)));
        var blog = await editor.CreateLiveBlogAsync("Pier closed");
        var entry = await editor.AddEntryAsync(blog, "", pinned: true, body: BodyShowing(asset.Id()));

        var conflict = await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/assets/{asset.Id()}", asset.Version()))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        var user = Assert.Single(conflict.GetProperty("users").EnumerateArray());
        Assert.Equal(blog.Id(), user.GetProperty("id").GetString());

        await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, LiveBlogs.LiveBlogs.EntryUrl(blog, entry), entry.Version())).AssertSuccessAsync(HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/assets/{asset.Id()}", asset.Version())).StatusCode);
    }
}
