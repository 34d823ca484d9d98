using System.Net;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetVips;

namespace HeadlessNews.Tests.Tips;

/// <summary>Tests that weigh the test process's managed heap: they run alone, after the others, so no other test's objects count.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

[Collection(nameof(RunsAlone))]
public sealed class TipAttachmentMemoryTests(TipsApiFactory api) : IClassFixture<TipsApiFactory>
{
    [Fact]
    public async Task A_tip_holds_at_most_one_attachments_copies_in_memory_while_it_cleans_the_next()
    {
        const int soundBytes = 8 * 1024 * 1024;
        var sounds = Enumerable.Range(0, 4).Select(_ => TipAttachmentTests.Wav(TipAttachmentTests.Chunk("data", soundBytes, new byte[soundBytes]))).ToArray();
        using var picture = Image.Black(64, 48);
        // Without the redirect handler, which copies a request's body to send it again and would weigh that copy too.
        var reader = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        // One small tip first, so what the first one sets up (caches, pools, the key ring) is not weighed.
        await (await TipAttachmentTests.SendAsync(reader, await TipTestKit.SolveAsync(reader), Guid.NewGuid().ToString("N"),
            [TipAttachmentTests.Wav(TipAttachmentTests.Chunk("data", 2, [1, 2])), picture.PngsaveBuffer()])).AssertSuccessAsync(HttpStatusCode.Accepted);
        var altcha = await TipTestKit.SolveAsync(reader);
        var work = api.Services.GetRequiredService<ImageWork>();
        var release = new TaskCompletionSource();
        var slots = api.Services.GetRequiredService<IOptions<MediaOptions>>().Value.MaxConcurrentRenders;
        var holders = Enumerable.Range(0, slots).Select(_ => work.RunAsync(() => release.Task.Wait(TimeSpan.FromMinutes(1)), CancellationToken.None)).ToList();
        Task<HttpResponseMessage> submitted;
        long held;
        try
        {
            var before = GC.GetTotalMemory(forceFullCollection: true);
            // The picture comes last and waits for the image gate, after the four sounds were cleaned, sealed and stored.
            submitted = TipAttachmentTests.SendAsync(reader, altcha, Guid.NewGuid().ToString("N"), [.. sounds, picture.PngsaveBuffer()]);
            await Eventually.TrueAsync(() => work.Waiting == 1 || submitted.IsCompleted, "the tip's picture never queued for the gate");
            held = GC.GetTotalMemory(forceFullCollection: true) - before;
        }
        finally
        {
            release.SetResult();
        }
        await Task.WhenAll(holders);
        await (await submitted).AssertSuccessAsync(HttpStatusCode.Accepted);
        // Holding the four sealed sounds until the whole tip was stored took more than 4 × 8 MB.
        Assert.True(held < 2 * soundBytes, $"The tip held {held / 1024 / 1024} MB while its fifth attachment waited.");
    }
}
