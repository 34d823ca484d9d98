using System.Net;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Tips;

/// <summary>The tips API with rate limits on and a small tips budget.</summary>
public sealed class RateLimitedTipsApiFactory : TipsApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["RateLimiting:Enabled"] = "true",
        ["RateLimiting:WindowSeconds"] = "60",
        ["RateLimiting:Tips:Anonymous"] = "3",
        ["RateLimiting:Tips:Key"] = "3",
    };
}

public sealed class TipRateLimitTests(RateLimitedTipsApiFactory api) : IClassFixture<RateLimitedTipsApiFactory>
{
    [Fact]
    public async Task Guessing_receipts_runs_into_the_per_address_tips_budget()
    {
        var guesser = api.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await guesser.SendAsync(TipTestKit.WithReceipt(HttpMethod.Get, "/v1/tips/messages", $"guess-{i}"))).StatusCode);
        }
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var refused = await guesser.SendAsync(TipTestKit.WithReceipt(HttpMethod.Get, "/v1/tips/messages", "guess-6"));
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.True(refused.Headers.CacheControl?.NoStore);
    }
}
