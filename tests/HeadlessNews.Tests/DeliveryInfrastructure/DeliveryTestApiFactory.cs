using System.Collections.Concurrent;
using System.Net;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.DeliveryInfrastructure;

/// <summary>
/// The API plus test-only delivery endpoints built on the caching mechanisms: <c>/v1/test-cache/{x}</c> answers
/// how often its handler ran for <c>x</c> (so a cache hit is visible), tagged <c>item:{x}</c>, optionally
/// expiring <c>expireInSeconds</c> from the test clock, echoing its <c>variant</c> parameter; <c>/v1/test-slow</c>
/// never finishes by itself.
/// TestServer has no client address: <c>X-Test-Client-Address</c> supplies one.
/// </summary>
public class DeliveryTestApiFactory : ApiFactory
{
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new TestEndpoints(this)));
    }

    public int CallsFor(string x) => Calls.GetValueOrDefault(x);

    /// <summary>Waits until the node is ready, which includes listening for evictions: its flush after connecting then cannot hit a test's entries.</summary>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var client = CreateClient();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!(await client.GetAsync("/health/ready")).IsSuccessStatusCode)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(15), "The API node never became ready.");
            await Task.Delay(25);
        }
    }

    internal sealed class TestEndpoints(DeliveryTestApiFactory factory) : IStartupFilter
    {
        public const string ClientAddressHeader = "X-Test-Client-Address";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientAddressHeader].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }
                return nextMiddleware(context);
            });
            next(app);
            // Program's UseRouting() published the app's endpoint builder; endpoints added here join its data source.
            var routes = (IEndpointRouteBuilder)app.Properties["__EndpointRouteBuilder"]!;
            var group = routes.MapGroup("/v1").CacheDelivery();
            group.MapGet("/test-cache/{x}", (string x, int? expireInSeconds, string? variant, HttpContext http, TimeProvider clock) =>
            {
                var call = factory.Calls.AddOrUpdate(x, 1, (_, n) => n + 1);
                http.AddCacheTags($"item:{x}", "test-items");
                if (expireInSeconds is { } seconds)
                {
                    http.ExpireAt(clock.GetUtcNow().AddSeconds(seconds));
                }
                return TypedResults.Ok(new { x, call, variant, text = string.Concat(Enumerable.Repeat("Llanfair bus timetable changes. ", 40)) });
            });
            group.MapGet("/test-slow", async (CancellationToken cancellation) =>
            {
                await Task.Delay(Timeout.Infinite, cancellation);
                return TypedResults.Ok();
            });
        };
    }
}
