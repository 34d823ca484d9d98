using System.Net;
using System.Text;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Media;

/// <summary><c>POST /v1/manage/assets {"sourceUrl": …}</c>: a picture fetched from elsewhere, under the same rules as webhook targets.</summary>
public sealed class AssetFromUrlTests(MediaApiFactory api) : IClassFixture<MediaApiFactory>
{
    [Theory]
    [InlineData("""{}""", "must not be empty")]
    [InlineData("""{"sourceUrl": "file:///etc/passwd"}""", "Only http and https URLs can be used.")]
    [InlineData("""{"sourceUrl": "https://ceri:secret@pictures.example/pier.jpg"}""", "may not carry credentials")]
    [InlineData("""{"sourceUrl": "http://169.254.169.254/latest/meta-data"}""", "nothing is sent to or fetched from there")]
    [InlineData("""{"sourceUrl": "http://1.1.1.1:0/"}""", "port must be between 1 and 65535")]
    public async Task A_url_that_cannot_be_fetched_is_a_400_keyed_sourceUrl_in_the_words_of_pictures(string body, string message)
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var problem = await (await editor.PostAsync("/v1/manage/assets", new StringContent(body, Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("sourceUrl", out var errors), problem.ToString());
        Assert.Contains(message, errors[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("webhook", problem.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{"sourceUrl": "SITE/pier.jpg", "alt": "The pier\u0000at night"}""", "Invalid text", "alt: Text may not contain NUL characters")]
    [InlineData("""{"sourceUrl": "SITE/pier.jpg", "alt": "The pier\u0007"}""", "Invalid text", "alt: Text may not contain control characters")]
    [InlineData("""{"sourceUrl": "SITE/pier.jpg", "extra": NESTED}""", "Malformed JSON", "maximum configured depth of 32")]
    public async Task A_json_body_is_held_to_the_same_text_and_depth_rules_as_every_other_route_and_nothing_is_fetched_or_stored(string body, string title, string detail)
    {
        var asked = 0;
        var pier = TestImages.Jpeg(TestImages.Photo(48, 32));
        await using var site = await LoopbackSite.StartAsync(app => app.MapGet("/pier.jpg", () =>
        {
            Interlocked.Increment(ref asked);
            return Results.Bytes(pier, "image/jpeg");
        }));
        var editor = await api.ClientWithScopesAsync("content:write");
        var assets = await api.WithDbAsync(db => db.Set<Asset>().CountAsync());
        var files = api.StoredFiles();
        var json = body.Replace("SITE", site.Urls.First(), StringComparison.Ordinal).Replace("NESTED", new string('[', 40) + new string(']', 40), StringComparison.Ordinal);

        var problem = await (await editor.PostAsync("/v1/manage/assets", new StringContent(json, Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, asked);
        Assert.Equal(assets, await api.WithDbAsync(db => db.Set<Asset>().CountAsync()));
        Assert.Equal(files, api.StoredFiles());
    }

    [Fact]
    public async Task A_picture_that_moved_is_fetched_where_its_old_address_redirects_to()
    {
        // An archive's old link: moved for good (301, a relative Location), then again (302, absolute) to where it is now.
        var pier = TestImages.Jpeg(TestImages.Photo(48, 32));
        await using var site = await LoopbackSite.StartAsync(app =>
        {
            app.MapGet("/2015/07/pier.jpg", () => Results.Redirect("/uploads/2015/07/pier.jpg", permanent: true));
            app.MapGet("/uploads/2015/07/pier.jpg", (HttpContext context) => Results.Redirect($"http://{context.Request.Host}/cdn/pier.jpg"));
            app.MapGet("/cdn/pier.jpg", () => Results.Bytes(pier, "image/jpeg"));
        });
        var editor = await api.ClientWithScopesAsync("content:write");

        var response = await editor.PostJsonAsync("/v1/manage/assets", new { sourceUrl = $"{site.Urls.First()}/2015/07/pier.jpg", alt = "The pier" });

        var asset = await response.AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal((48, 32), (asset.GetProperty("width").GetInt32(), asset.GetProperty("height").GetInt32()));
        Assert.Equal("pier.jpg", asset.GetProperty("filename").GetString());
    }

    [Theory]
    [InlineData("/loop.jpg", "redirected more than 5 times")]
    [InlineData("http://169.254.169.254/latest/meta-data", "nothing is sent to or fetched from there")]
    [InlineData("file:///etc/passwd", "redirected the sourceUrl to a URL that is not fetched: Only http and https URLs can be used.")]
    public async Task A_redirect_is_followed_only_as_far_and_only_where_the_url_itself_could_go(string location, string message)
    {
        var asked = 0;
        await using var site = await LoopbackSite.StartAsync(app => app.MapGet("/loop.jpg", () =>
        {
            Interlocked.Increment(ref asked);
            return Results.Redirect(location);
        }));
        var editor = await api.ClientWithScopesAsync("content:write");

        var problem = await (await editor.PostJsonAsync("/v1/manage/assets", new { sourceUrl = $"{site.Urls.First()}/loop.jpg" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(location == "/loop.jpg" ? 6 : 1, asked);
    }
}
