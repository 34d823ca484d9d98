using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadlessNews.Tests.Security;

/// <summary>The one-time secret of an API key or webhook is in the first response only: never in what idempotency remembers.</summary>
public sealed class OneTimeSecretTests(ApiFactory api) : IClassFixture<ApiFactory>
{

    [Fact]
    public async Task An_idempotent_replay_of_an_api_key_create_answers_without_the_secret_and_the_database_holds_none()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var body = new { name = Editorial.Unique("Replayed key"), scopes = new[] { "content:write" } };
        var (first, _) = await CreateTwiceAsync(admin, "/v1/manage/api-keys", body);

        await AssertNowhereStoredAsync(first.GetProperty("secret").GetString()!, anywhere: true);
    }

    [Fact]
    public async Task An_idempotent_replay_of_a_webhook_create_answers_without_the_secret_and_idempotency_stores_none()
    {
        var admin = await api.ClientWithScopesAsync("*");
        var body = new { url = "http://127.0.0.1:9/hooks/" + Guid.NewGuid().ToString("N"), events = new[] { "article.published" } };
        var (first, _) = await CreateTwiceAsync(admin, "/v1/manage/webhooks", body);

        // The webhook itself must keep its secret to sign deliveries; only idempotency's copy is the leak.
        await AssertNowhereStoredAsync(first.GetProperty("secret").GetString()!, anywhere: false);
    }

    private static async Task<(JsonElement First, JsonElement Replay)> CreateTwiceAsync(HttpClient client, string url, object body)
    {
        var key = Guid.NewGuid().ToString();
        async Task<HttpResponseMessage> SendAsync()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await client.SendAsync(request);
        }
        var first = await (await SendAsync()).AssertSuccessAsync(HttpStatusCode.Created);
        Assert.StartsWith(url.EndsWith("webhooks", StringComparison.Ordinal) ? "whsec_" : "hn_", first.GetProperty("secret").GetString(), StringComparison.Ordinal);

        var replayed = await SendAsync();
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        var replay = await replayed.AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal(first.Id(), replay.Id());
        Assert.Equal(JsonValueKind.Null, replay.GetProperty("secret").ValueKind);
        foreach (var property in first.EnumerateObject().Where(p => p.Name != "secret"))
        {
            Assert.Equal(property.Value.ToString(), replay.GetProperty(property.Name).ToString());
        }
        return (first, replay);
    }

    private async Task AssertNowhereStoredAsync(string secret, bool anywhere)
    {
        var stored = await api.WithDbAsync(db => db.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM idempotency_records WHERE position(convert_to({0}, 'UTF8') IN response_body) > 0", secret).SingleAsync());
        Assert.Equal(0, stored);

        if (DatabaseDump.Tools is null)
        {
            return;
        }
        var dump = await DatabaseDump.PgDumpAsync(api.ConnectionString);
        var hex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret));
        Assert.DoesNotContain(hex, dump, StringComparison.Ordinal);
        var idempotency = dump[dump.IndexOf("COPY public.idempotency_records", StringComparison.Ordinal)..];
        Assert.DoesNotContain(secret, anywhere ? dump : idempotency[..idempotency.IndexOf("\n\\.", StringComparison.Ordinal)], StringComparison.Ordinal);
    }
}
