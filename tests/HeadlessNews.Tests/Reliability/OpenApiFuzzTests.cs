using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessNews.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Xunit.Abstractions;

namespace HeadlessNews.Tests.Reliability;

/// <summary>
/// The API without its feature background workers (dispatchers, schedulers), so that any change in the
/// database between two requests was made by a request; and without per-request log lines, which would
/// cost more than the requests.
/// </summary>
public sealed class QuietApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            var workers = services.Where(s => s.ServiceType == typeof(IHostedService)
                && s.ImplementationType?.Namespace?.StartsWith("HeadlessNews.Api.Features", StringComparison.Ordinal) == true).ToList();
            foreach (var worker in workers)
            {
                services.Remove(worker);
            }
        });
    }
}

public sealed class OpenApiFuzzTests(QuietApiFactory api, ITestOutputHelper output) : IClassFixture<QuietApiFactory>
{
    private const int MinimumTotalRequests = 5000;
    private const int MinimumPerOperation = 25;
    private const int DefaultSeed = 8_2026_1128;

    /// <summary>
    /// Bookkeeping that a rejected request may legitimately write (an idempotency record remembers a 4xx too; the audit
    /// log records management calls refused with 401 or 403; the process's heartbeat renews its row in <c>nodes</c>).
    /// </summary>
    private static readonly string[] IgnoredTables = ["__ef_migrations_history", "idempotency_records", "audit_entries", "nodes"];

    /// <summary>Columns the authentication of any request may touch (a key's last use).</summary>
    private static readonly string[] IgnoredColumns = ["last_used_at"];

    [Fact]
    public async Task Every_operation_survives_random_and_mutated_input_without_a_5xx_a_non_problem_error_or_a_write_on_rejection()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HEADLESSNEWS_FUZZ_SEED"), out var chosen) ? chosen : DefaultSeed;
        output.WriteLine($"Fuzz seed {seed} (replay with HEADLESSNEWS_FUZZ_SEED={seed})");
        var random = new Random(seed);
        var secret = await api.CreateKeyAsync(["*"]);
        var admin = "Bearer " + secret;
        var client = api.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var fuzzer = new OpenApiFuzzer(document, random) { QueryKey = await api.CreateKeyAsync(["feeds:partner"]) };
        var operations = fuzzer.Operations().ToList();
        Assert.NotEmpty(operations);
        var perOperation = Math.Max(MinimumPerOperation, (MinimumTotalRequests + operations.Count - 1) / operations.Count);
        var schedule = operations.SelectMany(o => Enumerable.Repeat(o, perOperation)).OrderBy(_ => random.Next()).ToList();

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await InstallWriteCounterAsync(connection);
        await using var countWrites = new NpgsqlCommand("SELECT writes FROM fuzz_write_counter", connection);
        await countWrites.PrepareAsync();
        await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/manage/audit") { Headers = { { "Authorization", admin } } });

        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var checkedRejections = 0;
        var stopwatch = Stopwatch.StartNew();
        var acceptedWrites = 0;
        var before = await CommittedWritesAsync(countWrites);
        foreach (var operation in schedule)
        {
            var authorization = random.Next(100) switch
            {
                < 75 => admin,
                < 88 => null,
                < 93 => "Bearer hn_" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
                < 97 => "Bearer " + Guid.NewGuid(),
                _ => "Basic YWRtaW46YWRtaW4=",
            };
            var request = fuzzer.Generate(operation, authorization);
            var response = await client.SendAsync(request.ToMessage());
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var after = await CommittedWritesAsync(countWrites);

            if (status >= 500)
            {
                failures.Add($"{status} from {operation.Name}: {request}\n    => {Excerpt(text)}");
            }
            else if (status >= 400)
            {
                if (ProblemDefect(response, status, text) is { } defect)
                {
                    failures.Add($"{status} without a proper problem ({defect}) from {operation.Name}: {request}\n    => {Excerpt(text)}");
                }
                checkedRejections++;
                if (after != before)
                {
                    failures.Add($"{status} but {after - before} row(s) changed in the database, from {operation.Name}: {request}");
                }
            }
            else
            {
                acceptedWrites += after > before ? 1 : 0;
                Harvest(fuzzer, request, response, text);
            }
            before = after;
            if (failures.Count >= 25)
            {
                break;
            }
        }
        stopwatch.Stop();

