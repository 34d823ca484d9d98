using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Delivery;

/// <summary>How search orders its hits (relevance times a recency boost), and how it pages a word found in many articles.</summary>
public sealed class SearchRankingTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    private static object Story(string headline, string? standfirst, string paragraph) =>
        new { headline, standfirst, body = Editorial.OneParagraph(paragraph) };

    [Fact]
    public async Task Todays_mention_in_the_body_outranks_a_two_month_old_mention_in_the_standfirst()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "rcn" + Guid.NewGuid().ToString("N")[..6];
        var older = await editor.CreatePublishedAsync(Story(Editorial.Unique("Harbour board meets"), $"The {word} was discussed.", "A storm hit the pier."),
            api.Clock.GetUtcNow().AddDays(-60));
        var today = await editor.CreatePublishedAsync(Story(Editorial.Unique("Harbour board meets again"), null, $"The {word} was seen again."));

        var hits = (await api.CreateClient().GetJsonAsync($"/v1/search?q={word}&types=articles")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([today.Id(), older.Id()], hits.Select(h => h.Id()));
    }

    [Fact]
    public async Task A_headline_match_from_two_months_ago_still_outranks_todays_passing_mention()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "hdl" + Guid.NewGuid().ToString("N")[..6];
        var older = await editor.CreatePublishedAsync(Story($"The {word} explained", null, "A storm hit the pier."), api.Clock.GetUtcNow().AddDays(-60));
        var today = await editor.CreatePublishedAsync(Story(Editorial.Unique("Harbour board meets"), null, $"The {word} was mentioned."));

        var hits = (await api.CreateClient().GetJsonAsync($"/v1/search?q={word}&types=articles")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([older.Id(), today.Id()], hits.Select(h => h.Id()));
    }

    [Fact]
    public async Task A_story_from_decades_ago_is_found_and_ranked_behind_a_newer_one()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "old" + Guid.NewGuid().ToString("N")[..6];
        var decadesAgo = await editor.CreatePublishedAsync(Story(Editorial.Unique("Pier opens"), null, $"The {word} was opened."), api.Clock.GetUtcNow().AddYears(-30));
        var yearsAgo = await editor.CreatePublishedAsync(Story(Editorial.Unique("Pier reopens"), null, $"The {word} was reopened."), api.Clock.GetUtcNow().AddYears(-10));

        var hits = (await api.CreateClient().GetJsonAsync($"/v1/search?q={word}&types=articles")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([yearsAgo.Id(), decadesAgo.Id()], hits.Select(h => h.Id()));
    }

    [Fact]
    public async Task A_word_in_more_articles_than_the_first_pages_rank_is_paged_through_newest_first_each_match_once()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "man" + Guid.NewGuid().ToString("N")[..6];
        var created = new List<string>();
        for (var i = 0; i < 210; i++)
        {
            created.Add((await editor.CreatePublishedAsync(Story(Editorial.Unique("Pier works"), null, $"The {word} was mentioned."))).Id());
        }

        var reader = api.CreateClient();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await reader.GetJsonAsync($"/v1/search?q={word}&types=articles&limit=100{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(h => h.Id()));
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);

        Assert.Equal(created.Order(), seen.Order());
        Assert.Contains(created[^1], seen.Take(100));
    }
}
