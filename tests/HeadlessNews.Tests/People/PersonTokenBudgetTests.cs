using System.Net;
using System.Net.Http.Headers;
using HeadlessNews.Tests.DeliveryInfrastructure;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.People;

/// <summary>Failed tokens spend the same per-address failed-authentication budget as unknown keys (rate limiting on, default 20 per 10 s).</summary>
public sealed class PersonTokenBudgetTests(PersonTokenBudgetTests.Factory api) : IClassFixture<PersonTokenBudgetTests.Factory>
{
    private const int Budget = 20;

    public sealed class Factory : DeliveryTestApiFactory
    {
        public TestIdentityProvider Newsroom { get; private set; } = null!;
        public TestIdentityProvider Rogue { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            Newsroom = await TestIdentityProvider.StartAsync();
            Rogue = await TestIdentityProvider.StartAsync();
            await base.InitializeAsync();
        }

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["RateLimiting:Enabled"] = "true",
            ["Auth:Oidc:Authority"] = Newsroom.Authority,
            ["Auth:Oidc:Audience"] = PersonTokenTests.Audience,
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Auth:Oidc:RoleScopes:reporter"] = "content:write",
        };

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await Newsroom.DisposeAsync();
            await Rogue.DisposeAsync();
        }
    }

    private Task<HttpResponseMessage> GetAsync(string address, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/manage/sections");
        request.Headers.Add(DeliveryTestApiFactory.TestEndpoints.ClientAddressHeader, address);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task Untrusted_tokens_from_one_address_get_429_after_the_budget_while_a_valid_token_still_passes()
    {
        const string address = "198.51.100.40";
        var forged = await api.Rogue.IssueAsync("intruder", "Intruder", PersonTokenTests.Audience, ["reporter"]);
        // The budget is a fixed window, so a burst that straddles a window's end may see up to two budgets of 401s.
        var unauthorized = 0;
        HttpResponseMessage refused;
        while ((refused = await GetAsync(address, forged)).StatusCode == HttpStatusCode.Unauthorized)
        {
            unauthorized++;
            Assert.True(unauthorized <= 2 * Budget, "Failed tokens never ran out of budget.");
        }

        Assert.True(unauthorized >= Budget, $"Only {unauthorized} tokens were refused with 401 before 429.");
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "A 429 says when to retry.");

        var valid = await api.Newsroom.IssueAsync(Guid.NewGuid().ToString("N"), "Reporter", PersonTokenTests.Audience, ["reporter"]);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(address, valid)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("198.51.100.41", forged)).StatusCode);
    }

    [Fact]
    public async Task A_signed_in_person_has_the_key_budget_of_their_own_not_their_addresses_anonymous_one()
    {
        const string address = "198.51.100.50";
        const int anonymousBudget = 20;
        var token = await api.Newsroom.IssueAsync(Guid.NewGuid().ToString("N"), "Reporter", PersonTokenTests.Audience, ["reporter"]);

        // More than a fixed window straddled twice lets through for the anonymous budget.
        for (var i = 0; i <= 2 * anonymousBudget; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(address, token)).StatusCode);
        }

        var anonymous = new HttpRequestMessage(HttpMethod.Get, "/v1/manage/sections");
        anonymous.Headers.Add(DeliveryTestApiFactory.TestEndpoints.ClientAddressHeader, address);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().SendAsync(anonymous)).StatusCode);
    }
}
