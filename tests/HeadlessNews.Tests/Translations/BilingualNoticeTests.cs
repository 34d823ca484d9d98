using System.Net;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Translations;

/// <summary>Public notices published in both languages in one notice, as Welsh public bodies publish them.</summary>
public sealed class BilingualNoticeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static async Task<JsonElement> PublishBilingualAsync(HttpClient editor, string issuer, string title, string body, string welshTitle, string welshBody)
    {
        var notice = await editor.CreateAsync("/v1/manage/notices", new
        {
            reference = Editorial.Unique("GWY/2026"), category = "traffic_and_roads", title, body, issuer = new { name = issuer },
            translations = new Dictionary<string, object> { ["CY"] = new { title = welshTitle, body = welshBody } },
        });
        return await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/notices/{notice.Id()}/publish", notice.Version(), new { })).AssertSuccessAsync();
    }

    [Fact]
    public async Task A_bilingual_notice_shows_its_Welsh_text_to_Welsh_readers_and_its_own_text_to_everyone_else()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var issuer = Editorial.Unique("Cyngor Gwynedd");
        var welshTitle = Editorial.Unique("Cau ffordd: Stryd y Castell, Caernarfon");
        var notice = await PublishBilingualAsync(editor, issuer, Editorial.Unique("Road closure: Castle Street, Caernarfon"),
            "<p>The road will be closed for resurfacing.</p>", welshTitle, "<p>Bydd y ffordd ar gau i'w hailwynebu.</p><script>alert(1)</script>");

        var welsh = await reader.GetAsync($"/v1/notices/{notice.Id()}?language=cy");
        var welshNotice = await welsh.AssertSuccessAsync();
        Assert.Equal(welshTitle, welshNotice.GetProperty("title").GetString());
        Assert.Equal("<p>Bydd y ffordd ar gau i'w hailwynebu.</p>", welshNotice.GetProperty("body").GetString());
        Assert.Equal("cy", welshNotice.GetProperty("language").GetString());
        Assert.Equal(["en-GB", "cy"], welshNotice.GetProperty("availableLanguages").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("cy", welsh.Content.Headers.ContentLanguage.Single());

        var english = await reader.GetJsonAsync($"/v1/notices/{notice.Id()}");
        Assert.Equal(notice.GetProperty("title").GetString(), english.GetProperty("title").GetString());
        Assert.Equal("en-GB", english.GetProperty("language").GetString());
        // No French text: the notice's own, said so; the fallback is never written into the notice.
        Assert.Equal("en-GB", (await reader.GetJsonAsync($"/v1/notices/{notice.Id()}?language=fr")).GetProperty("language").GetString());
        Assert.Equal(["cy"], (await editor.GetJsonAsync($"/v1/manage/notices/{notice.Id()}")).GetProperty("translations").EnumerateObject().Select(p => p.Name));

        var list = await reader.GetJsonAsync($"/v1/notices?language=cy-GB&issuer={Uri.EscapeDataString(issuer)}");
        Assert.Equal(welshTitle, list.GetProperty("items").EnumerateArray().Single().GetProperty("title").GetString());
        var feed = await reader.GetStringAsync("/v1/feeds/notices.json?language=cy");
        var item = JsonDocument.Parse(feed).RootElement.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString()!.Contains(notice.Id(), StringComparison.Ordinal));
        Assert.Equal(welshTitle, item.GetProperty("title").GetString());
        Assert.Equal("cy", item.GetProperty("language").GetString());
        Assert.Contains(WebUtility.HtmlEncode(welshTitle), await reader.GetStringAsync("/v1/feeds/notices.rss?language=cy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bilingual_notice_is_found_by_its_Welsh_words_in_their_mutated_forms()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var marker = "x" + Guid.NewGuid().ToString("N")[..8];
        var welshTitle = $"Cau ffordd ym Mhorthmadog {marker}";
        var notice = await PublishBilingualAsync(editor, Editorial.Unique("Cyngor Gwynedd"), $"Road closure in Porthmadog {marker}",
            "<p>The High Street will be closed.</p>", welshTitle, "<p>Bydd y Stryd Fawr yng Nghaernarfon ar gau.</p>");

        var welshHits = (await reader.GetJsonAsync($"/v1/search?types=notices&language=cy&q={Uri.EscapeDataString($"Caernarfon {marker}")}")).GetProperty("items");
        var hit = welshHits.EnumerateArray().Single();
        Assert.Equal(notice.Id(), hit.GetProperty("id").GetString());
        Assert.Equal(welshTitle, hit.GetProperty("title").GetString());
        Assert.Contains("Nghaernarfon", hit.GetProperty("snippet").GetString(), StringComparison.Ordinal);
        Assert.Single((await reader.GetJsonAsync($"/v1/search?types=notices&q={Uri.EscapeDataString($"Porthmadog {marker}")}")).GetProperty("items").EnumerateArray());
        Assert.Single((await reader.GetJsonAsync($"/v1/notices?q={Uri.EscapeDataString($"Caernarfon {marker}")}")).GetProperty("items").EnumerateArray());
        // An English-only notice is not one a Welsh search lists.
        var englishOnly = await editor.CreateAsync("/v1/manage/notices", new
        {
            reference = Editorial.Unique("GWY/2026"), category = "planning", title = $"Porthmadog harbour works {marker}", body = "<p>Works.</p>", issuer = new { name = "Gwynedd" },
        });
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/notices/{englishOnly.Id()}/publish", englishOnly.Version(), new { })).AssertSuccessAsync();
        Assert.Equal([notice.Id()], (await reader.GetJsonAsync($"/v1/search?types=notices&language=cy&q={Uri.EscapeDataString($"Porthmadog {marker}")}"))
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("not a tag", "Teitl", "<p>Corff</p>", null)]
    [InlineData("cy", "", "<p>Corff</p>", null)]
    [InlineData("cy", "Teitl", "<script>only</script>", null)]
    [InlineData("cy-GB", "Teitl", "<p>Corff</p>", "cy")]
    public async Task A_translation_with_a_bad_language_no_title_no_body_or_the_notices_own_language_is_a_400(string key, string title, string body, string? language)
    {
        var editor = await api.ClientWithScopesAsync("*");

        var response = await editor.PostJsonAsync("/v1/manage/notices", new
        {
            reference = Editorial.Unique("BAD"), category = "other", title = "Notice", body = "<p>Body</p>", issuer = new { name = "Gwynedd" }, language,
            translations = new Dictionary<string, object> { [key] = new { title, body } },
        });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.CreateClient().GetAsync("/v1/notices?language=not_a_tag")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
