using System.Net;
using System.Text;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Reliability;

/// <summary>The API on real Kestrel, whose own limits sit behind the API's problem-answering ones.</summary>
public sealed class KestrelApiFactory : ApiFactory
{
    public KestrelApiFactory() => UseKestrel(0);
}

public sealed class KestrelLimitTests(KestrelApiFactory api) : IClassFixture<KestrelApiFactory>
{
    [Fact]
    public async Task Over_the_api_url_limit_but_under_kestrels_is_a_414_problem()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        await (await admin.GetAsync("/v1/manage/api-keys?cursor=" + new string('a', 6000))).AssertProblemAsync(HttpStatusCode.RequestUriTooLong);
    }

    [Fact]
    public async Task A_request_line_over_kestrels_limit_is_refused_with_414()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var response = await admin.GetAsync("/v1/manage/api-keys?cursor=" + new string('a', 9000));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
    }

    [Fact]
    public async Task Headers_over_the_api_limit_but_under_kestrels_are_a_431_problem()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/manage/api-keys");
        request.Headers.Add("X-Padding", new string('p', 20_000));
        await (await admin.SendAsync(request)).AssertProblemAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task Headers_over_kestrels_limit_are_refused_with_431()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/manage/api-keys");
        request.Headers.Add("X-Padding", new string('p', 40_000));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await admin.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem_with_one_title_whether_it_gives_its_length_or_comes_chunked()
    {
        var admin = await api.ClientWithScopesAsync("keys:manage");
        var huge = Encoding.UTF8.GetBytes("{\"name\": \"" + new string('a', 2 * 1024 * 1024) + "\", \"scopes\": [\"*\"]}");
        static HttpRequestMessage Request(HttpContent content)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return new HttpRequestMessage(HttpMethod.Post, "/v1/manage/api-keys") { Content = content };
        }
        // Told the length, the server refuses before the body is sent (Expect: 100-continue), so the client sees the 413, not a reset.
        using var withLength = Request(new ByteArrayContent(huge));
        withLength.Headers.ExpectContinue = true;
        using var chunked = Request(new StreamContent(new MemoryStream(huge)));
        chunked.Headers.TransferEncodingChunked = true;
        foreach (var request in new[] { withLength, chunked })
        {
            var response = await admin.SendAsync(request);
            // The rest of the body is not read, so the connection ends: said, a keep-alive client does not send its next request on it.
            Assert.True(response.Headers.ConnectionClose, "a 413 says Connection: close");
            var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
            Assert.Equal("Content Too Large", problem.GetProperty("title").GetString());
        }
    }
}
