using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// A WordPress REST API on a loopback port, answering from Imports/Fixtures/glannau-gazette.rest.json: two items a page
/// whatever <c>per_page</c> asks (as a site may cap it), one <c>429</c> (Retry-After: 1) on the first read of posts page 2,
/// one <c>503</c> on the first read of tags page 2, and <c>401</c> for the users it hides; a posts page can be made to vanish,
/// answer in HTML or answer too late. It counts requests and the most in flight.
/// </summary>
internal sealed class FakeWordPress : IAsyncDisposable
{
    private const int PageSize = 2;
    private const string Api = "/wp-json/wp/v2/";
    private readonly WebApplication _app;
    private readonly JsonObject _site;
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _lists = new();
    private readonly InFlight _inFlight = new();

    private FakeWordPress(WebApplication app, JsonObject site, string run, string pid)
    {
        _app = app;
        _site = site;
        Run = run;
        Pid = pid;
    }

    public string Run { get; }
    /// <summary>The digits every WordPress id of this run starts with.</summary>
    public string Pid { get; }
    public string Url => _app.Urls.First();
    /// <summary>The <c>per_page</c> of every paged list request.</summary>
    public IReadOnlyCollection<string> Lists => _lists;
    public int MostAtOnce => _inFlight.MostAtOnce;
    /// <summary>When each read of posts page 2 came.</summary>
    public ConcurrentQueue<DateTimeOffset> PostsPage2At { get; } = new();
    /// <summary>A posts page that answers <c>400 rest_post_invalid_page_number</c> (posts deleted while the import pages).</summary>
    public int? VanishedPostsPage { get; set; }
    /// <summary>A posts page that answers 200 with a maintenance page in HTML, as a firewall or caching proxy may.</summary>
    public int? MaintenancePostsPage { get; set; }
    /// <summary>A posts page that never answers: the request is held until the client gives up on it.</summary>
    public int? SilentPostsPage { get; set; }

    public int Requests(string path, int? page = null) => _requests.GetValueOrDefault(Key(path, page?.ToString(CultureInfo.InvariantCulture)));

    public static async Task<FakeWordPress> StartAsync()
    {
        var run = "r" + Guid.NewGuid().ToString("N")[..8];
        var pid = Random.Shared.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture);
        var site = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Imports", "Fixtures", "glannau-gazette.rest.json"))
            .Replace("RUN", run, StringComparison.Ordinal).Replace("PID", pid, StringComparison.Ordinal))!.AsObject();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var fake = new FakeWordPress(builder.Build(), site, run, pid);
        fake._app.Use(fake.CountAsync);
        fake._app.MapGet(Api + "users/{id}", fake.User);
        fake._app.MapGet(Api + "{kind}", fake.List);
        await fake._app.StartAsync();
        return fake;
    }

    private async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        using var answering = _inFlight.Enter();
        await next(context);
    }

    private async Task<IResult> List(string kind, HttpContext context)
    {
        var query = context.Request.Query;
        var page = query["page"].FirstOrDefault();
        var times = _requests.AddOrUpdate(Key(context.Request.Path, page), 1, (_, n) => n + 1);
        if (page is not null)
        {
            _lists.Enqueue(query["per_page"].ToString());
        }
        if (kind == "posts" && page == "2")
        {
            PostsPage2At.Enqueue(DateTimeOffset.UtcNow);
        }
        if (kind == "posts" && VanishedPostsPage is { } vanished && page == vanished.ToString(CultureInfo.InvariantCulture))
        {
            return Results.Json(new { code = "rest_post_invalid_page_number" }, statusCode: StatusCodes.Status400BadRequest);
        }
        if (kind == "posts" && MaintenancePostsPage is { } maintenance && page == maintenance.ToString(CultureInfo.InvariantCulture))
        {
            return Results.Content("<!doctype html><title>Down for maintenance</title><p>Back soon.</p>", "text/html");
        }
        if (kind == "posts" && SilentPostsPage is { } silent && page == silent.ToString(CultureInfo.InvariantCulture))
        {
            var hungUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (context.RequestAborted.Register(hungUp.SetResult))
            {
                await hungUp.Task;
            }
            return Results.Empty;
        }
        if (times == 1 && page == "2" && kind == "posts")
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Json(new { code = "rest_too_many_requests" }, statusCode: StatusCodes.Status429TooManyRequests);
        }
        if (times == 1 && page == "2" && kind == "tags")
        {
            return Results.Json(new { code = "rest_unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        if (_site[kind] is not JsonArray all)
        {
            return Results.NotFound();
        }
        var items = all.Select(i => i!).ToList();
        if (kind == "posts" && query["modified_after"].FirstOrDefault() is { } after)
        {
            items = items.Where(p => string.CompareOrdinal(p["modified_gmt"]!.GetValue<string>(), after) > 0).ToList();
        }
        var size = Math.Min(PageSize, int.Parse(query["per_page"].FirstOrDefault() ?? "10", CultureInfo.InvariantCulture));
        var number = int.Parse(page ?? "1", CultureInfo.InvariantCulture);
        context.Response.Headers["X-WP-Total"] = items.Count.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-WP-TotalPages"] = ((items.Count + size - 1) / size).ToString(CultureInfo.InvariantCulture);
        return Results.Text(new JsonArray([.. items.Skip((number - 1) * size).Take(size).Select(i => i.DeepClone())]).ToJsonString(), "application/json");
    }

    private IResult User(string id, HttpContext context)
    {
        _requests.AddOrUpdate(Key(context.Request.Path, null), 1, (_, n) => n + 1);
        if (_site["hiddenUsers"]!.AsArray().Any(u => u!.ToString() == id))
        {
            return Results.Json(new { code = "rest_user_cannot_view", message = "Sorry, you are not allowed to list users." }, statusCode: StatusCodes.Status401Unauthorized);
        }
        return _site["users"]!.AsArray().FirstOrDefault(u => u!["id"]!.ToString() == id) is { } user
            ? Results.Text(user.ToJsonString(), "application/json")
            : Results.NotFound();
    }

    private static string Key(string path, string? page) => page is null ? path : $"{path}?page={page}";

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
