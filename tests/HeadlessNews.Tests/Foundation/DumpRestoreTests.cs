using System.Text.Json.Nodes;
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
        var server = new NpgsqlConnectionStringBuilder(api.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await ExecuteAsync(server, $"CREATE DATABASE {restored.Database}");
        var dump = Path.Combine(Path.GetTempPath(), $"hn-dump-{Guid.NewGuid():N}.fc");
        try
        {
            await DatabaseDump.RunAsync("pg_dump", source.ConnectionString, "--format=custom", $"--file={dump}", source.Database!);
            await DatabaseDump.RunAsync("pg_restore", restored.ConnectionString, "--exit-on-error", $"--dbname={restored.Database}", dump);

            foreach (var table in Tables)
            {
                Assert.Equal(await CountAsync(source.ConnectionString, table), await CountAsync(restored.ConnectionString, table));
            }
            Assert.True(await CountAsync(restored.ConnectionString, "notices WHERE translations <> '{}'") > 0);
        }
        finally
        {
            File.Delete(dump);
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {restored.Database}");
        }
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
