using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HeadlessNews.Tests.Reliability;

/// <summary>The API with every log category at Trace, captured in memory.</summary>
public sealed class LogCapturingApiFactory : ApiFactory
{
    public CapturingLoggerProvider Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => TraceEverything;

    /// <summary>Every log category at Trace, EF Core's SQL included.</summary>
    public static readonly IReadOnlyDictionary<string, string?> TraceEverything = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Trace",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }
}

public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>Each entry: its category and level, the formatted message, and everything (message, fields, scopes, exception).</summary>
    public ConcurrentQueue<(string Category, LogLevel Level, string Message, string Text)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            provider._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? string.Empty), scopes);
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            var message = formatter(state, exception);
            provider.Entries.Enqueue((category, logLevel, message, $"{message} | {fields} | {string.Join(" > ", scopes)} | {exception}"));
        }
    }
}

public sealed class SecretLoggingTests(LogCapturingApiFactory api) : IClassFixture<LogCapturingApiFactory>
{
    [Fact]
    public async Task An_api_key_secret_never_appears_in_logs_or_problem_bodies()
    {
        var secret = await api.CreateKeyAsync(["*"]);
        var partner = await api.CreateKeyAsync(["feeds:partner"]);
        var unknown = "hn_" + new string('Z', 43);
        var bodies = new List<string>();
        async Task SendAsync(string url, string? bearer)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }
            bodies.Add(await (await api.CreateClient().SendAsync(request)).Content.ReadAsStringAsync());
        }

        await SendAsync("/v1/manage/api-keys", secret);
        await SendAsync("/v1/manage/api-keys?limit=abc", secret);
        await SendAsync("/v1/manage/api-keys", unknown);
        await SendAsync("/v1/manage/api-keys", partner);
        await SendAsync($"/v1/feeds/articles.rss?key={partner}", null);
        await SendAsync($"/v1/feeds/articles.json?section=news&key={partner}", null);
        await SendAsync($"/v1/feeds/articles.atom?key={unknown}", null);
        await SendAsync($"/v1/changes?since=abc&key={partner}", null);
        await SendAsync("/v1/feeds/articles.rss", partner);
        var admin = await api.ClientWithScopesAsync("*");
        await (await admin.PostAsJsonAsync("/v1/manage/api-keys", new { name = "Caernarfon partner", scopes = new[] { "feeds:partner" } }))
            .AssertSuccessAsync(HttpStatusCode.Created);

        var entries = api.Logs.Entries.ToArray();
        Assert.NotEmpty(entries);
        foreach (var presented in new[] { secret, partner, unknown })
        {
            Assert.DoesNotContain(entries, e => e.Text.Contains(presented, StringComparison.Ordinal));
            Assert.DoesNotContain(entries, e => e.Text.Contains(presented[ApiKeySecretsPrefixLength..], StringComparison.Ordinal));
            Assert.DoesNotContain(bodies, b => b.Contains(presented, StringComparison.Ordinal));
        }
    }

    private const int ApiKeySecretsPrefixLength = HeadlessNews.Api.Infrastructure.Security.ApiKeySecrets.PrefixLength;

    [Fact]
    public async Task Request_logging_records_method_path_status_and_trace_id_but_not_the_query_string()
    {
        var partner = await api.CreateKeyAsync(["feeds:partner"]);
        var marker = Guid.NewGuid().ToString("N");
        var response = await api.CreateClient().GetAsync($"/v1/feeds/articles-{marker}.rss?key={partner}&section=anglesey");

        var line = Assert.Single(await RequestLinesAsync(e => e.Text.Contains(marker, StringComparison.Ordinal))).Text;
        Assert.Contains($"HTTP GET /v1/feeds/articles-{marker}.rss responded {(int)response.StatusCode}", line, StringComparison.Ordinal);
        Assert.Matches("trace [0-9a-f]{32}", line);
        Assert.DoesNotContain("key=", line, StringComparison.Ordinal);
        Assert.DoesNotContain("anglesey", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_logging_hides_a_preview_token()
    {
        var token = "preview" + Guid.NewGuid().ToString("N");
        await api.CreateClient().GetAsync($"/v1/preview/{token}");
        Assert.NotEmpty(await RequestLinesAsync(e => e.Message.Contains("/v1/preview/{token}", StringComparison.Ordinal)));
        Assert.DoesNotContain(api.Logs.Entries, e => e.Category == RequestLogging.Category && e.Message.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delivery_read_is_logged_at_debug_and_a_management_write_at_information()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var marker = Guid.NewGuid().ToString("N");
        await editor.CreateAsync("/v1/manage/sections", new { slug = $"s-{marker}", name = $"Section {marker}" });
        await api.CreateClient().GetAsync($"/v1/articles/missing-{marker}");

        var read = await RequestLinesAsync(e => e.Message.Contains($"GET /v1/articles/missing-{marker}", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Debug, Assert.Single(read).Level);
        var writes = await RequestLinesAsync(e => e.Message.Contains("HTTP POST /v1/manage/sections responded 201", StringComparison.Ordinal));
        Assert.Contains(writes, e => e.Level == LogLevel.Information);
    }

    [Fact]
    public async Task A_delivery_read_refused_by_an_exception_is_still_logged_at_debug()
    {
        var response = await api.CreateClient().GetAsync("/v1/articles?from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var line = Assert.Single(await RequestLinesAsync(e => e.Message.Contains("HTTP GET /v1/articles responded 400", StringComparison.Ordinal)));
        Assert.Equal(LogLevel.Debug, line.Level);
    }

    [Fact]
    public async Task A_duplicate_slug_is_a_409_that_logs_no_error()
    {
        var editor = await api.ClientWithScopesAsync("content:write");
        var slug = "dup-" + Guid.NewGuid().ToString("N")[..8];
        await editor.CreateAsync("/v1/manage/sections", new { name = "Harbour", slug });
        await (await editor.PostAsJsonAsync("/v1/manage/sections", new { name = "Harbour again", slug })).AssertProblemAsync(HttpStatusCode.Conflict);

        Assert.DoesNotContain(api.Logs.Entries, e => e.Level >= LogLevel.Error && e.Text.Contains(slug, StringComparison.Ordinal));
        Assert.DoesNotContain(api.Logs.Entries, e => e.Level >= LogLevel.Error && e.Text.Contains("23505", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_health_probe_is_logged_at_debug()
    {
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/health/live")).StatusCode);
        var line = Assert.Single(await RequestLinesAsync(e => e.Message.Contains("GET /health/live", StringComparison.Ordinal)));
        Assert.Equal(LogLevel.Debug, line.Level);
    }

    /// <summary>Request lines matching <paramref name="match"/>, waiting up to 5 s for one: a line is written once the
    /// pipeline has finished, which can be just after the client has its answer.</summary>
    private async Task<List<(string Category, LogLevel Level, string Message, string Text)>> RequestLinesAsync(
        Func<(string Category, LogLevel Level, string Message, string Text), bool> match)
    {
        List<(string Category, LogLevel Level, string Message, string Text)> lines = [];
        await Eventually.TrueAsync(() => (lines = [.. api.Logs.Entries.Where(e => e.Category == RequestLogging.Category && match(e))]).Count > 0,
            "the request line", 5);
        return lines;
    }

    [Theory]
    [InlineData(true, 200, 5, LogLevel.Debug)]
    [InlineData(true, 404, 5, LogLevel.Debug)]
    [InlineData(true, 503, 5, LogLevel.Warning)]
    [InlineData(true, 200, 1500, LogLevel.Warning)]
    [InlineData(false, 201, 5, LogLevel.Information)]
    [InlineData(false, 400, 5, LogLevel.Information)]
    [InlineData(false, 500, 5, LogLevel.Warning)]
    public void A_request_s_level_follows_its_route_status_and_duration(bool deliveryRead, int status, int milliseconds, LogLevel expected) =>
        Assert.Equal(expected, RequestLogging.LevelFor(deliveryRead, status, TimeSpan.FromMilliseconds(milliseconds)));
}
