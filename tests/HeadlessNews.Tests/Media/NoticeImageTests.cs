using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessNews.Tests.Notices;
using HeadlessNews.Tests.Support;
using NetVips;

namespace HeadlessNews.Tests.Media;

/// <summary>Notices carry pictures from the asset library like articles do: checked on save, delivered with renditions, guarded on delete and before publication.</summary>
public sealed class NoticeImageTests(MediaApiFactory api) : IClassFixture<MediaApiFactory>
{
    private static JsonObject NoticeShowing(string assetId)
    {
        var notice = NoticeRequests.Valid();
        notice["images"] = new JsonArray(new JsonObject { ["assetId"] = assetId, ["caption"] = "Site of the extension" });
        return notice;
    }

    private async Task<(HttpClient Desk, JsonElement Asset)> UploadAsync(int width, int height)
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var asset = await MediaTests.UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(width, height)));
        return (await api.ClientWithScopesAsync("notices:write"), asset);
    }

    [Fact]
    public async Task A_published_notice_delivers_its_uploaded_image_with_renditions_like_an_article()
    {
        var (desk, asset) = await UploadAsync(1000, 500);
        var draft = await desk.CreateAsync(NoticeShowing(asset.Id()));
        Assert.Equal(asset.Id(), draft.GetProperty("images")[0].GetProperty("assetId").GetString());
        var published = await desk.WorkflowAsync(draft.Id(), "publish", draft.Version());

        var image = (await (await api.CreateClient().GetAsync($"/v1/notices/{published.Id()}")).AssertSuccessAsync()).GetProperty("images").EnumerateArray().Single();
        Assert.Equal(asset.Id(), image.GetProperty("assetId").GetString());
        Assert.Equal("Site of the extension", image.GetProperty("caption").GetString());
        Assert.Equal("Alt text", image.GetProperty("alt").GetString());
        Assert.Equal((1000, 500), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
        var srcset = image.GetProperty("srcset").EnumerateArray().ToList();
        Assert.Equal([320, 640, 960], srcset.Select(e => e.GetProperty("width").GetInt32()));

        var listed = (await (await api.CreateClient().GetAsync("/v1/notices?includeExpired=true&limit=100")).AssertSuccessAsync()).GetProperty("items").EnumerateArray()
            .Single(n => n.Id() == published.Id());
        Assert.Equal(image.GetProperty("src").GetString(), listed.GetProperty("images")[0].GetProperty("src").GetString());

        var rendition = await api.CreateClient().GetAsync(MediaTests.PathOf(srcset[1].GetProperty("url").GetString()!));
        Assert.Equal(HttpStatusCode.OK, rendition.StatusCode);
        using var decoded = Image.NewFromBuffer(await rendition.Content.ReadAsByteArrayAsync());
        Assert.Equal((640, 320), (decoded.Width, decoded.Height));
    }

    [Fact]
    public async Task A_notice_image_naming_an_unknown_asset_or_both_an_asset_and_a_url_is_a_400_at_its_path()
    {
        var (desk, asset) = await UploadAsync(400, 300);
        var notice = NoticeRequests.Valid();
        notice["images"] = new JsonArray(new JsonObject { ["assetId"] = asset.Id() }, new JsonObject { ["assetId"] = Guid.NewGuid().ToString() });
        var unknown = await (await desk.PostAsJsonAsync("/v1/manage/notices", notice)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["images[1].assetId"], unknown.GetProperty("errors").EnumerateObject().Select(e => e.Name));

        notice["images"] = new JsonArray(new JsonObject { ["assetId"] = asset.Id(), ["url"] = "https://example.org/a.jpg" });
        var both = await (await desk.PostAsJsonAsync("/v1/manage/notices", notice)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(both.GetProperty("errors").TryGetProperty("images[0].url", out _));
    }

    [Fact]
    public async Task Deleting_an_asset_a_notice_uses_is_409_naming_the_notice()
    {
        var (desk, asset) = await UploadAsync(400, 300);
        var notice = await desk.CreateAsync(NoticeShowing(asset.Id()));

        var editor = await api.ClientWithScopesAsync("content:write");
        var conflict = await (await editor.SendVersionedAsync(HttpMethod.Delete, $"/v1/manage/assets/{asset.Id()}", asset.Version()))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        var user = conflict.GetProperty("users").EnumerateArray().Single();
        Assert.Equal(("notice", notice.Id()), (user.GetProperty("type").GetString(), user.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_draft_notices_picture_is_404_to_the_public_until_the_notice_is_published()
    {
        var (desk, asset) = await UploadAsync(400, 300);
        var draft = await desk.CreateAsync(NoticeShowing(asset.Id()));
        var url = MediaTests.RenditionUrl(asset, 320, "jpg");
        await (await api.CreateClient().GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);

        await desk.WorkflowAsync(draft.Id(), "publish", draft.Version());
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Editing_an_asset_shows_at_once_on_the_cached_pages_of_the_notices_that_use_it()
    {
        var (desk, asset) = await UploadAsync(400, 300);
        var draft = await desk.CreateAsync(NoticeShowing(asset.Id()));
        var notice = await desk.WorkflowAsync(draft.Id(), "publish", draft.Version());
        var reader = api.CreateClient();
        async Task<JsonElement[]> ShownAsync() =>
        [
            (await (await reader.GetAsync($"/v1/notices/{notice.Id()}")).AssertSuccessAsync()).GetProperty("images")[0],
            (await (await reader.GetAsync("/v1/notices?includeExpired=true&limit=100")).AssertSuccessAsync()).GetProperty("items").EnumerateArray()
                .Single(n => n.Id() == notice.Id()).GetProperty("images")[0],
        ];
        Assert.All(await ShownAsync(), image => Assert.Equal("Alt text", image.GetProperty("alt").GetString()));

        var editor = await api.ClientWithScopesAsync("content:write");
        var (alt, credit) = ($"The lane beside the extension {Guid.NewGuid():N}", $"Gwynedd Council {Guid.NewGuid():N}");
        await (await editor.SendVersionedAsync(HttpMethod.Put, $"/v1/manage/assets/{asset.Id()}", asset.Version(),
            new JsonObject { ["alt"] = alt, ["credit"] = credit, ["focalPoint"] = new JsonObject { ["x"] = 0.25, ["y"] = 0.75 } })).AssertSuccessAsync();

        Assert.All(await ShownAsync(), image =>
        {
            Assert.Equal((alt, credit), (image.GetProperty("alt").GetString(), image.GetProperty("credit").GetString()));
            Assert.Equal(0.25, image.GetProperty("focalPoint").GetProperty("x").GetDouble());
        });
    }

    [Fact]
    public async Task Editing_the_picture_of_a_published_notice_is_an_upsert_in_the_change_feed()
    {
        var (desk, asset) = await UploadAsync(400, 300);
        var draft = await desk.CreateAsync(NoticeShowing(asset.Id()));
        var notice = await desk.WorkflowAsync(draft.Id(), "publish", draft.Version());
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var token = await UpsertOfAsync(partner, null, notice);

        var editor = await api.ClientWithScopesAsync("content:write");
        await (await editor.SendVersionedAsync(HttpMethod.Put, $"/v1/manage/assets/{asset.Id()}", asset.Version(),
            new JsonObject { ["alt"] = "The lane beside the extension", ["caption"] = $"Trinity Square from the west {Guid.NewGuid():N}" })).AssertSuccessAsync();

        await UpsertOfAsync(partner, token, notice);
    }

    /// <summary>Reads the change feed from <paramref name="token"/> until it shows an upsert of the notice at its version; returns the token after it.</summary>
    private static async Task<string?> UpsertOfAsync(HttpClient partner, string? token, JsonElement notice)
    {
        var shown = false;
        await Eventually.TrueAsync(async () =>
        {
            var page = await (await partner.GetAsync(token is null ? "/v1/changes" : $"/v1/changes?since={Uri.EscapeDataString(token)}")).AssertSuccessAsync();
            shown |= page.GetProperty("items").EnumerateArray().Any(item => item.Id() == notice.Id()
                && item.GetProperty("op").GetString() == "upsert" && item.GetProperty("version").GetInt32() == notice.Version());
            token = page.GetProperty("next").GetString();
            return shown;
        }, "the change feed to show an upsert of the notice");
        return token;
    }
}
