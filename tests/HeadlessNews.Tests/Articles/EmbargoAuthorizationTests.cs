using System.Net;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Articles;

/// <summary>Visibility never changes through a content:write call; a content:publish caller's embargo change is published, evicted and fed.</summary>
public sealed class EmbargoAuthorizationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset FarFuture = new(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset WholeSecond(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));

    private static string Url(JsonElement article) => $"/v1/manage/articles/{article.Id()}";

    private static string Slug(JsonElement article) => article.GetProperty("slug").GetString()!;

    private static DateTimeOffset? Embargo(JsonElement article) =>
        article.GetProperty("embargoUntil").ValueKind == JsonValueKind.Null ? null : article.GetProperty("embargoUntil").GetDateTimeOffset();

    /// <summary>A PUT body with the story's headline and a paragraph, plus <paramref name="extra"/> (a null value is sent as null, not left out).</summary>
    private static Dictionary<string, object?> Content(JsonElement article, params (string Name, object? Value)[] extra)
    {
        var body = new Dictionary<string, object?> { ["headline"] = article.GetProperty("headline").GetString(), ["body"] = Editorial.OneParagraph() };
        foreach (var (name, value) in extra)
        {
            body[name] = value;
        }
        return body;
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, JsonElement article, Dictionary<string, object?> body) =>
        client.SendWithIfMatchAsync(HttpMethod.Put, Url(article), article.Version(), body);

    private Task<List<ContentEvent>> EventsAsync(JsonElement article) =>
        api.WithDbAsync(db => db.Set<ContentEvent>().AsNoTracking().Where(e => e.ResourceId == Guid.Parse(article.Id())).OrderBy(e => e.Sequence).ToListAsync());

    private async Task<(HttpClient Editor, HttpClient Writer, HttpClient Reader)> ClientsAsync() =>
        (await api.ClientWithScopesAsync("content:write", "content:publish"), await api.ClientWithScopesAsync("content:write"), api.CreateClient());

    private static Task<JsonElement> CreateStoryAsync(HttpClient editor, string headline, DateTimeOffset? embargoUntil = null) =>
        editor.CreatePublishedAsync(new { headline = Editorial.Unique(headline), body = Editorial.OneParagraph(), embargoUntil });

    private static async Task AssertUnchangedAsync(HttpClient editor, JsonElement article, DateTimeOffset? embargo)
    {
        var now = await editor.GetJsonAsync(Url(article));
        Assert.Equal(article.Version(), now.Version());
        Assert.Equal(embargo, Embargo(now));
    }

    [Fact]
    public async Task A_content_write_key_cannot_lift_an_embargo()
    {
        var (editor, writer, reader) = await ClientsAsync();
        var embargo = WholeSecond(api.Clock.GetUtcNow().AddHours(2));
        var story = await CreateStoryAsync(editor, "Council tax rise under embargo", embargo);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{Slug(story)}")).StatusCode);

        foreach (var lifted in new DateTimeOffset?[] { null, WholeSecond(api.Clock.GetUtcNow().AddMinutes(-1)) })
        {
            await (await PutAsync(writer, story, Content(story, ("embargoUntil", lifted)))).AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        await AssertUnchangedAsync(editor, story, embargo);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{Slug(story)}")).StatusCode);
        Assert.DoesNotContain(Slug(story), await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);
        Assert.All(await EventsAsync(story), e => Assert.Equal(embargo, e.DueAt));
    }

    [Fact]
    public async Task A_content_write_key_cannot_hide_a_live_story_behind_a_far_future_embargo()
    {
        var (editor, writer, reader) = await ClientsAsync();
        var story = await CreateStoryAsync(editor, "Ferry timetable restored");
        await reader.GetJsonAsync($"/v1/articles/{Slug(story)}");

        await (await PutAsync(writer, story, Content(story, ("embargoUntil", FarFuture)))).AssertProblemAsync(HttpStatusCode.Forbidden);

        await AssertUnchangedAsync(editor, story, null);
        await reader.GetJsonAsync($"/v1/articles/{Slug(story)}");
        Assert.Equal([ContentEventTypes.ArticlePublished], (await EventsAsync(story)).Select(e => e.Type));
    }

    [Fact]
    public async Task A_put_that_omits_embargoUntil_keeps_it_for_every_caller()
    {
        var (editor, writer, reader) = await ClientsAsync();
        var embargo = WholeSecond(api.Clock.GetUtcNow().AddHours(3));
        var story = await CreateStoryAsync(editor, "Hospital league tables", embargo);

        var edited = await (await PutAsync(writer, story, Content(story, ("standfirst", "Edited by a reporter.")))).AssertSuccessAsync();
        Assert.Equal(embargo, Embargo(edited));
        var sameValue = await (await PutAsync(writer, edited, Content(story, ("embargoUntil", embargo.ToOffset(TimeSpan.FromHours(1)))))).AssertSuccessAsync();
        Assert.Equal(embargo, Embargo(sameValue));
        var byEditor = await (await PutAsync(editor, sameValue, Content(story, ("standfirst", "Edited by an editor.")))).AssertSuccessAsync();
        Assert.Equal(embargo, Embargo(byEditor));

        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{Slug(story)}")).StatusCode);
        Assert.Equal([ContentEventTypes.ArticlePublished], (await EventsAsync(story)).Select(e => e.Type));
    }

    [Fact]
    public async Task A_content_write_key_sets_an_embargo_on_create_but_cannot_change_it_afterwards()
    {
        var (_, writer, _) = await ClientsAsync();
        var embargo = WholeSecond(api.Clock.GetUtcNow().AddDays(1));
        var draft = await writer.CreateArticleAsync(new { headline = Editorial.Unique("Exam results"), body = Editorial.OneParagraph(), embargoUntil = embargo });
        Assert.Equal(embargo, Embargo(draft));

        await (await PutAsync(writer, draft, Content(draft, ("embargoUntil", embargo.AddHours(-12))))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await PutAsync(writer, draft, Content(draft, ("embargoUntil", null)))).AssertProblemAsync(HttpStatusCode.Forbidden);
        var undated = await writer.CreateArticleAsync(new { headline = Editorial.Unique("Exam results, no embargo"), body = Editorial.OneParagraph() });
        await (await PutAsync(writer, undated, Content(undated, ("embargoUntil", embargo)))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await AssertUnchangedAsync(writer, draft, embargo);
    }

    [Fact]
    public async Task A_correction_by_a_content_write_key_leaves_visibility_as_it_was()
    {
        var (editor, writer, reader) = await ClientsAsync();
        var embargoed = await CreateStoryAsync(editor, "Embargoed budget", WholeSecond(api.Clock.GetUtcNow().AddHours(2)));
        var live = await CreateStoryAsync(editor, "Live budget");

        foreach (var story in new[] { embargoed, live })
        {
            await (await writer.SendWithIfMatchAsync(HttpMethod.Post, Url(story) + "/corrections", story.Version(), new { text = "The figure is £2m, not £3m." })).AssertSuccessAsync();
        }

        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{Slug(embargoed)}")).StatusCode);
        await reader.GetJsonAsync($"/v1/articles/{Slug(live)}");
    }

    [Fact]
    public async Task A_content_publish_key_lifting_an_embargo_publishes_the_story_once_and_evicts_the_cached_404()
    {
        var (editor, _, reader) = await ClientsAsync();
        var story = await CreateStoryAsync(editor, "Bridge reopening date", WholeSecond(api.Clock.GetUtcNow().AddHours(2)));
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{Slug(story)}")).StatusCode);

        var lifted = await (await PutAsync(editor, story, Content(story, ("embargoUntil", null)))).AssertSuccessAsync();

        Assert.Null(Embargo(lifted));
        Assert.Equal(story.Id(), (await reader.GetJsonAsync($"/v1/articles/{Slug(story)}")).Id());
        Assert.Contains(Slug(story), await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);
        var published = Assert.Single(await EventsAsync(story));
        Assert.Equal(ContentEventTypes.ArticlePublished, published.Type);
        Assert.True(published.DueAt <= api.Clock.GetUtcNow());
    }

    [Fact]
    public async Task A_content_publish_key_embargoing_a_live_story_takes_it_down_from_delivery_caches_and_the_change_feed()
    {
        var (editor, _, reader) = await ClientsAsync();
        var partner = await api.ClientWithScopesAsync("feeds:partner");
        var story = await CreateStoryAsync(editor, "Wind farm approved");
        await reader.GetJsonAsync($"/v1/articles/{Slug(story)}");
        Assert.Contains(Slug(story), await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);

        var embargoed = await (await PutAsync(editor, story, Content(story, ("embargoUntil", FarFuture)))).AssertSuccessAsync();

        Assert.Equal(FarFuture, Embargo(embargoed));
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/v1/articles/{Slug(story)}")).StatusCode);
        Assert.DoesNotContain(Slug(story), await reader.GetStringAsync("/v1/articles?limit=100"), StringComparison.Ordinal);
        var events = await EventsAsync(story);
        Assert.Equal([ContentEventTypes.ArticlePublished, ContentEventTypes.ArticleUnpublished], events.Where(e => e.DueAt < FarFuture).Select(e => e.Type));
        Assert.Equal(ContentEventTypes.ArticlePublished, Assert.Single(events, e => e.DueAt == FarFuture).Type);
        await LastChangeIsAsync(partner, Guid.Parse(story.Id()), "delete");
    }

    /// <summary>Reads the whole change feed again until the last entry for <paramref name="id"/> is <paramref name="expected"/>.</summary>
    private static Task LastChangeIsAsync(HttpClient partner, Guid id, string expected) =>
        Eventually.TrueAsync(async () =>
        {
            string? last = null;
            string? token = null;
            JsonElement page;
            do
            {
                page = await (await partner.GetAsync(token is null ? "/v1/changes" : $"/v1/changes?since={Uri.EscapeDataString(token)}")).AssertSuccessAsync();
                last = page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("id").GetGuid() == id).Select(i => i.GetProperty("op").GetString()).LastOrDefault() ?? last;
                token = page.GetProperty("next").GetString();
            }
            while (page.GetProperty("hasMore").GetBoolean());
            return last == expected;
            // Transaction ids are cluster-wide: a long transaction in another test's database (an import's chunk) holds entries back meanwhile.
        }, $"the change feed's last entry for {id} to be {expected}", seconds: 30);
}
