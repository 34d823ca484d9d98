using HeadlessNews.Api.Features.Webhooks;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Leases;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static HeadlessNews.Tests.Webhooks.WebhookTestKit;

namespace HeadlessNews.Tests.Webhooks;

/// <summary>Several API nodes, restarts and crashes over one database; each test starts its own nodes.</summary>
public sealed class WebhookResilienceTests : IAsyncLifetime
{
    private readonly List<WebhookApi> _nodes = [];
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_a_node_mid_delivery_loses_nothing_once_another_node_starts_on_the_same_database()
    {
        _receiver.Respond = async (_, aborted) =>
        {
            await Task.Delay(300, aborted);
            return 200;
        };
        var first = await StartFirstNodeAsync();
        var client = await first.ClientWithScopesAsync("webhooks:manage");
        await CreateWebhookAsync(client, _receiver.Url, ContentEventTypes.ArticlePublished);
        var events = await RecordManyAsync(first, 40);

        await Eventually.TrueAsync(() => _receiver.Received.Count >= 5, "some deliveries before the stop");
        await first.DisposeAsync();
        _nodes.Remove(first);
        var deliveredBeforeStop = events.Count(e => _receiver.For(e).Count > 0);
        Assert.True(deliveredBeforeStop < events.Count, "The node finished everything before it was stopped; the test proves nothing.");

        var second = StartNode(first.ConnectionString);
        _ = second.Server;
        await Eventually.TrueAsync(() => events.All(e => _receiver.For(e).Count > 0), "every event delivered after the restart", 30);
    }

    [Fact]
    public async Task A_message_its_live_node_could_not_settle_is_delivered_once_the_claim_backstop_runs_out()
    {
        var first = await StartFirstNodeAsync();
        var client = await first.ClientWithScopesAsync("webhooks:manage");
        var (webhookId, _) = await CreateWebhookAsync(client, _receiver.Url, ContentEventTypes.ArticlePublished);
        // What the node leaves when it cannot record an attempt (its database was away): a claim in its own name.
        var eventId = await LeaveClaimedAsync(first, webhookId, first.Services.GetRequiredService<ThisNode>().BootId);

        // Another webhook's message, recorded later, is claimed and delivered in a pass that saw the held one and left it.
        await CreateWebhookAsync(client, _receiver.Url, ContentEventTypes.ArticleUpdated);
        var later = await RecordAsync(first, ContentEventTypes.ArticleUpdated);
        await Eventually.TrueAsync(() => _receiver.For(later).Count == 1, "the other webhook's delivery");
        Assert.Empty(_receiver.For(eventId));
        first.Clock.Advance(new WebhookOptions().ClaimLease + TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => _receiver.For(eventId).Count == 1, "the delivery after the backstop ran out");
    }

    [Fact]
    public async Task A_message_held_by_a_process_that_was_killed_is_delivered_at_once_when_its_node_restarts()
    {
        var first = await StartFirstNodeAsync();
        var client = await first.ClientWithScopesAsync("webhooks:manage");
        var (webhookId, _) = await CreateWebhookAsync(client, _receiver.Url, ContentEventTypes.ArticlePublished);
        var nodeName = "conwy-" + Guid.NewGuid().ToString("N")[..8];
        var dead = await CrashedProcess.LeaveBehindAsync(first, nodeName, TimeSpan.FromSeconds(15));
        var eventId = await LeaveClaimedAsync(first, webhookId, dead);
        await first.DisposeAsync();
        _nodes.Remove(first);

        var restarted = StartNode(first.ConnectionString, nodeName);
        _ = restarted.Server;
        await Eventually.TrueAsync(() => _receiver.For(eventId).Count == 1, "the delivery by the restarted node", 5);
        await AssertOneAttemptDeliveredAsync(restarted, eventId);
    }

    [Fact]
    public async Task A_message_held_by_a_process_that_fell_silent_is_taken_over_by_another_node_when_its_lease_runs_out()
    {
        var first = await StartFirstNodeAsync();
        var client = await first.ClientWithScopesAsync("webhooks:manage");
        var (webhookId, _) = await CreateWebhookAsync(client, _receiver.Url, ContentEventTypes.ArticlePublished);
        var silent = await CrashedProcess.LeaveBehindAsync(first, "silent-" + Guid.NewGuid().ToString("N")[..8], TimeSpan.FromSeconds(2));
        var eventId = await LeaveClaimedAsync(first, webhookId, silent);

        // Time is the subject: the silent process's lease holds for 2 s of real time, and nothing goes out before it ends.
        await Task.Delay(1000);
        Assert.Empty(_receiver.For(eventId));
        await Eventually.TrueAsync(() => _receiver.For(eventId).Count == 1, "the delivery by the other node", 5);
        await AssertOneAttemptDeliveredAsync(first, eventId);
    }

