using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// A caption is what one post wrote under a picture: the picture's library record takes WordPress's own description of
/// it (the attachment's alt text and caption), and a post that showed the picture without a caption shows none.
/// </summary>
public sealed class WordPressPictureCaptionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_picture_takes_its_attachment_s_alt_and_caption_and_a_post_without_a_caption_does_not_show_another_post_s()
    {
        await using var oldSite = await OldWordPressSite.StartAsync();
        var run = "r" + Guid.NewGuid().ToString("N")[..8];
        var pier = $"{oldSite.Url}/wp-content/uploads/2015/07/pier-{run}.jpg";
        var file = await GeneratedWxr.WriteAsync(run, 2, (i, post) => post with
        {
            Content = i == 1
                ? $"<figure class=\"wp-block-image\"><img class=\"wp-image-50\" src=\"{pier}\" alt=\"Pier\"><figcaption>Garth Pier at dusk. Photo: Ffion Jones</figcaption></figure>"
                : $"The pier again.\n\n<img src=\"{pier}\" alt=\"\">",
        });
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("</channel></rss>", $"""
            <item><title>pier</title><wp:post_id>50</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
            <wp:attachment_url>{pier}</wp:attachment_url><excerpt:encoded><![CDATA[The pier from the promenade]]></excerpt:encoded>
            <wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[Garth Pier, Bangor]]></wp:meta_value></wp:postmeta></item>
            </channel></rss>
            """, StringComparison.Ordinal));

        var (exit, output) = await api.RunImportAsync(file);

        Assert.True(exit == 0, output);
        var client = api.CreateClient();
        var captioned = Image(await client.GetJsonAsync($"/v1/articles/harbour-{run}-1"));
        Assert.Equal("Garth Pier at dusk. Photo: Ffion Jones", captioned.GetProperty("caption").GetString());
        var bare = Image(await client.GetJsonAsync($"/v1/articles/harbour-{run}-2"));
        Assert.Equal(captioned.GetProperty("assetId").GetString(), bare.GetProperty("assetId").GetString());
        Assert.True(!bare.TryGetProperty("caption", out var caption) || string.IsNullOrEmpty(caption.GetString()), bare.ToString());
        Assert.Equal("Garth Pier, Bangor", bare.GetProperty("alt").GetString());
        var media = await api.ClientWithScopesAsync("media:write");
        var asset = await media.GetJsonAsync($"/v1/manage/assets/{captioned.GetProperty("assetId").GetString()}");
        Assert.Equal(("Garth Pier, Bangor", "The pier from the promenade"), (asset.GetProperty("alt").GetString(), asset.GetProperty("caption").GetString()));
    }

    private static JsonElement Image(JsonElement article) =>
        Assert.Single(article.GetProperty("body").EnumerateArray(), b => b.GetProperty("type").GetString() == "image");
}
