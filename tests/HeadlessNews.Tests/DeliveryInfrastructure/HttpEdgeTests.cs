using System.Net;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HeadlessNews.Tests.DeliveryInfrastructure;

public sealed class CorsTests(CorsTests.Factory api) : IClassFixture<CorsTests.Factory>
{
    public sealed class Factory : DeliveryTestApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Cors:Origins"] = "https://www.llandudno-news.example, https://app.llandudno-news.example",
        };
    }

    private static HttpRequestMessage From(HttpMethod method, string url, string origin)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Origin", origin);
        return request;
    }

    [Fact]
    public async Task An_allowed_origin_gets_cors_headers_that_expose_the_caching_headers()
    {
        var response = await api.CreateClient().SendAsync(From(HttpMethod.Get, $"/v1/test-cache/{Guid.NewGuid():N}", "https://app.llandudno-news.example"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://app.llandudno-news.example", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        var exposed = string.Join(',', response.Headers.GetValues("Access-Control-Expose-Headers"));
        Assert.Contains("ETag", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Link", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Surrogate-Key", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_cached_read_answers_each_origin_with_its_own_cors_header_and_says_it_varies_by_origin()
    {
        var url = $"/v1/test-cache/{Guid.NewGuid():N}";
        var client = api.CreateClient();
        var first = await client.SendAsync(From(HttpMethod.Get, url, "https://app.llandudno-news.example"));
        var second = await client.SendAsync(From(HttpMethod.Get, url, "https://www.llandudno-news.example"));
        var third = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

        Assert.Equal("https://app.llandudno-news.example", Assert.Single(first.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("https://www.llandudno-news.example", Assert.Single(second.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.False(third.Headers.Contains("Access-Control-Allow-Origin"));
        // A shared cache in front must not hand one origin's answer (or a no-origin one) to another.
        Assert.All([first, second, third], response => Assert.Contains("Origin", response.Headers.Vary));
    }

    [Fact]
    public async Task Another_origin_gets_no_cors_headers()
    {
        var response = await api.CreateClient().SendAsync(From(HttpMethod.Get, $"/v1/test-cache/{Guid.NewGuid():N}", "https://evil.example"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered()
    {
        var request = From(HttpMethod.Options, "/v1/manage/api-keys", "https://www.llandudno-news.example");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, if-none-match");
        var response = await api.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://www.llandudno-news.example", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("authorization", string.Join(',', response.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class RateLimitTests(RateLimitTests.Factory api) : IClassFixture<RateLimitTests.Factory>
{
    public sealed class Factory : DeliveryTestApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["RateLimiting:Enabled"] = "true",
            ["RateLimiting:WindowSeconds"] = "60",
            ["RateLimiting:Delivery:Anonymous"] = "3",
            ["RateLimiting:Delivery:Key"] = "6",
            ["RateLimiting:Management:Anonymous"] = "1000",
            ["RateLimiting:Management:Key"] = "1000",
            ["Http:KnownProxies"] = "10.0.0.5, 2001:db8:ff::5",
            ["Http:KnownNetworks:0"] = "10.1.0.0/16",
        };
    }

    [Fact]
    public async Task Anonymous_callers_over_their_budget_get_429_with_retry_after_and_a_key_gets_more()
    {
        // All anonymous TestServer requests share one partition (no client address), so this class has one such test.
        var anonymous = api.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/v1/test-cache/{Guid.NewGuid():N}")).StatusCode);
        }
        var refused = await anonymous.GetAsync($"/v1/test-cache/{Guid.NewGuid():N}");
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        var keyed = await api.ClientWithScopesAsync("feeds:partner");
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await keyed.GetAsync($"/v1/test-cache/{Guid.NewGuid():N}")).StatusCode);
        }
        await (await keyed.GetAsync($"/v1/test-cache/{Guid.NewGuid():N}")).AssertProblemAsync(HttpStatusCode.TooManyRequests);
    }

    /// <summary>A request from the peer <paramref name="address"/>, optionally claiming to forward <paramref name="forwardedFor"/>.</summary>
    private async Task<HttpStatusCode> GetFromAsync(string address, string? forwardedFor = null, string? url = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url ?? $"/v1/test-cache/{Guid.NewGuid():N}");
        request.Headers.Add(DeliveryTestApiFactory.TestEndpoints.ClientAddressHeader, address);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return (await api.CreateClient().SendAsync(request)).StatusCode;
    }

    [Theory]
    [InlineData("203.0.113.20")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task X_forwarded_for_from_a_peer_that_is_not_a_configured_proxy_does_not_change_its_budget(string peer)
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetFromAsync(peer, $"198.51.100.{10 + i}"));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetFromAsync(peer, "198.51.100.99"));
    }

    [Fact]
    public async Task Clients_behind_a_configured_proxy_each_get_their_own_budget()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetFromAsync("10.0.0.5", "198.51.100.1"));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetFromAsync("10.0.0.5", "198.51.100.1"));
        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("10.0.0.5", "198.51.100.2"));
        // A client's claim about earlier hops counts only as far as the hops are configured proxies.
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetFromAsync("10.0.0.5", "192.0.2.77, 198.51.100.1"));

        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("10.1.20.30", "198.51.100.3"));
        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("2001:db8:ff::5", "198.51.100.4"));
        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("::ffff:10.0.0.5", "198.51.100.5"));
    }

    [Fact]
    public async Task Answers_from_the_output_cache_do_not_spend_the_anonymous_budget()
    {
        var cached = $"/v1/test-cache/{Guid.NewGuid():N}";
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetFromAsync("203.0.113.40", url: cached));
        }
        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("203.0.113.40"));
    }

    [Fact]
    public async Task Each_client_address_has_its_own_budget_and_an_ipv6_64_counts_as_one_client()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetFromAsync("203.0.113.7"));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetFromAsync("203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("203.0.113.8"));

        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("2001:db8:4:5::1"));
        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("2001:db8:4:5::2"));
        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("2001:db8:4:5:aaaa::3"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetFromAsync("2001:db8:4:5::4"));
        Assert.Equal(HttpStatusCode.OK, await GetFromAsync("2001:db8:4:6::1"));
    }
}

