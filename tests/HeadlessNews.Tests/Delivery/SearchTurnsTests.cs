using System.Net;
using System.Threading.RateLimiting;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Delivery;

/// <summary>Searches one at a time, one waiting: the test holds the turn itself to fill the queue deterministically.</summary>
public sealed class OneSearchAtATimeApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Delivery:Cache:ServerCacheEnabled"] = "false",
        ["Search:MaxConcurrent"] = "1",
        ["Search:MaxQueued"] = "1",
    };
}

public sealed class SearchTurnsTests(OneSearchAtATimeApiFactory api) : IClassFixture<OneSearchAtATimeApiFactory>
{
    [Fact]
    public async Task A_search_waits_for_its_turn_and_one_beyond_the_queue_is_503_with_retry_after()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "trn" + Guid.NewGuid().ToString("N")[..6];
        await editor.CreatePublishedAsync(new { headline = $"Lifeboat {word} launched at Moelfre", body = Editorial.OneParagraph() });
        var reader = api.CreateClient();
        var turns = api.Services.GetRequiredKeyedService<ConcurrencyLimiter>(SearchOptions.Section);

        Task<HttpResponseMessage> waiting;
        using (var held = await turns.AcquireAsync(1))
        {
            Assert.True(held.IsAcquired);
            waiting = reader.GetAsync($"/v1/search?q={word}");
            await Eventually.TrueAsync(() => turns.GetStatistics()?.CurrentQueuedCount == 1, "the search to queue for its turn");
            Assert.False(waiting.IsCompleted);

            var refused = await reader.GetAsync($"/v1/search?q={word}%20moelfre");
            await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        }

        var served = await waiting;
        await served.AssertSuccessAsync();
        var hits = (await reader.GetJsonAsync($"/v1/search?q={word}")).GetProperty("items");
        Assert.Equal($"Lifeboat {word} launched at Moelfre", Assert.Single(hits.EnumerateArray()).GetProperty("title").GetString());
        Assert.Equal(0, turns.GetStatistics()?.CurrentQueuedCount);
    }
}
