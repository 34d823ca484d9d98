using System.Net;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Translations;

/// <summary>Welsh and English editions of one story: linked drafts, their own workflow, and only visible editions shown.</summary>
public sealed class TranslationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static object Story(string headline, string? language = null) =>
        new { headline, body = Editorial.OneParagraph("Storm damage closed the pier."), language };

    private static async Task<JsonElement> TranslateAsync(HttpClient editor, string id, string language, string headline, string? slug = null) =>
        await (await editor.PostJsonAsync($"/v1/manage/articles/{id}/translations", new { language, headline, slug })).AssertSuccessAsync(HttpStatusCode.Created);

    private static async Task<JsonElement> PublishAsync(HttpClient editor, JsonElement article) =>
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{article.Id()}/publish", article.Version(), new { })).AssertSuccessAsync();

    private static string Slug(JsonElement article) => article.GetProperty("slug").GetString()!;

    private static List<(string Language, string Slug)> Translations(JsonElement page) =>
        [.. page.GetProperty("translations").EnumerateArray().Select(t => (t.GetProperty("language").GetString()!, t.GetProperty("slug").GetString()!))];

    [Fact]
    public async Task Creating_a_translation_makes_a_linked_draft_with_its_own_slug_revisions_and_language()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var english = await editor.CreatePublishedAsync(Story(Editorial.Unique("Bangor pier reopens")));

        var welsh = await TranslateAsync(editor, english.Id(), "CY", Editorial.Unique("Pier Bangor yn ailagor"));

        Assert.Equal("cy", welsh.GetProperty("language").GetString());
        Assert.Equal("draft", welsh.GetProperty("status").GetString());
        Assert.NotEqual(Slug(english), Slug(welsh));
        Assert.Equal("Storm damage closed the pier.", welsh.GetProperty("body")[0].GetProperty("html").GetString());
        var revisions = await editor.GetJsonAsync($"/v1/manage/articles/{welsh.Id()}/revisions");
        Assert.Single(revisions.GetProperty("items").EnumerateArray());
        var editions = await editor.GetJsonAsync($"/v1/manage/articles/{english.Id()}/translations");
        Assert.Equal([("cy", welsh.Id()), ("en-GB", english.Id())],
            editions.GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("language").GetString(), e.Id())).ToList());

        await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy" })).AssertProblemAsync(HttpStatusCode.Conflict);
        // A region is not another language: delivery's ?language=cy would show both Welsh editions.
        var regional = await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy-GB" })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains($"an edition in cy, which cy-GB would share: {Slug(welsh)}", regional.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "en" })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "not a tag" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await editor.PostJsonAsync($"/v1/manage/articles/{Guid.NewGuid()}/translations", new { language = "cy" })).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_translation_cannot_take_a_slug_another_language_edition_has()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var english = await editor.CreateArticleAsync(Story(Editorial.Unique("Conwy bridge repairs")));

        var refused = await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy", slug = Slug(english) });

        await refused.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_unpublished_Welsh_edition_never_appears_on_the_English_page_in_lists_feeds_or_sitemaps()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var english = await editor.CreatePublishedAsync(Story(Editorial.Unique("Rhyl flood defences finished")));
        var welsh = await TranslateAsync(editor, english.Id(), "cy", Editorial.Unique("Amddiffynfeydd llifogydd Rhyl"));
        var welshSlug = Slug(welsh);

        var englishPage = await reader.GetAsync($"/v1/articles/{Slug(english)}");
        Assert.Equal("en-GB", englishPage.Content.Headers.ContentLanguage.Single());
        Assert.Empty(Translations(await englishPage.AssertSuccessAsync()));
        foreach (var url in new[]
        {
            "/v1/articles?limit=100", "/v1/articles?language=cy&limit=100", "/v1/feeds/articles.rss", "/v1/feeds/articles.json?language=cy",
            "/v1/feeds/articles.atom?language=cy", "/v1/feeds/articles.ninjs", "/sitemaps/news.xml",
        })
        {
            Assert.DoesNotContain(welshSlug, await reader.GetStringAsync(url), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{welshSlug}")).StatusCode);

        await PublishAsync(editor, welsh);

        var englishAfter = await reader.GetJsonAsync($"/v1/articles/{Slug(english)}");
        var link = Assert.Single(englishAfter.GetProperty("translations").EnumerateArray());
        Assert.Equal("cy", link.GetProperty("language").GetString());
        Assert.Equal($"/v1/articles/{welshSlug}", link.GetProperty("url").GetString());
        var welshPage = await reader.GetAsync($"/v1/articles/{welshSlug}");
        Assert.Equal("cy", welshPage.Content.Headers.ContentLanguage.Single());
        Assert.Equal([("en-GB", Slug(english))], Translations(await welshPage.AssertSuccessAsync()));
        var welshList = await reader.GetStringAsync("/v1/articles?language=cy&limit=100");
        Assert.Contains(welshSlug, welshList, StringComparison.Ordinal);
        Assert.DoesNotContain(Slug(english), welshList, StringComparison.Ordinal);
        Assert.DoesNotContain(welshSlug, await reader.GetStringAsync("/v1/articles?language=en&limit=100"), StringComparison.Ordinal);
        var welshFeed = await reader.GetStringAsync("/v1/feeds/articles.json?language=cy");
        Assert.Contains(welshSlug, welshFeed, StringComparison.Ordinal);
        Assert.DoesNotContain(Slug(english), welshFeed, StringComparison.Ordinal);
        Assert.Contains("<language>cy</language>", await reader.GetStringAsync("/v1/feeds/articles.rss?language=cy"), StringComparison.Ordinal);
        var sitemap = System.Xml.Linq.XDocument.Parse(await reader.GetStringAsync("/sitemaps/news.xml"));
        System.Xml.Linq.XNamespace map = "http://www.sitemaps.org/schemas/sitemap/0.9", xhtml = "http://www.w3.org/1999/xhtml";
        var englishUrl = sitemap.Descendants(map + "url").Single(u => u.Element(map + "loc")!.Value.EndsWith($"/articles/{Slug(english)}", StringComparison.Ordinal));
        var alternates = englishUrl.Elements(xhtml + "link").ToDictionary(l => l.Attribute("hreflang")!.Value, l => l.Attribute("href")!.Value);
        Assert.Equal(["cy", "en-GB", "x-default"], alternates.Keys.Order(StringComparer.Ordinal));
        Assert.EndsWith($"/articles/{welshSlug}", alternates["cy"], StringComparison.Ordinal);
        Assert.EndsWith($"/articles/{Slug(english)}", alternates["x-default"], StringComparison.Ordinal);
        await (await reader.GetAsync("/v1/articles?language=c_y")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unlinking_an_edition_removes_it_from_the_others_and_relinking_brings_it_back()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var english = await editor.CreatePublishedAsync(Story(Editorial.Unique("Llandudno tram timetable")));
        var welsh = await PublishAsync(editor, await TranslateAsync(editor, english.Id(), "cy", Editorial.Unique("Amserlen tram Llandudno")));
        Assert.Single(Translations(await reader.GetJsonAsync($"/v1/articles/{Slug(english)}")));

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{welsh.Id()}/translations/unlink", null)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        var unlinked = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{welsh.Id()}/translations/unlink", welsh.Version())).AssertSuccessAsync();

        Assert.Empty(Translations(await reader.GetJsonAsync($"/v1/articles/{Slug(english)}")));
        Assert.Empty(Translations(await reader.GetJsonAsync($"/v1/articles/{Slug(welsh)}")));

        var otherWelsh = await editor.CreateArticleAsync(Story(Editorial.Unique("Tram arall"), "cy"));
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{otherWelsh.Id()}/translations/link", otherWelsh.Version(), new { articleId = english.Id() }))
            .AssertSuccessAsync();
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{welsh.Id()}/translations/link", unlinked.Version(), new { articleId = english.Id() }))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{otherWelsh.Id()}/translations/unlink", otherWelsh.Version() + 1)).AssertSuccessAsync();
        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{welsh.Id()}/translations/link", unlinked.Version(), new { articleId = english.Id() }))
            .AssertSuccessAsync();

        Assert.Equal([("cy", Slug(welsh))], Translations(await reader.GetJsonAsync($"/v1/articles/{Slug(english)}")));
    }

    [Fact]
    public async Task Archiving_one_edition_leaves_the_other_published_and_no_longer_listed()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var english = await editor.CreatePublishedAsync(Story(Editorial.Unique("Caernarfon castle tickets")));
        var welsh = await PublishAsync(editor, await TranslateAsync(editor, english.Id(), "cy", Editorial.Unique("Tocynnau castell Caernarfon")));
        Assert.Single(Translations(await reader.GetJsonAsync($"/v1/articles/{Slug(welsh)}")));

        await (await editor.SendWithIfMatchAsync(HttpMethod.Delete, $"/v1/manage/articles/{english.Id()}", english.Version())).AssertSuccessAsync(HttpStatusCode.NoContent);

        Assert.Empty(Translations(await reader.GetJsonAsync($"/v1/articles/{Slug(welsh)}")));
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{Slug(english)}")).StatusCode);
    }

    [Fact]
    public async Task Saving_an_edition_in_a_language_its_story_already_has_is_a_conflict()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var english = await editor.CreateArticleAsync(Story(Editorial.Unique("Menai bridge closure")));
        var welsh = await TranslateAsync(editor, english.Id(), "cy", Editorial.Unique("Cau pont Menai"));

        // A PUT without language means the default, en-GB, which the English edition already is.
        var refused = await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{welsh.Id()}", welsh.Version(),
            new { headline = "Cau pont Menai", body = Editorial.OneParagraph() });

        await refused.AssertProblemAsync(HttpStatusCode.Conflict);
    }
}
