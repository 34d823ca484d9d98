using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HeadlessNews.Tests.Reliability;

/// <summary>
/// The API plus a test-only idempotent create, <c>POST /v1/test-database-away</c>, whose first run fails as a database
/// restart makes it fail (57P01), with the database still away when its key is released: that release fails once.
/// Later runs answer 201. <see cref="Runs"/> counts the runs.
/// </summary>
public sealed class DatabaseAwayApiFactory : ApiFactory
{
    private int _runs;
    private int _failNextRelease;

    public int Runs => Volatile.Read(ref _runs);

    private static PostgresException AdministratorShutdown() =>
        new("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<IStartupFilter>(new Endpoint(this));
            services.AddSingleton<IInterceptor>(new ReleaseFailsOnce(this));
        });
    }

    private sealed class Endpoint(DatabaseAwayApiFactory factory) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            var routes = (IEndpointRouteBuilder)app.Properties["__EndpointRouteBuilder"]!;
            routes.MapPost("/v1/test-database-away", () =>
            {
                if (Interlocked.Increment(ref factory._runs) > 1)
                {
                    return TypedResults.Created("/v1/test-database-away/1");
                }
                Volatile.Write(ref factory._failNextRelease, 1);
                throw AdministratorShutdown();
            }).WithIdempotency();
        };
    }

    private sealed class ReleaseFailsOnce(DatabaseAwayApiFactory factory) : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            command.CommandText.StartsWith("DELETE FROM idempotency_records", StringComparison.Ordinal) && Interlocked.Exchange(ref factory._failNextRelease, 0) == 1
                ? throw AdministratorShutdown()
                : base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }
}

public sealed class IdempotencyDatabaseAwayTests(DatabaseAwayApiFactory api) : IClassFixture<DatabaseAwayApiFactory>
{
    [Fact]
    public async Task A_key_whose_request_answered_503_while_the_database_was_away_is_free_again_within_seconds()
    {
        var key = Guid.NewGuid().ToString();
        var client = api.CreateClient();
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/test-database-away") { Content = JsonContent.Create(new { key }) };
            request.Headers.Add(Idempotency.HeaderName, key);
            return request;
        }

        await (await client.SendAsync(Request())).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);

        // The test clock stands still, so only the release itself can free the key (no lease or backstop runs out).
        var answers = new List<HttpResponseMessage>();
        await Eventually.TrueAsync(async () =>
        {
            answers.Add(await client.SendAsync(Request()));
            return answers[^1].StatusCode == HttpStatusCode.Created;
        }, "a same-key retry to run", 5);
        foreach (var refused in answers.SkipLast(1))
        {
            await refused.AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 2);
        }
        Assert.Equal(2, api.Runs);
    }
}
