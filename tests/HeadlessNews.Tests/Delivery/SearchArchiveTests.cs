using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Delivery;

/// <summary>
/// Search looks for articles month by month in the last year and all at once before it (see SearchEndpoints.RecentMonths):
/// a story is found whichever side of that line it falls, in English or Welsh, and words must meet in one story.
/// </summary>
public sealed class SearchArchiveTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    private async Task<List<string>> SearchAsync(string q) =>
        [.. (await api.CreateClient().GetJsonAsync($"/v1/search?types=articles&limit=100&q={Uri.EscapeDataString(q)}"))
            .GetProperty("items").EnumerateArray().Select(h => h.Id())];

    [Fact]
    public async Task A_word_is_found_in_this_months_stories_and_in_stories_years_old_each_once_newest_first_but_never_before_it_is_visible()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "arc" + Guid.NewGuid().ToString("N")[..6];
        var now = api.Clock.GetUtcNow();
        async Task<string> PublishAsync(TimeSpan age, string language = "en-GB", string text = "was mentioned") =>
            (await editor.CreatePublishedAsync(
                new { headline = Editorial.Unique("Pier works"), body = Editorial.OneParagraph($"The {word} {text}."), language }, now - age)).Id();

        var today = await PublishAsync(TimeSpan.Zero);
        var lastMonth = await PublishAsync(TimeSpan.FromDays(45));
        var beforeTheYear = await PublishAsync(TimeSpan.FromDays(420));
        var welshTwoYearsAgo = await PublishAsync(TimeSpan.FromDays(730), "cy", "yn y papur");
        var fiveYearsAgo = await PublishAsync(TimeSpan.FromDays(1830));
        var scheduled = (await editor.CreatePublishedAsync(
            new { headline = Editorial.Unique("Pier works"), body = Editorial.OneParagraph($"The {word} is coming.") }, now.AddDays(2))).Id();

        var found = await SearchAsync(word);

        Assert.Equal([today, lastMonth, beforeTheYear, welshTwoYearsAgo, fiveYearsAgo], found);
        Assert.DoesNotContain(scheduled, found);
    }

    [Fact]
    public async Task Two_words_find_only_the_stories_holding_both_and_OR_finds_either_in_any_month()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var first = "wda" + Guid.NewGuid().ToString("N")[..6];
        var second = "wdb" + Guid.NewGuid().ToString("N")[..6];
        var now = api.Clock.GetUtcNow();
        async Task<string> PublishAsync(string words, TimeSpan age) =>
            (await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Ferry timetable"), body = Editorial.OneParagraph($"Talk of {words} today.") }, now - age)).Id();

        var bothRecent = await PublishAsync($"{first} and {second}", TimeSpan.FromDays(3));
        var firstOnly = await PublishAsync(first, TimeSpan.FromDays(1));
        var bothOld = await PublishAsync($"{second} then {first}", TimeSpan.FromDays(600));
        var secondOnlyOld = await PublishAsync(second, TimeSpan.FromDays(500));

        Assert.Equal([bothRecent, bothOld], await SearchAsync($"{first} {second}"));
        Assert.Equal(new[] { firstOnly, bothRecent, secondOnlyOld, bothOld }.Order(), (await SearchAsync($"{first} or {second}")).Order());
        Assert.Equal([bothRecent], await SearchAsync($"\"{first} and {second}\""));
        Assert.Equal([firstOnly], await SearchAsync($"{first} -{second}"));
    }

    [Fact]
    public async Task Published_stories_leave_no_pending_index_entries_for_every_search_to_read_through()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "pnd" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 3; i++)
        {
            await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier works"), body = Editorial.OneParagraph($"The {word} was mentioned.") });
        }
        Assert.Equal(3, (await SearchAsync(word)).Count);

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var pending = new NpgsqlCommand("""
            SELECT coalesce(sum(gin_clean_pending_list(c.oid)), 0)::int FROM pg_class c
             WHERE c.relname IN ('ix_published_articles_search', 'ix_published_articles_search_terms') AND c.relkind = 'i'
            """, connection);
        Assert.Equal(0, await pending.ExecuteScalarAsync());
    }
}
