using System.Net;
using System.Net.Http.Json;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessNews.Tests.Reliability;

/// <summary>
/// The API plus a test-only idempotent create, <c>POST /v1/test-commit-then-fail</c>, that commits a section and then
/// answers 500, as a handler failing after its writes would; <see cref="Runs"/> counts how often it ran.
/// </summary>
public sealed class CommitThenFailApiFactory : ApiFactory
{
    private int _runs;

    public int Runs => Volatile.Read(ref _runs);

    public sealed record Body(string Slug);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Endpoint(this)));
    }

    private sealed class Endpoint(CommitThenFailApiFactory factory) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            var routes = (IEndpointRouteBuilder)app.Properties["__EndpointRouteBuilder"]!;
            routes.MapPost("/v1/test-commit-then-fail", async (Body body, HeadlessNewsDbContext db, TimeProvider clock) =>
            {
                Interlocked.Increment(ref factory._runs);
                db.Add(new Section { Id = Guid.CreateVersion7(), Slug = body.Slug, Name = body.Slug, Version = 1, CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow() });
                await db.SaveChangesAsync();
                return TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Failed after committing");
            }).WithIdempotency();
        };
    }
}

public sealed class IdempotencyAfterCommitTests(CommitThenFailApiFactory api) : IClassFixture<CommitThenFailApiFactory>
{
    [Fact]
    public async Task A_same_key_retry_of_a_request_that_committed_and_then_answered_500_is_not_run_again()
    {
        var slug = $"after-commit-{Guid.NewGuid():N}";
        var client = api.CreateClient();
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/test-commit-then-fail") { Content = JsonContent.Create(new CommitThenFailApiFactory.Body(slug)) };
            request.Headers.Add(Idempotency.HeaderName, slug);
            return request;
        }

        Assert.Equal(HttpStatusCode.InternalServerError, (await client.SendAsync(Request())).StatusCode);
        var retry = await client.SendAsync(Request());

        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal(1, api.Runs);
        Assert.Equal(1, await api.WithDbAsync(db => db.Set<Section>().CountAsync(s => s.Slug == slug)));
    }
}