public sealed class RequestTimeoutTests(RequestTimeoutTests.Factory api) : IClassFixture<RequestTimeoutTests.Factory>
{
    public sealed class Factory : DeliveryTestApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Limits:RequestTimeoutSeconds"] = "1" };
    }

    [Fact]
    public async Task A_request_that_hangs_is_answered_503_with_retry_after()
    {
        var response = await api.CreateClient().GetAsync("/v1/test-slow");
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}

public sealed class ReadDatabaseTests
{
    private sealed class Factory(IReadOnlyDictionary<string, string?> settings) : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => settings;
    }

    /// <summary>The database reads on <paramref name="key"/> reach, through a context and through the data source (they must agree).</summary>
    private static async Task<string?> ReadDatabaseNameAsync(ApiFactory api, string key = ReadDatabase.Key)
    {
        _ = api.Server;
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredKeyedService<HeadlessNewsDbContext>(key);
        var source = scope.ServiceProvider.GetRequiredService<ReadDatabase>().DataSource(genericPlans: key == ReadDatabase.GenericPlansKey);
        var reached = Assert.Single(await source.ReadAsync("SELECT current_database()", [], reader => reader.GetString(0), CancellationToken.None));
        Assert.Equal(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).Database, reached);
        return reached;
    }

    [Fact]
    public async Task Without_a_read_connection_string_reads_use_the_primary()
    {
        await using var api = new Factory(new Dictionary<string, string?>());
        await api.InitializeAsync();
        Assert.Equal(new NpgsqlConnectionStringBuilder(api.ConnectionString).Database, await ReadDatabaseNameAsync(api));
    }

    [Fact]
    public async Task A_read_connection_string_sends_delivery_reads_there_and_management_stays_on_the_primary()
    {
        var replica = await (await TestDatabaseServer.Shared).CreateDatabaseAsync();
        await using var api = new Factory(new Dictionary<string, string?> { ["ConnectionStrings:HeadlessNewsRead"] = replica });
        await api.InitializeAsync();
        Assert.Equal(new NpgsqlConnectionStringBuilder(replica).Database, await ReadDatabaseNameAsync(api));
        var primary = await api.WithDbAsync(db => Task.FromResult(db.Database.GetConnectionString()));
        Assert.Equal(new NpgsqlConnectionStringBuilder(api.ConnectionString).Database, new NpgsqlConnectionStringBuilder(primary).Database);
    }

    [Theory]
    [InlineData(ReadDatabase.Key, "auto")]
    [InlineData(ReadDatabase.GenericPlansKey, "force_generic_plan")]
    public async Task Generic_plan_reads_get_connections_that_keep_one_plan_and_the_others_let_postgres_choose(string key, string expected)
    {
        await using var api = new Factory(new Dictionary<string, string?>());
        await api.InitializeAsync();
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredKeyedService<HeadlessNewsDbContext>(key);
        var source = scope.ServiceProvider.GetRequiredService<ReadDatabase>().DataSource(genericPlans: key == ReadDatabase.GenericPlansKey);
        var viaContext = await db.Database.SqlQueryRaw<string>("SELECT current_setting('plan_cache_mode') AS \"Value\"").SingleAsync();
        var viaDataSource = await source.ReadAsync("SHOW plan_cache_mode", [], reader => reader.GetString(0), CancellationToken.None);
        Assert.Equal(expected, viaContext);
        Assert.Equal(expected, Assert.Single(viaDataSource));
    }

    [Fact]
    public async Task Delivery_reads_share_multiplexed_connections_and_management_keeps_its_own()
    {
        await using var api = new Factory(new Dictionary<string, string?>());
        await api.InitializeAsync();
        var reads = api.Services.GetRequiredService<ReadDatabase>();
        Assert.All(new[] { reads.DataSource(), reads.DataSource(genericPlans: true) },
            source => Assert.True(new NpgsqlConnectionStringBuilder(source.ConnectionString).Multiplexing));
        var primary = await api.WithDbAsync(db => Task.FromResult(db.Database.GetConnectionString()));
        Assert.False(new NpgsqlConnectionStringBuilder(primary).Multiplexing);
    }

    [Theory]
    [InlineData("Host=db;Multiplexing=false", false)]
    [InlineData("Host=db;multiplexing=False;Options=-c search_path=news", false)]
    [InlineData("Host=db", true)]
    [InlineData("Host=primary,standby;Target Session Attributes=prefer-standby", false)]
    [InlineData("Host=db;Pooling=false", false)]
    public void Reads_multiplex_unless_the_string_names_it_or_npgsql_cannot(string connectionString, bool expected)
    {
        var multiplexed = ReadDatabase.Multiplexed(connectionString);
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(multiplexed).Multiplexing);
        // Npgsql refuses a multiplexed data source with several hosts or without pooling when it is built.
        using var dataSource = DatabaseServiceCollectionExtensions.CreateDataSource(multiplexed);
    }

    [Fact]
    public async Task A_read_slower_than_the_connect_timeout_but_within_the_command_timeout_completes()
    {
        // A multiplexed command times out after the connection Timeout (5 s here), not Command Timeout.
        await using var api = new Factory(new Dictionary<string, string?> { ["Database:CommandTimeoutSeconds"] = "8" });
        await api.InitializeAsync();
        var reads = api.Services.GetRequiredService<ReadDatabase>();
        var slept = await reads.DataSource(genericPlans: true).ReadAsync("SELECT pg_sleep(5.5)::text", [], reader => reader.GetString(0), CancellationToken.None);
        Assert.Single(slept);
    }

    [Fact]
    public void Generic_plans_are_added_to_the_options_a_connection_string_already_has()
    {
        var options = new NpgsqlConnectionStringBuilder(ReadDatabase.WithGenericPlans("Host=db;Options=-c search_path=news")).Options;
        Assert.Equal("-c search_path=news -c plan_cache_mode=force_generic_plan", options);
    }

    /// <summary>Shadows pg_last_wal_replay_lsn() in the "replica" database so it reports a standby at <paramref name="lsn"/>.</summary>
    private static async Task PretendStandbyReplayedAsync(string replica, string lsn)
    {
        await using var connection = new NpgsqlConnection(replica);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand(
            "CREATE SCHEMA IF NOT EXISTS fake; CREATE OR REPLACE FUNCTION fake.pg_last_wal_replay_lsn() RETURNS pg_lsn " +
            $"LANGUAGE sql AS $$ SELECT '{lsn}'::pg_lsn $$", connection);
        await create.ExecuteNonQueryAsync();
    }

    [Theory]
    [InlineData(ReadDatabase.Key, false)]
    [InlineData(ReadDatabase.GenericPlansKey, false)]
    [InlineData(ReadDatabase.Key, true)]
    public async Task After_an_eviction_reads_use_the_primary_until_the_standby_has_replayed_it(string key, bool stringSaysMultiplexing)
    {
        var replica = new NpgsqlConnectionStringBuilder(await (await TestDatabaseServer.Shared).CreateDatabaseAsync()) { SearchPath = "fake,pg_catalog,public" }.ConnectionString
            + (stringSaysMultiplexing ? ";Multiplexing=true" : string.Empty);
        await PretendStandbyReplayedAsync(replica, "FFFFFFFF/FFFFFFFF");
        await using var api = new Factory(new Dictionary<string, string?> { ["ConnectionStrings:HeadlessNewsRead"] = replica });
        await api.InitializeAsync();
        var replicaName = new NpgsqlConnectionStringBuilder(replica).Database;
        var primaryName = new NpgsqlConnectionStringBuilder(api.ConnectionString).Database;
        Assert.Equal(replicaName, await ReadDatabaseNameAsync(api, key));

        await PretendStandbyReplayedAsync(replica, "0/1");
        // A write moves the primary's WAL past any position already known to be replayed (an eviction at start-up
        // may have recorded the current one), as every real change that causes an eviction does.
        await using (var primary = new NpgsqlConnection(api.ConnectionString))
        {
            await primary.OpenAsync();
            await using var write = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS wal_advance (at timestamptz); INSERT INTO wal_advance VALUES (now())", primary);
            await write.ExecuteNonQueryAsync();
        }
        await api.Services.GetRequiredService<HeadlessNews.Api.Infrastructure.Caching.ICacheInvalidator>().EvictAsync("article:lagging");
        Assert.Equal(primaryName, await ReadDatabaseNameAsync(api, key));

        await PretendStandbyReplayedAsync(replica, "FFFFFFFF/FFFFFFFF");
        await Task.Delay(ReadDatabase.ReplayRecheck);
        Assert.Equal(replicaName, await ReadDatabaseNameAsync(api, key));
    }

    [Fact]
    public async Task While_a_standby_that_is_behind_cannot_be_asked_reads_use_the_primary()
    {
        var unreachable = "Host=127.0.0.1;Port=1;Database=standby;Username=reader;Timeout=2";
        await using var api = new Factory(new Dictionary<string, string?> { ["ConnectionStrings:HeadlessNewsRead"] = unreachable });
        await api.InitializeAsync();
        api.Services.GetRequiredService<ReadDatabase>().RequireReplayOf("FFFFFFFF/FFFFFFFF");
        Assert.Equal(new NpgsqlConnectionStringBuilder(api.ConnectionString).Database, await ReadDatabaseNameAsync(api));
    }
}
