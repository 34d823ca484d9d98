using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.LiveBlogs;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static HeadlessNews.Tests.Webhooks.WebhookTestKit;

namespace HeadlessNews.Tests.Webhooks;

public sealed class WebhookDeliveryTests(WebhookApi api) : IClassFixture<WebhookApi>
{
    [Fact]
    public async Task An_event_is_delivered_as_a_thin_payload_signed_per_standard_webhooks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (_, secret) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.ArticlePublished);
        var articleId = Guid.CreateVersion7();
        var messageId = await RecordAsync(api, ContentEventTypes.ArticlePublished, articleId);

        await Eventually.TrueAsync(() => receiver.For(messageId).Count == 1, "the delivery");
        var delivered = receiver.For(messageId)[0];
        Assert.True(SignatureIsValid(secret, delivered), $"The signature {delivered.Signature} does not verify.");
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(delivered.Timestamp, CultureInfo.InvariantCulture));
        Assert.InRange(sentAt, api.Clock.GetUtcNow().AddMinutes(-5), api.Clock.GetUtcNow().AddMinutes(5));

        var payload = JsonDocument.Parse(delivered.Body).RootElement;
        Assert.Equal("article.published", payload.GetProperty("type").GetString());
        Assert.EndsWith("Z", payload.GetProperty("timestamp").GetString(), StringComparison.Ordinal);
        var data = payload.GetProperty("data");
        Assert.Equal(articleId.ToString(), data.GetProperty("id").GetString());
        var slug = data.GetProperty("slug").GetString();
        Assert.Equal($"conwy-quay-mussel-festival-{articleId:N}", slug);
        Assert.Equal(3, data.GetProperty("version").GetInt32());
        Assert.Equal($"https://news.example.cymru/v1/articles/{slug}", data.GetProperty("url").GetString());
        Assert.Equal(["id", "slug", "version", "url"], data.EnumerateObject().Select(p => p.Name));

        var tampered = delivered with { Body = delivered.Body.Replace("\"version\":3", "\"version\":4", StringComparison.Ordinal) };
        Assert.False(SignatureIsValid(secret, tampered));
    }

    [Fact]
    public async Task A_new_entry_of_a_visible_live_blog_fires_liveblog_entry_created_naming_the_entry_and_its_blog()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var editor = await api.ClientWithScopesAsync("*");
        var (_, secret) = await CreateWebhookAsync(editor, receiver.Url, "liveblog.entry.created");
        var draft = await editor.CreateArticleAsync(new { headline = Editorial.Unique("Gritters out tonight"), body = Editorial.OneParagraph(), format = "liveblog" });
        await editor.AddEntryAsync(draft, "Not yet visible.");
        var blog = await editor.CreateLiveBlogAsync("Snow on the A5");
        var entry = await editor.AddEntryAsync(blog, "The A5 is closed at Betws-y-Coed.");

        await Eventually.TrueAsync(() => receiver.Received.Count > 0, "the entry's delivery");
        var delivered = Assert.Single(receiver.Received);
        Assert.True(SignatureIsValid(secret, delivered));
        var payload = JsonDocument.Parse(delivered.Body).RootElement;
        Assert.Equal("liveblog.entry.created", payload.GetProperty("type").GetString());
        var data = payload.GetProperty("data");
        Assert.Equal(entry.Id(), data.GetProperty("id").GetString());
        Assert.Equal(blog.Slug(), data.GetProperty("slug").GetString());
        Assert.Equal(1, data.GetProperty("version").GetInt32());
        Assert.Equal($"https://news.example.cymru/v1/articles/{blog.Slug()}/entries", data.GetProperty("url").GetString());
    }

    [Fact]
    public async Task A_webhook_receives_only_the_event_types_it_subscribed_to()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.NoticePublished);
        var article = await RecordAsync(api, ContentEventTypes.ArticlePublished);
        var notice = await RecordAsync(api, ContentEventTypes.NoticePublished);

        await Eventually.TrueAsync(() => receiver.For(notice).Count == 1, "the notice delivery");
        await DispatchedAsync(api, article);
        Assert.Empty(receiver.For(article));
        var data = JsonDocument.Parse(receiver.For(notice)[0].Body).RootElement.GetProperty("data");
        Assert.Equal($"https://news.example.cymru/v1/notices/{data.GetProperty("id").GetString()}", data.GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("slug").ValueKind);
    }

    [Fact]
    public async Task A_500_answer_is_retried_with_the_same_webhook_id_and_every_attempt_is_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = (_, _) => Task.FromResult(Interlocked.Increment(ref calls) <= 2 ? 500 : 200);
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, secret) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.ArticleUpdated);
        var messageId = await RecordAsync(api, ContentEventTypes.ArticleUpdated);

        await Eventually.TrueAsync(() => receiver.For(messageId).Count == 3, "three attempts");
        Assert.All(receiver.For(messageId), r => Assert.True(SignatureIsValid(secret, r)));
        await Eventually.TrueAsync(async () => (await (await client.GetAsync($"/v1/manage/webhooks/{id}/deliveries")).AssertSuccessAsync())
            .GetProperty("items").GetArrayLength() == 3, "three logged attempts");

        var firstPage = await (await client.GetAsync($"/v1/manage/webhooks/{id}/deliveries?limit=2")).AssertSuccessAsync();
        var next = firstPage.GetProperty("next").GetString();
        Assert.NotNull(next);
        var secondPage = await (await client.GetAsync($"/v1/manage/webhooks/{id}/deliveries?limit=2&cursor={next}")).AssertSuccessAsync();
        var attempts = firstPage.GetProperty("items").EnumerateArray().Concat(secondPage.GetProperty("items").EnumerateArray())
            .OrderBy(a => a.GetProperty("attempt").GetInt32()).ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.All(attempts, a => Assert.Equal(messageId.ToString(), a.GetProperty("messageId").GetString()));
        Assert.All(attempts, a => Assert.Equal("article.updated", a.GetProperty("eventType").GetString()));
        Assert.Equal([500, 500, 200], attempts.Select(a => a.GetProperty("status").GetInt32()));
        Assert.Equal(["http_error", "http_error", "delivered"], attempts.Select(a => a.GetProperty("outcome").GetString()));
        Assert.All(attempts, a => Assert.Contains("Conwy test receiver", a.GetProperty("responseExcerpt").GetString(), StringComparison.Ordinal));
        Assert.All(attempts, a => Assert.True(a.GetProperty("durationMs").GetInt32() >= 0));
    }

    [Fact]
    public async Task A_target_answering_10_kB_of_text_has_at_most_256_bytes_of_it_logged_cut_between_characters()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // Two- and four-byte characters throughout, so a cut at byte 256 would land inside one.
        var text = string.Concat(Enumerable.Repeat("Croeso i Gonwy, Llŷn a Môn 🐟 ", 400));
        Assert.True(Encoding.UTF8.GetByteCount(text) > 10_000);
        receiver.Answer = ("text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));
        var excerpt = (await DeliverOnceAsync(receiver)).GetProperty("responseExcerpt").GetString()!;
        Assert.InRange(Encoding.UTF8.GetByteCount(excerpt), 250, 256);
        Assert.StartsWith(excerpt, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8", true)]
    [InlineData("text/html", true)]
    [InlineData("application/json", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/xml", true)]
    [InlineData("application/atom+xml", true)]
    [InlineData("application/octet-stream", false)]
    [InlineData("image/png", false)]
    [InlineData("application/pdf", false)]
    [InlineData(null, false)]
    public async Task Only_a_text_answer_is_kept_in_the_delivery_log(string? contentType, bool kept)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (contentType, Encoding.UTF8.GetBytes("{\"received\": \"Conwy\"}\u0000\u0001\u0089PNG"));
        var excerpt = (await DeliverOnceAsync(receiver)).GetProperty("responseExcerpt");
        if (kept)
        {
            Assert.StartsWith("{\"received\": \"Conwy\"}", excerpt.GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain('\0', excerpt.GetString()!);
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, excerpt.ValueKind);
        }
    }

    /// <summary>Subscribes a webhook to <paramref name="receiver"/>, fires one event and returns its delivered attempt.</summary>
    private async Task<JsonElement> DeliverOnceAsync(WebhookReceiver receiver)
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, _) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.ArticleUnpublished);
        var messageId = await RecordAsync(api, ContentEventTypes.ArticleUnpublished);
        return await AttemptAsync(client, id, messageId, "delivered");
    }

    [Fact]
    public async Task A_receiver_that_answers_too_slowly_is_retried_after_the_timeout()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = async (_, aborted) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), aborted);
            }
            return 202;
        };
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, _) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.SourceUpdated);
        var messageId = await RecordAsync(api, ContentEventTypes.SourceUpdated);

        JsonElement[] attempts = [];
        await Eventually.TrueAsync(async () =>
        {
            var log = await (await client.GetAsync($"/v1/manage/webhooks/{id}/deliveries")).AssertSuccessAsync();
            attempts = [.. log.GetProperty("items").EnumerateArray().OrderBy(a => a.GetProperty("attempt").GetInt32())];
            return attempts.Any(a => a.GetProperty("outcome").GetString() == "delivered");
        }, "a delivered attempt after the timeout");
        Assert.Equal(2, attempts.Length);
        Assert.Equal("timeout", attempts[0].GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, attempts[0].GetProperty("status").ValueKind);
        Assert.InRange(attempts[0].GetProperty("durationMs").GetInt32(), 900, 4000);
        Assert.Equal(202, attempts[1].GetProperty("status").GetInt32());
        Assert.Equal(2, receiver.For(messageId).Count);
    }

    [Fact]
    public async Task A_manual_retry_delivers_the_message_again_with_the_same_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, _) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.QuoteUpdated);
        var messageId = await RecordAsync(api, ContentEventTypes.QuoteUpdated);
        await Eventually.TrueAsync(() => receiver.For(messageId).Count == 1, "the first delivery");

        var retried = await (await client.PostAsync($"/v1/manage/webhooks/{id}/messages/{messageId}/retry", null)).AssertSuccessAsync(HttpStatusCode.Accepted);
        Assert.Equal(messageId.ToString(), retried.GetProperty("messageId").GetString());
        // Queued again; with free delivery slots the dispatcher may already have sent it by the time the answer is read.
        Assert.Contains(retried.GetProperty("status").GetString(), new[] { "pending", "delivered" });

        await Eventually.TrueAsync(() => receiver.For(messageId).Count == 2, "the manual retry");
        Assert.Equal(receiver.For(messageId)[0].Body, receiver.For(messageId)[1].Body);
        await (await client.PostAsync($"/v1/manage/webhooks/{id}/messages/{Guid.CreateVersion7()}/retry", null)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Rotating_the_secret_signs_with_the_new_secret_and_for_a_grace_period_the_old_one_too()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, oldSecret) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.NoticeWithdrawn);

        await (await client.PostAsync($"/v1/manage/webhooks/{id}/rotate-secret", null)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        var rotated = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/v1/manage/webhooks/{id}/rotate-secret").WithIfMatch(1));
        var body = await rotated.AssertSuccessAsync();
        var newSecret = body.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal("\"2\"", rotated.Headers.ETag?.Tag);
        Assert.True(body.GetProperty("previousSecretExpiresAt").GetDateTimeOffset() > api.Clock.GetUtcNow());

        var duringGrace = await RecordAsync(api, ContentEventTypes.NoticeWithdrawn);
        await Eventually.TrueAsync(() => receiver.For(duringGrace).Count == 1, "a delivery during the grace period");
        Assert.True(SignatureIsValid(newSecret, receiver.For(duringGrace)[0]));
        Assert.True(SignatureIsValid(oldSecret, receiver.For(duringGrace)[0]));

        api.Clock.Advance(TimeSpan.FromHours(25));
        var afterGrace = await RecordAsync(api, ContentEventTypes.NoticeWithdrawn);
        await Eventually.TrueAsync(() => receiver.For(afterGrace).Count == 1, "a delivery after the grace period");
        Assert.True(SignatureIsValid(newSecret, receiver.For(afterGrace)[0]));
        Assert.False(SignatureIsValid(oldSecret, receiver.For(afterGrace)[0]));
    }

    [Fact]
    public async Task A_scheduled_publication_fires_once_when_its_time_comes_and_not_before()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (webhookId, _) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.ArticlePublished);
        var publishAt = api.Clock.GetUtcNow().AddHours(2);
        var messageId = await RecordAsync(api, ContentEventTypes.ArticlePublished, dueAt: publishAt);
        // A fan-out that dispatched an event recorded after it has seen it, and left it for its time: nothing can be sent.
        async Task HeldBackAsync()
        {
            await DispatchedAsync(api, await RecordAsync(api, ContentEventTypes.ArticleUpdated));
            Assert.False(await IsDispatchedAsync(api, messageId), "The scheduled event was dispatched before its time.");
            Assert.Empty(receiver.For(messageId));
        }

        await HeldBackAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(119));
        await HeldBackAsync();

        api.Clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => receiver.For(messageId).Count == 1, "the scheduled delivery");
        Assert.True(receiver.For(messageId)[0].At < DateTimeOffset.UtcNow);
        var payload = JsonDocument.Parse(receiver.For(messageId)[0].Body).RootElement;
        Assert.Equal(publishAt.ToUnixTimeSeconds(), payload.GetProperty("timestamp").GetDateTimeOffset().ToUnixTimeSeconds());
        // Settled as delivered, the message is never claimed again; and the event was fanned out to this webhook once.
        await AttemptAsync(client, webhookId, messageId, "delivered");
        Assert.Equal(1, await api.WithDbAsync(db => db.Set<HeadlessNews.Api.Features.Webhooks.WebhookMessage>().CountAsync(m => m.EventId == messageId && m.WebhookId == Guid.Parse(webhookId))));
        Assert.Single(receiver.For(messageId));
    }

    [Fact]
    public async Task A_disabled_webhook_receives_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, _) = await CreateWebhookAsync(client, receiver.Url, ContentEventTypes.ArticleArchived);
        var disable = new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/webhooks/{id}")
        {
            Content = JsonContent.Create(new { url = receiver.Url, events = new[] { ContentEventTypes.ArticleArchived }, enabled = false }),
        }.WithIfMatch(1);
        var disabled = await (await client.SendAsync(disable)).AssertSuccessAsync();
        Assert.Equal("Disabled through the API.", disabled.GetProperty("disabledReason").GetString());

        var messageId = await RecordAsync(api, ContentEventTypes.ArticleArchived);
        await DispatchedAsync(api, messageId);
        Assert.Empty(receiver.For(messageId));
        await (await client.PostAsync($"/v1/manage/webhooks/{id}/messages/{messageId}/retry", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }
}
