using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessNews.Api.Features.Webhooks;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Webhooks;

public sealed class WebhookManagementTests(WebhookApi api) : IClassFixture<WebhookApi>
{
    [Fact]
    public async Task Creating_a_webhook_shows_a_whsec_secret_once_and_reading_it_never_does()
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var response = await client.PostAsJsonAsync("/v1/manage/webhooks",
            new { url = "http://127.0.0.1:9/hooks/bangor", events = new[] { "article.published", "notice.published" }, description = "Bangor front page" });
        var created = await response.AssertSuccessAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.Equal($"/v1/manage/webhooks/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);

        var read = await client.GetAsync($"/v1/manage/webhooks/{id}");
        var one = await read.AssertSuccessAsync();
        Assert.False(one.TryGetProperty("secret", out _));
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        // The create answered with the instant as stored (microseconds), not one with a seventh decimal more.
        Assert.Equal(created.GetProperty("createdAt").GetString(), one.GetProperty("createdAt").GetString());
        Assert.True(one.GetProperty("enabled").GetBoolean());
        Assert.Equal(["article.published", "notice.published"], one.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var list = await (await client.GetAsync("/v1/manage/webhooks?limit=100")).AssertSuccessAsync();
        var entry = list.GetProperty("items").EnumerateArray().Single(w => w.GetProperty("id").GetString() == id);
        Assert.False(entry.TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret, list.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhooks_need_the_webhooks_manage_scope()
    {
        var writer = await api.ClientWithScopesAsync("content:write");
        await (await writer.GetAsync("/v1/manage/webhooks")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Unknown_event_types_are_a_validation_problem_keyed_by_field()
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var problem = await (await client.PostAsJsonAsync("/v1/manage/webhooks",
            new { url = "http://127.0.0.1:9/hooks", events = new[] { "article.published", "article.deleted" } })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("events[1]", out _), problem.ToString());

        var none = await (await client.PostAsJsonAsync("/v1/manage/webhooks", new { url = "http://127.0.0.1:9/hooks", events = Array.Empty<string>() }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(none.GetProperty("errors").TryGetProperty("events", out _), none.ToString());
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://169.254.10.20/")]
    [InlineData("http://[fe80::1]/hooks")]
    [InlineData("http://[fd00:ec2::254]/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/x")]
    [InlineData("https://[2002:a9fe:a9fe::1]/x")]
    [InlineData("https://[::a9fe:a9fe]/x")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x")]
    [InlineData("https://[64:ff9b:1::a9fe:a9fe]/x")]
    [InlineData("http://0.0.0.0:8080/")]
    [InlineData("http://224.0.0.251/")]
    [InlineData("ftp://127.0.0.1/hooks")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url")]
    [InlineData("http://1.1.1.1:0/")]
    [InlineData("https://1.1.1.1/\r\nX: y")]
    public async Task Link_local_metadata_multicast_and_non_http_targets_are_always_refused(string url) =>
        await AssertTargetRefusedAsync(api, url);

    [Theory]
    [InlineData("http://168.63.129.16/machine?comp=goalstate")]
    [InlineData("http://192.0.0.192/opc/v2/instance/")]
    [InlineData("http://192.0.0.8/")]
    [InlineData("http://198.18.0.1/")]
    [InlineData("http://198.19.255.254/")]
    [InlineData("http://192.0.2.10/")]
    [InlineData("http://198.51.100.7/")]
    [InlineData("http://203.0.113.9/")]
    [InlineData("http://192.88.99.1/")]
    [InlineData("http://255.255.255.255/")]
    [InlineData("http://240.1.2.3/")]
    [InlineData("http://0.1.2.3/")]
    [InlineData("http://239.255.255.250:1900/")]
    [InlineData("http://[::]/")]
    [InlineData("http://[ff02::1]/")]
    [InlineData("http://[100::1]/")]
    [InlineData("http://[2001:db8::1]/")]
    [InlineData("http://[3fff::1]/")]
    [InlineData("http://[2001:2::1]/")]
    [InlineData("http://[2001:20::1]/")]
    [InlineData("http://[5f00::1]/")]
    [InlineData("http://[4000::1]/")]
    [InlineData("http://[::ffff:168.63.129.16]/")]
    [InlineData("http://[::ffff:0:a83f:8110]/")]
    [InlineData("http://[64:ff9b::a83f:8110]/")]
    [InlineData("http://[2002:c612:1::1]/")]
    [InlineData("http://[::ffff:192.0.0.192]/")]
    public async Task Cloud_metadata_benchmarking_documentation_reserved_and_other_special_purpose_addresses_are_always_refused(string url) =>
        await AssertTargetRefusedAsync(api, url);

    [Theory]
    [InlineData("http://8.8.8.8/hooks")]
    [InlineData("http://100.63.255.255/hooks")]
    [InlineData("http://100.128.0.1/hooks")]
    [InlineData("http://192.0.1.1/hooks")]
    [InlineData("http://198.17.255.255/hooks")]
    [InlineData("http://198.20.0.1/hooks")]
    [InlineData("http://192.31.196.1/hooks")]
    [InlineData("http://168.63.129.17/hooks")]
    [InlineData("http://[2606:4700:4700::1111]/hooks")]
    [InlineData("http://[2620:4f:8000::1]/hooks")]
    [InlineData("http://[::ffff:8.8.8.8]/hooks")]
    [InlineData("http://[64:ff9b::808:808]/hooks")]
    public async Task Global_addresses_beside_the_special_ranges_are_accepted(string url)
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        await WebhookTestKit.CreateWebhookAsync(client, url, "article.published");
    }

    /// <summary>Registering <paramref name="url"/> is a 400 on <c>url</c> for what the address is (not for failing to resolve), and stores nothing.</summary>
    internal static async Task AssertTargetRefusedAsync(ApiFactory api, string url)
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var problem = await (await client.PostAsJsonAsync("/v1/manage/webhooks", new { url, events = new[] { "article.published" } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out var errors), problem.ToString());
        Assert.DoesNotContain("does not resolve", errors.ToString(), StringComparison.Ordinal);
        Assert.False(await api.WithDbAsync(db => db.Set<Webhook>().AnyAsync(w => w.Url == url)));
    }

    [Fact]
    public async Task IPv6_loopback_is_a_private_target_and_not_read_as_an_IPv4_compatible_address()
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        await WebhookTestKit.CreateWebhookAsync(client, "http://[::1]:9/hooks/llandudno", "article.published");
    }

    [Fact]
    public async Task Updating_and_deleting_a_webhook_need_the_current_version()
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, _) = await WebhookTestKit.CreateWebhookAsync(client, "http://127.0.0.1:9/hooks/rhyl", "article.published");
        var change = new { url = "http://127.0.0.1:9/hooks/rhyl-v2", events = new[] { "notice.withdrawn" }, enabled = false };

        await (await client.PutAsJsonAsync($"/v1/manage/webhooks/{id}", change)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        var stale = await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/webhooks/{id}") { Content = JsonContent.Create(change) }.WithIfMatch(7)))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(1, stale.GetProperty("currentVersion").GetInt32());

        var updated = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/webhooks/{id}") { Content = JsonContent.Create(change) }.WithIfMatch(1));
        var body = await updated.AssertSuccessAsync();
        Assert.Equal(2, body.GetProperty("version").GetInt32());
        Assert.Equal("\"2\"", updated.Headers.ETag?.Tag);
        Assert.False(body.GetProperty("enabled").GetBoolean());
        Assert.Equal("http://127.0.0.1:9/hooks/rhyl-v2", body.GetProperty("url").GetString());
        Assert.Equal(["notice.withdrawn"], body.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/manage/webhooks/{id}").WithIfMatch(1)))
            .AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/manage/webhooks/{id}").WithIfMatch(2))).StatusCode);
        await (await client.GetAsync($"/v1/manage/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_update_to_a_refused_target_is_a_validation_problem()
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var (id, _) = await WebhookTestKit.CreateWebhookAsync(client, "http://127.0.0.1:9/hooks/prestatyn", "article.published");
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/manage/webhooks/{id}")
        {
            Content = JsonContent.Create(new { url = "http://169.254.169.254/", events = new[] { "article.published" } }),
        }.WithIfMatch(1);
        var problem = await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), problem.ToString());
    }

    [Fact]
    public async Task Deliveries_of_an_unknown_webhook_are_404_and_a_bad_cursor_is_400()
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        await (await client.GetAsync($"/v1/manage/webhooks/{Guid.CreateVersion7()}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound);
        var (id, _) = await WebhookTestKit.CreateWebhookAsync(client, "http://127.0.0.1:9/hooks/rhos", "article.published");
        await (await client.GetAsync($"/v1/manage/webhooks/{id}/deliveries?cursor=forged")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}

/// <summary>The API as production runs it: loopback and private targets refused.</summary>
public sealed class PublicTargetsOnlyApi : WebhookApi
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Webhooks:AllowPrivateTargets"] = "false" };
}

public sealed class WebhookPrivateTargetTests(PublicTargetsOnlyApi api) : IClassFixture<PublicTargetsOnlyApi>
{
    [Theory]
    [InlineData("http://127.0.0.1/hooks")]
    [InlineData("http://127.8.9.10:8080/hooks")]
    [InlineData("http://localhost:5000/hooks")]
    [InlineData("http://10.20.30.40/hooks")]
    [InlineData("http://172.16.5.4/hooks")]
    [InlineData("https://192.168.1.20/hooks")]
    [InlineData("http://[::1]/hooks")]
    [InlineData("http://[fd12:3456::1]/hooks")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/x")]
    [InlineData("https://[2002:a9fe:a9fe::1]/x")]
    [InlineData("https://[::a9fe:a9fe]/x")]
    [InlineData("https://[64:ff9b::7f00:1]/x")]
    [InlineData("https://[2002:7f00:1::1]/x")]
    [InlineData("https://[fec0::1]/x")]
    [InlineData("https://[64:ff9b::a00:1]/x")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x")]
    [InlineData("http://100.64.0.1/hooks")]
    [InlineData("http://100.127.255.254/hooks")]
    [InlineData("http://[::ffff:100.64.0.1]/hooks")]
    [InlineData("http://[::ffff:0:7f00:1]/hooks")]
    [InlineData("http://[::ffff:0:a00:1]/hooks")]
    [InlineData("http://[64:ff9b::6440:1]/hooks")]
    public async Task Loopback_private_site_local_and_IPv4_carrying_targets_are_refused_and_not_stored_when_private_targets_are_not_allowed(string url) =>
        await WebhookManagementTests.AssertTargetRefusedAsync(api, url);

    [Fact]
    public async Task A_target_that_turns_out_to_be_private_at_delivery_time_is_never_contacted_and_the_refusal_is_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // Stands in for a public name whose DNS now points at loopback (rebinding): only the delivery-time check can stop it.
        var attempt = await FirstAttemptAsync(receiver.Url);
        Assert.Equal("refused", attempt.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status").ValueKind);
        Assert.Contains("127.0.0.1", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task A_name_that_resolves_to_a_private_address_is_refused_without_saying_which_address()
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var problem = await (await client.PostAsJsonAsync("/v1/manage/webhooks", new { url = "http://localhost:9/hooks", events = new[] { "article.published" } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("url")[0].GetString()!;
        Assert.Contains("localhost", message, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("::1", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_at_delivery_time_is_never_contacted_and_the_log_does_not_say_which_address()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // A public name whose DNS now points at loopback (rebinding): the address connected to is checked at delivery.
        var attempt = await FirstAttemptAsync(receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        Assert.Equal("refused", attempt.GetProperty("outcome").GetString());
        var error = attempt.GetProperty("error").GetString()!;
        Assert.Contains("localhost", error, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", error, StringComparison.Ordinal);
        Assert.DoesNotContain("::1", error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task A_stored_target_carrying_loopback_in_an_IPv6_address_is_refused_at_delivery_time()
    {
        var attempt = await FirstAttemptAsync("http://[64:ff9b::7f00:1]:9/hooks");
        Assert.Equal("refused", attempt.GetProperty("outcome").GetString());
        Assert.Contains("127.0.0.1", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Stores a webhook for <paramref name="url"/> past the registration check, records an event and waits for its first logged attempt.</summary>
    private async Task<JsonElement> FirstAttemptAsync(string url)
    {
        var client = await api.ClientWithScopesAsync("webhooks:manage");
        var id = await api.WithDbAsync(async db =>
        {
            var webhook = new Webhook
            {
                Id = Guid.CreateVersion7(), Url = url, Events = ["article.updated"], Secret = "whsec_" + Convert.ToBase64String(new byte[32]),
                CreatedAt = api.Clock.GetUtcNow(), UpdatedAt = api.Clock.GetUtcNow(), Version = 1,
            };
            db.Add(webhook);
            await db.SaveChangesAsync();
            return webhook.Id;
        });
        var messageId = await WebhookTestKit.RecordAsync(api, "article.updated");
        return await WebhookTestKit.AttemptAsync(client, id.ToString(), messageId);
    }
}
