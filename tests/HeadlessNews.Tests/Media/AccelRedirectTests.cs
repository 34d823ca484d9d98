using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Media;

/// <summary>The API behind an nginx that sends stored renditions itself (<c>Media:AccelRedirectPrefix</c>).</summary>
public sealed class AccelRedirectApiFactory : ApiFactory
{
    public const string Prefix = "/_media/";

    public string MediaFolder { get; } = Directory.CreateTempSubdirectory("headlessnews-media-").FullName;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Media:FilesystemPath"] = MediaFolder,
        ["Media:AccelRedirectPrefix"] = Prefix,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(MediaFolder, recursive: true);
    }
}

public sealed class AccelRedirectTests(AccelRedirectApiFactory api) : IClassFixture<AccelRedirectApiFactory>
{
    [Fact]
    public async Task Behind_nginx_a_public_rendition_is_an_empty_answer_naming_its_stored_file_and_a_withdrawn_one_is_404_without_it()
    {
        var editor = await api.ClientWithScopesAsync("content:write", "content:publish");
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var url = MediaTests.RenditionUrl(asset, 320, "webp");
        var reader = api.CreateClient();
        var unpublished = await reader.GetAsync(url);
        await unpublished.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.False(unpublished.Headers.Contains("X-Accel-Redirect"));

        var article = await MediaTests.PublishWithHeroAsync(editor, asset.Id());
        var response = await reader.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var key = $"renditions/{asset.Id()}/{asset.Version()}/320.webp";
        Assert.Equal(AccelRedirectApiFactory.Prefix + key, response.Headers.GetValues("X-Accel-Redirect").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        Assert.True(File.Exists(Path.Combine(api.MediaFolder, key)), "The rendition is made and stored before nginx is sent to it.");

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/unpublish", article.Version(), new { })).AssertSuccessAsync();
        var withdrawn = await reader.GetAsync(url);
        await withdrawn.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.False(withdrawn.Headers.Contains("X-Accel-Redirect"));
    }
}
