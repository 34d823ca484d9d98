using System.Diagnostics;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// One structured line per request: method, path, status, duration and trace id. Never the query string
/// (partners may send their key as <c>?key=</c>), never a header, and never a preview token.
/// </summary>
public static partial class RequestLogging
{
    public const string Category = "HeadlessNews.Requests";
    private const string PreviewPrefix = "/v1/preview";

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
                var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
                Completed(logger, context.Request.Method, LoggedPath(context.Request.Path), context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, traceId);
            }
        });
    }

    /// <summary>A preview URL's last segment is its credential, so only the route shape is logged.</summary>
    internal static string LoggedPath(PathString path) =>
        path.StartsWithSegments(PreviewPrefix, out var rest) && rest.HasValue ? PreviewPrefix + "/{token}" : path.Value ?? "/";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms (trace {TraceId})")]
    private static partial void Completed(ILogger logger, string method, string path, int statusCode, double elapsedMs, string traceId);
}
