using System.Diagnostics;
using System.Globalization;
using System.Text;
using HeadlessNews.Api.Infrastructure.Database;
using Npgsql;

namespace HeadlessNews.Tests.Support;

/// <summary>What a database backup would reveal: the data as text.</summary>
public static class DatabaseDump
{
    /// <summary>Where PostgreSQL's client tools are, found as the embedded cluster finds them; null when not installed.</summary>
    public static readonly string? Tools = EmbeddedPostgres.FindBinDirectory();

    /// <summary>pg_dump's data-only output (callers check <see cref="Tools"/>).</summary>
    public static Task<string> PgDumpAsync(string connectionString) =>
        RunAsync("pg_dump", connectionString, "--data-only", new NpgsqlConnectionStringBuilder(connectionString).Database!);

    /// <summary>Runs one of PostgreSQL's client tools against the server <paramref name="connectionString"/> names; its output, once it exits 0.</summary>
    public static async Task<string> RunAsync(string tool, string connectionString, params string[] arguments)
    {
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(Path.Combine(Tools ?? throw new InvalidOperationException($"{tool} is not installed (Debian: postgresql)."), tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture), "-U", connection.Username!, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["PGPASSWORD"] = connection.Password ?? string.Empty;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {await error}");
        return await output;
    }

    /// <summary>pg_dump's output when it is installed, else every row of every table as text. Binary columns are hex in both.</summary>
    public static async Task<string> DumpAsync(string connectionString)
    {
        if (Tools is not null)
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
