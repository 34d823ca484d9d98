using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetVips;

namespace HeadlessNews.Tests.Media;

public sealed class MediaTests(MediaApiFactory api) : IClassFixture<MediaApiFactory>
{
    private Task<HttpClient> EditorAsync() => api.ClientWithScopesAsync("content:write", "content:publish");

    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string filename = "photo.jpg", string? caption = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "file", filename);
        form.Add(new StringContent("Alt text"), "alt");
        if (caption is not null)
        {
            form.Add(new StringContent(caption), "caption");
        }
        return await client.PostAsync("/v1/manage/assets", form);
    }

    internal static async Task<JsonElement> UploadedAsync(HttpClient client, byte[] bytes) =>
        await (await UploadAsync(client, bytes)).AssertSuccessAsync(HttpStatusCode.Created);

    internal static async Task<JsonElement> PublishWithHeroAsync(HttpClient client, string assetId, DateTimeOffset? publishAt = null) =>
        await client.CreatePublishedAsync(new { headline = Editorial.Unique("Pier storm"), body = Editorial.OneParagraph(), heroImage = new { assetId } }, publishAt);

    internal static string RenditionUrl(JsonElement asset, int width, string format) => $"/v1/images/{asset.Id()}/{asset.Version()}/{width}.{format}";

    [Fact]
    public async Task A_filename_cut_to_its_limit_keeps_an_emoji_whole_or_leaves_it_out()
    {
        var editor = await EditorAsync();
        var filename = new string('a', 254) + "\U0001F4F7.jpg";

        var asset = await (await UploadAsync(editor, TestImages.Jpeg(TestImages.Photo(64, 48)), filename)).AssertSuccessAsync(HttpStatusCode.Created);

        Assert.Equal(new string('a', 254), asset.GetProperty("filename").GetString());
    }

    [Fact]
    public async Task Searching_the_library_matches_an_underscore_or_percent_sign_literally()
    {
        var editor = await EditorAsync();
        var camera = $"IMG_{Guid.NewGuid():N}";
        await (await UploadAsync(editor, TestImages.Jpeg(TestImages.Photo(61, 47)), camera + ".jpg")).AssertSuccessAsync(HttpStatusCode.Created);
        await (await UploadAsync(editor, TestImages.Jpeg(TestImages.Photo(62, 47)), camera.Replace('_', 'X') + ".jpg")).AssertSuccessAsync(HttpStatusCode.Created);

        async Task<string[]> FilenamesAsync(string q) =>
            [.. (await editor.GetJsonAsync($"/v1/manage/assets?q={Uri.EscapeDataString(q)}")).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("filename").GetString()!)];

        Assert.Equal([camera + ".jpg"], await FilenamesAsync(camera));
        Assert.Empty(await FilenamesAsync(camera[..3] + "%" + camera[4..]));
    }

    [Fact]
    public async Task A_multipart_body_that_ends_early_is_a_400_not_a_500()
    {
        var editor = await EditorAsync();
        var content = new StringContent("   ");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        var problem = await (await editor.PostAsync("/v1/manage/assets", content)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("file", out _));
    }

    [Fact]
    public async Task Two_files_in_one_upload_are_a_400_and_store_neither()
    {
        var editor = await EditorAsync();
        using var form = new MultipartFormDataContent();
        foreach (var (width, name) in new[] { (64, "one.jpg"), (72, "two.jpg") })
        {
            var file = new ByteArrayContent(TestImages.Jpeg(TestImages.Photo(width, 48)));
            file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(file, "file", name);
        }
        var before = await api.WithDbAsync(db => db.Set<Asset>().CountAsync());

        var problem = await (await editor.PostAsync("/v1/manage/assets", form)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Send one image a request", problem.GetProperty("errors").GetProperty("file")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await api.WithDbAsync(db => db.Set<Asset>().CountAsync()));
    }

    [Theory]
    [InlineData("application/json; charset=ebcdic")]
    [InlineData("application/json; charset=\"utf-16\"")]
    [InlineData("application/json")]
    public async Task A_json_upload_without_a_body_is_a_400_not_a_500_whatever_charset_it_names(string contentType)
    {
        var editor = await EditorAsync();
        var content = new ByteArrayContent([]);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        await (await editor.PostAsync("/v1/manage/assets", content)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_published_photo_renders_at_the_requested_width_with_no_exif_or_gps_and_immutable_caching()
    {
        var editor = await EditorAsync();
        var original = TestImages.JpegWithGps(1600, 1000);
        using (var check = Image.NewFromBuffer(original))
        {
            Assert.Contains("exif-ifd3-GPSLatitude", check.GetFields());
        }
        var asset = await UploadedAsync(editor, original);
        Assert.Equal(1600, asset.GetProperty("width").GetInt32());
        Assert.Equal("Gwen Pritchard", asset.GetProperty("credit").GetString());
        var article = await PublishWithHeroAsync(editor, asset.Id());

        var delivered = await api.CreateClient().GetJsonAsync($"/v1/articles/{article.GetProperty("slug").GetString()}");
        var hero = delivered.GetProperty("heroImage");
        Assert.Equal(asset.Id(), hero.GetProperty("assetId").GetString());
        Assert.Equal(hero.GetProperty("src").GetString(), hero.GetProperty("url").GetString());
        Assert.Equal([320, 640, 960, 1280], hero.GetProperty("srcset").EnumerateArray().Select(e => e.GetProperty("width").GetInt32()));

        var response = await api.CreateClient().GetAsync(RenditionUrl(asset, 640, "jpg"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        Assert.Equal($"asset:{asset.Id()}", response.Headers.GetValues("Surrogate-Key").Single());
        using var rendition = Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(640, rendition.Width);
        Assert.Equal(400, rendition.Height);
        Assert.DoesNotContain(rendition.GetFields(), f => f.StartsWith("exif", StringComparison.Ordinal) || f is "xmp-data" or "iptc-data" or "icc-profile-data");
    }

    [Fact]
    public async Task An_embargoed_storys_picture_is_404_until_the_story_is_visible_except_with_a_key_or_a_signed_url()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var url = RenditionUrl(asset, 320, "webp");
        await (await api.CreateClient().GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);

        await PublishWithHeroAsync(editor, asset.Id(), api.Clock.GetUtcNow().AddHours(2));
        await (await api.CreateClient().GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);

        var withKey = await editor.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.True(withKey.Headers.CacheControl is { Private: true, NoStore: true }, "An unpublished picture never enters a shared cache.");

        var signed = api.Services.GetRequiredService<HeadlessNews.Api.Features.Media.MediaUrls>()
            .Sign(url, Guid.Parse(asset.Id()), api.Clock.GetUtcNow().AddMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync(signed)).StatusCode);
        await (await api.CreateClient().GetAsync(signed.Replace("exp=", "exp=1", StringComparison.Ordinal))).AssertProblemAsync(HttpStatusCode.NotFound);

        api.Clock.Advance(TimeSpan.FromHours(3));
        var visible = await api.CreateClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, visible.StatusCode);
        Assert.Equal("image/webp", visible.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_not_yet_public_renditions_404_is_kept_by_no_cache_and_carries_the_asset_key_the_publication_purges()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));

        var hidden = await api.CreateClient().GetAsync(RenditionUrl(asset, 320, "jpg"));

        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.True(hidden.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {hidden.Headers.CacheControl}");
        Assert.Equal($"asset:{asset.Id()}", hidden.Headers.GetValues("Surrogate-Key").Single());
    }

    [Fact]
    public async Task A_public_picture_once_sent_is_served_from_memory_even_when_its_files_are_gone()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        await PublishWithHeroAsync(editor, asset.Id());
        var url = RenditionUrl(asset, 320, "webp");
        var reader = api.CreateClient();
        var sent = await (await reader.GetAsync(url)).Content.ReadAsByteArrayAsync();

        File.Delete(Path.Combine(api.MediaFolder, "originals", asset.Id()));
        Directory.Delete(Path.Combine(api.MediaFolder, "renditions", asset.Id()), recursive: true);
        var again = await reader.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(sent, await again.Content.ReadAsByteArrayAsync());
        Assert.Equal("public, max-age=31536000, immutable", again.Headers.CacheControl?.ToString());
        Assert.Equal($"asset:{asset.Id()}", again.Headers.GetValues("Surrogate-Key").Single());
        Assert.Equal("nosniff", again.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_picture_served_publicly_from_memory_is_404_again_once_its_only_visible_story_is_unpublished_though_an_embargoed_one_uses_it()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var published = await PublishWithHeroAsync(editor, asset.Id());
        var url = RenditionUrl(asset, 320, "auto");
        var reader = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);

        await PublishWithHeroAsync(editor, asset.Id(), api.Clock.GetUtcNow().AddHours(2));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{published.Id()}/unpublish", published.Version(), new { })).AssertSuccessAsync();
        await (await reader.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
        var withKey = await editor.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.True(withKey.Headers.CacheControl is { Private: true, NoStore: true }, "A picture only an embargoed story shows never enters a shared cache.");

        api.Clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task A_photo_at_least_twice_the_src_width_keeps_a_halved_master_that_narrower_renditions_shrink_from_and_that_goes_with_it()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(4000, 400)));
        var master = Path.Combine(api.MediaFolder, "masters", asset.Id());
        using (var kept = Image.NewFromFile(master))
        {
            Assert.Equal((2000, 200), (kept.Width, kept.Height));
        }
        var small = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        Assert.False(File.Exists(Path.Combine(api.MediaFolder, "masters", small.Id())), "A picture near rendition size needs no master.");

        File.Delete(Path.Combine(api.MediaFolder, "originals", asset.Id()));
        var response = await editor.GetAsync(RenditionUrl(asset, 960, "jpg"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var rendition = Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync()))
        {
            Assert.Equal((960, 96), (rendition.Width, rendition.Height));
        }
        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/assets/{asset.Id()}", asset.Version())).StatusCode);
        Assert.False(File.Exists(master));
    }

    [Fact]
    public async Task Editing_a_served_pictures_focal_point_sends_its_old_version_to_the_new_one()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        await PublishWithHeroAsync(editor, asset.Id());
        var reader = api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(RenditionUrl(asset, 320, "jpg"))).StatusCode);

        var moved = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/assets/{asset.Id()}", asset.Version(),
            new { alt = "Pier", focalPoint = new { x = 0.2, y = 0.5 } })).AssertSuccessAsync();
        var stale = await reader.GetAsync(RenditionUrl(asset, 320, "jpg"));
        Assert.Equal(HttpStatusCode.MovedPermanently, stale.StatusCode);
        Assert.Equal(RenditionUrl(moved, 320, "jpg"), stale.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(RenditionUrl(moved, 320, "jpg"))).StatusCode);

        // A version it never had is no old one to send on: a cached 301 from it would loop once the asset got there.
        foreach (var version in new[] { moved.Version() + 1, 0, -1 })
        {
            var unknown = await reader.GetAsync($"/v1/images/{asset.Id()}/{version}/320.jpg");
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Null(unknown.Headers.Location);
        }
    }

    [Fact]
    public void The_socket_transport_is_configured_from_Kestrel_Sockets_with_a_write_buffer_a_stored_1280_px_picture_fits_in()
    {
        // Kestrel's transport pauses a response's writer at 64 KB by default, which costs a 225 KB picture extra thread hops.
        Assert.Equal(256 * 1024, api.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.MaxWriteBufferSize);
    }

    [Fact]
    public async Task A_stored_rendition_has_a_strong_etag_per_format_and_a_matching_If_None_Match_is_a_304()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        await PublishWithHeroAsync(editor, asset.Id());
        var reader = api.CreateClient();
        var url = RenditionUrl(asset, 320, "auto");
        async Task<HttpResponseMessage> GetAsync(string accept, EntityTagHeaderValue? ifNoneMatch = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd(accept);
            if (ifNoneMatch is not null)
            {
                request.Headers.IfNoneMatch.Add(ifNoneMatch);
            }
            return await reader.SendAsync(request);
        }
        var made = await GetAsync("image/webp");
        var stored = await GetAsync("image/webp");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(await made.Content.ReadAsByteArrayAsync(), await stored.Content.ReadAsByteArrayAsync());
        var etag = stored.Headers.ETag;
        Assert.True(etag is { IsWeak: false }, "A stored rendition has a strong ETag.");
        Assert.Equal(etag, made.Headers.ETag);
        Assert.NotEqual(etag, (await GetAsync("image/jpeg")).Headers.ETag);

        var revalidated = await GetAsync("image/webp", etag);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Equal("public, max-age=31536000, immutable", revalidated.Headers.CacheControl?.ToString());
        Assert.Contains("Accept", revalidated.Headers.Vary);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("image/jpeg", etag)).StatusCode);
    }

    internal static string PathOf(string absoluteUrl)
    {
        Assert.StartsWith(MediaApiFactory.PublicBaseUrl + "v1/images/", absoluteUrl, StringComparison.Ordinal);
        return new Uri(absoluteUrl).PathAndQuery;
    }

    [Fact]
    public async Task Feeds_carry_an_uploaded_hero_as_enclosure_media_content_json_image_and_ninjs_renditions_at_absolute_public_urls()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(1600, 1000)));
        var article = await PublishWithHeroAsync(editor, asset.Id());
        var src = $"{MediaApiFactory.PublicBaseUrl}v1/images/{asset.Id()}/{asset.Version()}/1280.jpg";
        var reader = api.CreateClient();

        var rss = XDocument.Parse(await reader.GetStringAsync("/v1/feeds/articles.rss?limit=100"));
        XNamespace media = "http://search.yahoo.com/mrss/";
        var item = rss.Descendants("item").Single(i => i.Element("guid")?.Value == article.Id());
        var enclosure = item.Element("enclosure")!;
        Assert.Equal((src, "image/jpeg"), (enclosure.Attribute("url")?.Value, enclosure.Attribute("type")?.Value));
        var content = item.Element(media + "content")!;
        Assert.Equal((src, "image", "1280", "800"), (content.Attribute("url")?.Value, content.Attribute("medium")?.Value, content.Attribute("width")?.Value, content.Attribute("height")?.Value));

        XNamespace atom = "http://www.w3.org/2005/Atom";
        var entry = XDocument.Parse(await reader.GetStringAsync("/v1/feeds/articles.atom?limit=100")).Descendants(atom + "entry")
            .Single(e => e.Element(atom + "id")?.Value == $"urn:uuid:{article.Id()}");
        Assert.Equal(src, entry.Elements(atom + "link").Single(l => l.Attribute("rel")?.Value == "enclosure").Attribute("href")?.Value);

        var json = await reader.GetJsonAsync("/v1/feeds/articles.json?limit=100");
        Assert.Equal(src, json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == article.Id()).GetProperty("image").GetString());

        var ninjs = (await reader.GetJsonAsync("/v1/feeds/articles.ninjs?limit=100")).EnumerateArray()
            .Single(i => i.GetProperty("altids")[0].GetProperty("value").GetString() == article.Id());
        Assert.Empty(NinjsSchema.Errors(ninjs));
        var renditions = ninjs.GetProperty("associations")[0].GetProperty("renditions").EnumerateArray().ToList();
        Assert.Equal([(320, 200), (640, 400), (960, 600), (1280, 800)], renditions.Select(r => (r.GetProperty("width").GetInt32(), r.GetProperty("height").GetInt32())));

        var served = await reader.GetAsync(PathOf(content.Attribute("url")!.Value));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        using var decoded = Image.NewFromBuffer(await served.Content.ReadAsByteArrayAsync());
        Assert.Equal((1280, 800), (decoded.Width, decoded.Height));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(PathOf(renditions[1].GetProperty("href").GetString()!))).StatusCode);
    }

    [Fact]
    public async Task A_partner_ninjs_feed_signs_an_embargoed_storys_pictures_which_nobody_can_fetch_unsigned()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var inline = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var article = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Embargoed pier"), heroImage = new { assetId = asset.Id() },
            body = new object[] { new { type = "paragraph", html = "The pier reopens." }, new { type = "image", assetId = inline.Id(), alt = "The pier at dawn" } },
            embargoUntil = api.Clock.GetUtcNow().AddHours(2),
        });
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var item = (await partner.GetJsonAsync("/v1/feeds/articles.ninjs?limit=100")).EnumerateArray()
            .Single(i => i.GetProperty("altids")[0].GetProperty("value").GetString() == article.Id());
        Assert.Empty(NinjsSchema.Errors(item));
        var href = item.GetProperty("associations")[0].GetProperty("renditions")[0].GetProperty("href").GetString()!;
        Assert.Contains("sig=", href, StringComparison.Ordinal);

        var anonymous = api.CreateClient();
        var signed = await anonymous.GetAsync(PathOf(href));
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.True(signed.Headers.CacheControl is { Private: true, NoStore: true }, "An embargoed picture never enters a shared cache.");
        await (await anonymous.GetAsync(new Uri(href).AbsolutePath)).AssertProblemAsync(HttpStatusCode.NotFound);

        // The body's pictures too: RSS and JSON Feed give a body no base URL, so they are absolute, and signed like the hero.
        var body = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(item.GetProperty("bodies")[0].GetProperty("value").GetString()!);
        var inlineSources = body.QuerySelectorAll("img").SelectMany(img => new[] { img.GetAttribute("src")! }
            .Concat((img.GetAttribute("srcset") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.Split(' ')[0]))).ToList();
        Assert.NotEmpty(inlineSources);
        foreach (var source in inlineSources)
        {
            Assert.Matches("^https?://", source);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(PathOf(source))).StatusCode);
        }
    }

    [Fact]
    public async Task A_preview_link_shows_its_drafts_pictures_at_signed_urls_that_open_them_and_only_them()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var draft = await editor.CreateArticleAsync(new
        {
            headline = Editorial.Unique("Draft pier"),
            body = new object[] { new { type = "image", assetId = asset.Id() } },
            heroImage = new { assetId = asset.Id() },
        });
        var anonymous = api.CreateClient();
        var preview = await anonymous.GetJsonAsync(await editor.PreviewPathAsync(draft.Id()));

        var hero = preview.GetProperty("heroImage");
        var urls = hero.GetProperty("srcset").EnumerateArray().Select(e => e.GetProperty("url").GetString()!)
            .Append(hero.GetProperty("src").GetString()!).Append(preview.GetProperty("body")[0].GetProperty("src").GetString()!);
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(PathOf(url))).StatusCode);
        }
        var other = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var borrowed = PathOf(hero.GetProperty("src").GetString()!).Replace(asset.Id(), other.Id(), StringComparison.Ordinal);
        await (await anonymous.GetAsync(borrowed)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync(new Uri(hero.GetProperty("src").GetString()!).AbsolutePath)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Auto_follows_the_Accept_header_and_says_it_varies_on_it()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        var url = RenditionUrl(asset, 320, "auto");
        // A type named with q=0 is refused (RFC 9110 12.4.2), and a name is the whole type, not a prefix of another.
        foreach (var (accept, expected) in new[]
        {
            ("image/avif,image/webp,*/*", "image/avif"), ("image/webp,*/*", "image/webp"), ("*/*", "image/jpeg"),
            ("image/avif;q=0, image/webp, */*;q=0.8", "image/webp"), ("image/jpeg, image/webp;q=0.0", "image/jpeg"), ("image/avifx, */*", "image/jpeg"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd(accept);
            var response = await editor.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Accept", response.Headers.Vary);
            using var decoded = Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(320, decoded.Width);
        }
    }

    [Fact]
    public async Task A_ratio_crop_keeps_the_focal_point_in_the_picture()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.RedSquareAt(2000, 1000, 0.7, 0.5, 200));
        var moved = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/assets/{asset.Id()}", asset.Version(),
            new { alt = "Red buoy", focalPoint = new { x = 0.7, y = 0.5 } })).AssertSuccessAsync();
        Assert.Equal(asset.Version() + 1, moved.Version());

        var response = await editor.GetAsync($"/v1/images/{asset.Id()}/{moved.Version()}/640.jpg?ratio=1x1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var crop = Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(640, crop.Width);
        Assert.Equal(640, crop.Height);
        // Centred crop would show only grey; around the focal point the red square is in the middle of it.
        var pixel = crop.Getpoint(crop.Width / 2, crop.Height / 2);
        Assert.True(pixel[0] > 200 && pixel[1] < 60, $"The crop's centre is {string.Join(",", pixel)}, not red.");

        var noRedirects = api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        noRedirects.DefaultRequestHeaders.Authorization = editor.DefaultRequestHeaders.Authorization;
        var stale = await noRedirects.GetAsync($"/v1/images/{asset.Id()}/{asset.Version()}/640.jpg?ratio=1x1");
        Assert.Equal(HttpStatusCode.MovedPermanently, stale.StatusCode);
        Assert.Equal($"/v1/images/{asset.Id()}/{moved.Version()}/640.jpg?ratio=1x1", stale.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData("123.jpg")]
    [InlineData("640.png")]
    [InlineData("640.jpg?ratio=5x4")]
    [InlineData("wide.webp")]
    public async Task A_width_format_or_ratio_outside_the_list_is_a_400(string rendition)
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)));
        await (await editor.GetAsync($"/v1/images/{asset.Id()}/{asset.Version()}/{rendition}")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_rotated_photo_is_delivered_upright_and_never_upscaled()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.RotatedJpeg(300, 200));
        Assert.Equal(200, asset.GetProperty("width").GetInt32());
        Assert.Equal(300, asset.GetProperty("height").GetInt32());
        var response = await editor.GetAsync(RenditionUrl(asset, 640, "jpg"));
        using var upright = Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((200, 300), (upright.Width, upright.Height));
        Assert.DoesNotContain("orientation", upright.GetFields());
    }

    [Fact]
    public async Task A_CMYK_photo_is_delivered_in_sRGB()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.CmykJpeg(700, 500));
        var response = await editor.GetAsync(RenditionUrl(asset, 320, "jpg"));
        using var rendition = Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(3, rendition.Bands);
        Assert.Equal(Enums.Interpretation.Srgb, rendition.Interpretation);
    }

    public static TheoryData<string, byte[], HttpStatusCode> RefusedUploads => new()
    {
        { "an SVG with a script", TestImages.SvgWithScript(), HttpStatusCode.UnsupportedMediaType },
        { "a PNG declaring 50,000 × 50,000 pixels", TestImages.HugePngHeader(), HttpStatusCode.UnprocessableEntity },
        { "a truncated JPEG", TestImages.TruncatedJpeg(), HttpStatusCode.UnprocessableEntity },
        { "a file over Media:MaxUploadBytes", [0xFF, 0xD8, 0xFF, .. new byte[3 * 1024 * 1024]], HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(RefusedUploads))]
    public async Task A_refused_upload_is_a_problem_and_stores_nothing(string because, byte[] bytes, HttpStatusCode status)
    {
        var editor = await EditorAsync();
        var filesBefore = api.StoredFiles();
        await (await UploadAsync(editor, bytes, "innocent.jpg")).AssertProblemAsync(status);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        Assert.False(await api.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
            db.Set<HeadlessNews.Api.Features.Media.Asset>(), a => a.Sha256 == sha)), because);
        Assert.Equal(filesBefore, api.StoredFiles());
    }

    [Fact]
    public async Task An_interlaced_png_too_large_to_decode_whole_is_refused_and_a_small_one_is_kept()
    {
        var editor = await EditorAsync();
        // 6,000 × 6,000 × 4 bands × 2 bytes: 288 MB decoded, from a file of well under a megabyte.
        var problem = await (await UploadAsync(editor, TestImages.InterlacedPng(6000, 6000), "poster.png")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("interlaced PNG", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var small = await UploadedAsync(editor, TestImages.InterlacedPng(640, 480));
        Assert.Equal(640, small.GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task Uploading_identical_bytes_again_answers_200_with_the_same_asset_and_its_etag()
    {
        var editor = await EditorAsync();
        var bytes = TestImages.Jpeg(TestImages.Photo(500, 400));
        var first = await UploadedAsync(editor, bytes);
        var response = await UploadAsync(editor, bytes, "copy.jpg");
        var again = await response.AssertSuccessAsync(HttpStatusCode.OK);
        Assert.Equal(first.Id(), again.Id());
        Assert.Equal($"\"{again.Version()}\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Embedded_XMP_caption_credit_and_copyright_fill_the_empty_fields_only()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.JpegWithXmp("Waves over Llandudno pier", "North Wales Photo Agency", "© Dafydd Jones"));
        Assert.Equal("Waves over Llandudno pier", asset.GetProperty("caption").GetString());
        Assert.Equal("North Wales Photo Agency", asset.GetProperty("credit").GetString());
        Assert.Equal("© Dafydd Jones", asset.GetProperty("rights").GetProperty("holder").GetString());

        var given = await (await UploadAsync(editor, TestImages.JpegWithXmp("Embedded", "Agency", "© X"), caption: "The editor's caption"))
            .AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal("The editor's caption", given.GetProperty("caption").GetString());
    }

    [Fact]
    public async Task A_form_field_holding_a_control_character_is_refused_as_a_json_body_would_be()
    {
        var editor = await EditorAsync();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(TestImages.Jpeg(TestImages.Photo(64, 48)));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "file", "photo.jpg");
        form.Add(new StringContent("Line\u000Bbreak"), "alt");

        var problem = await (await editor.PostAsync("/v1/manage/assets", form)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal("Invalid text", problem.GetProperty("title").GetString());
        Assert.Contains("U+000B", problem.GetProperty("errors").GetProperty("alt")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_characters_in_a_filename_or_embedded_caption_are_dropped_so_the_asset_can_be_saved_back_as_read()
    {
        var editor = await EditorAsync();
        var jpeg = TestImages.JpegWithIptc(new Dictionary<byte, byte[]>
        {
            [120] = "Cap\u0001tion of the pier\u0085"u8.ToArray(),
            [110] = [.. "Agency"u8, 0x1B, .. "Wales"u8],
        });
        var boundary = "b" + Guid.NewGuid().ToString("N");
        byte[] body =
        [
            .. Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"pier\u001B\u007F.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"),
            .. jpeg,
            .. Encoding.UTF8.GetBytes($"\r\n--{boundary}--\r\n"),
        ];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");

        var asset = await (await editor.PostAsync("/v1/manage/assets", content)).AssertSuccessAsync(HttpStatusCode.Created);

        Assert.Equal("pier.jpg", asset.GetProperty("filename").GetString());
        Assert.Equal("Caption of the pier", asset.GetProperty("caption").GetString());
        Assert.Equal("AgencyWales", asset.GetProperty("credit").GetString());
        var read = await editor.GetJsonAsync($"/v1/manage/assets/{asset.Id()}");
        var saved = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/assets/{asset.Id()}", read.Version(), new
        {
            filename = read.GetProperty("filename").GetString(),
            alt = "Edited alt",
            caption = read.GetProperty("caption").GetString(),
            credit = read.GetProperty("credit").GetString(),
            rights = read.GetProperty("rights"),
            focalPoint = read.GetProperty("focalPoint"),
        })).AssertSuccessAsync();
        Assert.Equal("Edited alt", saved.GetProperty("alt").GetString());
    }

    [Fact]
    public async Task Iptc_text_without_a_utf8_declaration_is_read_as_latin_1_and_with_one_as_utf8()
    {
        var editor = await EditorAsync();
        var latin1 = await (await UploadAsync(editor, TestImages.JpegWithIptc(new Dictionary<byte, byte[]>
        {
            [116] = [0xA9, .. " Dafydd Jones"u8],
            [120] = [.. "Ca"u8, 0xEF, .. "n Ffestiniog"u8],
        }))).AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal("© Dafydd Jones", latin1.GetProperty("rights").GetProperty("holder").GetString());
        Assert.Equal("Caïn Ffestiniog", latin1.GetProperty("caption").GetString());

        var utf8 = await (await UploadAsync(editor, TestImages.JpegWithIptc(
            new Dictionary<byte, byte[]> { [120] = "Côr ’r Ŵyl"u8.ToArray() }, codedCharacterSet: [0x1B, 0x25, 0x47]))).AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal("Côr ’r Ŵyl", utf8.GetProperty("caption").GetString());
    }

    [Fact]
    public async Task An_archived_articles_picture_stays_in_use_so_the_article_can_be_restored()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(500, 400)));
        var article = await PublishWithHeroAsync(editor, asset.Id());
        await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/articles/{article.Id()}", article.Version())).AssertSuccessAsync(HttpStatusCode.NoContent);

        var conflict = await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/assets/{asset.Id()}", asset.Version()))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(article.Id(), Assert.Single(conflict.GetProperty("users").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Deleting_an_asset_an_article_uses_is_409_naming_it_and_an_unused_one_goes_with_its_files()
    {
        var editor = await EditorAsync();
        var used = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(500, 400)));
        var article = await editor.CreateArticleAsync(new
        {
            headline = Editorial.Unique("Harbour"),
            body = new object[] { new { type = "image", assetId = used.Id(), caption = "Per-use caption" } },
        });
        var conflict = await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/assets/{used.Id()}", used.Version()))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(article.Id(), conflict.GetProperty("users")[0].GetProperty("id").GetString());

        var unused = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(500, 400)));
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync(RenditionUrl(unused, 320, "jpg"))).StatusCode);
        Assert.True(Directory.Exists(Path.Combine(api.MediaFolder, "renditions", unused.Id())));
        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/assets/{unused.Id()}", unused.Version())).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(api.MediaFolder, "renditions", unused.Id())));
        Assert.False(File.Exists(Path.Combine(api.MediaFolder, "originals", unused.Id())));
    }

    [Fact]
    public async Task An_image_block_with_an_unknown_asset_is_a_400_and_a_url_image_still_works_with_an_empty_srcset()
    {
        var editor = await EditorAsync();
        var problem = await (await editor.PostAsJsonAsync("/v1/manage/articles", new
        {
            headline = Editorial.Unique("Ghost picture"),
            body = new object[] { new { type = "image", assetId = Guid.NewGuid() } },
        })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body[0].assetId", out _), problem.ToString());

        var article = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Hosted picture"),
            body = Editorial.OneParagraph(),
            heroImage = new { url = "https://images.example.org/pier.jpg", alt = "The pier" },
        });
        var hero = (await api.CreateClient().GetJsonAsync($"/v1/articles/{article.GetProperty("slug").GetString()}")).GetProperty("heroImage");
        Assert.Equal("https://images.example.org/pier.jpg", hero.GetProperty("src").GetString());
        Assert.Equal(0, hero.GetProperty("srcset").GetArrayLength());
    }

    [Fact]
    public async Task A_delivered_image_block_names_its_type_first_and_its_renditions_after_the_fields_it_was_saved_with()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(800, 600)));
        var article = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Quay picture"),
            body = new object[] { new { type = "image", assetId = asset.Id(), caption = "The quay at dusk" } },
        });

        var block = (await api.CreateClient().GetJsonAsync($"/v1/articles/{article.GetProperty("slug").GetString()}")).GetProperty("body")[0];

        var names = block.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal("type", names[0]);
        Assert.True(names.IndexOf("caption") < names.IndexOf("srcset"), string.Join(", ", names));
    }

    [Fact]
    public async Task An_uploaded_picture_in_the_body_is_in_bodyHtml_at_its_delivered_url_with_its_alt_and_caption()
    {
        var editor = await EditorAsync();
        var asset = await (await UploadAsync(editor, TestImages.Jpeg(TestImages.Photo(700, 500)), caption: "The pier at dusk")).AssertSuccessAsync(HttpStatusCode.Created);
        var article = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Pier in pictures"),
            body = new object[] { new { type = "paragraph", html = "Before the storm." }, new { type = "image", assetId = asset.Id(), alt = "Bangor pier" } },
        });

        var delivered = await api.CreateClient().GetJsonAsync($"/v1/articles/{article.GetProperty("slug").GetString()}");
        var url = delivered.GetProperty("body")[1].GetProperty("url").GetString()!;
        Assert.Contains($"/v1/images/{asset.Id()}/", url, StringComparison.Ordinal);
        Assert.Contains($"<figure><img src=\"{url}\" alt=\"Bangor pier\"><figcaption>The pier at dusk</figcaption></figure>", delivered.GetProperty("bodyHtml").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_media_write_key_can_upload_but_a_feeds_key_cannot()
    {
        var media = await api.ClientWithScopesAsync("media:write");
        await UploadedAsync(media, TestImages.Jpeg(TestImages.Photo(300, 200)));
        var feeds = await api.ClientWithScopesAsync("feeds:partner");
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(feeds, TestImages.Jpeg(TestImages.Photo(300, 200)))).StatusCode);
    }

    [Fact]
    public async Task Many_concurrent_first_requests_for_one_rendition_all_get_the_same_bytes()
    {
        var editor = await EditorAsync();
        var asset = await UploadedAsync(editor, TestImages.Jpeg(TestImages.Photo(2400, 1600)));
        var url = RenditionUrl(asset, 960, "webp");
        var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ => await (await editor.GetAsync(url)).Content.ReadAsByteArrayAsync()));
        Assert.All(bodies, body => Assert.Equal(bodies[0], body));
        Assert.Single(Directory.GetFiles(Path.Combine(api.MediaFolder, "renditions", asset.Id(), asset.Version().ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }
}
