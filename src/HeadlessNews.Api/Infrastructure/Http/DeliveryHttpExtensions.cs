using System.Globalization;
using System.IO.Compression;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Operations;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.IO;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// The HTTP machinery delivery and feeds stand on: output caching with tag eviction across nodes, ETags and
/// Cache-Control, compression, CORS, rate limits and request timeouts.
/// </summary>
public static class DeliveryHttpExtensions
{
    public const string CorsOriginsKey = "Cors:Origins";

    private static readonly string[] CompressedTypes =
    [
        "application/problem+json", "application/rss+xml", "application/atom+xml", "application/feed+json",
        "application/xml", "text/xml",
    ];

    private static readonly string[] CorsRequestHeaders =
        ["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "X-On-Behalf-Of", "Tip-Receipt"];

    private static readonly string[] CorsExposedHeaders =
        ["ETag", "Link", CacheTags.HeaderName, "Location", "Retry-After", "Last-Modified"];

    public static IServiceCollection AddDeliveryHttp(this IServiceCollection services)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeliveryCacheOptions>().BindConfiguration(DeliveryCacheOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddOutputCache();
        CompressedOutputCacheStore.Decorate(services);
        services.AddOptions<OutputCacheOptions>().Configure<IOptions<DeliveryCacheOptions>>((output, delivery) =>
            output.SizeLimit = delivery.Value.ServerSizeLimitMegabytes * 1024L * 1024);
        // Blocks for delivery responses while their ETag is computed: a latest-20 page (~13 KB) or an article fits in one
        // 32 KB block, an include=body page takes several. The pool keeps at most 4 MB of free blocks (128). Large
        // buffers are never asked for: the body is hashed and copied block by block.
        services.AddSingleton(new RecyclableMemoryStreamManager(new RecyclableMemoryStreamManager.Options
        {
            BlockSize = 32 * 1024,
            MaximumSmallPoolFreeBytes = 4 * 1024 * 1024,
        }));
        services.AddSingleton<ScheduleBoundaries>();
        services.AddSingleton<PostgresCacheInvalidator>();
        services.AddSingleton<ICacheInvalidator>(provider => provider.GetRequiredService<PostgresCacheInvalidator>());
        services.AddSingleton<CacheEvictionListener>();
        services.AddHostedService(provider => provider.GetRequiredService<CacheEvictionListener>());
        services.AddHealthChecks().AddCheck<CacheEvictionListener>("cache-coherence", tags: ["ready"]);

        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(CompressedTypes);
        });
        services.Configure<BrotliCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IConfiguration>((cors, configuration) =>
            cors.AddDefaultPolicy(policy => ConfigureCors(policy, CorsOrigins(configuration))));

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>, StartupWarmUp>((limiter, settings, warmUp) =>
            RateLimits.Configure(limiter, settings.Value, warmUp));

        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<HttpLimitsOptions>>((timeouts, limits) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(limits.Value.RequestTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = context =>
                {
                    context.Response.Headers.RetryAfter = ProblemExceptionHandler.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    return Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                        "The request took too long (the database may be slow or unavailable); retry shortly.");
                },
            });
        return services;
    }

    /// <summary>
    /// Rate limits, unless <c>RateLimiting:Enabled</c> is false. After authentication, so a key's budget applies, and inside
    /// the output cache, so an answer from the cache spends no budget.
    /// </summary>
    public static IApplicationBuilder UseRateLimits(this IApplicationBuilder app) =>
        RateLimits.IsEnabled(app.ApplicationServices) ? app.UseRateLimiter().Use(RateLimits.MarkCounted) : app;

    /// <summary>
    /// The output cache, each delivery read first noting how many evictions this node had begun: what it fills is not
    /// kept if another began before it was stored (<see cref="CompressedOutputCacheStore.BeginFill"/>).
    /// </summary>
    public static IApplicationBuilder UseDeliveryOutputCache(this IApplicationBuilder app)
    {
        var store = (CompressedOutputCacheStore)app.ApplicationServices.GetRequiredService<IOutputCacheStore>();
        return app.Use((context, next) =>
        {
            if (DeliveryResponseMetadata.IsOn(context.GetEndpoint()))
            {
                store.BeginFill();
            }
            return next(context);
        }).UseOutputCache();
    }

    /// <summary>ETag/Cache-Control/304 for delivery endpoints, then compression; inside the output cache, so entries hold what they write.</summary>
    public static IApplicationBuilder UseDeliveryCaching(this IApplicationBuilder app) => app
        .UseMiddleware<DeliveryResponseMiddleware>()
        .UseResponseCompression();

    /// <summary>
    /// Marks delivery endpoints (or a whole group): anonymous GETs are served from and stored in the output cache, by the
    /// query parameters each route defines, and every response gets a strong ETag, 304 on If-None-Match and
    /// Cache-Control. Handlers declare tags with <see cref="CacheTags.AddCacheTags"/> and a boundary with
    /// <see cref="CacheTags.ExpireAt"/>.
    /// </summary>
    public static TBuilder CacheDelivery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(new DeliveryCachePolicy(RouteQueryParameters.Of(endpoint))));
        return builder.WithMetadata(DeliveryResponseMetadata.Instance, NotModified);
    }

    private static readonly ProducesResponseTypeMetadata NotModified = new(StatusCodes.Status304NotModified, typeof(void));

    /// <summary>
    /// CORS, and <c>Vary: Origin</c> on every answer when only some origins are allowed: the CORS headers then depend on
    /// the request's Origin (none without one), so a shared cache must keep one copy per origin. The framework says so only
    /// on requests that carry an Origin.
    /// </summary>
    public static IApplicationBuilder UseCorsVaryingByOrigin(this IApplicationBuilder app)
    {
        app.UseCors();
        var origins = CorsOrigins(app.ApplicationServices.GetRequiredService<IConfiguration>());
        return origins.Length == 0 || origins.Contains("*") ? app : app.Use((context, next) =>
        {
            var response = context.Response;
            response.OnStarting(() =>
            {
                if (!response.Headers.Vary.Any(v => v is not null && v.Split(',').Any(name => name.Trim().Equals(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase))))
                {
                    response.Headers.Append(HeaderNames.Vary, HeaderNames.Origin);
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    /// <summary><c>Cors:Origins</c> as an array or a comma-separated string.</summary>
    internal static string[] CorsOrigins(IConfiguration configuration) =>
        ConfigurationLists.Read(configuration, CorsOriginsKey).Select(o => o.TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>Keys travel in the Authorization header, never in cookies, so credentials are never allowed and <c>*</c> is safe.</summary>
    private static void ConfigureCors(CorsPolicyBuilder policy, string[] origins)
    {
        if (origins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(origins);
        }
        policy.WithMethods(HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete)
            .WithHeaders(CorsRequestHeaders)
            .WithExposedHeaders(CorsExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    }
}
