using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Reliability;

public sealed class InputLimitTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private Task<int> KeyCountAsync() => api.WithDbAsync(db => db.Set<ApiKey>().CountAsync());

    private Task<int[]> ContentCountsAsync() => api.WithDbAsync(async db => new[]
    {
        await db.Set<Article>().CountAsync(), await db.Set<Tag>().CountAsync(), await db.Set<Place>().CountAsync(),
        await db.Set<Section>().CountAsync(), await db.Set<Author>().CountAsync(), await db.Set<Notice>().CountAsync(),
    });

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static async Task<HttpResponseMessage> CreateKeyWithExtraAsync(HttpClient admin, string extraJson) =>
        await admin.PostAsync("/v1/manage/api-keys", Json($$"""{"name": "Llandudno desk {{Guid.NewGuid():N}}", "scopes": ["feeds:partner"], "extra": {{extraJson}}}"""));

    [Fact]
    public async Task Json_nested_deeper_than_the_limit_is_a_400_problem_and_writes_nothing()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        await (await CreateKeyWithExtraAsync(admin, Nested(40))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Fact]
    public async Task Json_nested_within_the_limit_is_accepted()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage", "feeds:partner");
        await (await CreateKeyWithExtraAsync(admin, Nested(30))).AssertSuccessAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("""{"name": "Conwy\u0000desk", "scopes": ["feeds:partner"]}""", "$.name")]
    [InlineData("""{"name": "Conwy desk", "scopes": ["feeds:partner", "\u0000"]}""", "$.scopes")]
    [InlineData("""{"name": "Conwy desk", "scopes": ["feeds:partner"], "sections": ["news\u0000"]}""", "$.sections")]
    public async Task A_nul_character_anywhere_in_a_json_string_is_a_400_invalid_text_problem_and_writes_nothing(string body, string path)
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        var problem = await (await admin.PostAsync("/v1/manage/api-keys", Json(body))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid text", problem.GetProperty("title").GetString());
        Assert.Contains(path, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Theory]
    [InlineData("/v1/manage/articles", """{"headline": "Menai\uFFFE"}""", "headline")]
    [InlineData("/v1/manage/articles", "{\"headline\": \"Menai\uFFFE\"}", "headline")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "tags": ["bridge\uFFFE"]}""", "tags[0]")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "places": ["Bangor", "Menai\uFFFE"]}""", "places[1]")]
    [InlineData("/v1/manage/sections", """{"name": "Môn\uFFFE"}""", "name")]
    [InlineData("/v1/manage/authors", """{"name": "Siân\uFFFE"}""", "name")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai\uFFFF"}""", "headline")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai\uFDD0"}""", "headline")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai \uD83F\uDFFE"}""", "headline")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai\ud800b"}""", "headline")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "tags": ["\udc00"]}""", "tags[0]")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai\u0001"}""", "headline")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai DEL\u007f"}""", "headline")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "standfirst": "C1 \u0085 next line"}""", "standfirst")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "body": [{"type": "paragraph", "html": "\u001b[31mred"}]}""", "body[0].html")]
    [InlineData("/v1/manage/notices", """{"reference": "R1", "category": "planning", "title": "Bell\u0007", "body": "<p>b</p>", "issuer": {"name": "Gwynedd"}}""", "title")]
    public async Task A_noncharacter_or_control_character_in_a_json_string_is_a_400_keyed_by_its_path_and_writes_nothing(string url, string body, string field)
    {
        var editor = await api.ClientWithScopesAsync("content:write", "notices:write");
        var before = await ContentCountsAsync();
        var problem = await (await editor.PostAsync(url, Json(body))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid text", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Contains("$." + field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await ContentCountsAsync());
    }

    [Theory]
    [InlineData("""{"headline": "Menai\ud800b"}""", "U+D800")]
    [InlineData("""{"headline": "Menai \ud83c\udf09 a\\ud800 \udfff"}""", "U+DFFF")]
    [InlineData("""{"headline": "Menai \ud83c\udf09\udbff"}""", "U+DBFF")]
    [InlineData("""{"headline": "Caf\u00e9 \u009b then \uffff"}""", "control characters other than tab, line feed and carriage return (found U+009B)")]
    [InlineData("""{"headline": "Caf\u00e9 \uffff then \u009b"}""", "Unicode noncharacters (found U+FFFF)")]
    public async Task The_first_refused_character_an_escaped_unpaired_surrogate_included_is_named_in_the_refusal(string body, string named)
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var problem = await (await editor.PostAsync("/v1/manage/articles", Json(body))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid text", problem.GetProperty("title").GetString());
        Assert.Contains(named.StartsWith("U+", StringComparison.Ordinal) ? $"unpaired surrogates (found {named})" : named,
            problem.GetProperty("errors").GetProperty("headline")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "embargoUntil": "9999-12-31T00:00:00Z"}""", "embargoUntil")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "embargoUntil": "0001-01-01T00:00:00Z"}""", "embargoUntil")]
    [InlineData("/v1/manage/sources", """{"kind": "report", "title": "Tide survey", "publishedOn": "0001-01-01"}""", "publishedOn")]
    public async Task A_date_at_the_far_ends_of_the_calendar_is_a_400_keyed_by_its_path_and_writes_nothing(string url, string body, string field)
    {
        var editor = await api.ClientWithScopesAsync("content:write", "content:publish");
        var before = await ContentCountsAsync();
        var problem = await (await editor.PostAsync(url, Json(body))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var message), problem.ToString());
        Assert.Contains("between 1000-01-01 and 8999-12-31", message[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await ContentCountsAsync());
    }

    [Theory]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "embargoUntil": "2026-12-08T10:00:00"}""", "embargoUntil")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "embargoUntil": "2026-12-08"}""", "embargoUntil")]
    [InlineData("/v1/manage/articles", """{"headline": "Menai", "format": "liveblog", "coverageStartTime": "2026-12-08T10:00:00.5"}""", "coverageStartTime")]
    [InlineData("/v1/manage/quotes", """{"text": "We reopen on Saturday.", "speaker": {"name": "Siân Morgan"}, "saidAt": "2026-03-02T10:00"}""", "saidAt")]
    [InlineData("/v1/manage/notices", """{"reference": "REF/offset", "category": "planning", "title": "Trinity Square", "body": "<p>Plans.</p>", "issuer": {"name": "Conwy"}, "effectiveTo": "2026-12-22T17:00:00"}""", "effectiveTo")]
    public async Task A_timestamp_without_an_offset_is_a_400_naming_the_field_and_writes_nothing(string url, string body, string field)
    {
        var editor = await api.ClientWithScopesAsync("content:write", "content:publish", "notices:write");
        var before = await ContentCountsAsync();
        var problem = await (await editor.PostAsync(url, Json(body))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var message), problem.ToString());
        Assert.Equal($"{field} needs a time zone offset, e.g. 2026-12-08T10:00:00Z or 2026-12-08T11:00:00+01:00.", message[0].GetString());
        Assert.Equal(before, await ContentCountsAsync());
    }

    [Fact]
    public async Task Scheduling_at_a_time_without_an_offset_is_refused_and_changes_nothing()
    {
        var editor = await api.ClientWithScopesAsync("content:write", "content:publish");
        var article = await (await editor.PostAsync("/v1/manage/articles",
            Json("""{"headline": "Menai bridge", "body": [{"type": "paragraph", "html": "Repairs."}]}"""))).AssertSuccessAsync(HttpStatusCode.Created);
        var url = $"/v1/manage/articles/{article.GetProperty("id").GetString()}";
        var publish = new HttpRequestMessage(HttpMethod.Post, $"{url}/publish") { Content = Json("""{"publishAt": "2026-12-08T10:00:00"}""") };
        publish.Headers.IfMatch.ParseAdd("\"1\"");
        var problem = await (await editor.SendAsync(publish)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("publishAt", out _), problem.ToString());
        var after = await (await editor.GetAsync(url)).AssertSuccessAsync();
        Assert.Equal(("draft", 1), (after.GetProperty("status").GetString(), after.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task Publishing_at_the_year_one_is_refused_and_search_still_answers()
    {
        var editor = await api.ClientWithScopesAsync("content:write", "content:publish");
        var word = "hynafol" + Guid.NewGuid().ToString("N")[..6];
        var article = await (await editor.PostAsync("/v1/manage/articles",
            Json($$"""{"headline": "An {{word}} harbour", "body": [{"type": "paragraph", "html": "Old stones."}]}"""))).AssertSuccessAsync(HttpStatusCode.Created);
        var publish = new HttpRequestMessage(HttpMethod.Post, $"/v1/manage/articles/{article.GetProperty("id").GetString()}/publish") { Content = Json("""{"publishAt": "0001-01-01T00:00:00Z"}""") };
        publish.Headers.IfMatch.ParseAdd("\"1\"");
        var problem = await (await editor.SendAsync(publish)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("publishAt", out _), problem.ToString());
        await (await api.CreateClient().GetAsync($"/v1/search?q={word}")).AssertSuccessAsync();
    }

    [Fact]
    public async Task Tabs_line_breaks_emoji_and_welsh_letters_are_accepted()
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var article = await (await editor.PostAsync("/v1/manage/articles",
            Json("""{"headline": "Pont\tMenai 📰", "standfirst": "Llŷn\r\nDŵr \uD83D\uDC1F"}"""))).AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal("Pont\tMenai 📰", article.GetProperty("headline").GetString());
        Assert.Equal("Llŷn\r\nDŵr 🐟", article.GetProperty("standfirst").GetString());
    }

    [Fact]
    public async Task A_nul_character_in_the_query_string_is_a_400_problem()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var value = await (await admin.GetAsync("/v1/manage/api-keys?cursor=abc%00def")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid text", value.GetProperty("title").GetString());
        var name = await (await admin.GetAsync("/v1/manage/api-keys?na%00me=1")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid text", name.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("Ceri\0Jones")]
    [InlineData("Ceri\u0001Jones")]
    [InlineData("Ceri\u001bJones")]
    public async Task A_nul_or_control_character_in_a_stored_header_is_a_400_problem_and_writes_nothing(string onBehalfOf)
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/api-keys") { Content = Json("""{"name": "Bangor desk", "scopes": ["feeds:partner"]}""") };
        request.Headers.TryAddWithoutValidation("X-On-Behalf-Of", onBehalfOf);
        var problem = await (await admin.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Invalid text", problem.GetProperty("title").GetString());
        Assert.Equal(before, await KeyCountAsync());
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public async Task Invalid_utf8_in_a_json_body_is_a_400_problem_and_writes_nothing(byte[] invalid)
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        var inString = Encoding.UTF8.GetBytes("{\"name\": \"Rhyl ").Concat(invalid).Concat(Encoding.UTF8.GetBytes(" desk\", \"scopes\": [\"feeds:partner\"]}")).ToArray();
        var outside = invalid.Concat(Encoding.UTF8.GetBytes("{\"name\": \"Rhyl desk\", \"scopes\": [\"feeds:partner\"]}")).ToArray();
        foreach (var bytes in new[] { inString, outside })
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            await (await admin.PostAsync("/v1/manage/api-keys", content)).AssertProblemAsync(HttpStatusCode.BadRequest);
        }
        Assert.Equal(before, await KeyCountAsync());
    }

    [Theory]
    [InlineData("application/json; charset=no-such-charset")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=\"utf-16\"")]
    public async Task A_json_body_in_a_charset_other_than_it_claims_is_a_4xx_problem_and_writes_nothing(string contentType)
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"name": "Wrexham", "scopes": []}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await admin.PostAsync("/v1/manage/api-keys", content);
        Assert.InRange((int)response.StatusCode, 400, 499);
        await response.AssertProblemAsync(response.StatusCode);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Fact]
    public async Task A_url_longer_than_the_limit_is_a_414_problem()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        await (await admin.GetAsync("/v1/manage/api-keys?cursor=" + new string('a', 5000))).AssertProblemAsync(HttpStatusCode.RequestUriTooLong);
        await (await admin.GetAsync("/v1/manage/api-keys?cursor=" + new string('a', 3000))).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Headers_larger_than_the_limit_are_a_431_problem_and_write_nothing()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/api-keys") { Content = Json("""{"name": "Prestatyn desk", "scopes": ["feeds:partner"]}""") };
        for (var i = 0; i < 5; i++)
        {
            request.Headers.Add($"X-Padding-{i}", new string('p', 4000));
        }
        await (await admin.SendAsync(request)).AssertProblemAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Equal(before, await KeyCountAsync());
    }
}
