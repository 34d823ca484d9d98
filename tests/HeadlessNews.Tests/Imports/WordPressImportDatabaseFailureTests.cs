using System.Globalization;
using System.Text.RegularExpressions;
using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// The database drops every connection in the middle of an import (a restart, an operator's terminate): the command stops
/// with a sentence saying what happened and what to do, not a stack trace, and what it committed is there for the next run.
/// </summary>
public sealed class WordPressImportDatabaseFailureTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const int Posts = 1000;

    [Fact]
    public async Task An_import_whose_connections_the_database_drops_stops_with_exit_75_and_the_next_run_finishes_it()
    {
        var file = await GeneratedWxr.WriteAsync(WordPressImportCostTests.NewRun(), Posts);
        await api.WithDbAsync(_ => Task.FromResult(0));
        using var output = new ProgressWriter("250/");
        // Off the test framework's synchronisation context, as on the command line.
        var running = Task.Run(() => WordPressImportCommand.RunAsync(api.Services, ["import", "wordpress", file, "--media", "skip"], output));
        await output.Reached.WaitAsync(TimeSpan.FromSeconds(120));
        await using (var admin = new NpgsqlConnection(api.ConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin)
                .ExecuteNonQueryAsync();
        }
        var exit = await running;

        Assert.True(exit == WordPressImportCommand.DatabaseFailed, $"exit {exit}: {output}");
        Assert.Contains("run the same command again", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output.ToString(), StringComparison.Ordinal);

        var (again, summary) = await Task.Run(() => api.RunImportAsync(file, "--media", "skip"));
        Assert.True(again == 0, summary);
        var posts = Regex.Match(summary, @"posts +created (\d+), updated 0, unchanged (\d+)");
        Assert.True(posts.Success, summary);
        Assert.Equal(Posts, int.Parse(posts.Groups[1].Value, CultureInfo.InvariantCulture) + int.Parse(posts.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>What the command prints, with a signal once a line holds <paramref name="awaited"/>.</summary>
    private sealed class ProgressWriter(string awaited) : StringWriter(CultureInfo.InvariantCulture)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _writing = new();

        public Task Reached => _reached.Task;

        public override void WriteLine(string? value)
        {
            lock (_writing)
            {
                base.WriteLine(value);
            }
            if (value?.Contains(awaited, StringComparison.Ordinal) == true)
            {
                _reached.TrySetResult();
            }
        }
    }
}
