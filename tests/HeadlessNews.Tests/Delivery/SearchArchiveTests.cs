using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HeadlessNews.Tests.Delivery;

/// <summary>
/// Search looks for articles month by month in the last year, and before it all at once or, for a word in more older stories
/// than one read gathers, month by month again (see SearchEndpoints.RecentMonths): a story is found whichever side of that
/// line it falls, in English or Welsh, and words must meet in one story.
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
    public async Task A_word_in_more_older_stories_than_one_read_gathers_is_found_in_all_of_them_newest_first_across_pages()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "wlk" + Guid.NewGuid().ToString("N")[..6];
        var now = api.Clock.GetUtcNow();
        var recent = (await editor.CreatePublishedAsync(
            new { headline = Editorial.Unique("Harbour wall"), body = Editorial.OneParagraph($"The {word} was repaired.") }, now - TimeSpan.FromDays(1))).Id();
        var oldest = (await editor.CreatePublishedAsync(
            new { headline = Editorial.Unique("Harbour wall"), body = Editorial.OneParagraph($"The {word} was inspected.") }, now - TimeSpan.FromDays(2000))).Id();
        // 250 more older stories than the 200 candidates a first page gathers: copies of the oldest one's read-model row, one
        // every three days from 14 months back, listed newest first.
        const int copies = 250;
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var copy = new NpgsqlCommand($"""
            SET session_replication_role = replica;
            INSERT INTO published_articles (article_id, slug, visible_from, first_seen, updated_at, section_slug, tag_slugs, place_slugs, author_slugs,
                                            quote_ids, source_ids, asset_ids, language, headline, standfirst, body_text, summary_json,
                                            summary_with_body_json, document_json, translation_group_id)
            SELECT s.id, p.slug || '-' || s.g, s.at, s.at, p.updated_at, p.section_slug, p.tag_slugs, p.place_slugs, p.author_slugs,
                   p.quote_ids, p.source_ids, p.asset_ids, p.language, p.headline, p.standfirst, p.body_text, p.summary_json,
                   p.summary_with_body_json, p.document_json, s.id
              FROM (SELECT gen_random_uuid() AS id, g, @now - interval '425 days' - g * interval '3 days' AS at
                      FROM generate_series(1, {copies}) g) s, published_articles p
             WHERE p.article_id = @oldest
            RETURNING article_id, visible_from;
            """, connection);
        copy.Parameters.AddWithValue("now", now);
        copy.Parameters.AddWithValue("oldest", Guid.Parse(oldest));
        var copied = new List<(string Id, DateTime At)>();
        await using (var reader = await copy.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                copied.Add((reader.GetGuid(0).ToString(), reader.GetDateTime(1)));
            }
        }

        // Written behind the API's back, so evicted as a bulk writer does: the node's search index reads them then.
        await api.Services.GetRequiredService<ICacheInvalidator>().EvictAsync(copied.Select(c => CacheTags.Article(Guid.Parse(c.Id))));

        var found = new List<string>();
        string? cursor = null;
        do
        {
            var page = await api.CreateClient().GetJsonAsync(
                $"/v1/search?types=articles&limit=100&q={word}{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            found.AddRange(page.GetProperty("items").EnumerateArray().Select(h => h.Id()));
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);

        Assert.Equal(copies, copied.Count);
        Assert.Equal([recent, .. copied.OrderByDescending(c => c.At).Select(c => c.Id), oldest], found);
    }

    [Fact]
    public async Task Published_stories_leave_no_pending_index_entries_for_every_read_to_read_through()
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

        // Every GIN index, not only search's: each scan of one with a pending list reads the whole list (see the GinFastUpdateOff migration).
        await using var batching = new NpgsqlCommand("""
            SELECT coalesce(string_agg(c.relname, ', ' ORDER BY c.relname), '') FROM pg_class c JOIN pg_am a ON a.oid = c.relam
             WHERE a.amname = 'gin' AND c.relnamespace = current_schema()::regnamespace AND NOT coalesce(c.reloptions @> ARRAY['fastupdate=off'], false)
            """, connection);
        Assert.Equal("", await batching.ExecuteScalarAsync());
    }
}
