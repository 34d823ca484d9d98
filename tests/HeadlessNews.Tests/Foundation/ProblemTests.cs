using System.Net;
using System.Net.Http.Json;
using System.Text;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Foundation;

public sealed class ProblemTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private Task<int> KeyCountAsync() => api.WithDbAsync(db => db.Set<ApiKey>().CountAsync());

    [Fact]
    public async Task Malformed_json_is_a_400_problem_and_writes_nothing()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        var response = await admin.PostAsync("/v1/manage/api-keys", new StringContent("{\"name\": \"x\", \"scopes\": [", Encoding.UTF8, "application/json"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Theory]
    [InlineData("{\"name\": 5, \"scopes\": [\"*\"]}", "name")]
    [InlineData("{\"name\": \"x\", \"scopes\": \"*\"}", "scopes")]
    [InlineData("[]", "$")]
    [InlineData("null", null)]
    public async Task A_value_of_the_wrong_type_is_a_400_at_its_json_path_that_names_no_dotnet_type(string body, string? field)
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        var response = await admin.PostAsync("/v1/manage/api-keys", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        foreach (var internals in new[] { "HeadlessNews.", "System.", "Implicit body", "parameter" })
        {
            Assert.DoesNotContain(internals, problem.ToString(), StringComparison.Ordinal);
        }
        Assert.Equal(before, await KeyCountAsync());
    }

    [Theory]
    [InlineData("/v1/manage/api-keys?limit=abc", "limit")]
    [InlineData("/v1/articles?from=notadate", "from")]
    public async Task A_query_value_that_cannot_be_read_is_a_400_keyed_by_its_name(string url, string name)
    {
        var admin = await api.ClientWithScopesAsync("*");
        var problem = await (await admin.GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(name, out _), problem.ToString());
        Assert.DoesNotContain("Nullable", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/articles?from=2026-12-07T08:00:00", "from")]
    [InlineData("/v1/articles?to=2026-12-07", "to")]
    [InlineData("/v1/manage/articles?updatedSince=2026-12-07T08:00", "updatedSince")]
    public async Task A_query_timestamp_without_an_offset_is_a_400_naming_the_parameter(string url, string name)
    {
        var admin = await api.ClientWithScopesAsync("*");
        var problem = await (await admin.GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(name, out var message), problem.ToString());
        Assert.StartsWith($"{name} needs a time zone offset, e.g. 2026-12-08T10:00:00Z", message[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/articles?from=2026-12-07T08:00:00Z&to=2026-12-08T08:00:00%2B01:00")]
    [InlineData("/v1/manage/articles?updatedSince=2026-12-07T08:00:00-05:00")]
    public async Task A_query_timestamp_with_an_offset_is_read(string url)
    {
        var admin = await api.ClientWithScopesAsync("*");
        await (await admin.GetAsync(url)).AssertSuccessAsync();
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/merge-patch+json")]
    [InlineData("application/vnd.example+json")]
    public async Task A_wrong_content_type_is_a_415_problem_and_writes_nothing(string contentType)
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        var response = await admin.PostAsync("/v1/manage/api-keys", new StringContent("{\"name\": \"x\", \"scopes\": [\"*\"]}", Encoding.UTF8, contentType));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task A_compressed_body_is_a_415_problem_and_writes_nothing(string coding)
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var before = await KeyCountAsync();
        using var compressed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes("{\"name\": \"x\", \"scopes\": [\"*\"]}"));
        }
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(coding);
        var problem = await (await admin.PostAsync("/v1/manage/api-keys", content)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("Content-Encoding", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Fact]
    public async Task A_validation_message_names_the_field_as_its_key_does()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var response = await admin.PostAsJsonAsync("/v1/manage/api-keys", new { name = "", scopes = new[] { "*" } });
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("'name' must not be empty.", problem.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    [Fact]
    public async Task A_get_with_a_json_api_content_type_but_no_body_is_read_as_usual()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sections");
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.api+json");
        await (await api.CreateClient().SendAsync(request)).AssertSuccessAsync();
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var huge = "{\"name\": \"" + new string('a', 2 * 1024 * 1024) + "\", \"scopes\": [\"*\"]}";
        var response = await admin.PostAsync("/v1/manage/api-keys", new StringContent(huge, Encoding.UTF8, "application/json"));
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        await (await api.CreateClient().GetAsync("/v1/no-such-thing")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_status_has_one_title_whether_the_framework_or_a_route_writes_the_problem()
    {
        var client = api.CreateClient();
        var unrouted = await (await client.GetAsync("/v1/no-such-thing")).AssertProblemAsync(HttpStatusCode.NotFound);
        var missing = await (await client.GetAsync("/v1/articles/no-such-story-anywhere")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Not Found", unrouted.GetProperty("title").GetString());
        Assert.Equal("Not Found", missing.GetProperty("title").GetString());
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var form = await (await admin.PostAsync("/v1/manage/api-keys", new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded")))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Unsupported Media Type", form.GetProperty("title").GetString());
        var longUrl = await (await client.GetAsync($"/v1/articles?q={new string('a', 5000)}")).AssertProblemAsync(HttpStatusCode.RequestUriTooLong);
        Assert.Equal("URI Too Long", longUrl.GetProperty("title").GetString());
        using var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/v1/articles");
        bigHeaders.Headers.TryAddWithoutValidation("X-Filler", new string('h', 17 * 1024));
        var headers = await (await client.SendAsync(bigHeaders)).AssertProblemAsync((HttpStatusCode)431);
        Assert.Equal("Request Header Fields Too Large", headers.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("application/xml;q=abc")]
    public async Task An_accept_header_without_json_still_gets_problems_not_a_500_or_plain_text(string accept)
    {
        var anonymous = api.CreateClient();
        anonymous.DefaultRequestHeaders.TryAddWithoutValidation("Accept", accept);
        await (await anonymous.GetAsync("/v1/manage/sections")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync("/v1/no-such-thing")).AssertProblemAsync(HttpStatusCode.NotFound);
        var admin = await api.ClientWithScopesAsync("keys:manage");
        admin.DefaultRequestHeaders.TryAddWithoutValidation("Accept", accept);
        var before = await KeyCountAsync();
        await (await admin.PostAsync("/v1/manage/api-keys", null)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Fact]
    public async Task A_malformed_query_value_is_a_400_problem()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        await (await admin.GetAsync("/v1/manage/api-keys?limit=abc")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.GetAsync("/v1/manage/api-keys?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.GetAsync("/v1/manage/api-keys?limit=1000")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.GetAsync("/v1/manage/api-keys?cursor=bm90LWEtY3Vyc29y.AAAA")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Nul_characters_in_text_are_a_400_not_a_500()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var response = await admin.PostAsync("/v1/manage/api-keys",
            new StringContent("{\"name\": \"bad\\u0000name\", \"scopes\": [\"*\"]}", Encoding.UTF8, "application/json"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Lists_page_with_a_signed_cursor_and_a_link_header()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        for (var i = 0; i < 3; i++)
        {
            await api.CreateKeyAsync(["feeds:partner"]);
        }
        var first = await admin.GetAsync("/v1/manage/api-keys?limit=2");
        var page = await first.AssertSuccessAsync();
        var next = page.GetProperty("next").GetString()!;
        Assert.Contains("rel=\"next\"", first.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
        var second = await (await admin.GetAsync($"/v1/manage/api-keys?limit=2&cursor={next}")).AssertSuccessAsync();
        var firstIds = page.GetProperty("items").EnumerateArray().Select(k => k.GetProperty("id").GetString()).ToList();
        var secondIds = second.GetProperty("items").EnumerateArray().Select(k => k.GetProperty("id").GetString()).ToList();
        Assert.Equal(2, secondIds.Count);
        Assert.Empty(firstIds.Intersect(secondIds));

        var tampered = next[..^2] + (next[^2] == 'A' ? "B" : "A") + next[^1];
        await (await admin.GetAsync($"/v1/manage/api-keys?cursor={tampered}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        // Another list's cursor is a position in that list, not this one.
        var audit = await api.ClientWithScopesAsync("keys:manage");
        var problem = await (await audit.GetAsync($"/v1/manage/audit?cursor={next}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out _), problem.ToString());
    }

    [Fact]
    public async Task The_same_idempotency_key_and_body_replays_the_first_response()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage", "feeds:partner");
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Request(string name)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/api-keys") { Content = JsonContent.Create(new { name, scopes = new[] { "feeds:partner" } }) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }
        var before = await KeyCountAsync();
        var first = await (await admin.SendAsync(Request("Partner A"))).AssertSuccessAsync(HttpStatusCode.Created);
        var replay = await admin.SendAsync(Request("Partner A"));
        var replayed = await replay.AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal(first.GetProperty("id").GetString(), replayed.GetProperty("id").GetString());
        Assert.Equal(before + 1, await KeyCountAsync());

        await (await admin.SendAsync(Request("Partner B"))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(before + 1, await KeyCountAsync());
    }

    [Theory]
    [InlineData(new[] { " " }, "may not be empty")]
    [InlineData(new[] { "key-one", "key-two" }, "Send one Idempotency-Key, not 2")]
    public async Task An_empty_or_repeated_idempotency_key_is_a_400_and_creates_nothing(string[] keys, string detail)
    {
        var admin = await api.ClientWithScopesAsync("keys:manage", "feeds:partner");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/api-keys") { Content = JsonContent.Create(new { name = "Partner C", scopes = new[] { "feeds:partner" } }) };
        foreach (var key in keys)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }
        var before = await KeyCountAsync();

        var problem = await (await admin.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Fact]
    public async Task Responses_carry_security_headers_and_no_server_banner()
    {
        var response = await api.CreateClient().GetAsync("/health/live");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(response.Headers.Contains("Server"));
    }
}
