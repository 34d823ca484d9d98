using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Translations;

/// <summary>Tags and places, made by the articles that name them, are renamed and named in Welsh through management.</summary>
public sealed class TranslatedTermTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static IEnumerable<string?> Names(JsonElement article, string relation) =>
        article.GetProperty(relation).EnumerateArray().Select(t => t.GetProperty("name").GetString());

    [Theory]
    [InlineData("tags")]
    [InlineData("places")]
    public async Task Naming_a_tag_or_place_in_Welsh_shows_on_published_Welsh_editions_at_once_and_never_on_English_ones(string relation)
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var name = Editorial.Unique("Harbour");
        var english = await editor.CreatePublishedAsync(new Dictionary<string, object>
        {
            ["headline"] = Editorial.Unique("Harbour wall repaired"), ["body"] = Editorial.OneParagraph(), [relation] = new[] { name },
        });
        var draft = await (await editor.PostJsonAsync($"/v1/manage/articles/{english.Id()}/translations", new { language = "cy", headline = Editorial.Unique("Wal yr harbwr wedi'i thrwsio") }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        var welsh = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(), new { })).AssertSuccessAsync();
        var welshUrl = $"/v1/articles/{welsh.GetProperty("slug").GetString()}";
        var englishUrl = $"/v1/articles/{english.GetProperty("slug").GetString()}";
        Assert.Equal([name], Names(await reader.GetJsonAsync(welshUrl), relation));
        var slug = english.GetProperty(relation)[0].GetProperty("slug").GetString();

        var term = await editor.GetJsonAsync($"/v1/manage/{relation}/{slug}");
        Assert.Empty(term.GetProperty("translations").EnumerateObject());
        var welshName = Editorial.Unique("Harbwr");
        var renamed = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/{relation}/{slug}", term.Version(), new
        {
            name = name + " (Porthmadog)", translations = new Dictionary<string, object> { ["cy"] = new { name = welshName } },
        })).AssertSuccessAsync();

        Assert.Equal(term.Version() + 1, renamed.Version());
        Assert.Equal([welshName], Names(await reader.GetJsonAsync(welshUrl), relation));
        Assert.Equal([name + " (Porthmadog)"], Names(await reader.GetJsonAsync(englishUrl), relation));
        var welshFeed = await reader.GetStringAsync($"/v1/feeds/articles.ninjs?language=cy&{relation[..^1]}={slug}");
        Assert.Contains(welshName, welshFeed, StringComparison.Ordinal);
        Assert.DoesNotContain(welshName, await reader.GetStringAsync($"/v1/feeds/articles.ninjs?language=en&{relation[..^1]}={slug}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renaming_a_tag_needs_its_current_version_a_name_and_well_formed_languages()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var name = Editorial.Unique("Eisteddfod");
        var article = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Eisteddfod opens"), body = Editorial.OneParagraph(), tags = new[] { name } });
        var url = $"/v1/manage/tags/{article.GetProperty("tags")[0].GetProperty("slug").GetString()}";
        var tag = await editor.GetJsonAsync(url);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, url, tag.Version() + 1, new { name })).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await editor.PutAsJsonAsync(url, new { name })).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, url, tag.Version(), new { name = "" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, url, tag.Version(), new { name, translations = new Dictionary<string, object> { ["not a tag"] = new { name } } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, "/v1/manage/places/no-such-place-anywhere", 1, new { name })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await (await api.ClientWithScopesAsync("content:read")).SendWithIfMatchAsync(HttpMethod.Put, url, tag.Version(), new { name })).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(tag.Version(), (await editor.GetJsonAsync(url)).Version());
    }
}
