using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace HeadlessNews.Tests.Support;

/// <summary>What a database backup would reveal: the data as text.</summary>
public static class DatabaseDump
{
    public const string PgDump = "/usr/lib/postgresql/15/bin/pg_dump";

    /// <summary>pg_dump's data-only output (callers check <see cref="PgDump"/> exists).</summary>
    public static async Task<string> PgDumpAsync(string connectionString)
    {
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(PgDump)
        {
            ArgumentList = { "--data-only", "-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture), "-U", connection.Username!, connection.Database! },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = connection.Password ?? string.Empty;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }

    /// <summary>pg_dump's output when it is installed, else every row of every table as text. Binary columns are hex in both.</summary>
    public static async Task<string> DumpAsync(string connectionString)
    {
        if (File.Exists(PgDump))
        {
            return await PgDumpAsync(connectionString);
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                dump.AppendLine(reader.GetString(0));
            }
        }
        return dump.ToString();
    }
}
