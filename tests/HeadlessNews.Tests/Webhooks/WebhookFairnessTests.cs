using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using Xunit.Abstractions;
using static HeadlessNews.Tests.Webhooks.WebhookTestKit;

namespace HeadlessNews.Tests.Webhooks;

/// <summary>The default delivery limits and timeout, with short polls.</summary>
public sealed class DefaultLimitsWebhookApi : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Webhooks:PollIntervalMs"] = "100" };
}

public sealed class WebhookFairnessTests(DefaultLimitsWebhookApi api, ITestOutputHelper output) : IClassFixture<DefaultLimitsWebhookApi>
{
    [Fact]
    public async Task A_hundred_webhooks_at_a_target_that_hangs_do_not_delay_a_healthy_one()
    {
        using var finished = new CancellationTokenSource();
        await using var hanging = await WebhookReceiver.StartAsync();
        hanging.Respond = async (_, aborted) =>
        {
            // The hang is the subject: each request is held until the test ends (or the dispatcher gives up), 10 s at most.
            using var either = CancellationTokenSource.CreateLinkedTokenSource(aborted, finished.Token);
            await Task.Delay(TimeSpan.FromSeconds(10), either.Token);
            return 200;
        };
        await using var healthy = await WebhookReceiver.StartAsync();
        try
        {
            var client = await api.ClientWithScopesAsync("webhooks:manage");
            for (var i = 0; i < 100; i++)
            {
                await CreateWebhookAsync(client, hanging.Url, ContentEventTypes.ArticlePublished);
            }
            await CreateWebhookAsync(client, healthy.Url, ContentEventTypes.ArticlePublished);

            var published = DateTimeOffset.UtcNow;
            var eventId = await RecordAsync(api, ContentEventTypes.ArticlePublished);
            await Eventually.TrueAsync(() => healthy.For(eventId).Count == 1, "the healthy webhook's delivery", 5);
            output.WriteLine($"Delivered to the healthy webhook {(healthy.For(eventId)[0].At - published).TotalMilliseconds:F0} ms after publishing, "
                + $"while {hanging.For(eventId).Count} deliveries to the hanging target were in flight.");
            Assert.NotEmpty(hanging.For(eventId));
        }
        finally
        {
            await finished.CancelAsync();
        }
    }
}
