using HeadlessNews.Api.Infrastructure.Security;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using HeadlessNews.Api.Features.ApiKeys;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Leases;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static HeadlessNews.Tests.Webhooks.WebhookTestKit;

namespace HeadlessNews.Tests.Reliability;

/// <summary>An API node under its own name over a shared database (a restart keeps the name; another node has its own).</summary>
public sealed class NamedNode(string connectionString, string nodeName, int leaseSeconds = 15) : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:HeadlessNews"] = connectionString,
        ["Leases:NodeName"] = nodeName,
        ["Leases:Seconds"] = leaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>A process killed mid-request, and the same-key retry that follows; each test starts its own nodes on one database.</summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const string SectionsPath = "/v1/manage/sections";
    private readonly List<ApiFactory> _nodes = [];
    private ApiFactory _database = null!;

    public async Task InitializeAsync()
    {
        _database = new ApiFactory();
        await _database.InitializeAsync();
        _nodes.Add(_database);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_same_key_retry_succeeds_at_once_when_the_node_that_died_holding_the_key_restarts()
    {
        var nodeName = "newsroom-" + Guid.NewGuid().ToString("N")[..8];
        var (keyId, secret) = await CreateKeyAsync();
        var body = SectionBody("Anglesey");
        var idempotencyKey = Guid.NewGuid().ToString();
        var dead = await CrashedProcess.LeaveBehindAsync(_database, nodeName, TimeSpan.FromSeconds(15));
        await LeaveInFlightAsync(dead, keyId, idempotencyKey, body);

        var restarted = StartNode(nodeName);
        var retry = await CreateSectionAsync(restarted, secret, idempotencyKey, body);

        await retry.AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal(1, await _database.WithDbAsync(db => db.Set<Section>().CountAsync(s => s.Name == SectionName(body))));
        Assert.False(await _database.WithDbAsync(db => db.Set<Node>().AnyAsync(n => n.BootId == dead)), "The restarted node forgot its previous boot.");
    }

    [Fact]
    public async Task A_same_key_retry_on_another_node_is_told_the_lease_left_and_succeeds_once_it_runs_out()
    {
        var (keyId, secret) = await CreateKeyAsync();
        var body = SectionBody("Gwynedd");
        var idempotencyKey = Guid.NewGuid().ToString();
        var other = StartNode("newsroom-" + Guid.NewGuid().ToString("N")[..8]);
        _ = other.Server;
        var leaseUntil = other.Clock.GetUtcNow().AddSeconds(9.5);
        var dead = await CrashedProcess.LeaveBehindAsync(_database, "silent-" + Guid.NewGuid().ToString("N")[..8], leaseUntil - _database.Clock.GetUtcNow());
        await LeaveInFlightAsync(dead, keyId, idempotencyKey, body);

        var sent = other.Clock.GetUtcNow();
        var refused = await CreateSectionAsync(other, secret, idempotencyKey, body);
        var answered = other.Clock.GetUtcNow();
        await refused.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, Math.Ceiling((leaseUntil - answered).TotalSeconds), Math.Ceiling((leaseUntil - sent).TotalSeconds));

        other.Clock.Advance(leaseUntil - other.Clock.GetUtcNow() + TimeSpan.FromMilliseconds(100));
        await (await CreateSectionAsync(other, secret, idempotencyKey, body)).AssertSuccessAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_same_key_retry_after_a_crash_does_not_run_again_a_create_that_had_committed()
    {
        var nodeName = "newsroom-" + Guid.NewGuid().ToString("N")[..8];
        var (keyId, secret) = await CreateKeyAsync();
        var body = SectionBody("Conwy");
        var idempotencyKey = Guid.NewGuid().ToString();
        var dead = await CrashedProcess.LeaveBehindAsync(_database, nodeName, TimeSpan.FromSeconds(15));
        // The process died after its create committed (the section and the key's stamp) and before the response was stored.
        await (await CreateSectionAsync(_database, secret, Guid.NewGuid().ToString(), body)).AssertSuccessAsync(HttpStatusCode.Created);
        await LeaveInFlightAsync(dead, keyId, idempotencyKey, body, committed: true);

        var retry = await CreateSectionAsync(StartNode(nodeName), secret, idempotencyKey, body);

        var problem = await retry.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Request carried out, response lost", problem.GetProperty("title").GetString());
        Assert.Equal(1, await _database.WithDbAsync(db => db.Set<Section>().CountAsync(s => s.Name == SectionName(body))));
    }

    [Fact]
    public async Task An_idempotent_create_stamps_its_key_in_the_transaction_of_its_writes_and_a_refused_one_does_not()
    {
        var (keyId, secret) = await CreateKeyAsync("content:write", "keys:manage", "feeds:partner");
        var created = Guid.NewGuid().ToString();
        var savedInOneStatement = Guid.NewGuid().ToString();
        var refused = Guid.NewGuid().ToString();
        await (await CreateSectionAsync(_database, secret, created, SectionBody("Denbighshire"))).AssertSuccessAsync(HttpStatusCode.Created);
        await (await PostAsync(_database, secret, "/v1/manage/api-keys", savedInOneStatement, """{"name": "Wrexham desk", "scopes": ["feeds:partner"]}"""))
            .AssertSuccessAsync(HttpStatusCode.Created);
        await (await CreateSectionAsync(_database, secret, refused, """{"name": ""}""")).AssertProblemAsync(HttpStatusCode.BadRequest);

        var stamps = await _database.WithDbAsync(db => db.Set<IdempotencyRecord>().Where(r => r.ApiKeyId == keyId)
            .ToDictionaryAsync(r => r.Key, r => r.CommittedAt));
        Assert.NotNull(stamps[created]);
        Assert.NotNull(stamps[savedInOneStatement]);
        Assert.Null(stamps[refused]);
    }

    [Fact]
    public async Task A_running_node_renews_its_lease_and_removes_its_row_when_it_stops()
    {
        var nodeName = "newsroom-" + Guid.NewGuid().ToString("N")[..8];
        var node = StartNode(nodeName, leaseSeconds: 3);
        _ = node.Server;
        var boot = node.Services.GetRequiredService<ThisNode>().BootId;
        var first = await LeaseOfAsync(boot);
        await Eventually.TrueAsync(async () => await LeaseOfAsync(boot) > first, "a renewed lease", 5);

        await node.DisposeAsync();
        _nodes.Remove(node);
        Assert.Null(await LeaseOfAsync(boot));
    }

    private Task<DateTimeOffset?> LeaseOfAsync(Guid boot) =>
        _database.WithDbAsync(db => db.Set<Node>().Where(n => n.BootId == boot).Select(n => (DateTimeOffset?)n.LeaseUntil).FirstOrDefaultAsync());

    private NamedNode StartNode(string nodeName, int leaseSeconds = 15)
    {
        var node = new NamedNode(_database.ConnectionString, nodeName, leaseSeconds);
        _nodes.Add(node);
        return node;
    }

    private Task<(Guid KeyId, string Secret)> CreateKeyAsync(params string[] scopes) =>
        _database.WithDbAsync(async db =>
        {
            var created = await ApiKeyIssuer.CreateAsync(db, _database.Clock, _database.Services.GetRequiredService<ApiKeyMint>(),
                new CreateApiKeyRequest("Crash drill", scopes.Length > 0 ? scopes : ["content:write"], null, null, null), PartnerLimits.None, CancellationToken.None);
            return (created.Id, created.Secret!);
        });

    /// <summary>The record a create leaves when its process dies between claiming the key and answering (after its writes committed, or before).</summary>
    private Task<int> LeaveInFlightAsync(Guid boot, Guid keyId, string idempotencyKey, string body, bool committed = false) =>
        _database.WithDbAsync(async db =>
        {
            db.Add(new IdempotencyRecord
            {
                ApiKeyId = keyId, Path = SectionsPath, Key = idempotencyKey, RequestHash = SHA256.HashData(Encoding.UTF8.GetBytes(body)),
                CreatedAt = _database.Clock.GetUtcNow(), OwnerBootId = boot, CommittedAt = committed ? _database.Clock.GetUtcNow() : null,
            });
            return await db.SaveChangesAsync();
        });

    private static Task<HttpResponseMessage> CreateSectionAsync(ApiFactory node, string secret, string idempotencyKey, string body) =>
        PostAsync(node, secret, SectionsPath, idempotencyKey, body);

    private static Task<HttpResponseMessage> PostAsync(ApiFactory node, string secret, string path, string idempotencyKey, string body)
    {
        var client = node.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", secret);
        request.Headers.Add(Idempotency.HeaderName, idempotencyKey);
        return client.SendAsync(request);
    }

    private static string SectionBody(string county)
    {
        var unique = Guid.NewGuid().ToString("N")[..8];
        return $$"""{"slug": "{{county.ToLowerInvariant()}}-{{unique}}", "name": "{{county}} {{unique}}"}""";
    }

    private static string SectionName(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("name").GetString()!;
}
