using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Tips;

public sealed class TipBodyLimitTests(KestrelTipsApiFactory api) : IClassFixture<KestrelTipsApiFactory>
{
    /// <summary>A JSON tip of 1.2 MB: over Limits:MaxRequestBodyBytes (1 MiB), under the multipart limit (1.3 MiB here).</summary>
    private static byte[] LargeJsonTip() => Encoding.UTF8.GetBytes($"{{\"message\": \"{new string('a', 1_200_000)}\", \"altcha\": \"x\"}}");

    [Fact]
    public async Task A_json_tip_over_the_usual_body_limit_is_413_whether_it_gives_its_length_or_comes_chunked()
    {
        var reader = api.CreateClient();
        // Told the length first, the server refuses before any of the body is sent (Expect: 100-continue): sent at once, the
        // body could still be on its way when the server answers and closes, and the client would see a reset, not the 413.
        using var withLength = new HttpRequestMessage(HttpMethod.Post, "/v1/tips") { Content = new ByteArrayContent(LargeJsonTip()) };
        withLength.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        withLength.Headers.ExpectContinue = true;
        await (await reader.SendAsync(withLength)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/tips") { Content = new StreamContent(new MemoryStream(LargeJsonTip())) };
        chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        await (await reader.SendAsync(chunked)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_chunked_multipart_tip_over_its_limit_is_413_not_a_malformed_body()
    {
        var reader = api.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("See attached"), "message" },
            { new StringContent("x"), "altcha" },
            { new ByteArrayContent(new byte[2 * 1024 * 1024]), "attachments", "big.bin" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tips") { Content = form };
        request.Headers.TransferEncodingChunked = true;
        await (await reader.SendAsync(request)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }
}
