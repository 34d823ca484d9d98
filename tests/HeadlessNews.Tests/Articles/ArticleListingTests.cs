using System.Net;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Articles;

public sealed class ArticleListingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Editors_filter_by_status_section_headline_and_update_time()
    {
        var client = await api.ClientWithScopesAsync("content:write", "content:publish");
        var section = await client.CreateSectionAsync();
        var sectionSlug = section.GetProperty("slug").GetString();
        var token = Guid.NewGuid().ToString("N")[..8];
        var draft = await client.CreateArticleAsync(new { headline = $"Ferry timetable {token} draft", section = sectionSlug, body = Editorial.OneParagraph() });
        var live = await client.CreatePublishedAsync(new { headline = $"Ferry timetable {token} live", section = sectionSlug, body = Editorial.OneParagraph() });
        var scheduled = await client.CreatePublishedAsync(new { headline = $"Ferry TIMETABLE {token} later", body = Editorial.OneParagraph() }, api.Clock.GetUtcNow().AddDays(1));

        async Task<List<string>> IdsAsync(string query) =>
            [.. (await client.GetJsonAsync("/v1/manage/articles?limit=100&" + query)).GetProperty("items").EnumerateArray().Select(a => a.Id())];

        Assert.Equal([scheduled.Id(), live.Id(), draft.Id()], await IdsAsync($"q=timetable%20{token}"));
        Assert.Equal([live.Id(), draft.Id()], await IdsAsync($"section={sectionSlug}"));
        Assert.Equal([scheduled.Id()], (await IdsAsync("status=scheduled")).Intersect([draft.Id(), live.Id(), scheduled.Id()]));
        Assert.Equal([live.Id()], (await IdsAsync("status=published")).Intersect([draft.Id(), live.Id(), scheduled.Id()]));
        Assert.Equal([draft.Id()], (await IdsAsync($"status=draft&q={token}")));
        Assert.Empty(await IdsAsync($"q={token}&updatedSince={Uri.EscapeDataString(api.Clock.GetUtcNow().AddMinutes(1).ToString("O"))}"));
        Assert.Empty(await IdsAsync("q=100%25%20not%20a%20headline"));
        var listed = (await client.GetJsonAsync($"/v1/manage/articles?section={sectionSlug}&limit=1")).GetProperty("items")[0];
        Assert.Equal(section.GetProperty("name").GetString(), listed.GetProperty("section").GetProperty("name").GetString());
        Assert.Equal(sectionSlug, listed.GetProperty("section").GetProperty("slug").GetString());
        await (await client.GetAsync("/v1/manage/articles?status=lost")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/v1/manage/articles?updatedSince=yesterday")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_list_pages_with_a_cursor_and_never_repeats_an_article()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var token = Guid.NewGuid().ToString("N")[..8];
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await client.CreateArticleAsync(new { headline = $"Paged {token} {i}" })).Id());
        }
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync($"/v1/manage/articles?q={token}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(a => a.Id()));
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Reverse(created), seen);
    }
}
