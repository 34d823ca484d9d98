using System.Diagnostics;
using System.Text.Json.Nodes;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Notices;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Foundation;

/// <summary>
/// A backup is a <c>pg_dump</c>; it is worth something only if <c>pg_restore</c> brings every row back. A restore runs
/// with an empty search_path and computes the generated search vectors as it loads the tables, so a function that names
/// another without its schema loses whole tables (the notices table did, until SearchFunctionsRestorable).
/// </summary>
public sealed class DumpRestoreTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] Tables = ["articles", "published_articles", "notices", "quotes", "sources", "revisions", "content_events", "audit_entries"];

    [Fact]
    public async Task A_dump_of_a_database_with_translated_content_restores_every_row_with_pg_restore()
    {
        var editor = await api.ClientWithScopesAsync("*");
        var notice = NoticeRequests.Valid();
        notice["translations"] = new JsonObject { ["cy"] = new JsonObject { ["title"] = "Cais cynllunio yng Nghonwy", ["body"] = "<p>Estyniad deulawr.</p>" } };
        await editor.CreateAsync(notice);
        await editor.CreateAsync("/v1/manage/quotes", new
        {
            text = "We reopen on Saturday.", speaker = new { name = "Siân Morgan" }, translations = new Dictionary<string, object> { ["cy"] = new { text = "Rydym yn agor ddydd Sadwrn" } },
        });
        await editor.CreatePublishedAsync(new { headline = Editorial.Unique("Pier reopens"), body = new object[] { new { type = "paragraph", html = "The pier reopens." } } });

        var source = new NpgsqlConnectionStringBuilder(api.ConnectionString);
        var restored = new NpgsqlConnectionStringBuilder(api.ConnectionString) { Database = source.Database + "_restored", Pooling = false };
        await ExecuteAsync(new NpgsqlConnectionStringBuilder(api.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString, $"CREATE DATABASE {restored.Database}");
        var dump = Path.Combine(Path.GetTempPath(), $"hn-dump-{Guid.NewGuid():N}.fc");
        try
        {
            await RunAsync("pg_dump", source, "--format=custom", $"--file={dump}", source.Database!);
            await RunAsync("pg_restore", restored, "--exit-on-error", $"--dbname={restored.Database}", dump);

            foreach (var table in Tables)
            {
                Assert.Equal(await CountAsync(source.ConnectionString, table), await CountAsync(restored.ConnectionString, table));
            }
            Assert.True(await CountAsync(restored.ConnectionString, "notices WHERE translations <> '{}'") > 0);
        }
        finally
        {
            File.Delete(dump);
        }
    }

    private static async Task RunAsync(string tool, NpgsqlConnectionStringBuilder connection, params string[] arguments)
    {
        var bin = EmbeddedPostgres.FindBinDirectory() ?? throw new InvalidOperationException($"{tool} was not found: install the PostgreSQL client (Debian: postgresql).");
        var start = new ProcessStartInfo(Path.Combine(bin, tool)) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])[$"--host={connection.Host}", $"--port={connection.Port}", $"--username={connection.Username}", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PGPASSWORD"] = connection.Password;
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {await errors}");
    }

    private static async Task<long> CountAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
