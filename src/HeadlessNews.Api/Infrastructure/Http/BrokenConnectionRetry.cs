using Microsoft.AspNetCore.Http.Features;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// After PostgreSQL restarts, an administrator ends the API's backends or a standby stops, every pooled connection to
/// it is dead and fails the one request that takes it: with 20 per pool, readers met up to 20 503s from a database that
/// was already back. A GET or HEAD that failed on a broken connection before its answer started empties every pool
/// (<see cref="ConnectionPools.ClearAfterBrokenConnection"/>) and runs once more, from this point of the pipeline on, with a fresh scope, as
/// the exception handler runs its own path: every read of the request is covered, EF Core's and raw Npgsql's, and a
/// multi-host read string moves to the next host at once. Writes never run twice here: they answer 503 (and their
/// client retries with its Idempotency-Key or If-Match).
/// </summary>
public static class BrokenConnectionRetry
{
    /// <summary>Right inside the exception handler, so the second run goes through everything the first did.</summary>
    public static IApplicationBuilder UseReadRetryAfterBrokenConnections(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BrokenConnectionRetry));
        return app.Use((context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                return next(context);
            }
            var first = next(context);
            return first.IsCompletedSuccessfully ? Task.CompletedTask : RetryIfBrokenAsync(first, context, next, logger);
        });
    }

    private static async Task RetryIfBrokenAsync(Task first, HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await first;
            return;
        }
        catch (Exception e) when (e.IsBrokenConnection() && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            context.RequestServices.GetRequiredService<ConnectionPools>().ClearAfterBrokenConnection();
            logger.LogWarning("{Method} {Path} met a broken database connection ({Reason}); connection pools cleared, running it once more",
                context.Request.Method, RequestLogging.LoggedPath(context.Request.Path), e.GetBaseException().Message);
        }
        context.Response.Clear();
        context.SetEndpoint(null);
        context.Features.Get<IRouteValuesFeature>()?.RouteValues.Clear();
        // The first run's scoped services may hold its failure (an authentication handler caches its result) or its
        // half-done state (tracked entities).
        var firstScope = context.RequestServices;
        await using var scope = firstScope.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        context.RequestServices = scope.ServiceProvider;
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestServices = firstScope;
        }
    }
}
