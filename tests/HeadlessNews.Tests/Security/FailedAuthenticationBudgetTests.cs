using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.DeliveryInfrastructure;
using HeadlessNews.Tests.Reliability;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace HeadlessNews.Tests.Security;

/// <summary>Failed authentications have their own budget per client address (default 20 per 10 s), spent before any database lookup.</summary>
public sealed class FailedAuthenticationBudgetTests(FailedAuthenticationBudgetTests.Factory api, ITestOutputHelper output) : IClassFixture<FailedAuthenticationBudgetTests.Factory>
{
    private const int Budget = 20;
    private const int Concurrency = 10;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>Rate limiting on with its defaults, and every SQL command the API sends captured.</summary>
    public sealed class Factory : DeliveryTestApiFactory
    {
        public CapturingLoggerProvider Logs { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["RateLimiting:Enabled"] = "true",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
        }

        /// <summary>How many commands so far read the API keys table (each authentication attempt that reaches the database is one).</summary>
        public int KeyLookups => Logs.Entries.Count(e =>
            e.Category == "Microsoft.EntityFrameworkCore.Database.Command" && e.Message.Contains("FROM api_keys", StringComparison.Ordinal));
    }

    private static string MadeUpKey() => "hn_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private Task<HttpResponseMessage> GetAsync(string url, string address, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(DeliveryTestApiFactory.TestEndpoints.ClientAddressHeader, address);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return api.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task Made_up_keys_from_one_address_get_429_after_the_budget_and_cost_the_database_nothing_more()
    {
        const string address = "198.51.100.10";
        var lookupsBefore = api.KeyLookups;
        var clock = Stopwatch.StartNew();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var batch = 0; batch < 500 / Concurrency; batch++)
        {
            foreach (var response in await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => GetAsync("/v1/articles", address, MadeUpKey()))))
            {
                statuses.Add(response.StatusCode);
                refused ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
            }
        }
        var elapsed = clock.Elapsed;

        var unauthorized = statuses.Count(s => s == HttpStatusCode.Unauthorized);
        // The budget is checked before and spent after a lookup, so requests in flight together may each pass the check.
        var allowed = Budget * (1 + (int)(elapsed / Window)) + Concurrency;
        Assert.True(unauthorized >= Budget && unauthorized <= allowed, $"{unauthorized} answers were 401 in {elapsed.TotalSeconds:F1} s.");
        Assert.Equal(500 - unauthorized, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.NotNull(refused);
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "A 429 says when to retry.");
        Assert.Equal(unauthorized, api.KeyLookups - lookupsBefore);
        output.WriteLine($"500 made-up keys in {elapsed.TotalSeconds:F2} s ({500 / elapsed.TotalSeconds:F0}/s): {unauthorized} answered 401 after a lookup, the rest 429 without one.");

        // Another address has its own budget.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/v1/articles", "198.51.100.11", MadeUpKey())).StatusCode);
    }

    [Fact]
    public async Task A_valid_key_is_never_blocked_by_its_address_s_spent_budget_and_never_spends_it()
    {
        const string address = "198.51.100.20";
        var existing = await api.CreateKeyAsync(["content:write"]);
        for (var i = 0; i < Budget + 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync("/v1/manage/sections", address, existing)).StatusCode);
        }
        for (var i = 0; i < Budget; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/v1/manage/sections", address, MadeUpKey())).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync("/v1/manage/sections", address, MadeUpKey())).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/v1/manage/sections", address, existing)).StatusCode);
        var admin = await api.ClientWithScopesAsync("*");
        var created = await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new { name = Editorial.Unique("Fresh"), scopes = new[] { "content:write" } }))
            .AssertSuccessAsync(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/v1/manage/sections", address, created.GetProperty("secret").GetString()!)).StatusCode);
    }
}
