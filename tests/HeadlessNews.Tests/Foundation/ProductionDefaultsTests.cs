using System.Net;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Tests.DeliveryInfrastructure;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Foundation;

/// <summary>The API in the Production environment; a request names its peer address with <c>X-Test-Client-Address</c>.</summary>
public class ProductionApiFactory : DeliveryTestApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }

    public Task<HttpResponseMessage> GetFromAsync(string url, string? peer, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (peer is not null)
        {
            request.Headers.Add(TestEndpoints.ClientAddressHeader, peer);
        }
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return CreateClient().SendAsync(request);
    }
}

public sealed class ProductionDefaultsTests(ProductionDefaultsTests.Factory api) : IClassFixture<ProductionDefaultsTests.Factory>
{
    public sealed class Factory : ProductionApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Operations:MetricsNetworks"] = "10.20.0.0/16, 2001:db8:20::/48",
            ["Http:KnownProxies"] = "127.0.0.1",
        };
    }

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger/index.js")]
    public async Task In_production_the_openapi_document_and_swagger_ui_are_not_served(string url)
    {
        await (await api.GetFromAsync(url, "127.0.0.1")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("203.0.113.9")]
    [InlineData("192.168.1.20")]
    [InlineData(null)]
    public async Task Metrics_are_refused_to_a_client_outside_loopback_and_the_metrics_networks(string? peer)
    {
        var refused = await api.GetFromAsync("/metrics", peer);
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_proxy_on_loopback_does_not_make_its_clients_loopback_for_metrics()
    {
        await (await api.GetFromAsync("/metrics", "127.0.0.1", forwardedFor: "203.0.113.9")).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await api.GetFromAsync("/metrics", "127.0.0.1", forwardedFor: "10.20.4.5")).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("10.20.3.4")]
    [InlineData("::ffff:10.20.3.4")]
    [InlineData("2001:db8:20:1::9")]
    public async Task Metrics_are_served_to_loopback_and_the_metrics_networks(string peer)
    {
        var response = await api.GetFromAsync("/metrics", peer);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_show_the_image_work_waiting_for_the_media_gate()
    {
        api.Services.GetRequiredService<ImageWork>();
        // The exporter answers a scrape from its cache for 300 ms: one made before the gauge existed may still be served.
        await Eventually.TrueAsync(async () => (await (await api.GetFromAsync("/metrics", "127.0.0.1")).Content.ReadAsStringAsync())
            .Contains("headlessnews_media_image_work_waiting", StringComparison.Ordinal), "the image work gauge on /metrics");
    }
}

public sealed class ExposedOpenApiTests(ExposedOpenApiTests.Factory api) : IClassFixture<ExposedOpenApiTests.Factory>
{
    public sealed class Factory : ProductionApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["OpenApi:Expose"] = "true" };
    }

    [Fact]
    public async Task In_production_openapi_expose_serves_the_document_and_swagger_ui()
    {
        Assert.Equal(HttpStatusCode.OK, (await api.GetFromAsync("/openapi/v1.json", "203.0.113.9")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetFromAsync("/swagger/index.html", "203.0.113.9")).StatusCode);
    }
}
