using System.Net;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Translations;

/// <summary>Sections and authors named in Welsh: delivery uses the Welsh name for Welsh readers and falls back only when reading.</summary>
public sealed class TranslatedNameTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_Welsh_edition_shows_Welsh_section_and_author_names_and_falls_back_to_the_default_name_where_none_is_given()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var welshName = Editorial.Unique("Newyddion");
        var section = await editor.CreateAsync("/v1/manage/sections", new
        {
            name = Editorial.Unique("News"), description = "Local news", translations = new Dictionary<string, object> { ["CY"] = new { name = welshName, description = "Newyddion lleol" } },
        });
        var author = await editor.CreateAsync("/v1/manage/authors", new { name = Editorial.Unique("Gareth Jones"), role = "Reporter", bio = "Covers Gwynedd." });
        var english = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Harlech beach cleanup"), body = Editorial.OneParagraph(),
            section = section.GetProperty("slug").GetString(), authors = new[] { author.GetProperty("slug").GetString() },
        });
        var draft = await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy", headline = Editorial.Unique("Glanhau traeth Harlech") }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        var welsh = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(), new { })).AssertSuccessAsync();

        var welshPage = await reader.GetJsonAsync($"/v1/articles/{welsh.GetProperty("slug").GetString()}");
        Assert.Equal(welshName, welshPage.GetProperty("section").GetProperty("name").GetString());
        Assert.Equal(author.GetProperty("name").GetString(), welshPage.GetProperty("authors")[0].GetProperty("name").GetString());
        var englishPage = await reader.GetJsonAsync($"/v1/articles/{english.GetProperty("slug").GetString()}");
        Assert.Equal(section.GetProperty("name").GetString(), englishPage.GetProperty("section").GetProperty("name").GetString());

        var sections = await reader.GetJsonAsync("/v1/sections?language=cy");
        var listed = sections.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("slug").GetString() == section.GetProperty("slug").GetString());
        Assert.Equal(welshName, listed.GetProperty("name").GetString());
        Assert.Equal("Newyddion lleol", listed.GetProperty("description").GetString());
        var authorInWelsh = await reader.GetJsonAsync($"/v1/authors/{author.GetProperty("slug").GetString()}?language=cy");
        Assert.Equal(author.GetProperty("name").GetString(), authorInWelsh.GetProperty("name").GetString());
        Assert.Equal("Covers Gwynedd.", authorInWelsh.GetProperty("bio").GetString());

        // The fallback is never written: the author still has no Welsh entry, the section only the one it was given.
        var stored = await editor.GetJsonAsync($"/v1/manage/sections/{section.Id()}");
        Assert.Equal(["cy"], stored.GetProperty("translations").EnumerateObject().Select(p => p.Name));
        Assert.Empty((await editor.GetJsonAsync($"/v1/manage/authors/{author.Id()}")).GetProperty("translations").EnumerateObject());

        var renamed = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/authors/{author.Id()}", author.Version(), new
        {
            name = author.GetProperty("name").GetString(), role = "Reporter", translations = new Dictionary<string, object> { ["cy"] = new { name = "Gareth Jones (Gohebydd)" } },
        })).AssertSuccessAsync();
        Assert.Equal("Gareth Jones (Gohebydd)", (await reader.GetJsonAsync($"/v1/articles/{welsh.GetProperty("slug").GetString()}")).GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal(author.GetProperty("name").GetString(), (await reader.GetJsonAsync($"/v1/articles/{english.GetProperty("slug").GetString()}")).GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal(2, renamed.Version());
    }

    [Fact]
    public async Task A_quote_given_in_Welsh_shows_its_English_rendering_in_the_English_edition_and_the_Welsh_text_in_the_Welsh_one()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var welshText = Editorial.Unique("Mae'r pier ar agor eto");
        var englishText = Editorial.Unique("The pier is open again");
        var quote = await editor.CreateAsync("/v1/manage/quotes", new
        {
            text = welshText, speaker = new { name = "Siân Morgan" }, language = "cy", translations = new Dictionary<string, object> { ["en"] = new { text = englishText } },
        });
        var body = new object[] { new { type = "paragraph", html = "Pier news." }, new { type = "quote", quoteId = quote.Id() } };
        var english = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Bangor pier open"), body });
        var draft = await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy", headline = Editorial.Unique("Pier Bangor ar agor") }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        var welsh = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(), new { })).AssertSuccessAsync();

        var englishPage = await reader.GetJsonAsync($"/v1/articles/{english.GetProperty("slug").GetString()}");
        var welshPage = await reader.GetJsonAsync($"/v1/articles/{welsh.GetProperty("slug").GetString()}");

        Assert.Equal(englishText, englishPage.GetProperty("body")[1].GetProperty("quote").GetProperty("text").GetString());
        Assert.Equal("en", englishPage.GetProperty("body")[1].GetProperty("quote").GetProperty("language").GetString());
        Assert.Contains(englishText, englishPage.GetProperty("bodyHtml").GetString(), StringComparison.Ordinal);
        Assert.Equal(welshText, welshPage.GetProperty("body")[1].GetProperty("quote").GetProperty("text").GetString());
        Assert.Contains(welshText[(welshText.IndexOf(' ', StringComparison.Ordinal) + 1)..], welshPage.GetProperty("bodyHtml").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_translation_without_a_name_or_with_a_bad_language_is_refused()
    {
        var editor = await api.ClientWithScopesAsync("*");

        var noName = await editor.PostJsonAsync("/v1/manage/sections", new { name = Editorial.Unique("Sport"), translations = new Dictionary<string, object> { ["cy"] = new { description = "Chwaraeon" } } });
        var badKey = await editor.PostJsonAsync("/v1/manage/authors", new { name = Editorial.Unique("Mair"), translations = new Dictionary<string, object> { ["not a tag"] = new { name = "Mair" } } });

        await noName.AssertProblemAsync(HttpStatusCode.BadRequest);
        await badKey.AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
