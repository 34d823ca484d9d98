using System.Net;
using System.Net.Http.Json;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static HeadlessNews.Tests.Webhooks.WebhookTestKit;

namespace HeadlessNews.Tests.Webhooks;

/// <summary>Gives up after an hour instead of days; the test moves the clock past it.</summary>
public sealed class QuickToGiveUpApi : WebhookApi
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Webhooks:GiveUpAfter"] = "01:00:00",
        ["Webhooks:DisableAfterFailingFor"] = "01:00:00",
    };
}

public sealed class WebhookFailureTests(QuickToGiveUpApi api) : IClassFixture<QuickToGiveUpApi>
{
    [Fact]
    public async Task A_webhook_that_keeps_failing_has_its_message_marked_failed_and_is_disabled_with_a_reason()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(503);
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, _) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.NoticeUpdated);
        var messageId = await RecordAsync(api, ContentEventTypes.NoticeUpdated);
        await Eventually.TrueAsync(async () => await api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Webhooks.WebhookAttempt>().CountAsync(a => a.EventId == messageId)) >= 2,
            "a first retry, recorded");
        Assert.True((await (await client.GetAsync($"/v1/manage/webhooks/{id}")).AssertSuccessAsync()).GetProperty("enabled").GetBoolean());
        api.Clock.Advance(TimeSpan.FromHours(2));

        System.Text.Json.JsonElement webhook = default;
        await Eventually.TrueAsync(async () =>
        {
            webhook = await (await client.GetAsync($"/v1/manage/webhooks/{id}")).AssertSuccessAsync();
            return !webhook.GetProperty("enabled").GetBoolean();
        }, "the webhook to be disabled");
        Assert.Contains("no delivery succeeded", webhook.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, webhook.GetProperty("version").GetInt32());
        var attempts = receiver.For(messageId).Count;
        var failed = await api.WithDbAsync(db => Task.FromResult(db.Set<HeadlessNews.Api.Features.Webhooks.WebhookMessage>().Single(m => m.EventId == messageId)));
        Assert.Equal(HeadlessNews.Api.Features.Webhooks.WebhookMessageStatus.Failed, failed.Status);
        // Time is the subject here: however long we wait, a message failed for good is not attempted again.
        await Task.Delay(800);
        Assert.Equal(attempts, receiver.For(messageId).Count);

        receiver.Respond = (_, _) => Task.FromResult(200);
        var enable = new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/webhooks/{id}")
        {
            Content = JsonContent.Create(new { url = receiver.Url, events = new[] { ContentEventTypes.NoticeUpdated }, enabled = true }),
        }.WithIfMatch(2);
        var enabled = await (await client.SendAsync(enable)).AssertSuccessAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, enabled.GetProperty("disabledReason").ValueKind);
        await (await client.PostAsync($"/v1/manage/webhooks/{id}/messages/{messageId}/retry", null)).AssertSuccessAsync(HttpStatusCode.Accepted);
        await Eventually.TrueAsync(async () => (await api.WithDbAsync(db => Task.FromResult(
            db.Set<HeadlessNews.Api.Features.Webhooks.WebhookMessage>().Single(m => m.EventId == messageId).Status)))
            == HeadlessNews.Api.Features.Webhooks.WebhookMessageStatus.Delivered, "the retried message to be delivered");
    }

    [Fact]
    public async Task A_target_on_port_zero_saved_before_it_was_refused_has_its_failed_attempts_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, _) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.NoticeUpdated);
        await api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Webhooks.Webhook>().Where(w => w.Id == Guid.Parse(id))
            .ExecuteUpdateAsync(w => w.SetProperty(x => x.Url, "http://1.1.1.1:0/")));
        var messageId = await RecordAsync(api, ContentEventTypes.NoticeUpdated);

        // Here the connect fails at once, as a bare SocketException that the dispatcher once let escape, logging nothing and retrying forever.
        await Eventually.TrueAsync(async () => await api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Webhooks.WebhookAttempt>()
            .AnyAsync(a => a.EventId == messageId && a.Outcome != HeadlessNews.Api.Features.Webhooks.WebhookAttemptOutcome.Delivered)),
            "the failed attempt, logged");
        Assert.Empty(receiver.Received);
    }
}
