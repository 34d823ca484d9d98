using System.Diagnostics;
using System.Globalization;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// <c>import wordpress</c> as a newcomer runs it, on the embedded PostgreSQL it provisions, stopped halfway by a signal:
/// the command ends as the signal asks and takes its database with it, and the next run resumes. The signal is SIGTERM,
/// which Ctrl-C's SIGINT shares its handling with: a test run started in the background (a CI job) starts its processes
/// with SIGINT ignored, as POSIX shells do for background jobs, and the runtime keeps a signal ignored at start ignored.
/// </summary>
public sealed class WordPressImportInterruptTests
{
    private const int Posts = 2000;

    private const int SigTerm = 15;

    [Fact]
    public async Task A_stop_signal_during_an_import_stops_its_embedded_database_and_the_next_run_finishes_the_import()
    {
        var data = Directory.CreateTempSubdirectory("hn-interrupt-");
        // The embedded cluster runs as the postgres OS user when the tests run as root: it must reach the folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(data.FullName, (UnixFileMode)0b111_101_101);
        }
        var cluster = Path.Combine(data.FullName, "pg");
        var file = await GeneratedWxr.WriteAsync(WordPressImportCostTests.NewRun(), Posts);
        try
        {
            using (var interrupted = Start(file, cluster))
            {
                await ReadUntilAsync(interrupted.StandardError, $"/{Posts} items");
                Assert.Equal(0, Kill(interrupted.Id, SigTerm));
                var rest = interrupted.StandardError.ReadToEndAsync();
                await interrupted.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
                Assert.True(interrupted.ExitCode == 128 + SigTerm, $"exit {interrupted.ExitCode}: {await rest}");
                Assert.False(File.Exists(Path.Combine(cluster, "postmaster.pid")), "the embedded PostgreSQL outlived the interrupted import");
            }

            using var again = Start(file, cluster);
            var output = again.StandardError.ReadToEndAsync();
            await again.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(180)).Token);
            Assert.True(again.ExitCode == 0, await output);
            // The interrupted run kept what it committed, and the next one created the rest: every post once.
            var posts = System.Text.RegularExpressions.Regex.Match(await output, @"posts +created (\d+), updated 0, unchanged (\d+)");
            Assert.True(posts.Success, await output);
            var (created, unchanged) = (int.Parse(posts.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(posts.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(created > 0 && unchanged > 0, await output);
            Assert.Equal(Posts, created + unchanged);
            Assert.False(File.Exists(Path.Combine(cluster, "postmaster.pid")), "the embedded PostgreSQL outlived the finished import");
        }
        finally
        {
            // A failed run must not leave a cluster behind on the test machine.
            if (File.Exists(Path.Combine(cluster, "postmaster.pid"))
                && int.TryParse(File.ReadLines(Path.Combine(cluster, "postmaster.pid")).First(), CultureInfo.InvariantCulture, out var postmaster))
            {
                Process.GetProcessById(postmaster).Kill();
            }
            data.Delete(recursive: true);
            File.Delete(file);
        }
    }

    /// <summary>The signal sent at once: a <c>kill</c> process took long enough on a loaded box for the import to finish first.</summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static Process Start(string file, string cluster)
    {
        var cli = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "import", "wordpress", file, "--media", "skip" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
        };
        cli.Environment.Remove("ConnectionStrings__HeadlessNews");
        cli.Environment["Database__EmbeddedDataPath"] = cluster;
        cli.Environment["Database__SeedSampleContent"] = "false";
        // Each statement logged to the console would make the import minutes long.
        cli.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(cli)!;
        _ = process.StandardOutput.ReadToEndAsync();
        return process;
    }

    private static async Task ReadUntilAsync(StreamReader output, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (await output.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }
        Assert.Fail($"The import ended before printing '{text}'.");
    }
}
