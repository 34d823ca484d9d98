using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Notices;

public sealed class NoticeManagementTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private Task<HttpClient> DeskAsync() => api.ClientWithScopesAsync("notices:write");

    private Task<List<string>> EventsAsync(string id) => api.WithDbAsync(db => db.Set<ContentEvent>()
        .Where(e => e.ResourceId == Guid.Parse(id)).OrderBy(e => e.Sequence).Select(e => e.Type).ToListAsync());

    [Fact]
    public async Task Creating_a_notice_answers_201_with_location_etag_and_the_normalised_draft()
    {
        var desk = await DeskAsync();
        var request = NoticeRequests.Valid();
        request["body"] = "<p>Objections in writing.</p><script>alert('x')</script><p onclick=\"steal()\">Thank you.</p>";
        var response = await desk.PostAsJsonAsync("/v1/manage/notices", request);
        var notice = await response.AssertSuccessAsync(HttpStatusCode.Created);

        Assert.Equal($"/v1/manage/notices/{notice.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal("draft", notice.GetProperty("status").GetString());
        Assert.Equal(1, notice.Version());
        Assert.Equal("planning", notice.GetProperty("category").GetString());
        Assert.Equal(JsonValueKind.Null, notice.GetProperty("publishedAt").ValueKind);
        Assert.Equal("<p>Objections in writing.</p><p>Thank you.</p>", notice.GetProperty("body").GetString());
        Assert.Equal("LL30 2PD", notice.GetProperty("location").GetProperty("postcode").GetString());
        Assert.Equal(53.3209, notice.GetProperty("location").GetProperty("latitude").GetDouble());
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture), notice.GetProperty("effectiveFrom").GetDateTimeOffset());
        Assert.Equal("https://planning.example.gov.uk/plans.pdf", notice.GetProperty("attachments")[0].GetProperty("url").GetString());

        var read = await desk.GetAsync($"/v1/manage/notices/{notice.Id()}");
        var stored = await read.AssertSuccessAsync();
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        Assert.Equal(notice.GetProperty("body").GetString(), stored.GetProperty("body").GetString());
        Assert.Empty(await EventsAsync(notice.Id()));
    }

    [Fact]
    public async Task A_notice_without_a_location_has_a_null_location()
    {
        var desk = await DeskAsync();
        var request = NoticeRequests.Valid();
        request.Remove("location");
        var notice = await desk.CreateAsync(request);
        Assert.Equal(JsonValueKind.Null, notice.GetProperty("location").ValueKind);
    }

    [Fact]
    public async Task Publishing_sets_publishedAt_and_withdrawing_keeps_it_each_with_its_event()
    {
        var desk = await DeskAsync();
        var notice = await desk.CreateAsync(NoticeRequests.Valid());
        var before = api.Clock.GetUtcNow();

        var published = await desk.WorkflowAsync(notice.Id(), "publish", 1);
        Assert.Equal("published", published.GetProperty("status").GetString());
        Assert.Equal(2, published.Version());
        var publishedAt = published.GetProperty("publishedAt").GetDateTimeOffset();
        Assert.InRange(publishedAt, before.AddSeconds(-1), api.Clock.GetUtcNow().AddSeconds(1));

        var withdrawn = await desk.WorkflowAsync(notice.Id(), "withdraw", 2);
        Assert.Equal("withdrawn", withdrawn.GetProperty("status").GetString());
        Assert.Equal(publishedAt, withdrawn.GetProperty("publishedAt").GetDateTimeOffset());
        Assert.Equal(["notice.published", "notice.withdrawn"], await EventsAsync(notice.Id()));
    }

    [Theory]
    [InlineData("{", "application/json")]
    [InlineData("publish it", "text/plain")]
    public async Task A_workflow_action_sent_a_body_that_is_not_json_is_a_400_and_changes_nothing(string body, string contentType)
    {
        var desk = await DeskAsync();
        var notice = await desk.CreateAsync(NoticeRequests.Valid());
        HttpRequestMessage Publish(HttpContent content)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/manage/notices/{notice.Id()}/publish") { Content = content };
            request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
            return request;
        }

        var problem = await (await desk.SendAsync(Publish(new StringContent(body, System.Text.Encoding.UTF8, contentType)))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Malformed JSON", problem.GetProperty("title").GetString());
        Assert.Equal("draft", (await (await desk.GetAsync($"/v1/manage/notices/{notice.Id()}")).AssertSuccessAsync()).GetProperty("status").GetString());
        Assert.Equal("published", (await (await desk.SendAsync(Publish(JsonContent.Create(new { })))).AssertSuccessAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Editing_a_published_notice_records_notice_updated_but_editing_a_draft_records_no_event()
    {
        var desk = await DeskAsync();
        var request = NoticeRequests.Valid();
        var notice = await desk.CreateAsync(request);
        request["title"] = "Planning application: revised plans, Trinity Square, Llandudno";
        var edited = await (await desk.SendVersionedAsync(HttpMethod.Put, $"/v1/manage/notices/{notice.Id()}", 1, request)).AssertSuccessAsync();
        Assert.Equal(2, edited.Version());
        Assert.Empty(await EventsAsync(notice.Id()));

        await desk.WorkflowAsync(notice.Id(), "publish", 2);
        request["title"] = "Planning application: revised plans (amended), Trinity Square, Llandudno";
        request.Remove("attachments");
        var response = await desk.SendVersionedAsync(HttpMethod.Put, $"/v1/manage/notices/{notice.Id()}", 3, request);
        var live = await response.AssertSuccessAsync();
        Assert.Equal("\"4\"", response.Headers.ETag?.Tag);
        Assert.Equal("published", live.GetProperty("status").GetString());
        Assert.Equal(request["title"]!.GetValue<string>(), live.GetProperty("title").GetString());
        Assert.Equal(0, live.GetProperty("attachments").GetArrayLength());
        Assert.Equal(["notice.published", "notice.updated"], await EventsAsync(notice.Id()));
    }

    [Fact]
    public async Task The_revision_history_records_create_edit_publish_and_withdraw_with_who_and_when()
    {
        var desk = await DeskAsync();
        desk.DefaultRequestHeaders.Add("X-On-Behalf-Of", "Siân Hughes");
        var request = NoticeRequests.Valid();
        var notice = await desk.CreateAsync(request);
        var createdAt = api.Clock.GetUtcNow();
        api.Clock.Advance(TimeSpan.FromMinutes(10));
        request["title"] = "Planning application: corrected address, Trinity Square, Llandudno";
        await (await desk.SendVersionedAsync(HttpMethod.Put, $"/v1/manage/notices/{notice.Id()}", 1, request)).AssertSuccessAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(10));
        await desk.WorkflowAsync(notice.Id(), "publish", 2);
        api.Clock.Advance(TimeSpan.FromMinutes(10));
        await desk.WorkflowAsync(notice.Id(), "withdraw", 3);

        var history = await (await desk.GetAsync($"/v1/manage/notices/{notice.Id()}/revisions")).AssertSuccessAsync();
        var revisions = history.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([4, 3, 2, 1], revisions.Select(r => r.GetProperty("number").GetInt32()));
        Assert.Equal(["withdrawn", "published", "updated", "created"], revisions.Select(r => r.GetProperty("action").GetString()));
        Assert.All(revisions, r => Assert.Equal("Siân Hughes", r.GetProperty("onBehalfOf").GetString()));
        Assert.All(revisions, r => Assert.Equal("test key notices:write", r.GetProperty("keyName").GetString()));
        var times = revisions.Select(r => r.GetProperty("at").GetDateTimeOffset()).Reverse().ToList();
        Assert.InRange(times[0], createdAt.AddSeconds(-5), createdAt.AddSeconds(5));
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMinutes(10)));

        var first = await (await desk.GetAsync($"/v1/manage/notices/{notice.Id()}/revisions/1")).AssertSuccessAsync();
        Assert.Equal("created", first.GetProperty("action").GetString());
        Assert.Equal(notice.GetProperty("title").GetString(), first.GetProperty("notice").GetProperty("title").GetString());
        Assert.Equal("draft", first.GetProperty("notice").GetProperty("status").GetString());
        Assert.Equal("planning", first.GetProperty("notice").GetProperty("category").GetString());
        var second = await (await desk.GetAsync($"/v1/manage/notices/{notice.Id()}/revisions/2")).AssertSuccessAsync();
        Assert.Equal(request["title"]!.GetValue<string>(), second.GetProperty("notice").GetProperty("title").GetString());
        var fourth = await (await desk.GetAsync($"/v1/manage/notices/{notice.Id()}/revisions/4")).AssertSuccessAsync();
        Assert.Equal("withdrawn", fourth.GetProperty("notice").GetProperty("status").GetString());
        await (await desk.GetAsync($"/v1/manage/notices/{notice.Id()}/revisions/5")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_revision_stored_with_text_requests_may_no_longer_carry_still_reads()
    {
        var desk = await DeskAsync();
        var notice = await desk.CreateAsync(NoticeRequests.Valid());
        const string legacyTitle = "Bell\u0007 rings \uFFFF";
        var id = Guid.Parse(notice.Id());
        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE revisions SET snapshot = jsonb_set(snapshot, '{{title}}', to_jsonb({legacyTitle}::text)) WHERE resource_id = {id}"));

        var first = await (await desk.GetAsync($"/v1/manage/notices/{notice.Id()}/revisions/1")).AssertSuccessAsync();
        Assert.Equal(legacyTitle, first.GetProperty("notice").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Workflow_actions_the_state_forbids_are_409_and_change_nothing()
    {
        var desk = await DeskAsync();
        var notice = await desk.CreateAsync(NoticeRequests.Valid());
        var url = $"/v1/manage/notices/{notice.Id()}";
        await (await desk.SendVersionedAsync(HttpMethod.Post, $"{url}/withdraw", 1)).AssertProblemAsync(HttpStatusCode.Conflict);

        await desk.WorkflowAsync(notice.Id(), "publish", 1);
        await (await desk.SendVersionedAsync(HttpMethod.Post, $"{url}/publish", 2)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await desk.SendVersionedAsync(HttpMethod.Delete, url, 2)).AssertProblemAsync(HttpStatusCode.Conflict);

        await desk.WorkflowAsync(notice.Id(), "withdraw", 2);
        await (await desk.SendVersionedAsync(HttpMethod.Post, $"{url}/publish", 3)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await desk.SendVersionedAsync(HttpMethod.Post, $"{url}/withdraw", 3)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await desk.SendVersionedAsync(HttpMethod.Delete, url, 3)).AssertProblemAsync(HttpStatusCode.Conflict);

        var after = await (await desk.GetAsync(url)).AssertSuccessAsync();
        Assert.Equal(3, after.Version());
        Assert.Equal("withdrawn", after.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Deleting_a_draft_removes_it_with_its_history_and_frees_its_reference()
    {
        var desk = await DeskAsync();
        var request = NoticeRequests.Valid();
        var notice = await desk.CreateAsync(request);
        var url = $"/v1/manage/notices/{notice.Id()}";

        var deleted = await desk.SendVersionedAsync(HttpMethod.Delete, url, 1);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await desk.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await desk.GetAsync($"{url}/revisions")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await desk.GetAsync($"{url}/revisions/1")).AssertProblemAsync(HttpStatusCode.NotFound);

        var again = await desk.CreateAsync(request);
        Assert.NotEqual(notice.Id(), again.Id());
    }

    [Fact]
    public async Task Writes_without_If_Match_are_428_and_with_a_stale_version_412_with_currentVersion()
    {
        var desk = await DeskAsync();
        var request = NoticeRequests.Valid();
        var notice = await desk.CreateAsync(request);
        var url = $"/v1/manage/notices/{notice.Id()}";
        request["title"] = "Planning application: this edit must not land";

        await (await desk.SendVersionedAsync(HttpMethod.Put, url, null, request)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await (await desk.SendVersionedAsync(HttpMethod.Delete, url, null)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await (await desk.SendVersionedAsync(HttpMethod.Post, $"{url}/publish", null)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);

        foreach (var (method, target, body) in new[] { (HttpMethod.Put, url, request), (HttpMethod.Delete, url, null), (HttpMethod.Post, $"{url}/publish", null) })
        {
            var problem = await (await desk.SendVersionedAsync(method, target, 7, body)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
            Assert.Equal(1, problem.GetProperty("currentVersion").GetInt32());
        }

        var unchanged = await (await desk.GetAsync(url)).AssertSuccessAsync();
        Assert.Equal(1, unchanged.Version());
        Assert.Equal(notice.GetProperty("title").GetString(), unchanged.GetProperty("title").GetString());
        Assert.Equal("draft", unchanged.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_edits_from_the_same_version_at_once_land_one_and_refuse_the_other_with_412()
    {
        var desk = await DeskAsync();
        var request = NoticeRequests.Valid();
        var notice = await desk.CreateAsync(request);
        var url = $"/v1/manage/notices/{notice.Id()}";
        var edits = Enumerable.Range(1, 4).Select(i =>
        {
            var edit = JsonNode.Parse(request.ToJsonString())!.AsObject();
            edit["title"] = $"Concurrent edit {i}";
            return desk.SendVersionedAsync(HttpMethod.Put, url, 1, edit);
        }).ToList();
        var statuses = (await Task.WhenAll(edits)).Select(r => r.StatusCode).ToList();

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.PreconditionFailed));
        var history = await (await desk.GetAsync($"{url}/revisions")).AssertSuccessAsync();
        Assert.Equal(2, history.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_duplicate_reference_for_the_same_issuer_is_409_but_another_issuer_may_use_it()
    {
        var desk = await DeskAsync();
        var issuer = NoticeRequests.UniqueIssuer("Gwynedd Council");
        var first = NoticeRequests.Valid(issuer);
        await desk.CreateAsync(first);

        var duplicate = NoticeRequests.Valid(issuer);
        duplicate["reference"] = " " + first["reference"]!.GetValue<string>() + " ";
        var problem = await (await desk.PostAsJsonAsync("/v1/manage/notices", duplicate)).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(first["reference"]!.GetValue<string>(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var elsewhere = NoticeRequests.Valid();
        elsewhere["reference"] = first["reference"]!.GetValue<string>();
        await desk.CreateAsync(elsewhere);

        var other = await desk.CreateAsync(NoticeRequests.Valid(issuer));
        var renamed = NoticeRequests.Valid(issuer);
        renamed["reference"] = first["reference"]!.GetValue<string>();
        await (await desk.SendVersionedAsync(HttpMethod.Put, $"/v1/manage/notices/{other.Id()}", 1, renamed)).AssertProblemAsync(HttpStatusCode.Conflict);

        var list = await (await desk.GetAsync($"/v1/manage/notices?issuer={Uri.EscapeDataString(issuer)}")).AssertSuccessAsync();
        Assert.Equal(2, list.GetProperty("items").GetArrayLength());
        Assert.Equal(1, (await (await desk.GetAsync($"/v1/manage/notices/{other.Id()}")).AssertSuccessAsync()).Version());
    }

    public static TheoryData<string, Action<JsonObject>, string> BadNotices => new()
    {
        { "effectiveTo", n => { n["effectiveFrom"] = "2026-12-10T00:00:00Z"; n["effectiveTo"] = "2026-12-09T23:59:59Z"; }, "effectiveTo" },
        { "latitude 91", n => n["location"]!["latitude"] = 91, "location.latitude" },
        { "latitude written as a string", n => n["location"]!["latitude"] = "53.2274", "location.latitude" },
        { "longitude -181", n => n["location"]!["longitude"] = -181, "location.longitude" },
        { "latitude without longitude", n => n["location"]!.AsObject().Remove("longitude"), "location.latitude" },
        { "postcode", n => n["location"]!["postcode"] = "NOT A POSTCODE", "location.postcode" },
        { "http attachment", n => n["attachments"]![0]!["url"] = "http://planning.example.gov.uk/plans.pdf", "attachments[0].url" },
        { "javascript attachment", n => n["attachments"]![0]!["url"] = "javascript:alert(1)", "attachments[0].url" },
        { "missing reference", n => n.Remove("reference"), "reference" },
        { "missing category", n => n.Remove("category"), "category" },
        { "category in capitals", n => n["category"] = "Planning", "category" },
        { "missing issuer name", n => n["issuer"] = new JsonObject { ["name"] = " " }, "issuer.name" },
        { "null issuer", n => n["issuer"] = null, "issuer" },
        { "issuer without a name", n => n["issuer"] = new JsonObject(), "issuer.name" },
        { "null attachment", n => n["attachments"]![0] = null, "attachments[0]" },
        { "null attachment after a good one", n => n["attachments"]!.AsArray().Add(null), "attachments[1]" },
        { "body with only a script", n => n["body"] = "<script>alert(1)</script>", "body" },
    };

    [Theory]
    [MemberData(nameof(BadNotices))]
    public async Task Invalid_notices_are_400_validation_problems_keyed_by_field_and_nothing_is_written(string because, Action<JsonObject> spoil, string field)
    {
        var desk = await DeskAsync();
        var issuer = NoticeRequests.UniqueIssuer("Bad input " + because);
        var request = NoticeRequests.Valid(issuer);
        spoil(request);

        var problem = await (await desk.PostAsJsonAsync("/v1/manage/notices", request)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{because}: expected an error for {field} in {problem}");
        var list = await (await desk.GetAsync($"/v1/manage/notices?issuer={Uri.EscapeDataString(issuer)}")).AssertSuccessAsync();
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_category_outside_the_list_is_a_400_problem_and_nothing_is_written()
    {
        var desk = await DeskAsync();
        var issuer = NoticeRequests.UniqueIssuer("Bad category");
        var request = NoticeRequests.Valid(issuer);
        request["category"] = "weather";

        var problem = await (await desk.PostAsJsonAsync("/v1/manage/notices", request)).AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("category").EnumerateArray()).GetString();
        Assert.Contains("traffic_and_roads", message, StringComparison.Ordinal);
        var list = await (await desk.GetAsync($"/v1/manage/notices?issuer={Uri.EscapeDataString(issuer)}")).AssertSuccessAsync();
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task An_invalid_edit_is_400_and_leaves_the_notice_as_it_was()
    {
        var desk = await DeskAsync();
        var request = NoticeRequests.Valid();
        var notice = await desk.CreateAsync(request);
        request["location"]!["postcode"] = "NOT A POSTCODE";
        request["title"] = "Should not land";
        await (await desk.SendVersionedAsync(HttpMethod.Put, $"/v1/manage/notices/{notice.Id()}", 1, request)).AssertProblemAsync(HttpStatusCode.BadRequest);
        var unchanged = await (await desk.GetAsync($"/v1/manage/notices/{notice.Id()}")).AssertSuccessAsync();
        Assert.Equal(1, unchanged.Version());
        Assert.Equal(notice.GetProperty("title").GetString(), unchanged.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Notices_need_the_notices_write_scope()
    {
        var newsroom = await api.ClientWithScopesAsync("content:write", "content:publish");
        await (await newsroom.GetAsync("/v1/manage/notices")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await newsroom.PostAsJsonAsync("/v1/manage/notices", NoticeRequests.Valid())).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await api.CreateClient().GetAsync("/v1/manage/notices")).AssertProblemAsync(HttpStatusCode.Unauthorized);

        var admin = await api.ClientWithScopesAsync("*");
        await admin.CreateAsync(NoticeRequests.Valid());
    }

    [Fact]
    public async Task The_same_Idempotency_Key_replays_the_first_creation()
    {
        var desk = await DeskAsync();
        var issuer = NoticeRequests.UniqueIssuer("Idempotent council");
        var body = NoticeRequests.Valid(issuer).ToJsonString();
        async Task<HttpResponseMessage> PostAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/notices") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", "notice-" + issuer);
            return await desk.SendAsync(request);
        }

        var first = await (await PostAsync()).AssertSuccessAsync(HttpStatusCode.Created);
        var replay = await PostAsync();
        var second = await replay.AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal(first.Id(), second.Id());
        Assert.Equal("\"1\"", replay.Headers.ETag?.Tag);
        var list = await (await desk.GetAsync($"/v1/manage/notices?issuer={Uri.EscapeDataString(issuer)}")).AssertSuccessAsync();
        Assert.Equal(1, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_list_filters_by_status_category_and_issuer_and_pages_newest_first()
    {
        var desk = await DeskAsync();
        var issuer = NoticeRequests.UniqueIssuer("Listing council");
        var ids = new List<string>();
        foreach (var category in new[] { "planning", "licensing", "planning", "planning", "environment" })
        {
            var request = NoticeRequests.Valid(issuer);
            request["category"] = category;
            ids.Add((await desk.CreateAsync(request)).Id());
            api.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await desk.WorkflowAsync(ids[3], "publish", 1);

        var byIssuer = Uri.EscapeDataString(issuer);
        var firstPage = await desk.GetAsync($"/v1/manage/notices?issuer={byIssuer}&category=planning&limit=2");
        var page = await firstPage.AssertSuccessAsync();
        Assert.Equal([ids[3], ids[2]], page.GetProperty("items").EnumerateArray().Select(n => n.Id()));
        Assert.Contains("rel=\"next\"", firstPage.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
        var next = page.GetProperty("next").GetString();
        var secondPage = await (await desk.GetAsync($"/v1/manage/notices?issuer={byIssuer}&category=planning&limit=2&cursor={next}")).AssertSuccessAsync();
        Assert.Equal([ids[0]], secondPage.GetProperty("items").EnumerateArray().Select(n => n.Id()));
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("next").ValueKind);

        var published = await (await desk.GetAsync($"/v1/manage/notices?issuer={byIssuer}&status=published")).AssertSuccessAsync();
        Assert.Equal([ids[3]], published.GetProperty("items").EnumerateArray().Select(n => n.Id()));
        var drafts = await (await desk.GetAsync($"/v1/manage/notices?issuer={byIssuer}&status=draft&category=planning")).AssertSuccessAsync();
        Assert.Equal([ids[2], ids[0]], drafts.GetProperty("items").EnumerateArray().Select(n => n.Id()));
    }

    [Fact]
    public async Task Unknown_filter_values_are_an_empty_list_and_malformed_paging_is_400()
    {
        var desk = await DeskAsync();
        await desk.CreateAsync(NoticeRequests.Valid());
        var unknown = await (await desk.GetAsync("/v1/manage/notices?category=weather")).AssertSuccessAsync();
        Assert.Equal(0, unknown.GetProperty("items").GetArrayLength());
        var unknownStatus = await (await desk.GetAsync("/v1/manage/notices?status=archived")).AssertSuccessAsync();
        Assert.Equal(0, unknownStatus.GetProperty("items").GetArrayLength());
        await (await desk.GetAsync("/v1/manage/notices?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await desk.GetAsync("/v1/manage/notices?cursor=tampered")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_unknown_notice_is_404()
    {
        var desk = await DeskAsync();
        var id = Guid.CreateVersion7();
        await (await desk.GetAsync($"/v1/manage/notices/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await desk.SendVersionedAsync(HttpMethod.Post, $"/v1/manage/notices/{id}/publish", 1)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await desk.GetAsync($"/v1/manage/notices/{id}/revisions")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
