using System.Collections.Concurrent;
using System.Text.Json;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HeadlessNews.Tests.Delivery;

/// <summary>
/// The API over a database with <c>auto_explain</c> on: PostgreSQL sends the plan of every statement back to its
/// connection as a notice, the read pools' Npgsql logs it, and <see cref="Plans"/> keeps it. So a test sees the plans
/// of the SQL the API really ran, with its real parameters, generic plans included.
/// </summary>
public sealed class ExplainedApiFactory : ApiFactory
{
    public PlanLog Plans { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Delivery:Cache:ServerCacheEnabled"] = "false",
        ["Logging:LogLevel:Npgsql.Connection"] = "Debug",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var setting in new[]
        {
            "session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = 0", "auto_explain.log_analyze = on",
            "auto_explain.log_buffers = on", "auto_explain.log_timing = off", "auto_explain.log_format = json", "auto_explain.log_level = notice",
        })
        {
            await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{connection.Database}\" SET {setting}", connection);
            await alter.ExecuteNonQueryAsync();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Plans));
    }
}

/// <summary>Keeps the JSON plans auto_explain sends as notices (Npgsql logs them as "Received notice: duration: … plan: {…}").</summary>
public sealed class PlanLog : ILoggerProvider, ILogger
{
    private const string Prefix = "Received notice: duration: ";
    private ConcurrentQueue<JsonElement> _plans = new();

    /// <summary>The plans received since the last call.</summary>
    public IReadOnlyList<JsonElement> Take() => [.. Interlocked.Exchange(ref _plans, new ConcurrentQueue<JsonElement>())];

    public ILogger CreateLogger(string categoryName) => categoryName == "Npgsql.Connection" ? this : NullLogger.Instance;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception);
        if (text.StartsWith(Prefix, StringComparison.Ordinal) && text.IndexOf('{', StringComparison.Ordinal) is var json and >= 0)
        {
            _plans.Enqueue(JsonDocument.Parse(text[json..]).RootElement.Clone());
        }
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public void Dispose()
    {
    }
}

/// <summary>
/// The regression guard of issue 23: on a seeded database, each delivery read's plan (as PostgreSQL ran it for the API,
/// after a cached generic plan may have taken over) reaches published_articles, their terms and notices through an
/// index and reads a bounded number of pages, not a number that grows with the archive.
/// </summary>
public sealed class DeliveryQueryPlanTests(ExplainedApiFactory api) : IClassFixture<ExplainedApiFactory>
{
    private const int Articles = 20_000;
    private const int Notices = 10_000;
    /// <summary>
    /// Pages one read may touch: a filter's matching rows (two a page; 100 at most here), or index entries. Without the
    /// filter's index a list walks ~21 / share rows (4,200 for a 0.5 % section), and a scan of either table reads thousands.
    /// </summary>
    private const int PageBudget = 200;
    /// <summary>The oldest articles also carry a tag of their own: common, yet every newer article lies before them in time.</summary>
    private const int OldTagged = 1_000;
    private static readonly string[] Guarded = ["published_articles", "published_article_terms", "notices"];

