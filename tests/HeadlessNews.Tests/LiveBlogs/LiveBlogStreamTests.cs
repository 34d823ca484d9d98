using System.Diagnostics;
using System.Net;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.LiveBlogs;

/// <summary>Heartbeats every second, so keep-alive comments and the end of coverage show within a test's patience.</summary>
public class LiveStreamApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveBlogs:HeartbeatSeconds"] = "1",
        ["LiveBlogs:RetryMilliseconds"] = "2500",
    };
}

public sealed class LiveBlogStreamTests(LiveStreamApiFactory api) : IClassFixture<LiveStreamApiFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>A second API node on the first node's database.</summary>
    private sealed class SecondNode(string connectionString) : LiveStreamApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?>(base.Settings) { ["ConnectionStrings:HeadlessNews"] = connectionString };
    }

    [Fact]
    public async Task A_reader_gets_retry_advice_at_once_then_a_new_entry_as_entry_created_with_its_delivery_json()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Storm hits the Dee estuary");
        await using var stream = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live");
        Assert.Equal("no-store", stream.Response.Headers.CacheControl?.ToString());
        Assert.Equal("no", stream.Response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.Equal(2500, (await stream.NextAsync(Patience)).Retry);

        var entry = await editor.AddEntryAsync(blog, "Winds of 70 mph at Point of Ayr.", keyEvent: true);
        var created = await stream.NextEventAsync(Patience);
        Assert.Equal("entry.created", created.Event);
        Assert.Equal("1", created.Id);
        Assert.Equal(entry.Id(), created.Json.Id());
        Assert.Equal("<p>Winds of 70 mph at Point of Ayr.</p>\n", created.Json.GetProperty("bodyHtml").GetString());
        Assert.True(created.Json.GetProperty("keyEvent").GetBoolean());
    }

    [Fact]
    public async Task Resuming_with_Last_Event_ID_replays_each_entry_changed_since_once_as_it_is_now_in_order_and_then_streams_on()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Council votes on the bridge");
        var first = await editor.AddEntryAsync(blog, "Councillors arrive.");
        var second = await editor.AddEntryAsync(blog, "Debate opens.");
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, LiveBlogs.EntryUrl(blog, second), 1, new { body = Editorial.OneParagraph("Debate opens late.") }))
            .AssertSuccessAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendWithIfMatchAsync(HttpMethod.Delete, LiveBlogs.EntryUrl(blog, first), 1)).StatusCode);

        await using var stream = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live", lastEventId: "1");
        // The second entry was created and edited since: one entry.created with its text now; the first, seen before, is deleted.
        var replayed = new[] { await stream.NextEventAsync(Patience), await stream.NextEventAsync(Patience) };
        Assert.Equal(["3", "4"], replayed.Select(e => e.Id));
        Assert.Equal(["entry.created", "entry.deleted"], replayed.Select(e => e.Event));
        Assert.Equal(second.Id(), replayed[0].Json.Id());
        Assert.Equal("<p>Debate opens late.</p>\n", replayed[0].Json.GetProperty("bodyHtml").GetString());
        Assert.Equal(first.Id(), replayed[1].Json.Id());
        Assert.False(replayed[1].Json.TryGetProperty("bodyHtml", out _), "a deletion says which entry went, not what it said");

        await editor.AddEntryAsync(blog, "The vote is called.");
        var live = await stream.NextEventAsync(Patience);
        Assert.Equal("5", live.Id);
        Assert.Equal("entry.created", live.Event);

        await using var byQuery = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live?lastEventId=4");
        Assert.Equal("5", (await byQuery.NextEventAsync(Patience)).Id);
    }

    [Fact]
    public async Task A_replay_from_the_start_never_sends_an_entry_deleted_while_the_blog_was_a_draft_nor_an_entrys_earlier_text()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var draft = await editor.CreateArticleAsync(new
        {
            headline = Editorial.Unique("Lifeboat launch"), body = Editorial.OneParagraph("Follow the latest."), format = "liveblog",
            coverageStartTime = DateTimeOffset.UtcNow.AddMinutes(-5),
        });
        var secret = await editor.AddEntryAsync(draft, "Unconfirmed: two crew hurt.");
        Assert.Equal(HttpStatusCode.NoContent, (await editor.SendWithIfMatchAsync(HttpMethod.Delete, LiveBlogs.EntryUrl(draft, secret), 1)).StatusCode);
        var kept = await editor.AddEntryAsync(draft, "The lifeboat launched at 9.");
        await (await editor.SendWithIfMatchAsync(HttpMethod.Put, LiveBlogs.EntryUrl(draft, kept), 1, new { body = Editorial.OneParagraph("The lifeboat launched at 9.15.") }))
            .AssertSuccessAsync();
        var blog = await (await editor.SendWithIfMatchAsync(HttpMethod.Post, $"/v1/manage/articles/{draft.Id()}/publish", draft.Version(), new { })).AssertSuccessAsync();

        await using var stream = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live", lastEventId: "0");
        var first = await stream.NextEventAsync(Patience);
        await editor.AddEntryAsync(blog, "Crew safe ashore.");
        var next = await stream.NextEventAsync(Patience);

        Assert.Equal(("entry.created", kept.Id(), "<p>The lifeboat launched at 9.15.</p>\n"), (first.Event, first.Json.Id(), first.Json.GetProperty("bodyHtml").GetString()));
        Assert.Equal("entry.created", next.Event);
        Assert.Contains("Crew safe ashore.", next.Json.GetProperty("bodyHtml").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("two crew hurt", first.Data + next.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_last_event_id_ahead_of_the_stream_resumes_from_now_instead_of_silencing_every_later_event()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Ferry strike, day two");
        await editor.AddEntryAsync(blog, "Pickets at the terminal.");
        // An id from before a database restore, or from another blog's stream.
        await using var stream = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live", lastEventId: "999999");
        await editor.AddEntryAsync(blog, "Talks resume at noon.");
        var next = await stream.NextEventAsync(Patience);
        Assert.Equal("2", next.Id);
        Assert.Equal("entry.created", next.Event);
    }

    [Fact]
    public async Task The_stream_sends_keep_alive_comments_and_ends_with_liveblog_ended_when_coverage_ends()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Eisteddfod final day", coverageEndTime: api.Clock.GetUtcNow().AddHours(1));
        await using var stream = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live");
        var clock = Stopwatch.StartNew();
        while ((await stream.NextAsync(Patience)).Comment is null)
        {
            Assert.True(clock.Elapsed < Patience, "No keep-alive comment arrived.");
        }

        api.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            Assert.Equal("liveblog.ended", (await stream.NextEventAsync(Patience)).Event);
            Assert.True(await stream.EndsWithinAsync(Patience), "The stream stayed open after liveblog.ended.");
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromHours(-2));
        }
    }

    [Fact]
    public async Task A_draft_or_standard_article_has_no_stream_and_a_malformed_last_event_id_is_refused()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var reader = api.CreateClient();
        var draft = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Secret plans"), body = Editorial.OneParagraph(), format = "liveblog" });
        await (await reader.GetAsync($"/v1/articles/{draft.Slug()}/live")).AssertProblemAsync(HttpStatusCode.NotFound);
        var standard = await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier reopens"), body = Editorial.OneParagraph() });
        await (await reader.GetAsync($"/v1/articles/{standard.Slug()}/live")).AssertProblemAsync(HttpStatusCode.NotFound);
        var blog = await editor.CreateLiveBlogAsync("Bridge vote");
        await (await reader.GetAsync($"/v1/articles/{blog.Slug()}/live?lastEventId=-1")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_entry_written_on_another_node_reaches_this_nodes_readers_through_one_listener_per_node()
    {
        await using var nodeB = new SecondNode(api.ConnectionString);
        await nodeB.InitializeAsync();
        var editorOnA = await api.ClientWithScopesAsync("*");
        var blog = await editorOnA.CreateLiveBlogAsync("Floods in Conwy");
        var readersOnB = new List<SseReader>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                readersOnB.Add(await SseReader.OpenAsync(nodeB.CreateClient(), $"/v1/articles/{blog.Slug()}/live"));
            }
            var entry = await editorOnA.AddEntryAsync(blog, "The river has burst its banks at Llanrwst.");
            foreach (var reader in readersOnB)
            {
                var created = await reader.NextEventAsync(Patience);
                Assert.Equal(entry.Id(), created.Json.Id());
            }
            Assert.Equal(2, await ListenersAsync());
        }
        finally
        {
            foreach (var reader in readersOnB)
            {
                await reader.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Readers_joining_or_resuming_a_live_blog_this_node_already_streams_need_no_database_query()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var blog = await editor.CreateLiveBlogAsync("Ferry cancelled at Holyhead");
        await using var first = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live");
        await first.NextAsync(Patience);
        await editor.AddEntryAsync(blog, "The 08:15 sailing is off.");
        await editor.AddEntryAsync(blog, "Coaches will run instead.");
        Assert.Equal("1", (await first.NextEventAsync(Patience)).Id);
        Assert.Equal("2", (await first.NextEventAsync(Patience)).Id);

        // A reconnect storm must not queue thousands of readers behind the connection pool: with the live blog's
        // tables locked, a reader that joins or resumes this node's stream is still served at once.
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockTables = new NpgsqlCommand("LOCK TABLE articles, published_articles, live_blog_updates IN ACCESS EXCLUSIVE MODE", connection, transaction))
        {
            await lockTables.ExecuteNonQueryAsync();
        }
        await using var joining = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live").WaitAsync(Patience);
        Assert.Equal(2500, (await joining.NextAsync(Patience)).Retry);
        await using var resuming = await SseReader.OpenAsync(api.CreateClient(), $"/v1/articles/{blog.Slug()}/live", lastEventId: "1").WaitAsync(Patience);
        Assert.Equal("2", (await resuming.NextEventAsync(Patience)).Id);
        await transaction.RollbackAsync();

        await editor.AddEntryAsync(blog, "Sailings resume at noon.");
        Assert.Equal("3", (await joining.NextEventAsync(Patience)).Id);
        Assert.Equal("3", (await resuming.NextEventAsync(Patience)).Id);
    }

    private async Task<int> ListenersAsync()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'headlessnews-live-listener'", connection);
        return Convert.ToInt32(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
