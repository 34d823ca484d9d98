using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Operations;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HeadlessNews.Tests.Reliability;

/// <summary>
/// The API on real Kestrel with sample content and the warm-up on, and anonymous budgets so small that the warm-up's
/// own reads would be refused if they counted against them.
/// </summary>
public sealed class WarmUpApiFactory : ApiFactory
{
    public const int Budget = 5;

    public WarmUpApiFactory() => UseKestrel(0);

    public CapturingLoggerProvider Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["WarmUp:Seconds"] = "20",
        ["Database:SeedSampleContent"] = "true",
        ["RateLimiting:Enabled"] = "true",
        ["RateLimiting:Delivery:Anonymous"] = $"{Budget}",
        ["RateLimiting:Delivery:Key"] = $"{Budget}",
        ["RateLimiting:Feeds:Anonymous"] = $"{Budget}",
        ["RateLimiting:Feeds:Key"] = $"{Budget}",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }
}

public sealed class StartupWarmUpTests(WarmUpApiFactory api) : IClassFixture<WarmUpApiFactory>
{
    [Fact]
    public async Task Ready_only_once_the_warm_up_has_read_every_delivery_route_exempt_from_rate_limits_that_still_bind_everyone_else()
    {
        var client = api.CreateClient();
        var first = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        var checks = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
        Assert.Equal("unhealthy", checks.GetProperty("warm-up").GetString());

        // Meanwhile the header alone, without this process's secret, exempts nothing from the budget (each URL is new: an
        // answer from the output cache would spend none).
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= WarmUpApiFactory.Budget; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles?tag={Guid.NewGuid():N}");
            request.Headers.Add(StartupWarmUp.HeaderName, new string('0', 64));
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        await WaitUntilReadyAsync(client);
        var line = Assert.Single(api.Logs.Entries, e => e.Category == typeof(StartupWarmUp).FullName && e.Message.StartsWith("Warmed up", StringComparison.Ordinal));
        int Field(string name) => int.Parse(Regex.Match(line.Text, $@"\b{name}=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(0, Field("Failed"));
        // 40 list limits, 20 notice radii and 11 fixed reads, plus the sample articles' pages and headline words.
        Assert.True(Field("Urls") > 71 + 10, line.Text);
        Assert.True(Field("Requests") >= 50, line.Text);
        // The 503s while warming up are expected answers, not server errors: no request line at Information or above.
        Assert.DoesNotContain(api.Logs.Entries, e => e.Category == RequestLogging.Category && e.Level >= LogLevel.Information
            && e.Message.Contains("/health/ready", StringComparison.Ordinal));
    }

    private static Task WaitUntilReadyAsync(HttpClient client) =>
        Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, "the API to become ready", seconds: 60);
}
