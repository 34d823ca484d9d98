using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Articles;

public sealed class ArticleWorkflowTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private Task<List<ContentEvent>> EventsAsync(string articleId) =>
        api.WithDbAsync(db => db.Set<ContentEvent>().AsNoTracking().Where(e => e.ResourceId == Guid.Parse(articleId)).OrderBy(e => e.Sequence).ToListAsync());

    private async Task<HttpClient> EditorAsync() => await api.ClientWithScopesAsync("content:write", "content:publish");

    private static string Url(JsonElement article) => $"/v1/manage/articles/{article.Id()}";

    [Fact]
    public async Task Publishing_now_makes_the_article_published_and_records_article_published()
    {
        var client = await EditorAsync();
        var published = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Now"), body = Editorial.OneParagraph() });
        Assert.Equal("published", published.GetProperty("status").GetString());
        Assert.Equal(published.GetProperty("publishAt").GetDateTimeOffset(), published.GetProperty("firstPublishedAt").GetDateTimeOffset());
        var events = await EventsAsync(published.Id());
        Assert.Equal([ContentEventTypes.ArticlePublished], events.Select(e => e.Type));
    }

    [Fact]
    public async Task Publishing_in_the_future_schedules_the_article_until_then()
    {
        var client = await EditorAsync();
        var publishAt = api.Clock.GetUtcNow().AddHours(3);
        var scheduled = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Later"), body = Editorial.OneParagraph() }, publishAt);
        Assert.Equal("scheduled", scheduled.GetProperty("status").GetString());
        var due = Assert.Single(await EventsAsync(scheduled.Id()));
        Assert.Equal(ContentEventTypes.ArticlePublished, due.Type);
        Assert.Equal(publishAt.AddTicks(-(publishAt.Ticks % TimeSpan.TicksPerSecond)), due.DueAt);

        api.Clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal("published", (await client.GetJsonAsync(Url(scheduled))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_embargo_delays_the_published_event_to_the_embargo()
    {
        var client = await EditorAsync();
        var embargoUntil = api.Clock.GetUtcNow().AddDays(1);
        var embargoed = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Embargoed"), body = Editorial.OneParagraph(), embargoUntil });
        var due = Assert.Single(await EventsAsync(embargoed.Id()));
        Assert.Equal(embargoUntil.AddTicks(-(embargoUntil.Ticks % TimeSpan.TicksPerSecond)), due.DueAt);
    }

    [Fact]
    public async Task A_back_dated_publication_keeps_its_date_as_first_published()
    {
        var client = await EditorAsync();
        var publishAt = new DateTimeOffset(2015, 7, 2, 10, 30, 0, TimeSpan.FromHours(1));
        var imported = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Archive import"), body = Editorial.OneParagraph() }, publishAt);
        Assert.Equal("published", imported.GetProperty("status").GetString());
        Assert.Equal("2015-07-02T09:30:00Z", imported.GetProperty("firstPublishedAt").GetString());
    }

    [Fact]
    public async Task Unpublishing_a_scheduled_article_deletes_its_pending_event()
    {
        var client = await EditorAsync();
        var scheduled = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Cancelled"), body = Editorial.OneParagraph() }, api.Clock.GetUtcNow().AddDays(2));
        var unpublished = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(scheduled) + "/unpublish", scheduled.Version())).AssertSuccessAsync();
        Assert.Equal("unpublished", unpublished.GetProperty("status").GetString());
        Assert.Empty(await EventsAsync(scheduled.Id()));
    }

    [Fact]
    public async Task Rescheduling_replaces_the_pending_event_with_one_at_the_new_time()
    {
        var client = await EditorAsync();
        var first = api.Clock.GetUtcNow().AddDays(2);
        var scheduled = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Moved"), body = Editorial.OneParagraph() }, first);
        var moved = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(scheduled) + "/publish", scheduled.Version(), new { publishAt = first.AddDays(1) })).AssertSuccessAsync();
        Assert.Equal("scheduled", moved.GetProperty("status").GetString());
        var due = Assert.Single(await EventsAsync(scheduled.Id()));
        Assert.True(due.DueAt > first.AddHours(23));
        Assert.Equal(moved.GetProperty("publishAt").GetDateTimeOffset(), moved.GetProperty("firstPublishedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_scheduled_article_edited_while_it_waits_is_announced_with_the_slug_and_version_it_goes_live_with()
    {
        var client = await EditorAsync();
        var scheduled = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Working title"), body = Editorial.OneParagraph() }, api.Clock.GetUtcNow().AddDays(1));
        var renamed = await (await client.SendWithIfMatchAsync(HttpMethod.Put, Url(scheduled), scheduled.Version(),
            new { headline = Editorial.Unique("Final title"), slug = $"final-title-{Guid.NewGuid():N}", body = Editorial.OneParagraph() })).AssertSuccessAsync();
        Assert.NotEqual(scheduled.GetProperty("slug").GetString(), renamed.GetProperty("slug").GetString());

        var due = Assert.Single(await EventsAsync(scheduled.Id()));
        Assert.Equal(ContentEventTypes.ArticlePublished, due.Type);
        Assert.Equal(renamed.GetProperty("slug").GetString(), due.Slug);
        Assert.Equal(renamed.Version(), due.Version);
    }

    [Fact]
    public async Task Unpublishing_a_live_article_records_article_unpublished_and_republishing_keeps_first_published()
    {
        var client = await EditorAsync();
        var live = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Live"), body = Editorial.OneParagraph() });
        var firstPublishedAt = live.GetProperty("firstPublishedAt").GetString();
        var down = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(live) + "/unpublish", live.Version())).AssertSuccessAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(5));
        var again = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(live) + "/publish", down.Version())).AssertSuccessAsync();
        Assert.Equal(firstPublishedAt, again.GetProperty("firstPublishedAt").GetString());
        Assert.NotEqual(firstPublishedAt, again.GetProperty("publishAt").GetString());
        Assert.Equal([ContentEventTypes.ArticlePublished, ContentEventTypes.ArticleUnpublished, ContentEventTypes.ArticlePublished],
            (await EventsAsync(live.Id())).Select(e => e.Type));
    }

    [Fact]
    public async Task Forbidden_transitions_are_409s()
    {
        var client = await EditorAsync();
        var draft = await client.CreateArticleAsync(new { headline = Editorial.Unique("Draft"), body = Editorial.OneParagraph() });
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/unpublish", 1)).AssertProblemAsync(HttpStatusCode.Conflict);
        var live = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/publish", 1)).AssertSuccessAsync();
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/publish", live.Version())).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, Url(draft), live.Version())).AssertSuccessAsync(HttpStatusCode.NoContent);
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, Url(draft), live.Version() + 1)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, Url(draft), live.Version() + 1, new { headline = "Edit archived" })).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Archiving_a_live_article_records_article_archived_and_restoring_makes_it_a_draft()
    {
        var client = await EditorAsync();
        var live = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Archive me"), body = Editorial.OneParagraph() });
        await (await client.SendWithIfMatchAsync(HttpMethod.Delete, Url(live), live.Version())).AssertSuccessAsync(HttpStatusCode.NoContent);
        Assert.Equal(ContentEventTypes.ArticleArchived, (await EventsAsync(live.Id())).Last().Type);
        var restored = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(live) + "/revisions/1/restore", live.Version() + 1)).AssertSuccessAsync();
        Assert.Equal("draft", restored.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Editing_a_visible_article_records_article_updated_but_editing_a_draft_records_nothing()
    {
        var client = await EditorAsync();
        var draft = await client.CreateArticleAsync(new { headline = Editorial.Unique("Quiet"), body = Editorial.OneParagraph() });
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, Url(draft), 1, new { headline = "Quiet edit", body = Editorial.OneParagraph() })).AssertSuccessAsync();
        Assert.Empty(await EventsAsync(draft.Id()));

        var live = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Loud"), body = Editorial.OneParagraph() });
        var edited = await (await client.SendWithIfMatchAsync(HttpMethod.Put, Url(live), live.Version(), new { headline = "Loud edit", body = Editorial.OneParagraph("Changed live.") })).AssertSuccessAsync();
        Assert.Equal("published", edited.GetProperty("status").GetString());
        Assert.Equal([ContentEventTypes.ArticlePublished, ContentEventTypes.ArticleUpdated], (await EventsAsync(live.Id())).Select(e => e.Type));
    }

    [Fact]
    public async Task An_edit_that_would_leave_a_published_or_scheduled_article_without_a_body_is_refused_as_publishing_is_and_changes_nothing()
    {
        var client = await EditorAsync();
        var section = await client.CreateSectionAsync();
        var headline = Editorial.Unique("Menai bridge report");
        var live = await client.CreatePublishedAsync(new { headline, section = section.GetProperty("slug").GetString(), body = Editorial.OneParagraph("Repairs to cost £40m.") });
        var scheduled = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Menai tomorrow"), body = Editorial.OneParagraph() }, api.Clock.GetUtcNow().AddHours(3));
        foreach (var article in new[] { live, scheduled })
        {
            var problem = await (await client.SendWithIfMatchAsync(HttpMethod.Put, Url(article), article.Version(), new { headline = "Emptied", body = Array.Empty<object>() }))
                .AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.StartsWith("Publishing needs a headline and at least one body block.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var after = await client.GetJsonAsync(Url(article));
            Assert.Equal(article.Version(), after.Version());
            Assert.Equal(article.GetProperty("headline").GetString(), after.GetProperty("headline").GetString());
            Assert.Equal(1, after.GetProperty("body").GetArrayLength());
            Assert.Equal([ContentEventTypes.ArticlePublished], (await EventsAsync(article.Id())).Select(e => e.Type));
        }
        Assert.Equal(section.GetProperty("slug").GetString(), (await client.GetJsonAsync(Url(live))).GetProperty("section").GetProperty("slug").GetString());

        var draft = await client.CreateArticleAsync(new { headline = Editorial.Unique("Draft"), body = Editorial.OneParagraph() });
        await (await client.SendWithIfMatchAsync(HttpMethod.Put, Url(draft), draft.Version(), new { headline = "Draft emptied", body = Array.Empty<object>() })).AssertSuccessAsync();
    }

    [Fact]
    public async Task A_put_that_changes_nothing_keeps_the_version_writes_no_revision_and_records_no_event()
    {
        var client = await EditorAsync();
        var section = await client.CreateSectionAsync();
        var author = await client.CreateAuthorAsync();
        var content = new
        {
            headline = Editorial.Unique("Race to publish"),
            standfirst = "A close finish.",
            section = section.GetProperty("slug").GetString(),
            tags = new[] { "Regatta", "Menai Strait" },
            authors = new[] { author.GetProperty("slug").GetString() },
            body = new object[] { new { type = "paragraph", html = "race <b>on</b>" }, new { type = "heading", level = 2, text = "Results" } },
            embargoUntil = (DateTimeOffset?)null,
        };
        var live = await client.CreatePublishedAsync(content);
        var revisionsBefore = (await client.GetJsonAsync(Url(live) + "/revisions")).GetProperty("items").GetArrayLength();

        var response = await client.SendWithIfMatchAsync(HttpMethod.Put, Url(live), live.Version(), content);
        var same = await response.AssertSuccessAsync();
        Assert.Equal(live.Version(), same.Version());
        Assert.Equal($"\"{live.Version()}\"", response.Headers.ETag?.Tag);
        Assert.Equal(live.GetProperty("updatedAt").GetString(), same.GetProperty("updatedAt").GetString());
        Assert.Equal(revisionsBefore, (await client.GetJsonAsync(Url(live) + "/revisions")).GetProperty("items").GetArrayLength());
        Assert.Equal([ContentEventTypes.ArticlePublished], (await EventsAsync(live.Id())).Select(e => e.Type));

        var changed = await (await client.SendWithIfMatchAsync(HttpMethod.Put, Url(live), live.Version(), content with { standfirst = "A closer finish." })).AssertSuccessAsync();
        Assert.Equal(live.Version() + 1, changed.Version());
        Assert.Equal([ContentEventTypes.ArticlePublished, ContentEventTypes.ArticleUpdated], (await EventsAsync(live.Id())).Select(e => e.Type));
    }

    [Fact]
    public async Task Scheduling_again_for_the_same_moment_keeps_the_version_and_writes_no_revision()
    {
        var client = await EditorAsync();
        var publishAt = api.Clock.GetUtcNow().AddHours(3);
        var scheduled = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Rescheduled"), body = Editorial.OneParagraph() }, publishAt);
        var revisionsBefore = (await client.GetJsonAsync(Url(scheduled) + "/revisions")).GetProperty("items").GetArrayLength();

        var again = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(scheduled) + "/publish", scheduled.Version(), new { publishAt = publishAt.ToOffset(TimeSpan.FromHours(1)) })).AssertSuccessAsync();
        Assert.Equal(scheduled.Version(), again.Version());
        Assert.Equal("scheduled", again.GetProperty("status").GetString());
        Assert.Equal(revisionsBefore, (await client.GetJsonAsync(Url(scheduled) + "/revisions")).GetProperty("items").GetArrayLength());
        Assert.Single(await EventsAsync(scheduled.Id()));

        var moved = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(scheduled) + "/publish", scheduled.Version(), new { publishAt = publishAt.AddHours(1) })).AssertSuccessAsync();
        Assert.Equal(scheduled.Version() + 1, moved.Version());
    }

    [Fact]
    public async Task A_correction_to_an_article_readers_have_never_been_shown_is_a_409_until_it_is_published()
    {
        var client = await EditorAsync();
        var draft = await client.CreateArticleAsync(new { headline = Editorial.Unique("Uncorrectable draft"), body = Editorial.OneParagraph() });
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/corrections", draft.Version(), new { text = "Not yet." })).AssertProblemAsync(HttpStatusCode.Conflict);

        var publishAt = api.Clock.GetUtcNow().AddHours(3);
        var scheduled = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/publish", draft.Version(), new { publishAt })).AssertSuccessAsync();
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/corrections", scheduled.Version(), new { text = "Still not." })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Empty((await client.GetJsonAsync(Url(draft))).GetProperty("corrections").EnumerateArray());

        api.Clock.Advance(TimeSpan.FromHours(3) + TimeSpan.FromSeconds(1));
        var corrected = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/corrections", scheduled.Version(), new { text = "The date was wrong." })).AssertSuccessAsync();
        Assert.Equal("The date was wrong.", corrected.GetProperty("corrections")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_story_scheduled_then_taken_back_before_its_time_was_never_published_and_takes_no_correction()
    {
        var client = await EditorAsync();
        var draft = await client.CreateArticleAsync(new { headline = Editorial.Unique("Withdrawn before dawn"), body = Editorial.OneParagraph() });
        var scheduled = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/publish", draft.Version(), new { publishAt = api.Clock.GetUtcNow().AddHours(1) })).AssertSuccessAsync();
        var withdrawn = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/unpublish", scheduled.Version(), new { })).AssertSuccessAsync();
        Assert.Equal(JsonValueKind.Null, withdrawn.GetProperty("firstPublishedAt").ValueKind);

        api.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/corrections", withdrawn.Version(), new { text = "Nobody read it." })).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Corrections_are_appended_with_a_timestamp()
    {
        var client = await EditorAsync();
        var live = await client.CreatePublishedAsync(new { headline = Editorial.Unique("Corrected"), body = Editorial.OneParagraph() });
        var once = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(live) + "/corrections", live.Version(), new { text = "The pier is 700 metres long, not 900." })).AssertSuccessAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(10));
        var twice = await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(live) + "/corrections", once.Version(), new { text = "The manager's name is Siân." })).AssertSuccessAsync();
        var corrections = twice.GetProperty("corrections").EnumerateArray().ToList();
        Assert.Equal(2, corrections.Count);
        Assert.Equal("The pier is 700 metres long, not 900.", corrections[0].GetProperty("text").GetString());
        Assert.True(corrections[1].GetProperty("at").GetDateTimeOffset() - corrections[0].GetProperty("at").GetDateTimeOffset() >= TimeSpan.FromMinutes(10));
        await (await client.SendWithIfMatchAsync(HttpMethod.Post, Url(live) + "/corrections", twice.Version(), new { text = "" })).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Scopes_split_writing_from_publishing()
    {
        var writer = await api.ClientWithScopesAsync("content:write");
        var publisher = await api.ClientWithScopesAsync("content:publish");
        var draft = await writer.CreateArticleAsync(new { headline = Editorial.Unique("Scoped"), body = Editorial.OneParagraph() });
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/publish", 1)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.SendWithIfMatchAsync(HttpMethod.Delete, Url(draft), 1)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await publisher.PostAsync("/v1/manage/articles", System.Net.Http.Json.JsonContent.Create(new { headline = "x" }))).StatusCode);
        await publisher.GetJsonAsync(Url(draft));
        await (await publisher.SendWithIfMatchAsync(HttpMethod.Post, Url(draft) + "/publish", 1)).AssertSuccessAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync(Url(draft))).StatusCode);
    }

    [Fact]
    public async Task The_same_idempotency_key_creates_one_article()
    {
        var client = await EditorAsync();
        var headline = Editorial.Unique("Once");
        var key = Guid.NewGuid().ToString();
        async Task<JsonElement> SendAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/articles") { Content = System.Net.Http.Json.JsonContent.Create(new { headline }) };
            request.Headers.Add("Idempotency-Key", key);
            return await (await client.SendAsync(request)).AssertSuccessAsync(HttpStatusCode.Created);
        }
        Assert.Equal((await SendAsync()).Id(), (await SendAsync()).Id());
        Assert.Equal(1, await api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Articles.Article>().CountAsync(a => a.Headline == headline)));
    }

    [Fact]
    public async Task The_same_idempotency_key_sent_many_times_at_once_creates_one_article()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var headline = Editorial.Unique("Double click");
        var key = Guid.NewGuid().ToString();
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/articles") { Content = System.Net.Http.Json.JsonContent.Create(new { headline }) };
            request.Headers.Add("Idempotency-Key", key);
            var response = await client.SendAsync(request);
            return (response.StatusCode, Id: response.StatusCode == HttpStatusCode.Created ? (await response.Content.ReadFromJsonAsync<JsonElement>()).Id() : null);
        }));

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Single(answers.Where(a => a.Id is not null).Select(a => a.Id).Distinct());
        Assert.Equal(1, await api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Articles.Article>().CountAsync(a => a.Headline == headline)));
    }
}
