using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Webhooks;

/// <summary>The API with a fast dispatcher: short polls, a 1 s delivery timeout and sub-second retries.</summary>
public class WebhookApi : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Webhooks:PollIntervalMs"] = "100",
        ["Webhooks:TimeoutSeconds"] = "1",
        ["Webhooks:RetrySchedule:0"] = "00:00:00.300",
        ["Webhooks:RetrySchedule:1"] = "00:00:00.300",
        ["Webhooks:RetrySchedule:2"] = "00:00:00.300",
        ["Webhooks:RetrySchedule:3"] = "00:10:00",
        ["Delivery:PublicBaseUrl"] = "https://news.example.cymru/",
    };
}

/// <summary>Another API node on an existing database: a node of its own unless named (a restart keeps its name).</summary>
public sealed class WebhookApiNode(string connectionString, string? nodeName = null) : WebhookApi
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["ConnectionStrings:HeadlessNews"] = connectionString,
        ["Leases:NodeName"] = nodeName ?? "webhook-node-" + Guid.NewGuid().ToString("N")[..8],
    };
}

public static class WebhookTestKit
{
    public static async Task<(string Id, string Secret)> CreateWebhookAsync(HttpClient client, string url, params string[] events)
    {
        var created = await (await client.PostAsJsonAsync("/v1/manage/webhooks", new { url, events, description = "Rebuild the Conwy edition" }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        return (created.GetProperty("id").GetString()!, created.GetProperty("secret").GetString()!);
    }

    /// <summary>Writes an outbox event the way the content features do: <c>db.Record</c> and SaveChanges.</summary>
    public static Task<Guid> RecordAsync(ApiFactory api, string type, Guid? resourceId = null, DateTimeOffset? dueAt = null) =>
        api.WithDbAsync(async db =>
        {
            var id = resourceId ?? Guid.CreateVersion7();
            var resourceType = type[..type.IndexOf('.', StringComparison.Ordinal)];
            var slug = resourceType == "article" ? $"conwy-quay-mussel-festival-{id:N}" : null;
            var recorded = db.Record(api.Clock, type, resourceType, id, slug, 3, dueAt);
            await db.SaveChangesAsync();
            return recorded.Id;
        });

    /// <summary>
    /// Waits until the dispatcher has fanned event <paramref name="messageId"/> out to the subscriptions it matches: from
    /// then on a webhook it did not match can never receive it, so "nothing arrived" means something.
    /// </summary>
    public static Task DispatchedAsync(ApiFactory api, Guid messageId) =>
        Eventually.TrueAsync(() => IsDispatchedAsync(api, messageId), $"the dispatcher to fan out event {messageId}");

    public static Task<bool> IsDispatchedAsync(ApiFactory api, Guid messageId) =>
        api.WithDbAsync(db => db.Set<ContentEvent>().AnyAsync(e => e.Id == messageId && e.DispatchedAt != null));

    /// <summary>An independent Standard Webhooks v1 verifier: true when any v1 signature matches the secret.</summary>
    public static bool SignatureIsValid(string secret, ReceivedWebhook webhook)
    {
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        using var hmac = new HMACSHA256(Convert.FromBase64String(secret["whsec_".Length..]));
        var expected = Encoding.ASCII.GetBytes(Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{webhook.Id}.{webhook.Timestamp}.{webhook.Body}"))));
        return webhook.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => part.StartsWith("v1,", StringComparison.Ordinal))
            .Any(part => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(part[3..]), expected));
    }

    /// <summary>Waits for a logged attempt to deliver <paramref name="messageId"/> to webhook <paramref name="webhookId"/> (one with <paramref name="outcome"/>, when given).</summary>
    public static async Task<JsonElement> AttemptAsync(HttpClient client, string webhookId, Guid messageId, string? outcome = null)
    {
        JsonElement attempt = default;
        await Eventually.TrueAsync(async () =>
        {
            var log = await (await client.GetAsync($"/v1/manage/webhooks/{webhookId}/deliveries")).AssertSuccessAsync();
            attempt = log.GetProperty("items").EnumerateArray().FirstOrDefault(a => a.GetProperty("messageId").GetString() == messageId.ToString()
                && (outcome is null || a.GetProperty("outcome").GetString() == outcome));
            return attempt.ValueKind != JsonValueKind.Undefined;
        }, outcome is null ? "a logged attempt" : $"a logged attempt with outcome {outcome}");
        return attempt;
    }

    public static HttpRequestMessage WithIfMatch(this HttpRequestMessage request, int version)
    {
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        return request;
    }
}
