using System.Net;
using System.Text.Json;
using HeadlessNews.Api.Features.Feeds;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace HeadlessNews.Tests.Feeds;

public sealed class ChangeFeedTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task RecordAsync(string type, string resource, Guid id, int version, DateTimeOffset? dueAt = null) =>
        await api.WithDbAsync(async db =>
        {
            db.Record(api.Clock, type, resource, id, $"slug-{id:N}", version, dueAt);
            return await db.SaveChangesAsync();
        });

    /// <summary>Polls (a page at a time) until the feed has shown every id in <paramref name="ids"/>, applying entries to <paramref name="state"/>.</summary>
    private static async Task<string?> PollUntilAsync(HttpClient partner, string? token, Dictionary<Guid, (string Op, int Version)> state, params Guid[] ids)
    {
        var seen = new HashSet<Guid>();
        await Eventually.TrueAsync(async () =>
        {
            var page = await (await partner.GetAsync(token is null ? "/v1/changes" : $"/v1/changes?since={Uri.EscapeDataString(token)}")).AssertSuccessAsync();
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                var id = item.GetProperty("id").GetGuid();
                state[id] = (item.GetProperty("op").GetString()!, item.GetProperty("version").GetInt32());
                seen.Add(id);
            }
            token = page.GetProperty("next").GetString();
            return ids.All(seen.Contains);
        }, "the change feed to show every expected change");
        return token;
    }

    [Fact]
    public async Task A_partner_polling_the_change_feed_ends_with_exactly_the_visible_state()
    {
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var (story, notice, withdrawn) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var state = new Dictionary<Guid, (string Op, int Version)>();

        await RecordAsync(ContentEventTypes.ArticlePublished, "article", story, 2);
        await RecordAsync(ContentEventTypes.NoticePublished, "notice", notice, 2);
        await RecordAsync(ContentEventTypes.NoticePublished, "notice", withdrawn, 2);
        var token = await PollUntilAsync(partner, null, state, story, notice, withdrawn);

        await RecordAsync(ContentEventTypes.ArticleUpdated, "article", story, 3);
        await RecordAsync(ContentEventTypes.NoticeWithdrawn, "notice", withdrawn, 3);
        state.Remove(story);
        state.Remove(withdrawn);
        await PollUntilAsync(partner, token, state, story, withdrawn);

        Assert.Equal(("upsert", 3), state[story]);
        Assert.Equal(("upsert", 2), state[notice]);
        Assert.Equal(("delete", 3), state[withdrawn]);
    }

    [Fact]
    public async Task A_scheduled_publication_enters_the_change_feed_only_when_it_comes_due()
    {
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var scheduled = Guid.CreateVersion7();
        var marker = Guid.CreateVersion7();
        await RecordAsync(ContentEventTypes.ArticlePublished, "article", scheduled, 2, api.Clock.GetUtcNow().AddHours(1));
        await RecordAsync(ContentEventTypes.ArticlePublished, "article", marker, 2);
        var state = new Dictionary<Guid, (string Op, int Version)>();
        var token = await PollUntilAsync(partner, null, state, marker);
        Assert.False(state.ContainsKey(scheduled), "A scheduled publication appeared before its time.");

        api.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            await PollUntilAsync(partner, token, state, scheduled);
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromHours(-2));
        }
    }

    [Fact]
    public async Task An_entry_from_a_transaction_still_running_holds_back_later_entries_so_none_is_skipped()
    {
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var tail = (await (await partner.GetAsync("/v1/changes")).AssertSuccessAsync()).GetProperty("next").GetString();
        await using var slow = new NpgsqlConnection(api.ConnectionString);
        await slow.OpenAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        var (early, late) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await InsertChangeAsync(slow, early);
        await using (var fast = new NpgsqlConnection(api.ConnectionString))
        {
            await fast.OpenAsync();
            await InsertChangeAsync(fast, late);
        }

        var held = await (await partner.GetAsync($"/v1/changes?since={Uri.EscapeDataString(tail!)}")).AssertSuccessAsync();
        Assert.DoesNotContain(held.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == late);

        await transaction.CommitAsync();
        // Transaction ids are cluster-wide, so a transaction in another test's database may hold entries back a moment longer.
        var ids = new List<Guid>();
        var token = held.GetProperty("next").GetString()!;
        await Eventually.TrueAsync(async () =>
        {
            var released = await (await partner.GetAsync($"/v1/changes?since={Uri.EscapeDataString(token)}")).AssertSuccessAsync();
            ids.AddRange(released.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            token = released.GetProperty("next").GetString()!;
            return ids.Contains(late);
        }, "the committed entry to be released");
        Assert.Equal([early, late], ids.Where(id => id == early || id == late));

        static async Task InsertChangeAsync(NpgsqlConnection connection, Guid id)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO content_changes (op, resource_type, resource_id, slug, version, at) VALUES ('upsert', 'article', $1, 'x', 1, now())", connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = id });
            await insert.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task An_article_changed_through_its_quote_or_section_is_an_upsert_and_moves_the_feeds_last_modified()
    {
        var editor = await api.ClientWithScopesAsync("content:write", "content:publish");
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var quote = await editor.CreateQuoteAsync("The ferry will sail at nine.");
        var section = await editor.CreateSectionAsync();
        var story = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Ferry timetable"), section = section.GetProperty("slug").GetString(),
            body = new object[] { new { type = "paragraph", html = "Context." }, new { type = "quote", quoteId = quote.Id() } },
        });
        var draft = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Ferry draft"), body = new object[] { new { type = "quote", quoteId = quote.Id() } } });
        var state = new Dictionary<Guid, (string Op, int Version)>();
        var token = await PollUntilAsync(partner, null, state, Guid.Parse(story.Id()));
        var lastModified = (await api.CreateClient().GetAsync("/v1/feeds/articles.rss")).Content.Headers.LastModified;

        // The feed's Last-Modified has a resolution of a second.
        api.Clock.Advance(TimeSpan.FromSeconds(2));
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/quotes/{quote.Id()}", 1, new { text = "The ferry will sail at ten.", speaker = new { name = "Nia Pugh" } })).AssertSuccessAsync();
        state.Clear();
        token = await PollUntilAsync(partner, token, state, Guid.Parse(story.Id()));
        Assert.Equal(("upsert", story.Version()), state[Guid.Parse(story.Id())]);
        Assert.False(state.ContainsKey(Guid.Parse(draft.Id())), "A draft showed in the change feed.");
        Assert.True((await api.CreateClient().GetAsync("/v1/feeds/articles.rss")).Content.Headers.LastModified > lastModified,
            "The feed shows the new quote text but kept its Last-Modified, so If-Modified-Since would answer 304.");

        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/sections/{section.Id()}", section.Version(), new { name = Editorial.Unique("Ferries") })).AssertSuccessAsync();
        state.Clear();
        await PollUntilAsync(partner, token, state, Guid.Parse(story.Id()));
        Assert.Equal(("upsert", story.Version()), state[Guid.Parse(story.Id())]);
    }

    [Fact]
    public async Task An_event_held_by_another_worker_holds_back_the_later_events_of_its_article()
    {
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var tail = (await (await partner.GetAsync("/v1/changes")).AssertSuccessAsync()).GetProperty("next").GetString()!;
        var story = Guid.CreateVersion7();
        var later = api.Clock.GetUtcNow().AddHours(1);
        await RecordAsync(ContentEventTypes.ArticleUpdated, "article", story, 2, later);
        await RecordAsync(ContentEventTypes.ArticleUnpublished, "article", story, 3, later.AddSeconds(1));
        // The webhook dispatcher (or another node's recorder) holds the earlier event while it works on it.
        await using var dispatcher = new NpgsqlConnection(api.ConnectionString);
        await dispatcher.OpenAsync();
        var holding = await dispatcher.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM content_events WHERE resource_id = $1 AND version = 2 FOR UPDATE", dispatcher))
        {
            hold.Parameters.Add(new NpgsqlParameter { Value = story });
            Assert.Equal(1, await hold.ExecuteScalarAsync());
        }

        api.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            // A pass of the recorder while the update is held (run here, not waited for from its poll): one that jumps the
            // held update records the delete now, ahead of it. The feed itself shows neither until the holder commits (it
            // stops below running transactions), so the order of the entries is what tells.
            await api.Services.GetServices<IHostedService>().OfType<ChangeFeedRecorder>().Single().RecordDueAsync(CancellationToken.None);

            await holding.CommitAsync();
            var entries = new List<(string Op, int Version)>();
            var token = tail;
            await Eventually.TrueAsync(async () =>
            {
                var page = await (await partner.GetAsync($"/v1/changes?since={Uri.EscapeDataString(token)}")).AssertSuccessAsync();
                entries.AddRange(page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("id").GetGuid() == story)
                    .Select(i => (i.GetProperty("op").GetString()!, i.GetProperty("version").GetInt32())));
                token = page.GetProperty("next").GetString()!;
                return entries.Count == 2;
            }, "both events of the article to be recorded");
            Assert.Equal([("upsert", 2), ("delete", 3)], entries);
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromHours(-2));
            await holding.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_reader_paging_the_change_feed_while_editors_work_ends_with_exactly_the_published_articles()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var state = new Dictionary<Guid, (string Op, int Version)>();
        var token = (await (await partner.GetAsync("/v1/changes")).AssertSuccessAsync()).GetProperty("next").GetString();

        var kept = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Harbour dues frozen"), body = Editorial.OneParagraph() });
        var dropped = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Ferry strike called off"), body = Editorial.OneParagraph() });
        var returned = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Market hall reopens"), body = Editorial.OneParagraph() });
        token = await PollUntilAsync(partner, token, state, Guid.Parse(kept.Id()), Guid.Parse(dropped.Id()), Guid.Parse(returned.Id()));

        var edited = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{kept.Id()}", kept.Version(),
            new { headline = "Harbour dues frozen for a second year", body = Editorial.OneParagraph() })).AssertSuccessAsync();
        var unpublished = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{dropped.Id()}/unpublish", dropped.Version(), new { })).AssertSuccessAsync();
        var down = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{returned.Id()}/unpublish", returned.Version(), new { })).AssertSuccessAsync();
        var up = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{returned.Id()}/publish", down.Version(), new { })).AssertSuccessAsync();
        await Eventually.TrueAsync(async () =>
        {
            token = await PollUntilAsync(partner, token, state);
            return state.GetValueOrDefault(Guid.Parse(kept.Id())).Version == edited.Version()
                && state.GetValueOrDefault(Guid.Parse(dropped.Id())).Op == "delete" && state.GetValueOrDefault(Guid.Parse(returned.Id())).Version == up.Version();
        }, "the feed to show the edit, the unpublication and the republication");

        var mirrored = state.Where(e => e.Value.Op == "upsert").Select(e => e.Key.ToString()).ToHashSet();
        var ours = new[] { kept.Id(), dropped.Id(), returned.Id() };
        var published = (await api.CreateClient().GetJsonAsync("/v1/articles?limit=100")).GetProperty("items").EnumerateArray()
            .Select(i => i.Id()).Where(ours.Contains).ToHashSet();
        Assert.Equal(published.Order(), mirrored.Where(ours.Contains).Order());
        Assert.Equal([kept.Id(), returned.Id()], published.Order());
        Assert.Equal(unpublished.Version(), state[Guid.Parse(dropped.Id())].Version);
    }

    /// <summary>A partner key limited to <paramref name="sections"/> or <paramref name="tags"/>, and the feed's current tail.</summary>
    private async Task<(HttpClient Client, string Token)> LimitedPartnerAsync(string[]? sections = null, string[]? tags = null)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await api.CreateKeyAsync(["feeds:partner"], sections, tags));
        return (client, (await client.GetJsonAsync("/v1/changes")).GetProperty("next").GetString()!);
    }

    /// <summary>Polls until the newest entry for <paramref name="id"/> has <paramref name="op"/>, applying entries to <paramref name="state"/>.</summary>
    private static async Task<string> PollUntilOpAsync(HttpClient partner, string token, Dictionary<Guid, (string Op, int Version)> state, Guid id, string op)
    {
        await Eventually.TrueAsync(async () =>
        {
            token = (await PollUntilAsync(partner, token, state))!;
            return state.GetValueOrDefault(id).Op == op;
        }, $"the feed's newest entry for {id} to be {op}");
        return token;
    }

    [Fact]
    public async Task A_partner_limited_to_a_section_gets_a_delete_when_an_article_moves_out_and_an_upsert_when_it_moves_back()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var (home, away, elsewhere) = ((await editor.CreateSectionAsync()).GetProperty("slug").GetString()!,
            (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!, (await editor.CreateSectionAsync()).GetProperty("slug").GetString()!);
        var (homePartner, homeToken) = await LimitedPartnerAsync(sections: [home]);
        var (awayPartner, awayToken) = await LimitedPartnerAsync(sections: [away]);
        var (otherPartner, otherToken) = await LimitedPartnerAsync(sections: [elsewhere]);
        var (homeState, awayState, otherState) = (new Dictionary<Guid, (string Op, int Version)>(), new Dictionary<Guid, (string Op, int Version)>(), new Dictionary<Guid, (string Op, int Version)>());
        var headline = Editorial.Unique("Lifeboat station extension approved");
        var article = await editor.CreatePublishedAsync(new { headline, section = home, body = Editorial.OneParagraph() });
        var id = Guid.Parse(article.Id());
        homeToken = await PollUntilOpAsync(homePartner, homeToken, homeState, id, "upsert");

        var moved = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{id}", article.Version(),
            new { headline, section = away, body = Editorial.OneParagraph() })).AssertSuccessAsync();
        homeToken = await PollUntilOpAsync(homePartner, homeToken, homeState, id, "delete");
        awayToken = await PollUntilOpAsync(awayPartner, awayToken, awayState, id, "upsert");
        Assert.Equal(moved.Version(), awayState[id].Version);

        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{id}", moved.Version(),
            new { headline, section = home, body = Editorial.OneParagraph() })).AssertSuccessAsync();
        await PollUntilOpAsync(homePartner, homeToken, homeState, id, "upsert");
        await PollUntilOpAsync(awayPartner, awayToken, awayState, id, "delete");

        // A partner whose section the article never entered hears nothing of it.
        await PollUntilAsync(otherPartner, otherToken, otherState);
        Assert.False(otherState.ContainsKey(id));
    }

    [Fact]
    public async Task A_partner_limited_to_a_tag_gets_a_delete_when_an_article_loses_the_tag_and_an_upsert_when_it_gets_it_back()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var tag = Editorial.Unique("Ferries");
        var tagSlug = tag.ToLowerInvariant().Replace(' ', '-');
        await editor.CreateArticleAsync(new { headline = Editorial.Unique("Ferry draft"), tags = new[] { tag } }); // a partner is limited to tags that exist
        var (partner, token) = await LimitedPartnerAsync(tags: [tagSlug]);
        var state = new Dictionary<Guid, (string Op, int Version)>();
        var headline = Editorial.Unique("Holyhead sailings resume");
        var article = await editor.CreatePublishedAsync(new { headline, tags = new[] { tag }, body = Editorial.OneParagraph() });
        var id = Guid.Parse(article.Id());
        token = await PollUntilOpAsync(partner, token, state, id, "upsert");

        var untagged = await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{id}", article.Version(),
            new { headline, tags = new[] { "Weather" }, body = Editorial.OneParagraph() })).AssertSuccessAsync();
        token = await PollUntilOpAsync(partner, token, state, id, "delete");
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, $"/v1/manage/articles/{id}", untagged.Version(),
            new { headline, tags = new[] { tag }, body = Editorial.OneParagraph() })).AssertSuccessAsync();
        await PollUntilOpAsync(partner, token, state, id, "upsert");
    }

    [Fact]
    public async Task The_change_feed_needs_a_partner_key_and_refuses_a_forged_token()
    {
        await (await api.CreateClient().GetAsync("/v1/changes")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        var writer = await api.ClientWithScopesAsync("content:write");
        await (await writer.GetAsync("/v1/changes")).AssertProblemAsync(HttpStatusCode.Forbidden);
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        await (await partner.GetAsync("/v1/changes?since=eyJUIjoiMCIsIlMiOjB9.Zm9yZ2Vk")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
