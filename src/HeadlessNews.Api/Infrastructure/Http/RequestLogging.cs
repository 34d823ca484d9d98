using System.Diagnostics;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Diagnostics;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// One structured line per request: method, path, status, duration and trace id. Never the query string
/// (partners may send their key as <c>?key=</c>), never a header, and never a preview token.
/// <para>
/// The level says how interesting the request is: a server error or a request slower than
/// <see cref="SlowRequest"/> is a warning; any other read of a cached route (delivery and syndication feeds, the
/// traffic a CDN or proxy logs too) is debug, since writing a console line per cache hit cost a quarter of the cached
/// list's throughput (bench/README.md); everything else (management, the change feed, preview) is
/// information. A request that failed with an exception is judged by the route it had before the exception handler
/// cleared it. Health probes are debug whatever they answer: an orchestrator polls them every few seconds, and a failing
/// check is logged, with its reason, by the health-check service. Set <c>Logging:LogLevel:HeadlessNews.Requests</c> to
/// <c>Debug</c> for a line for every request.
/// </para>
/// </summary>
public static partial class RequestLogging
{
    public const string Category = "HeadlessNews.Requests";
    public static readonly TimeSpan SlowRequest = TimeSpan.FromSeconds(1);
    private const string PreviewPrefix = "/v1/preview";
    private const string HealthPrefix = "/health";

    /// <summary>
    /// Also silences ASP.NET Core's own "Request starting/finished" lines, which print the full URL with its
    /// query string; this is a code rule, so it wins over a configured "Microsoft.AspNetCore" level.
    /// </summary>
    public static IServiceCollection AddRequestLogging(this IServiceCollection services) => services.AddLogging(logging => logging
        .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning)
        .AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Warning));

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
                var level = context.Request.Path.StartsWithSegments(HealthPrefix)
                    ? LogLevel.Debug
                    : LevelFor(DeliveryResponseMetadata.IsOn(endpoint), context.Response.StatusCode, elapsed);
                if (logger.IsEnabled(level))
                {
                    var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
                    Completed(logger, level, context.Request.Method, LoggedPath(context.Request.Path), context.Response.StatusCode,
                        elapsed.TotalMilliseconds, traceId);
                }
            }
        });
    }

    internal static LogLevel LevelFor(bool deliveryRead, int statusCode, TimeSpan elapsed) =>
        statusCode >= 500 || elapsed >= SlowRequest ? LogLevel.Warning
        : deliveryRead ? LogLevel.Debug
        : LogLevel.Information;

    /// <summary>A preview URL's last segment is its credential, so only the route shape is logged.</summary>
    internal static string LoggedPath(PathString path) =>
        path.StartsWithSegments(PreviewPrefix, out var rest) && rest.HasValue ? PreviewPrefix + "/{token}" : path.Value ?? "/";

    [LoggerMessage(EventId = 1, Message = "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms (trace {TraceId})")]
    private static partial void Completed(ILogger logger, LogLevel level, string method, string path, int statusCode, double elapsedMs, string traceId);
}