        output.WriteLine($"{schedule.Count} requests planned over {operations.Count} operations ({perOperation} each) in {stopwatch.Elapsed.TotalSeconds:0.0} s; " +
            $"{checkedRejections} rejections checked to have changed no row; {acceptedWrites} accepted requests changed rows");
        output.WriteLine("Statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(failures.Count == 0, $"Seed {seed}: {failures.Count} failure(s):\n" + string.Join("\n", failures));
        Assert.True(schedule.Count >= MinimumTotalRequests);
        Assert.True(acceptedWrites > 0, "The write counter saw no accepted write at all, so it proves nothing about the rejected ones.");
    }

    private static string? ProblemDefect(HttpResponseMessage response, int status, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"content type {response.Content.Headers.ContentType?.MediaType ?? "none"}";
        }
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            if (!problem.TryGetProperty("status", out var problemStatus) || problemStatus.GetInt32() != status)
            {
                return "status missing or different";
            }
            if (!problem.TryGetProperty("title", out var title) || string.IsNullOrEmpty(title.GetString()))
            {
                return "no title";
            }
            return problem.TryGetProperty("traceId", out _) ? null : "no traceId";
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }
    }

    /// <summary>Remembers ids and slugs the API created so later requests reach real resources.</summary>
    private static void Harvest(OpenApiFuzzer fuzzer, FuzzRequest request, HttpResponseMessage response, string text)
    {
        if (response.StatusCode != HttpStatusCode.Created || text.Length == 0)
        {
            return;
        }
        try
        {
            var root = JsonDocument.Parse(text).RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) && id.TryGetGuid(out var guid))
            {
                fuzzer.KnownIds.Add((request.Url.Split('?')[0], guid));
            }
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("slug", out var slug) && slug.ValueKind == JsonValueKind.String)
            {
                fuzzer.KnownSlugs.Add(slug.GetString()!);
            }
        }
        catch (JsonException)
        {
            // A created resource with a non-JSON body has nothing to harvest.
        }
    }

    private static string Excerpt(string text) => text.Length > 500 ? text[..500] + "…" : text;

    /// <summary>
    /// Counts every committed row change in the test database: a row trigger on each table (minus the ignored
    /// tables and columns) bumps one counter row in the same transaction, so a rolled-back attempt counts nothing.
    /// </summary>
    private static async Task InstallWriteCounterAsync(NpgsqlConnection connection)
    {
        var tables = new List<(string Table, string Columns)>();
        await using (var command = new NpgsqlCommand("""
            SELECT c.table_name, string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position)
            FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND NOT (c.table_name = ANY(@tables)) AND NOT (c.column_name = ANY(@columns))
            GROUP BY c.table_name ORDER BY c.table_name
            """, connection))
        {
            command.Parameters.AddWithValue("tables", IgnoredTables);
            command.Parameters.AddWithValue("columns", IgnoredColumns);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        Assert.NotEmpty(tables);
        var sql = new StringBuilder("""
            CREATE TABLE fuzz_write_counter (writes bigint NOT NULL);
            INSERT INTO fuzz_write_counter VALUES (0);
            CREATE FUNCTION fuzz_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE fuzz_write_counter SET writes = writes + 1; RETURN NULL; END $$;
            """);
        foreach (var (table, columns) in tables)
        {
            sql.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"CREATE TRIGGER fuzz_count_write AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {QuoteIdentifier(table)} FOR EACH ROW EXECUTE FUNCTION fuzz_count_write();");
        }
        await using var install = new NpgsqlCommand(sql.ToString(), connection);
        await install.ExecuteNonQueryAsync();
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<long> CommittedWritesAsync(NpgsqlCommand count) => (long)(await count.ExecuteScalarAsync())!;
}
