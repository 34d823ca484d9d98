using System.Net;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NetVips;

namespace HeadlessNews.Tests.Media;

public sealed class S3MediaTests(S3MediaApiFactory api) : IClassFixture<S3MediaApiFactory>
{
    private Task<HttpClient> EditorAsync() => api.ClientWithScopesAsync("content:write", "content:publish");

    [S3Fact]
    public async Task Through_s3_an_upload_is_rendered_stored_in_the_bucket_served_and_deleting_it_empties_the_bucket()
    {
        var editor = await EditorAsync();
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        Assert.Equal(1, await api.S3.ObjectsUnderAsync(Asset.OriginalKey(Guid.Parse(asset.Id()))));

        var first = await editor.GetAsync(MediaTests.RenditionUrl(asset, 320, "webp"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/webp", first.Content.Headers.ContentType?.MediaType);
        using (var rendition = Image.NewFromBuffer(await first.Content.ReadAsByteArrayAsync()))
        {
            Assert.Equal(320, rendition.Width);
        }
        Assert.Equal(1, await api.S3.ObjectsUnderAsync($"renditions/{asset.Id()}"));

        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/assets/{asset.Id()}", asset.Version())).StatusCode);
        Assert.Equal(0, await api.S3.ObjectsUnderAsync(Asset.OriginalKey(Guid.Parse(asset.Id()))));
        Assert.Equal(0, await api.S3.ObjectsUnderAsync($"renditions/{asset.Id()}"));
    }

    [S3Fact]
    public async Task A_rendition_made_on_one_node_is_served_by_another_node_from_the_shared_bucket_without_remaking()
    {
        await using var nodeB = api.SecondNode();
        await nodeB.InitializeAsync();
        var editor = await EditorAsync();
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(1000, 700)));
        await MediaTests.PublishWithHeroAsync(editor, asset.Id());
        var url = MediaTests.RenditionUrl(asset, 640, "jpg");

        var madeOnA = await api.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, madeOnA.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", madeOnA.Headers.CacheControl?.ToString());
        var madeOnB = await nodeB.CreateClient().GetAsync(MediaTests.RenditionUrl(asset, 960, "jpg"));
        Assert.Equal(HttpStatusCode.OK, madeOnB.StatusCode);
        Assert.Equal(2, await api.S3.ObjectsUnderAsync($"renditions/{asset.Id()}"));

        // Without the original nothing can be made again: node B can only answer from what node A stored.
        await api.Services.GetRequiredService<IMediaStorage>().DeletePrefixAsync(Asset.OriginalKey(Guid.Parse(asset.Id())), CancellationToken.None);
        var servedByB = await nodeB.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, servedByB.StatusCode);
        Assert.Equal(await madeOnA.Content.ReadAsByteArrayAsync(), await servedByB.Content.ReadAsByteArrayAsync());
    }

    [S3Fact]
    public async Task A_second_node_stops_serving_a_picture_publicly_once_the_first_unpublishes_its_story()
    {
        await using var nodeB = api.SecondNode();
        await nodeB.InitializeAsync();
        var editor = await EditorAsync();
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var article = await MediaTests.PublishWithHeroAsync(editor, asset.Id());
        var url = MediaTests.RenditionUrl(asset, 320, "jpg");
        var readerOnB = nodeB.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await readerOnB.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await readerOnB.GetAsync(url)).StatusCode);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/unpublish", article.Version(), new { })).AssertSuccessAsync();
        await Eventually.TrueAsync(async () => (await readerOnB.GetAsync(url)).StatusCode == HttpStatusCode.NotFound,
            "node B to stop serving the withdrawn story's picture");
    }

    [S3Fact]
    public async Task A_node_serves_a_rendition_it_has_read_from_memory_without_asking_the_bucket_again()
    {
        await using var nodeB = api.SecondNode();
        await nodeB.InitializeAsync();
        var editor = await EditorAsync();
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        await MediaTests.PublishWithHeroAsync(editor, asset.Id());
        var url = MediaTests.RenditionUrl(asset, 320, "webp");
        var reader = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
        var read = await (await reader.GetAsync(url)).Content.ReadAsByteArrayAsync();

        // Gone from the bucket, original and all, behind node A's back: only its memory can still answer.
        var id = Guid.Parse(asset.Id());
        var storageOfB = nodeB.Services.GetRequiredService<IMediaStorage>();
        await storageOfB.DeletePrefixAsync(Asset.OriginalKey(id), CancellationToken.None);
        await storageOfB.DeletePrefixAsync($"renditions/{id}/", CancellationToken.None);
        Assert.Equal(0, await api.S3.ObjectsUnderAsync($"renditions/{id}"));
        var fromMemory = await reader.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, fromMemory.StatusCode);
        Assert.Equal(read, await fromMemory.Content.ReadAsByteArrayAsync());
    }
}
