using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Api.Features.Audit;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Tips;

public sealed class TipManagementTests(TipsApiFactory api) : IClassFixture<TipsApiFactory>
{
    private async Task<(string Id, string Marker)> NewTipAsync(HttpClient newsroom)
    {
        var marker = Guid.NewGuid().ToString("N");
        await TipTestKit.SubmitAsync(api.CreateClient(), $"Flooding on the A55 at Llanfairfechan {marker}\n\nThe drains are blocked.");
        return (await TipTestKit.FindIdAsync(newsroom, marker), marker);
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string id, int version, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/tips/{id}") { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        return client.SendAsync(request);
    }

    [Fact]
    public async Task Every_read_of_a_tip_is_audited_with_who_read_which_tip()
    {
        var reader = await api.ClientWithScopesAsync("tips:read");
        var (id, _) = await NewTipAsync(await api.ClientWithScopesAsync("tips:manage"));
        await (await reader.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
        await (await reader.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();

        var reads = await api.WithDbAsync(db => db.Set<AuditEntry>().Where(e => e.ResourceId == id && e.Method == "GET").ToListAsync());
        Assert.True(reads.Count >= 2);
        Assert.All(reads, e => Assert.Equal("/v1/manage/tips/{id:guid}", e.Route));
        Assert.Contains(reads, e => e.ActorName == "test key tips:read");
        var admin = await api.ClientWithScopesAsync("*");
        await (await admin.GetAsync("/v1/manage/audit/verify")).AssertSuccessAsync();
    }

    [Fact]
    public async Task A_tip_moves_new_triaged_assigned_used_and_cannot_skip_or_go_back()
    {
        var newsroom = await api.ClientWithScopesAsync("tips:manage");
        var (id, _) = await NewTipAsync(newsroom);
        await (await PutAsync(newsroom, id, 1, new { status = "assigned" })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await newsroom.PutAsJsonAsync($"/v1/manage/tips/{id}", new { status = "triaged" })).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await (await PutAsync(newsroom, id, 1, new { status = "triaged" })).AssertSuccessAsync();
        await (await PutAsync(newsroom, id, 1, new { status = "assigned" })).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await PutAsync(newsroom, id, 2, new { status = "assigned", assignee = "Sioned" })).AssertSuccessAsync();
        var used = await (await PutAsync(newsroom, id, 3, new { status = "used", assignee = "Sioned" })).AssertSuccessAsync();
        Assert.Equal("used", used.GetProperty("status").GetString());
        await (await PutAsync(newsroom, id, 4, new { status = "new" })).AssertProblemAsync(HttpStatusCode.Conflict);
        var listed = await (await newsroom.GetAsync("/v1/manage/tips?status=used")).AssertSuccessAsync();
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Keeping_a_tip_that_is_linked_to_no_article_is_refused_rather_than_accepted_and_destroyed_later()
    {
        var newsroom = await api.ClientWithScopesAsync("tips:manage");
        var (id, _) = await NewTipAsync(newsroom);
        var problem = await (await PutAsync(newsroom, id, 1, new { status = "triaged", keep = true })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("keep", out _), problem.ToString());
        var tip = await (await newsroom.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
        Assert.Equal(("new", false, 1), (tip.GetProperty("status").GetString(), tip.GetProperty("keep").GetBoolean(), tip.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task A_tips_read_key_cannot_change_or_reply_and_a_content_key_cannot_read_tips()
    {
        var manager = await api.ClientWithScopesAsync("tips:manage");
        var (id, _) = await NewTipAsync(manager);
        var reader = await api.ClientWithScopesAsync("tips:read");
        await (await PutAsync(reader, id, 1, new { status = "triaged" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await reader.PostAsJsonAsync($"/v1/manage/tips/{id}/messages", new { text = "hi" })).AssertProblemAsync(HttpStatusCode.Forbidden);
        var writer = await api.ClientWithScopesAsync("content:write");
        await (await writer.GetAsync($"/v1/manage/tips/{id}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await manager.PostAsJsonAsync($"/v1/manage/tips/{id}/draft", new { })).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Changing_a_tip_answers_the_whole_tip_as_reading_it_does()
    {
        var newsroom = await api.ClientWithScopesAsync("tips:manage");
        var (id, marker) = await NewTipAsync(newsroom);
        var changed = await (await PutAsync(newsroom, id, 1, new { status = "triaged", assignee = "Sioned", notes = "Call the council" })).AssertSuccessAsync();
        var read = await (await newsroom.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
        Assert.Equal(read.GetRawText(), changed.GetRawText());
        Assert.Contains(marker, changed.GetProperty("messages")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(("Call the council", 2), (changed.GetProperty("notes").GetString(), changed.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task A_draft_without_content_write_is_403_before_its_body_is_read()
    {
        var manager = await api.ClientWithScopesAsync("tips:manage");
        var (id, _) = await NewTipAsync(manager);
        await (await manager.PostAsync($"/v1/manage/tips/{id}/draft", null)).AssertProblemAsync(HttpStatusCode.Forbidden);
        using var notJson = new StringContent("{", System.Text.Encoding.UTF8, "application/json");
        await (await manager.PostAsync($"/v1/manage/tips/{id}/draft", notJson)).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_draft_article_made_from_a_tip_quotes_it_stays_a_draft_and_is_linked()
    {
        var editor = await api.ClientWithScopesAsync("tips:manage", "content:write");
        var (id, marker) = await NewTipAsync(editor);
        var article = await (await editor.PostAsJsonAsync($"/v1/manage/tips/{id}/draft", new { headline = "A55 flooding <b>again</b>" })).AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal("draft", article.GetProperty("status").GetString());
        var body = article.GetProperty("body").EnumerateArray().Select(b => b.GetProperty("html").GetString()).ToList();
        Assert.Contains(body, html => html!.Contains(marker, StringComparison.Ordinal) && html.Contains('“'));
        Assert.Contains(body, html => html!.Contains("The drains are blocked.", StringComparison.Ordinal));
        var tip = await (await editor.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
        Assert.Equal(article.GetProperty("id").GetString(), tip.GetProperty("articleId").GetString());

        // A second draft would take the link from the first: refused, naming the article the tip has.
        var again = await (await editor.PostAsJsonAsync($"/v1/manage/tips/{id}/draft", new { headline = "A55 flooding, take two" })).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(article.GetProperty("id").GetString(), again.GetProperty("articleId").GetString());
        tip = await (await editor.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
        Assert.Equal(article.GetProperty("id").GetString(), tip.GetProperty("articleId").GetString());
    }

    [Fact]
    public async Task Bulk_decline_marks_the_named_open_tips_as_declined_spam()
    {
        var newsroom = await api.ClientWithScopesAsync("tips:manage");
        var (first, _) = await NewTipAsync(newsroom);
        var (second, _) = await NewTipAsync(newsroom);
        var declined = await (await newsroom.PostAsJsonAsync("/v1/manage/tips/decline", new { ids = new[] { first, second, Guid.NewGuid().ToString() } })).AssertSuccessAsync();
        Assert.Equal(2, declined.GetProperty("declined").GetInt32());
        foreach (var id in new[] { first, second })
        {
            Assert.Equal("declined", (await (await newsroom.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync()).GetProperty("status").GetString());
        }
        await (await newsroom.PostAsJsonAsync("/v1/manage/tips/decline", new { ids = Array.Empty<string>() })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await newsroom.PostAsJsonAsync("/v1/manage/tips/decline", new { ids = (string[]?)null })).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_new_tip_records_a_tip_received_event_carrying_only_its_id_and_the_hour()
    {
        var newsroom = await api.ClientWithScopesAsync("tips:read");
        var (id, _) = await NewTipAsync(newsroom);
        var received = await api.WithDbAsync(db => db.Set<ContentEvent>().SingleAsync(e => e.ResourceId == Guid.Parse(id)));
        Assert.Equal("tip.received", received.Type);
        Assert.Null(received.Slug);
        Assert.Equal(TimeSpan.Zero, received.OccurredAt.TimeOfDay - TimeSpan.FromHours(received.OccurredAt.TimeOfDay.Hours));
        var tip = await (await newsroom.GetAsync($"/v1/manage/tips/{id}")).AssertSuccessAsync();
        Assert.Equal(0, tip.GetProperty("receivedAt").GetDateTimeOffset().Minute);
    }

    [Fact]
    public async Task The_tips_list_pages_with_a_signed_cursor_and_refuses_an_unknown_status()
    {
        var newsroom = await api.ClientWithScopesAsync("tips:read");
        await NewTipAsync(newsroom);
        await NewTipAsync(newsroom);
        var first = await (await newsroom.GetAsync("/v1/manage/tips?limit=1")).AssertSuccessAsync();
        var next = first.GetProperty("next").GetString()!;
        var second = await (await newsroom.GetAsync($"/v1/manage/tips?limit=1&cursor={Uri.EscapeDataString(next)}")).AssertSuccessAsync();
        Assert.NotEqual(first.GetProperty("items")[0].GetProperty("id").GetString(), second.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.DoesNotContain("messages\":[", JsonSerializer.Serialize(first), StringComparison.Ordinal);
        await (await newsroom.GetAsync("/v1/manage/tips?status=spam")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await newsroom.GetAsync("/v1/manage/tips?cursor=forged")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
