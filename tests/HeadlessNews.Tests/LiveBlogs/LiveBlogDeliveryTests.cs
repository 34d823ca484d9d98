using System.Net;
using System.Net.Http.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.LiveBlogs;

public sealed class LiveBlogDeliveryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_live_blog_unpublished_while_this_node_streams_it_is_closed_to_new_readers_long_before_the_next_heartbeat()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Road closed by flooding");
        // This node streams the blog, so a new reader is let in from what it last saw, without asking the database; the
        // heartbeat that also rechecks is 15 s here.
        await using var reader = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live");
        await reader.NextAsync(TimeSpan.FromSeconds(10));

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{blog.Id()}/unpublish", blog.Version(), new { })).AssertSuccessAsync();

        await Eventually.TrueAsync(async () =>
        {
            using var joining = await api.CreateClient().GetAsync($"/v1/articles/{blog.Slug()}/live", HttpCompletionOption.ResponseHeadersRead);
            return joining.StatusCode == HttpStatusCode.NotFound;
        }, "a new reader of the unpublished live blog to get 404", seconds: 3);
    }

    [Fact]
    public async Task Entries_are_delivered_newest_first_a_page_at_a_time_only_while_the_live_blog_is_visible()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var draft = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Eisteddfod day one"), body = Editorial.OneParagraph(), format = "liveblog" });
        await editor.AddEntryAsync(draft, "Gates open.");
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{draft.Slug()}/entries")).StatusCode);

        var published = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(), new { }))
            .AssertSuccessAsync();
        await editor.AddEntryAsync(draft, "The first choir is on stage.");
        await editor.AddEntryAsync(draft, "Rain stops play.");
        var first = await reader.GetJsonAsync($"/v1/articles/{draft.Slug()}/entries?limit=2");
        Assert.Equal(["<p>Rain stops play.</p>\n", "<p>The first choir is on stage.</p>\n"],
            first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("bodyHtml").GetString()));
        var next = first.GetProperty("next").GetString()!;
        var second = await reader.GetJsonAsync($"/v1/articles/{draft.Slug()}/entries?limit=2&cursor={Uri.EscapeDataString(next)}");
        Assert.Equal("<p>Gates open.</p>\n", Assert.Single(second.GetProperty("items").EnumerateArray()).GetProperty("bodyHtml").GetString());

        await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/unpublish", published.Version())).AssertSuccessAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{draft.Slug()}/entries")).StatusCode);
    }

    [Fact]
    public async Task The_live_blog_carries_its_pinned_entries_key_events_newest_entries_corrections_and_LiveBlogPosting()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var blog = await editor.CreateLiveBlogAsync("A494 closed at Queensferry");
        var pinned = await editor.AddEntryAsync(blog, "Diversions via the A55.", pinned: true);
        for (var i = 0; i < 21; i++)
        {
            await editor.AddEntryAsync(blog, $"Update {i}.", keyEvent: i == 3);
        }
        var corrected = await editor.AddEntryAsync(blog, "One lane reopens.");
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, LiveBlogs.EntryUrl(blog, corrected), 1,
            new { body = Editorial.OneParagraph("One lane reopens eastbound."), correction = "Eastbound, not westbound." })).AssertSuccessAsync();

        var article = await reader.GetJsonAsync($"/v1/articles/{blog.Slug()}");
        var live = article.GetProperty("liveBlog");
        Assert.Equal(pinned.Id(), Assert.Single(live.GetProperty("pinned").EnumerateArray()).Id());
        Assert.Equal("<p>Update 3.</p>\n", Assert.Single(live.GetProperty("keyEvents").EnumerateArray()).GetProperty("bodyHtml").GetString());
        var entries = live.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(20, entries.Count);
        Assert.Equal(corrected.Id(), entries[0].Id());
        Assert.Equal("Eastbound, not westbound.", entries[0].GetProperty("corrections")[0].GetProperty("text").GetString());
        var structured = article.GetProperty("structuredData");
        Assert.Equal("LiveBlogPosting", structured.GetProperty("@type").GetString());
        Assert.True(structured.TryGetProperty("coverageStartTime", out _));
        Assert.Equal("One lane reopens eastbound.", structured.GetProperty("liveBlogUpdate")[0].GetProperty("articleBody").GetString());
        Assert.Equal("BlogPosting", structured.GetProperty("liveBlogUpdate")[0].GetProperty("@type").GetString());
    }

    [Fact]
    public async Task A_standard_article_carries_NewsArticle_structured_data()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var article = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier reopens"), body = Editorial.OneParagraph() });
        var delivered = await api.CreateClient().GetJsonAsync($"/v1/articles/{article.Slug()}");
        Assert.Equal("NewsArticle", delivered.GetProperty("structuredData").GetProperty("@type").GetString());
        Assert.False(delivered.TryGetProperty("liveBlog", out _));
    }

    [Fact]
    public async Task The_entries_list_answers_304_until_a_new_entry_changes_it()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var blog = await editor.CreateLiveBlogAsync("Council budget vote");
        await editor.AddEntryAsync(blog, "Debate begins.");
        var url = $"/v1/articles/{blog.Slug()}/entries";
        var first = await reader.GetAsync(url);
        await first.AssertSuccessAsync();
        var etag = first.Headers.ETag!;
        var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(again)).StatusCode);

        await editor.AddEntryAsync(blog, "The vote is called.");
        var changed = new HttpRequestMessage(HttpMethod.Get, url);
        changed.Headers.IfNoneMatch.Add(etag);
        var answer = await (await reader.SendAsync(changed)).AssertSuccessAsync();
        Assert.Equal("<p>The vote is called.</p>\n", answer.GetProperty("items")[0].GetProperty("bodyHtml").GetString());
        var debate = answer.GetProperty("items")[1].GetProperty("updatedAt").GetString()!;
        var since = await reader.GetJsonAsync($"{url}?since={Uri.EscapeDataString(debate)}");
        Assert.Equal("<p>The vote is called.</p>\n", Assert.Single(since.GetProperty("items").EnumerateArray()).GetProperty("bodyHtml").GetString());
    }

    [Fact]
    public async Task Correcting_a_quote_or_source_or_renaming_an_author_shows_in_the_cached_entries_and_live_blog_without_a_stream_event()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var quote = await editor.CreateQuoteAsync("The ferry sails at noon.");
        var source = await editor.CreateSourceAsync();
        var author = await editor.CreateAuthorAsync();
        var blog = await editor.CreateLiveBlogAsync("Holyhead ferry strike");
        await (await editor.PostAsJsonAsync($"/v1/manage/articles/{blog.Id()}/entries", new
        {
            body = new object[] { new { type = "quote", quoteId = quote.Id() }, new { type = "sourceList", sourceIds = new[] { source.Id() } } },
            authors = new[] { author.GetProperty("slug").GetString() },
        })).AssertSuccessAsync(HttpStatusCode.Created);
        string[] pages = [$"/v1/articles/{blog.Slug()}/entries", $"/v1/articles/{blog.Slug()}"];
        foreach (var page in pages)
        {
            Assert.Contains("noon", await reader.GetStringAsync(page), StringComparison.Ordinal);
        }
        await using var stream = await SseReader.OpenAsync(reader, $"/v1/articles/{blog.Slug()}/live", lastEventId: "1");

        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/quotes/{quote.Id()}", quote.Version(),
            new { text = "The ferry sails at two.", speaker = new { name = "Siân Morgan", role = "Pier manager" } })).AssertSuccessAsync();
        var title = Editorial.Unique("Port authority notice");
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/sources/{source.Id()}", source.Version(),
            new { kind = "report", title, publisher = "Harbour Board", url = "https://example.org/report" })).AssertSuccessAsync();
        var name = Editorial.Unique("Reporter renamed");
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/authors/{author.Id()}", author.Version(),
            new { name, slug = author.GetProperty("slug").GetString(), role = "Reporter" })).AssertSuccessAsync();

        foreach (var page in pages)
        {
            var shown = await reader.GetStringAsync(page);
            Assert.DoesNotContain("noon", shown, StringComparison.Ordinal);
            Assert.Contains("The ferry sails at two.", shown, StringComparison.Ordinal);
            Assert.Contains(title, shown, StringComparison.Ordinal);
            Assert.Contains(name, shown, StringComparison.Ordinal);
        }
        // The entry itself did not change: its readers' stream goes on with the next entry, not an entry.updated.
        var next = await editor.AddEntryAsync(blog, "Talks resume.");
        var streamed = await stream.NextEventAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("2", "entry.created", next.Id()), (streamed.Id, streamed.Event, streamed.Json.Id()));
    }
}
