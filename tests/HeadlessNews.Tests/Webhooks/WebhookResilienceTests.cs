using HeadlessNews.Api.Features.Webhooks;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
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

        await EventuallyAsync(() => _receiver.Received.Count >= 5, "some deliveries before the stop");
        await first.DisposeAsync();
        _nodes.Remove(first);
        var deliveredBeforeStop = events.Count(e => _receiver.For(e).Count > 0);
        Assert.True(deliveredBeforeStop < events.Count, "The node finished everything before it was stopped; the test proves nothing.");

        var second = StartNode(first.ConnectionString);
        _ = second.Server;
        await EventuallyAsync(() => events.All(e => _receiver.For(e).Count > 0), "every event delivered after the restart", 30);
    }

    [Fact]
    public async Task A_message_claimed_by_a_node_that_crashed_is_delivered_once_its_lease_runs_out()
    {
        var first = await StartFirstNodeAsync();
        var client = await first.ClientWithScopesAsync("webhooks:manage");
        var (webhookId, _) = await CreateWebhookAsync(client, _receiver.Url, ContentEventTypes.NoticePublished);
        // What a node leaves behind when it dies after claiming: a dispatched event and a message leased to it for the next 41 s.
        var eventId = await first.WithDbAsync(async db =>
        {
            var now = first.Clock.GetUtcNow();
            var recorded = db.Record(first.Clock, ContentEventTypes.NoticePublished, "notice", Guid.CreateVersion7(), null, 1);
            recorded.DispatchedAt = now;
            db.Add(new WebhookMessage
            {
                Id = Guid.CreateVersion7(), WebhookId = Guid.Parse(webhookId), EventId = recorded.Id, EventType = recorded.Type,
                Payload = "{\"type\":\"notice.published\"}", NextAttemptAt = now.AddSeconds(41), ClaimToken = Guid.NewGuid(),
                GiveUpAt = now.AddDays(3), CreatedAt = now,
            });
            await db.SaveChangesAsync();
            return recorded.Id;
        });

        await Task.Delay(800);
        Assert.Empty(_receiver.For(eventId));
        first.Clock.Advance(TimeSpan.FromSeconds(42));
        await EventuallyAsync(() => _receiver.For(eventId).Count == 1, "the delivery after the lease ran out");
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
        await EventuallyAsync(() => events.All(e => _receiver.For(e).Count > 0), $"every event delivered (only {_receiver.Received.Select(r => r.Id).Distinct().Count()} so far)", 60);
        await Task.Delay(1500);
        var duplicates = events.Where(e => _receiver.For(e).Count > 1).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} events were delivered more than once.");
        Assert.Equal(events.Count, _receiver.Received.Count);
    }

    private async Task<WebhookApi> StartFirstNodeAsync()
    {
        var node = new WebhookApi();
        await node.InitializeAsync();
        _ = node.Server;
        _nodes.Add(node);
        return node;
    }

    private WebhookApiNode StartNode(string connectionString)
    {
        var node = new WebhookApiNode(connectionString);
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
