using System.Diagnostics;
using System.Net;
using System.Text;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HeadlessNews.Tests.Media;

/// <summary>A sourceUrl that answers too slowly meets the fetch's own limit, even when it is as long as the request timeout (the defaults: 30 s each).</summary>
public sealed class SlowSourceUrlTests(SlowSourceUrlTests.Factory api) : IClassFixture<SlowSourceUrlTests.Factory>
{
    public sealed class Factory : MediaApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Limits:RequestTimeoutSeconds"] = "2",
            ["Media:FetchTimeoutSeconds"] = "2",
        };
    }

    [Fact]
    public async Task A_source_that_drips_its_picture_is_a_422_naming_its_host_not_a_503_blaming_the_database()
    {
        await using var site = await LoopbackSite.StartAsync(app => app.MapGet("/slow.jpg", async (HttpContext context) =>
        {
            context.Response.ContentType = "image/jpeg";
            await context.Response.StartAsync();
            // Time is the subject here: a byte every 250 ms keeps the connection alive past both 2 s limits.
            for (var i = 0; i < 40 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(new byte[] { 0xFF }, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(250, context.RequestAborted);
            }
        }));
        var editor = await api.ClientWithScopesAsync("content:write");
        var body = $$"""{"sourceUrl": "{{site.Urls.First()}}/slow.jpg"}""";
        var clock = Stopwatch.StartNew();

        var problem = await (await editor.PostAsync("/v1/manage/assets", new StringContent(body, Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("could not be fetched from 127.0.0.1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
    }
}