    [Fact]
    public async Task Every_delivery_read_reaches_articles_and_notices_through_an_index_on_a_seeded_archive()
    {
        var editor = await api.ClientWithScopesAsync("*");
        // Every seeded article repeats the template's quote and source: each is used by all 20,001 articles.
        var quote = await editor.CreateQuoteAsync();
        var source = await editor.CreateSourceAsync();
        var author = (await editor.CreateAuthorAsync()).GetProperty("slug").GetString();
        var template = await editor.CreatePublishedAsync(new
        {
            headline = Editorial.Unique("Plan guard template"),
            authors = new[] { author },
            body = new object[] { Editorial.OneParagraph()[0], new { type = "quote", quoteId = quote.Id() }, new { type = "sourceList", sourceIds = new[] { source.Id() } } },
        });
        var now = api.Clock.GetUtcNow();
        await SeedAsync(template.Id(), now);

        var reader = api.CreateClient();
        var secondPage = (await reader.GetJsonAsync("/v1/articles?limit=20")).GetProperty("next").GetString()!;
        var fourthPage = (await reader.GetJsonAsync($"/v1/articles?limit=20&cursor={Uri.EscapeDataString(secondPage)}")).GetProperty("next").GetString()!;
        var from = Uri.EscapeDataString(now.AddDays(-400).ToString("O"));
        var to = Uri.EscapeDataString(now.AddDays(-370).ToString("O"));
        string[] reads =
        [
            $"/v1/articles/{template.GetProperty("slug").GetString()}",
            "/v1/articles?limit=20",
            "/v1/articles?section=plan-section-3&limit=20",
            "/v1/articles?tag=plan-tag-7&limit=20",
            "/v1/articles?tag=plan-old-tag&limit=20",
            "/v1/articles?place=plan-place-11&limit=20",
            "/v1/articles?author=plan-author-5&limit=20",
            $"/v1/articles?from={from}&to={to}&limit=20",
            $"/v1/articles?limit=20&cursor={Uri.EscapeDataString(fourthPage)}",
            "/v1/notices?near=53.2801,-3.8277&radiusKm=10",
            "/v1/notices?near=53.4,-4.5&radiusKm=2",
            "/v1/quotes?limit=20",
            $"/v1/quotes/{quote.Id()}",
            "/v1/sources?limit=20",
            $"/v1/sources/{source.Id()}",
            "/v1/authors?limit=20",
            $"/v1/authors/{author}",
        ];

        var failures = new List<string>();
        foreach (var read in reads)
        {
            api.Plans.Take();
            // Npgsql prepares a statement on its fifth use, and PostgreSQL may then switch to a cached generic plan after five more.
            for (var i = 0; i < 15; i++)
            {
                (await reader.GetAsync(read)).EnsureSuccessStatusCode();
            }
            var plans = api.Plans.Take().Where(p => Relations(p.GetProperty("Plan")).Any(Guarded.Contains)).ToList();
            if (plans.Count == 0)
            {
                failures.Add($"{read}: no plan seen");
            }
            foreach (var plan in plans)
            {
                var root = plan.GetProperty("Plan");
                var scans = Nodes(root).Where(n => n.TryGetProperty("Relation Name", out var table) && Guarded.Contains(table.GetString())).ToList();
                var pages = root.GetProperty("Shared Hit Blocks").GetInt64() + root.GetProperty("Shared Read Blocks").GetInt64();
                if (scans.Any(n => n.GetProperty("Node Type").GetString() == "Seq Scan") || pages > PageBudget)
                {
                    failures.Add($"{read}: {pages} pages, scans {string.Join(", ", scans.Select(Describe))}\n{plan.GetProperty("Query Text").GetString()}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>
    /// An archive's shape in bulk, beside the article the API wrote (whose read-model row each copy repeats): articles an
    /// hour apart over more than two years in 200 sections, 500 tags, 400 places and 400 authors (the oldest
    /// <see cref="OldTagged"/> also tagged plan-old-tag); notices around Conwy (none
    /// west of Caernarfon) four hours apart, four in five expiring 7-90 days after publication and the rest open-ended.
    /// </summary>
    private async Task SeedAsync(string templateId, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand($"""
            SET session_replication_role = replica;
            INSERT INTO published_articles (article_id, slug, visible_from, first_seen, updated_at, section_slug, tag_slugs, place_slugs, author_slugs,
                                            quote_ids, source_ids, asset_ids, language, headline, standfirst, body_text, summary_json,
                                            summary_with_body_json, document_json, translation_group_id)
            SELECT s.id, p.slug || '-' || s.g, @now - s.g * interval '1 hour', @now - s.g * interval '1 hour', p.updated_at,
                   'plan-section-' || s.g % 200,
                   ARRAY['plan-tag-' || s.g % 500] || CASE WHEN s.g > {Articles - OldTagged} THEN ARRAY['plan-old-tag'] ELSE ARRAY[]::text[] END,
                   ARRAY['plan-place-' || s.g % 400], ARRAY['plan-author-' || s.g % 400],
                   p.quote_ids, p.source_ids, p.asset_ids, p.language, p.headline, p.standfirst, p.body_text, p.summary_json,
                   p.summary_with_body_json, p.document_json, s.id
              FROM (SELECT gen_random_uuid() AS id, g FROM generate_series(1, {Articles}) AS g) AS s, published_articles AS p
             WHERE p.article_id = @template;
            INSERT INTO notices (id, reference, category, title, body, issuer_name, latitude, longitude, attachments, status, version,
                                 created_at, updated_at, published_at, effective_from, effective_to)
            SELECT gen_random_uuid(), 'PLAN/' || g, 'other', 'Seeded notice ' || g, repeat('<p>Seeded notice of a road closure.</p>', 40), 'Plan guard issuer',
                   53.28 + (random() - 0.5) * 0.5, -3.83 + (random() - 0.5) * 0.8, '[]', 'published', 1,
                   @now - g * interval '4 hours', @now - g * interval '4 hours', @now - g * interval '4 hours', @now - g * interval '4 hours',
                   CASE WHEN g % 5 = 0 THEN NULL ELSE @now - g * interval '4 hours' + (7 + g % 84) * interval '1 day' END
              FROM generate_series(1, {Notices}) AS g;
            SET session_replication_role = origin;
            -- The rows were written without triggers (no articles behind them); the ones that keep read-model indexes run now.
            UPDATE published_articles SET tag_slugs = tag_slugs WHERE article_id <> @template;
            """, connection);
        seed.Parameters.AddWithValue("now", now);
        seed.Parameters.AddWithValue("template", Guid.Parse(templateId));
        await seed.ExecuteNonQueryAsync();
        // As an archive's tables are: vacuumed (index-only scans skip the heap) and analysed.
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE published_articles, notices", connection);
        await vacuum.ExecuteNonQueryAsync();
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children) ? [node, .. children.EnumerateArray().SelectMany(Nodes)] : [node];

    private static IEnumerable<string?> Relations(JsonElement plan) =>
        Nodes(plan).Select(n => n.TryGetProperty("Relation Name", out var table) ? table.GetString() : null);

    private static string Describe(JsonElement scan) =>
        $"{scan.GetProperty("Node Type").GetString()} on {scan.GetProperty("Relation Name").GetString()}"
        + (scan.TryGetProperty("Index Name", out var index) ? $" using {index.GetString()}" : "")
        + (scan.TryGetProperty("Rows Removed by Filter", out var removed) ? $" ({removed.GetInt64()} rows removed by filter)" : "");
}