    [Fact]
    public async Task A_delivery_cut_short_by_its_node_stopping_is_not_logged_as_the_target_failing_and_goes_out_at_once_from_the_next_node()
    {
        var firstCall = new TaskCompletionSource();
        _receiver.Respond = async (_, aborted) =>
        {
            if (firstCall.TrySetResult())
            {
                await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            }
            return 200;
        };
        var first = await StartFirstNodeAsync();
        var client = await first.ClientWithScopesAsync("webhooks:manage");
        await CreateWebhookAsync(client, _receiver.Url, ContentEventTypes.ArticlePublished);
        var eventId = await RecordAsync(first, ContentEventTypes.ArticlePublished);
        await firstCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await first.DisposeAsync();
        _nodes.Remove(first);

        var next = StartNode(first.ConnectionString);
        _ = next.Server;
        await Eventually.TrueAsync(() => _receiver.For(eventId).Count == 2, "the delivery by the next node", 3);
        await AssertOneAttemptDeliveredAsync(next, eventId);
    }

    [Fact]
    public async Task Two_nodes_on_one_database_deliver_each_of_many_events_exactly_once()
    {
        var first = await StartFirstNodeAsync();
        var second = StartNode(first.ConnectionString);
        _ = second.Server;
        var client = await first.ClientWithScopesAsync("webhooks:manage");
        await CreateWebhookAsync(client, _receiver.Url, ContentEventTypes.ArticleUpdated);

        var events = await RecordManyAsync(first, 300, ContentEventTypes.ArticleUpdated);
        await Eventually.TrueAsync(() => events.All(e => _receiver.For(e).Count > 0), $"every event delivered (only {_receiver.Received.Select(r => r.Id).Distinct().Count()} so far)", 60);
        // Time is the subject: a duplicate would arrive after the first copy, so give one the time to.
        await Task.Delay(1500);
        var duplicates = events.Where(e => _receiver.For(e).Count > 1).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} events were delivered more than once.");
        Assert.Equal(events.Count, _receiver.Received.Count);
    }

    /// <summary>A published event fanned out to the webhook and claimed by <paramref name="boot"/>, as its delivery began.</summary>
    private static Task<Guid> LeaveClaimedAsync(ApiFactory api, string webhookId, Guid boot) =>
        api.WithDbAsync(async db =>
        {
            var now = api.Clock.GetUtcNow();
            var recorded = db.Record(api.Clock, ContentEventTypes.ArticlePublished, "article", Guid.CreateVersion7(), "menai-bridge-reopens", 1);
            recorded.DispatchedAt = now;
            db.Add(new WebhookMessage
            {
                Id = Guid.CreateVersion7(), WebhookId = Guid.Parse(webhookId), EventId = recorded.Id, EventType = recorded.Type,
                Payload = "{\"type\":\"article.published\"}", NextAttemptAt = now + new WebhookOptions().ClaimLease,
                ClaimToken = Guid.NewGuid(), ClaimedBy = boot, GiveUpAt = now.AddDays(3), CreatedAt = now,
            });
            await db.SaveChangesAsync();
            return recorded.Id;
        });

    /// <summary>The delivery log shows one attempt, the first, delivered: nothing cut short by our side counts against the target.</summary>
    private static async Task AssertOneAttemptDeliveredAsync(ApiFactory api, Guid eventId)
    {
        WebhookAttempt[] attempts = [];
        await Eventually.TrueAsync(async () =>
        {
            attempts = await api.WithDbAsync(db => db.Set<WebhookAttempt>().Where(a => a.EventId == eventId).ToArrayAsync());
            return attempts.Length > 0;
        }, "the attempt to be logged");
        var attempt = Assert.Single(attempts);
        Assert.Equal(WebhookAttemptOutcome.Delivered, attempt.Outcome);
        Assert.Equal(1, attempt.Attempt);
    }

    private async Task<WebhookApi> StartFirstNodeAsync()
    {
        var node = new WebhookApi();
        await node.InitializeAsync();
        _ = node.Server;
        _nodes.Add(node);
        return node;
    }

    private WebhookApiNode StartNode(string connectionString, string? nodeName = null)
    {
        var node = new WebhookApiNode(connectionString, nodeName);
        _nodes.Add(node);
        return node;
    }

    private static Task<List<Guid>> RecordManyAsync(ApiFactory api, int count, string type = ContentEventTypes.ArticlePublished) =>
        api.WithDbAsync(async db =>
        {
            var ids = new List<Guid>();
            for (var i = 0; i < count; i++)
            {
                var id = Guid.CreateVersion7();
                ids.Add(db.Record(api.Clock, type, "article", id, $"llandudno-pier-story-{id:N}", 1).Id);
            }
            await db.SaveChangesAsync();
            return ids;
        });
}
