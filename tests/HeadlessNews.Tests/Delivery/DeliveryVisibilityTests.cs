using System.Net;
using System.Text.Json;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadlessNews.Tests.Delivery;

/// <summary>Runs with the server output cache off, so moving the test clock shows exactly what the database answers.</summary>
public sealed class UncachedApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Delivery:Cache:ServerCacheEnabled"] = "false",
        ["Delivery:OldAfterDays"] = "30",
    };
}

public sealed class DeliveryVisibilityTests(UncachedApiFactory api) : IClassFixture<UncachedApiFactory>
{
    private static Dictionary<string, object?> Story(string headline, object[]? body = null, object? extra = null)
    {
        var story = new Dictionary<string, object?> { ["headline"] = headline, ["body"] = body ?? Editorial.OneParagraph() };
        foreach (var property in extra?.GetType().GetProperties() ?? [])
        {
            story[property.Name] = property.GetValue(extra);
        }
        return story;
    }

    private static DateTimeOffset WholeSecond(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));

    [Fact]
    public async Task An_article_scheduled_for_ten_is_invisible_at_one_second_to_and_visible_at_ten_exactly()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var at = WholeSecond(api.Clock.GetUtcNow().AddHours(3));
        var article = await editor.CreatePublishedAsync(Story(Editorial.Unique("Rhyl seafront reopens at ten")), at);
        var slug = article.GetProperty("slug").GetString()!;
        try
        {
            api.Clock.Set(at.AddSeconds(-1));
            Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{slug}")).StatusCode);
            Assert.DoesNotContain(slug, await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);

            api.Clock.Set(at);
            var page = await reader.GetJsonAsync($"/v1/articles/{slug}");
            Assert.Equal(article.Id(), page.Id());
            Assert.Contains(slug, await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);
        }
        finally
        {
            api.Clock.Set(DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public async Task Publishing_for_sooner_than_the_remembered_boundary_shortens_how_long_a_list_may_be_cached()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        static TimeSpan MaxAge(HttpResponseMessage response) => response.Headers.CacheControl!.MaxAge!.Value;
        var before = await reader.GetAsync("/v1/articles");
        Assert.Equal(TimeSpan.FromSeconds(60), MaxAge(before));

        var soon = WholeSecond(api.Clock.GetUtcNow().AddSeconds(40));
        await editor.CreatePublishedAsync(Story(Editorial.Unique("Pier lights switched on at dusk")), soon);

        var after = MaxAge(await reader.GetAsync("/v1/articles"));
        Assert.InRange(after, TimeSpan.Zero, TimeSpan.FromSeconds(40));
    }

    [Fact]
    public async Task A_quote_prepared_for_an_embargoed_story_does_not_leak_until_the_embargo_ends()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var quote = await editor.CreateQuoteAsync(Editorial.Unique("The hospital ward will close in March"));
        var source = await editor.CreateSourceAsync();
        var embargo = WholeSecond(api.Clock.GetUtcNow().AddHours(2));
        await editor.CreatePublishedAsync(Story(Editorial.Unique("Ward closure confirmed"),
            [new { type = "paragraph", html = "Embargoed." }, new { type = "quote", quoteId = quote.Id() }],
            new { embargoUntil = embargo, sourceIds = new[] { source.Id() } }));

        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/quotes/{quote.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/sources/{source.Id()}")).StatusCode);
        Assert.DoesNotContain(quote.Id(), await reader.GetStringAsync("/v1/quotes?limit=100"), StringComparison.Ordinal);
        try
        {
            api.Clock.Set(embargo);
            var delivered = await reader.GetJsonAsync($"/v1/quotes/{quote.Id()}");
            Assert.Single(delivered.GetProperty("articles").EnumerateArray());
            await reader.GetJsonAsync($"/v1/sources/{source.Id()}");
        }
        finally
        {
            api.Clock.Set(DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public async Task A_source_cited_by_many_stories_brings_its_newest_and_a_neighbour_on_the_page_keeps_its_own()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var popular = await editor.CreateSourceAsync();
        var quiet = await editor.CreateSourceAsync();
        var firstPublished = WholeSecond(api.Clock.GetUtcNow()).AddHours(-1);
        var citing = new List<string>();
        for (var i = 0; i <= ReferenceDeliveryEndpoints.LinkedArticles; i++)
        {
            var story = Story(Editorial.Unique("Harbour report follow-up"), extra: new { sourceIds = new[] { popular.Id() } });
            citing.Add((await editor.CreatePublishedAsync(story, firstPublished.AddMinutes(i))).Id());
        }
        var quietStory = await editor.CreatePublishedAsync(Story(Editorial.Unique("Quiet report"), extra: new { sourceIds = new[] { quiet.Id() } }), firstPublished);
        string[] newestFirst = [.. Enumerable.Reverse(citing).Take(ReferenceDeliveryEndpoints.LinkedArticles)];

        static string[] Linked(JsonElement source) => [.. source.GetProperty("articles").EnumerateArray().Select(article => article.Id())];
        var page = (await reader.GetJsonAsync("/v1/sources?limit=2")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([quiet.Id(), popular.Id()], page.Select(source => source.Id()));
        Assert.Equal([quietStory.Id()], Linked(page[0]));
        Assert.Equal(newestFirst, Linked(page[1]));
        Assert.Equal(newestFirst, Linked(await reader.GetJsonAsync($"/v1/sources/{popular.Id()}")));
    }

    [Fact]
    public async Task A_quote_leaves_the_list_when_its_only_story_is_unpublished_and_returns_when_it_is_published_again()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var quote = await editor.CreateQuoteAsync();
        var story = await editor.CreatePublishedAsync(Story(Editorial.Unique("Lifeboat station saved"), [new { type = "quote", quoteId = quote.Id() }]));
        async Task<bool> ListedAsync() =>
            (await reader.GetJsonAsync("/v1/quotes?limit=100")).GetProperty("items").EnumerateArray().Any(listed => listed.Id() == quote.Id());
        // The flag the list's index is kept on (a stale false would hide the quote; a stale true only costs a probe).
        async Task<bool> FlaggedInUseAsync()
        {
            await using var connection = new NpgsqlConnection(api.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT in_use FROM quotes WHERE id = $1", connection) { Parameters = { new() { Value = Guid.Parse(quote.Id()) } } };
            return (bool)(await command.ExecuteScalarAsync())!;
        }
        Assert.True(await ListedAsync());
        Assert.True(await FlaggedInUseAsync());

        var unpublished = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{story.Id()}/unpublish", story.Version(), new { })).AssertSuccessAsync();
        Assert.False(await ListedAsync());
        Assert.False(await FlaggedInUseAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/quotes/{quote.Id()}")).StatusCode);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{story.Id()}/publish", unpublished.Version(), new { })).AssertSuccessAsync();
        Assert.True(await ListedAsync());
        Assert.True(await FlaggedInUseAsync());
    }

    [Fact]
    public async Task Sections_and_authors_used_only_by_embargoed_or_draft_articles_are_not_listed_until_the_embargo_passes()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var (embargoedSection, embargoedAuthor) = ((await editor.CreateSectionAsync()).GetProperty("slug").GetString()!, (await editor.CreateAuthorAsync()).GetProperty("slug").GetString()!);
        var (draftSection, draftAuthor) = ((await editor.CreateSectionAsync()).GetProperty("slug").GetString()!, (await editor.CreateAuthorAsync()).GetProperty("slug").GetString()!);
        var embargo = WholeSecond(api.Clock.GetUtcNow().AddSeconds(40));
        await editor.CreatePublishedAsync(Story(Editorial.Unique("Hospital merger agreed"), extra: new { section = embargoedSection, authors = new[] { embargoedAuthor }, embargoUntil = embargo }));
        await editor.CreateArticleAsync(Story(Editorial.Unique("Draft: council tax"), extra: new { section = draftSection, authors = new[] { draftAuthor } }));

        var sections = await reader.GetAsync("/v1/sections");
        var authors = await reader.GetAsync("/v1/authors");
        var text = await sections.Content.ReadAsStringAsync() + await authors.Content.ReadAsStringAsync();
        foreach (var slug in new[] { embargoedSection, embargoedAuthor, draftSection, draftAuthor })
        {
            Assert.DoesNotContain($"\"{slug}\"", text, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/authors/{embargoedAuthor}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/authors/{draftAuthor}")).StatusCode);
        // No cached list may outlive the embargo: it ends with no write that could evict anything.
        Assert.All(new[] { sections, authors }, r => Assert.InRange(r.Headers.CacheControl!.MaxAge!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(40)));

        try
        {
            api.Clock.Set(embargo);
            Assert.Contains($"\"{embargoedSection}\"", await reader.GetStringAsync("/v1/sections"), StringComparison.Ordinal);
            Assert.Contains($"\"{embargoedAuthor}\"", await reader.GetStringAsync("/v1/authors"), StringComparison.Ordinal);
            Assert.Equal(embargoedAuthor, (await reader.GetJsonAsync($"/v1/authors/{embargoedAuthor}")).GetProperty("slug").GetString());
            Assert.DoesNotContain($"\"{draftSection}\"", await reader.GetStringAsync("/v1/sections"), StringComparison.Ordinal);
            Assert.DoesNotContain($"\"{draftAuthor}\"", await reader.GetStringAsync("/v1/authors"), StringComparison.Ordinal);
        }
        finally
        {
            api.Clock.Set(DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public async Task The_article_page_carries_expanded_quotes_sources_authors_and_safe_body_html()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var quote = await editor.CreateQuoteAsync("The lifeboat launched within four minutes.");
        var source = await editor.CreateSourceAsync();
        var author = await editor.CreateAuthorAsync();
        var article = await editor.CreatePublishedAsync(Story(Editorial.Unique("Lifeboat rescues walkers"),
            [new { type = "paragraph", html = "<strong>Two walkers</strong> were cut off <script>alert(1)</script>." }, new { type = "quote", quoteId = quote.Id() }],
            new { sourceIds = new[] { source.Id() }, authors = new[] { author.GetProperty("slug").GetString() } }));

        var page = await api.CreateClient().GetJsonAsync($"/v1/articles/{article.GetProperty("slug").GetString()}");
        var quoteBlock = page.GetProperty("body").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "quote");
        Assert.Equal("The lifeboat launched within four minutes.", quoteBlock.GetProperty("quote").GetProperty("text").GetString());
        Assert.Equal(source.Id(), page.GetProperty("sources")[0].Id());
        Assert.Equal(author.GetProperty("name").GetString(), page.GetProperty("authors")[0].GetProperty("name").GetString());
        var html = page.GetProperty("bodyHtml").GetString()!;
        Assert.Contains("<strong>Two walkers</strong>", html, StringComparison.Ordinal);
        Assert.Contains("four minutes", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.False(page.GetProperty("old").GetBoolean());
    }

    [Fact]
    public async Task A_former_slug_answers_301_to_the_current_one()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var article = await editor.CreatePublishedAsync(Story(Editorial.Unique("Bala lake festival dates set")));
        var oldSlug = article.GetProperty("slug").GetString();
        var newSlug = "bala-festival-" + Guid.NewGuid().ToString("N")[..6];
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{article.Id()}", article.Version(),
            new { headline = "Bala lake festival dates set", slug = newSlug, body = Editorial.OneParagraph() })).AssertSuccessAsync();

        var reader = api.Server.CreateClient();
        var response = await reader.GetAsync($"/v1/articles/{oldSlug}");
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/v1/articles/{newSlug}", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_back_dated_import_is_old_and_lists_page_by_date_with_filters()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = await editor.CreateSectionAsync();
        var sectionSlug = section.GetProperty("slug").GetString();
        var imported = await editor.CreatePublishedAsync(Story(Editorial.Unique("Archive: pier storm of 2019"), extra: new { section = sectionSlug, tags = new[] { "Archive" } }),
            api.Clock.GetUtcNow().AddDays(-400));
        var fresh = await editor.CreatePublishedAsync(Story(Editorial.Unique("Pier repairs finish"), extra: new { section = sectionSlug }));

        var list = await api.CreateClient().GetJsonAsync($"/v1/articles?section={sectionSlug}");
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([fresh.Id(), imported.Id()], items.Select(i => i.Id()));
        Assert.True(items[1].GetProperty("old").GetBoolean());
        Assert.False(items[0].GetProperty("old").GetBoolean());
        Assert.False(items[0].TryGetProperty("bodyHtml", out _));
        var withBody = await api.CreateClient().GetJsonAsync($"/v1/articles?section={sectionSlug}&include=body");
        Assert.Contains("storm", withBody.GetProperty("items")[0].GetProperty("bodyHtml").GetString()!, StringComparison.OrdinalIgnoreCase);

        var tagged = await api.CreateClient().GetJsonAsync("/v1/articles?tag=archive&limit=100");
        Assert.Contains(tagged.GetProperty("items").EnumerateArray(), i => i.Id() == imported.Id());
        Assert.Empty((await api.CreateClient().GetJsonAsync("/v1/articles?section=no-such-section")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_cursor_keeps_its_place_while_new_articles_are_published()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await editor.CreatePublishedAsync(Story(Editorial.Unique($"Market day {i}"), extra: new { section }), api.Clock.GetUtcNow().AddMinutes(-10 + i))).Id());
        }
        var reader = api.CreateClient();
        var first = await reader.GetJsonAsync($"/v1/articles?section={section}&limit=2");
        await editor.CreatePublishedAsync(Story(Editorial.Unique("Breaking: market moved"), extra: new { section }));
        var second = await reader.GetJsonAsync($"/v1/articles?section={section}&limit=2&cursor={first.GetProperty("next").GetString()}");
        var third = await reader.GetJsonAsync($"/v1/articles?section={section}&limit=2&cursor={second.GetProperty("next").GetString()}");
        var paged = new[] { first, second, third }.SelectMany(p => p.GetProperty("items").EnumerateArray().Select(i => i.Id())).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), paged);
    }

    [Fact]
    public async Task Each_next_link_carries_its_own_query_when_two_lists_end_on_the_same_article()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var section = (await editor.CreateSectionAsync()).GetProperty("slug").GetString();
        var tag = "pier" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            await editor.CreatePublishedAsync(Story(Editorial.Unique($"Pier repairs, week {i}"), extra: new { section, tags = new[] { tag } }),
                api.Clock.GetUtcNow().AddMinutes(-10 + i));
        }
        var reader = api.CreateClient();
        async Task<(string Next, string Link)> NextOf(string url)
        {
            var response = await reader.GetAsync(url);
            var next = (await response.AssertSuccessAsync()).GetProperty("next").GetString()!;
            return (next, response.Headers.GetValues("Link").Single());
        }

        var bySection = await NextOf($"/v1/articles?section={section}&limit=2");
        var byTag = await NextOf($"/v1/articles?tag={tag}&limit=2");
        Assert.Equal(bySection.Next, byTag.Next);
        Assert.Equal($"</v1/articles?section={section}&limit=2&cursor={bySection.Next}>; rel=\"next\"", bySection.Link);
        Assert.Equal($"</v1/articles?tag={tag}&limit=2&cursor={byTag.Next}>; rel=\"next\"", byTag.Link);
        Assert.Equal(bySection, await NextOf($"/v1/articles?section={section}&limit=2"));
    }

    [Fact]
    public async Task Sources_filter_by_the_contracts_snake_case_kinds_and_an_unknown_kind_finds_nothing()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var report = await editor.CreateSourceAsync();
        var release = await editor.CreateAsync("/v1/manage/sources", new { kind = "press_release", title = Editorial.Unique("Pier reopening"), publisher = "Pier Trust" });
        await editor.CreatePublishedAsync(Story(Editorial.Unique("Pier reopens"), extra: new { sourceIds = new[] { report.Id(), release.Id() } }));
        var reader = api.CreateClient();

        var releases = await reader.GetStringAsync("/v1/sources?kind=press_release&limit=100");
        Assert.Contains(release.Id(), releases, StringComparison.Ordinal);
        Assert.DoesNotContain(report.Id(), releases, StringComparison.Ordinal);
        Assert.Contains(report.Id(), await reader.GetStringAsync("/v1/sources?kind=report&limit=100"), StringComparison.Ordinal);
        Assert.Empty((await reader.GetJsonAsync("/v1/sources?kind=gossip")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("%C3%A9")]
    [InlineData("a%20article:1%20section:news")]
    [InlineData("a%0D%0AX-Injected:1")]
    [InlineData("%E2%80%AE")]
    public async Task An_author_slug_no_author_could_have_is_a_404_and_never_a_cache_tag(string slug)
    {
        var response = await api.CreateClient().GetAsync($"/v1/authors/{slug}");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), header => header.Key.Contains("Injected", StringComparison.Ordinal));
        var tags = response.Headers.TryGetValues("Surrogate-Key", out var values) ? string.Join(' ', values) : string.Empty;
        Assert.DoesNotContain("author:", tags, StringComparison.Ordinal);
        Assert.DoesNotContain("article:", tags, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/articles?limit=0")]
    [InlineData("/v1/articles?limit=1000")]
    [InlineData("/v1/articles?from=yesterday")]
    [InlineData("/v1/articles?cursor=garbled")]
    [InlineData("/v1/articles?include=everything")]
    [InlineData("/v1/search?q=")]
    [InlineData("/v1/search?q=pier&types=articles,gossip")]
    [InlineData("/v1/quotes?cursor=AAAA.BBBB")]
    public async Task Malformed_delivery_queries_are_400_problems(string url)
    {
        await (await api.CreateClient().GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Search_ranks_headline_matches_first_folds_accents_and_honours_exclusion()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "zyg" + Guid.NewGuid().ToString("N")[..6];
        var inBody = await editor.CreatePublishedAsync(Story(Editorial.Unique("Council meeting notes"),
            [new { type = "paragraph", html = $"Later the {word} was mentioned once, near Llŷn." }]));
        var inHeadline = await editor.CreatePublishedAsync(Story($"The {word} returns to Conwy quay"));
        var excluded = await editor.CreatePublishedAsync(Story($"{word} ferry timetable", [new { type = "paragraph", html = "Ferry times change." }]));

        var hits = (await api.CreateClient().GetJsonAsync($"/v1/search?q={word}%20-ferry&types=articles")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([inHeadline.Id(), inBody.Id()], hits.Select(h => h.Id()));
        Assert.Contains($"<mark>{word}</mark>", hits[1].GetProperty("snippet").GetString()!, StringComparison.Ordinal);

        var accentFree = (await api.CreateClient().GetJsonAsync($"/v1/search?q={word}%20llyn")).GetProperty("items").EnumerateArray();
        Assert.Contains(accentFree, h => h.Id() == inBody.Id());
        Assert.DoesNotContain(hits, h => h.Id() == excluded.Id());
    }

    [Fact]
    public async Task Search_finds_a_word_deep_in_a_long_body_and_ranks_a_mention_in_the_lead_above_it()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "qua" + Guid.NewGuid().ToString("N")[..6];
        var filler = Enumerable.Range(0, 16).Select(i => new
        {
            type = "paragraph",
            html = $"Paragraph {i}: the town council heard from residents about parking, bins, buses and the summer carnival before moving on to other business.",
        });
        var deep = await editor.CreatePublishedAsync(Story(Editorial.Unique("Long council report"),
            [.. filler, new { type = "paragraph", html = $"Finally, the {word} appeared at the very end." }]));
        var lead = await editor.CreatePublishedAsync(Story(Editorial.Unique("Short harbour report"),
            [new { type = "paragraph", html = $"The {word} was seen at the harbour this morning." }]));

        var hits = (await api.CreateClient().GetJsonAsync($"/v1/search?q={word}&types=articles")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([lead.Id(), deep.Id()], hits.Select(h => h.Id()));
        Assert.Contains($"<mark>{word}</mark>", hits[1].GetProperty("snippet").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_latest_list_and_search_are_answered_from_indexes()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }
        async Task<string> PlanAsync(string sql)
        {
            await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
            var lines = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
            return string.Join('\n', lines);
        }
        var latest = await PlanAsync("SELECT summary_json FROM published_articles WHERE visible_from <= now() ORDER BY visible_from DESC, article_id DESC LIMIT 21");
        Assert.Contains("Index", latest, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", latest, StringComparison.Ordinal);
        var search = await PlanAsync("SELECT article_id FROM published_articles WHERE search @@ (websearch_to_tsquery('english', hn_unaccent('harbour')) || websearch_to_tsquery('simple', hn_unaccent('harbour')))");
        Assert.Contains("ix_published_articles_search", search, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", search, StringComparison.Ordinal);
    }
}
