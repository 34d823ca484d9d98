using System.Net;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Delivery;

/// <summary>Full-text reads one at a time, one waiting: the test holds the turn itself to fill the queue deterministically.</summary>
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
    public async Task A_search_waits_for_its_turn_and_full_text_reads_beyond_the_queue_are_503_with_retry_after()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var word = "trn" + Guid.NewGuid().ToString("N")[..6];
        var headline = $"Lifeboat {word} launched at Moelfre";
        await editor.CreatePublishedAsync(new { headline, body = Editorial.OneParagraph() });
        var reader = api.CreateClient();
        var turns = api.Services.GetRequiredService<SearchTurns>();

        Task<HttpResponseMessage> waiting;
        using (var held = await turns.TakeAsync(word, CancellationToken.None))
        {
            Assert.NotNull(held);
            waiting = reader.GetAsync($"/v1/search?q={word}");
            await Eventually.TrueAsync(() => turns.Statistics?.CurrentQueuedCount == 1, "the search to queue for its turn");
            Assert.False(waiting.IsCompleted);

            foreach (var path in new[] { "/v1/search", "/v1/articles", "/v1/quotes", "/v1/sources", "/v1/notices" })
            {
                var refused = await reader.GetAsync($"{path}?q={word}%20moelfre");
                await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
                Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            }
            // A list without words takes no turn.
            Assert.Contains(headline, await reader.GetStringAsync("/v1/articles?limit=5"), StringComparison.Ordinal);
        }

        await (await waiting).AssertSuccessAsync();
        var hits = (await reader.GetJsonAsync($"/v1/search?q={word}")).GetProperty("items");
        Assert.Equal(headline, Assert.Single(hits.EnumerateArray()).GetProperty("title").GetString());
        Assert.Equal(0, turns.Statistics?.CurrentQueuedCount);
    }
}
