using System.Net;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Media;

public sealed class AssetBodyLimitTests(KestrelMediaApiFactory api) : IClassFixture<KestrelMediaApiFactory>
{
    [Fact]
    public async Task A_chunked_upload_over_the_limit_is_413_not_a_malformed_body()
    {
        var writer = await api.ClientWithScopesAsync("media:write");
        using var form = new MultipartFormDataContent { { new ByteArrayContent(new byte[3 * 1024 * 1024]), "file", "big.jpg" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/manage/assets") { Content = form };
        request.Headers.TransferEncodingChunked = true;
        await (await writer.SendAsync(request)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, api.StoredFiles());
    }
}
