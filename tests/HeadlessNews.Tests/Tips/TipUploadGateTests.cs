using System.Net;
using System.Net.Http.Headers;
using HeadlessNews.Api.Features.Tips;
using HeadlessNews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Tips;

/// <summary>The tips API taking one tip with attachments at a time and queueing none, so a full gate answers at once.</summary>
public sealed class OneUploadTipsApiFactory : TipsApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Tips:MaxConcurrentUploads"] = "1",
        ["Tips:UploadQueueSeconds"] = "0",
    };
}

public sealed class TipUploadGateTests(OneUploadTipsApiFactory api) : IClassFixture<OneUploadTipsApiFactory>
{
    private static async Task<HttpResponseMessage> SubmitWithAttachmentAsync(HttpClient reader)
    {
        var attachment = new ByteArrayContent("A note from the council meeting."u8.ToArray());
        attachment.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var form = new MultipartFormDataContent
        {
            { new StringContent($"See attached {Guid.NewGuid():N}"), "message" },
            { new StringContent(await TipTestKit.SolveAsync(reader)), "altcha" },
            { attachment, "attachments", "note.txt" },
        };
        return await reader.PostAsync("/v1/tips", form);
    }

    [Fact]
    public async Task A_tip_with_attachments_beyond_the_gate_is_503_with_retry_after_while_a_tip_without_them_is_taken()
    {
        var reader = api.CreateClient();
        var gate = api.Services.GetRequiredService<TipUploadGate>();
        using (var held = await gate.TryEnterAsync(CancellationToken.None))
        {
            Assert.NotNull(held);
            var refused = await SubmitWithAttachmentAsync(reader);
            await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);

            await TipTestKit.SubmitAsync(reader, $"No attachment {Guid.NewGuid():N}");
        }
        await (await SubmitWithAttachmentAsync(reader)).AssertSuccessAsync(HttpStatusCode.Accepted);
    }
}
