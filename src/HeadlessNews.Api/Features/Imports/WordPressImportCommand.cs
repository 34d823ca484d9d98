using System.Globalization;
using System.Text.Json;
using System.Xml;
using HeadlessNews.Api.Infrastructure.Cli;
using Spectre.Console;

namespace HeadlessNews.Api.Features.Imports;

/// <summary>
/// <c>import wordpress &lt;export.xml | https://site&gt; [--dry-run] [--media download|link|skip] [--report report.json]
/// [--since date] [--overwrite] [--pages]</c>, against the configured or embedded database. Progress is a bar when stdout
/// is a terminal, else a line on stderr every few hundred items; the summary goes to stderr. Exit 0 when the run finished,
/// even with reported items; 64 for bad arguments (an unknown option, an option without its value, a report that cannot
/// be written), 65 for a file that cannot be read as WXR or a site whose REST API cannot be read, 74 when the import
/// finished but its report could not be written after all, 75 when the database went away or could not take connections
/// (what was committed stays, and the same command goes on from there).
/// </summary>
public static class WordPressImportCommand
{
    private const int ProgressEvery = 250;
    private static readonly TimeSpan RestTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Options = ["--media", "--report", "--since"];
    private static readonly string[] Flags = ["--dry-run", "--overwrite", "--pages"];

    /// <summary>The exit code when the import finished but its report could not be written (sysexits' EX_IOERR).</summary>
    public const int ReportNotWritten = 74;

    /// <summary>The exit code when the database could not be reached or failed during the import (sysexits' EX_TEMPFAIL).</summary>
    public const int DatabaseFailed = 75;

    public static CommandVerb Verb { get; } = new(
        "import",
        [
            "  import wordpress FILE.xml|https://site [--dry-run] [--media download|link|skip] [--report report.json] [--since date] [--overwrite] [--pages]",
            "                                                 import a WordPress export (WXR) or a site's REST API: posts, authors, categories, tags, pictures, old URLs",
        ],
        Options,
        async (app, args) => await RunAsync(app.Services, args, Console.Error, Console.IsOutputRedirected ? null : AnsiConsole.Console),
        Flags);

    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="terminal">Where to draw the progress bar; null for plain progress lines on <paramref name="output"/>.</param>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, IAnsiConsole? terminal = null)
    {
        if (args is not ["import", "wordpress", var source, ..] || source.StartsWith('-'))
        {
            await output.WriteLineAsync(UsageLine);
            return CommandLine.Usage;
        }
        if (Unexpected(args) is { } unexpected)
        {
            await output.WriteLineAsync(unexpected);
            await output.WriteLineAsync(UsageLine);
            return CommandLine.Usage;
        }
        var media = CommandLine.Option(args, "--media") ?? "download";
        if (!Enum.TryParse<MediaMode>(media, ignoreCase: true, out var mediaMode) || !Enum.IsDefined(mediaMode))
        {
            await output.WriteLineAsync("--media is download, link or skip.");
            return CommandLine.Usage;
        }
        DateTimeOffset? since = null;
        if (CommandLine.Option(args, "--since") is { } sinceText)
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                await output.WriteLineAsync("--since must be an ISO-8601 date or date-time.");
                return CommandLine.Usage;
            }
            since = parsed;
        }
        // The report is written once the import is done: a folder that is not there must not be found out only then.
        var reportPath = CommandLine.Option(args, "--report") is { } reportOption ? CommandLine.UserPath(reportOption) : null;
        if (reportPath is not null && CannotWrite(reportPath) is { } why)
        {
            await output.WriteLineAsync($"Cannot write the report to {reportPath}: {why}");
            return CommandLine.Usage;
        }
        var options = new ImportOptions(args.Contains("--dry-run"), mediaMode, args.Contains("--overwrite"), since, args.Contains("--pages"));
        var isSite = Uri.TryCreate(source, UriKind.Absolute, out var site) && site.Scheme is "http" or "https";
        // An export is a file (XML or a zip of them) or a folder of them.
        if (!isSite && !File.Exists(CommandLine.UserPath(source)) && !Directory.Exists(CommandLine.UserPath(source)))
        {
            await output.WriteLineAsync($"Cannot read {source} as a WordPress export or site: there is no file or folder {CommandLine.UserPath(source)}.");
            return 65;
        }
        // The database starts and is migrated while the source is read: an export's first pass and an embedded cluster's
        // first start take seconds each.
        var migrated = DatabaseMigrator.MigrateAsync(services, CancellationToken.None);
        IReadOnlyList<WordPressArchive> archives;
        try
        {
            // A large export or site takes a while to read before the first item (the site's every list page, the file once through).
            await output.WriteLineAsync(isSite
                ? $"Reading {site}: its categories, tags, users{(mediaMode == MediaMode.Skip ? "" : " and media library")}, then its posts as they are imported."
                : $"Reading {source} for its authors, categories, tags and pictures, then again for its posts as they are imported.");
            archives = isSite
                ? [await WpRestArchive.OpenAsync(RestClient(services), services.GetRequiredService<TimeProvider>(), site!, since, options.Pages, mediaMode != MediaMode.Skip, CancellationToken.None)]
                : await WxrArchive.OpenAsync(CommandLine.UserPath(source), CancellationToken.None);
            if (archives.Count > 1)
            {
                await output.WriteLineAsync($"Found {archives.Count} sites, each imported on its own: {string.Join(", ", archives.Select(a => a.Key))}.");
            }
        }
        catch (Exception e)
        {
            // Nothing is imported: the database is left ready (or not), as any other command would leave it.
            await migrated.ContinueWith(_ => { }, TaskScheduler.Default);
            if (e is not (IOException or UnauthorizedAccessException or XmlException or HttpRequestException or JsonException or TaskCanceledException))
            {
                throw;
            }
            await output.WriteLineAsync($"Cannot read {source} as a WordPress export or site: {e.Message}");
            return 65;
        }
        var reports = new List<ImportReport>(archives.Count);
        foreach (var archive in archives)
        {
            await output.WriteLineAsync($"Found {archive.ItemCount} items{(archives.Count > 1 ? $" of {archive.Key}" : string.Empty)}; authors {archive.Authors.Count}, categories and tags {archive.Terms.Count}, pictures {archive.Attachments.Count}.");
            ImportReport report;
            try
            {
                await migrated;
                report = await ImportAsync(services, archive, options, output, terminal);
            }
            // (Ctrl-C cancels the commands in flight too: that stop is the command line's, exit 130.)
            catch (Exception e) when (e is not OperationCanceledException && e.IsServerGone())
            {
                // A host (a test's) may go on using this process's pools: the other connections to that server are dead too.
                services.GetRequiredService<ConnectionPools>().ClearAfterBrokenConnection();
                await output.WriteLineAsync($"The import stopped: the database could not be reached or went away ({e.GetBaseException().Message}). "
                    + "What it committed before stays; run the same command again to go on from there.");
                return DatabaseFailed;
            }
            foreach (var line in report.Summary())
            {
                await output.WriteLineAsync(line);
            }
            reports.Add(report);
        }
        if (reportPath is not null)
        {
            try
            {
                // Several sites: one report each, in a list.
                await File.WriteAllTextAsync(reportPath, reports.Count == 1 ? JsonSerializer.Serialize(reports[0], ReportJson) : JsonSerializer.Serialize(reports, ReportJson));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await output.WriteLineAsync($"The import is done, but its report could not be written to {reportPath}: {e.Message}");
                return ReportNotWritten;
            }
            await output.WriteLineAsync($"Wrote the report to {reportPath}.");
        }
        return 0;
    }

    /// <summary>Runs the import with its progress shown: a bar on a terminal, else a line every <see cref="ProgressEvery"/> items.</summary>
    private static async Task<ImportReport> ImportAsync(IServiceProvider services, WordPressArchive archive, ImportOptions options, TextWriter output, IAnsiConsole? terminal)
    {
        // Ctrl-C or SIGTERM (see CommandLine): the chunks being written roll back, and a re-run imports what they held.
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await using var scope = services.CreateAsyncScope();
        var importer = ActivatorUtilities.CreateInstance<WordPressImporter>(scope.ServiceProvider);
        return terminal is null
            ? await importer.ImportAsync(archive, options, (done, total) =>
            {
                if (done % ProgressEvery == 0 || done == total)
                {
                    output.WriteLine($"{done}/{total} items");
                }
            }, stopping)
            : await terminal.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var bar = context.AddTask($"{(options.DryRun ? "Dry run of" : "Importing")} {archive.ItemCount} items", maxValue: Math.Max(1, archive.ItemCount));
                    var result = await importer.ImportAsync(archive, options, (done, _) => bar.Value = done, stopping);
                    bar.Value = bar.MaxValue;
                    return result;
                });
    }

    private const string UsageLine =
        "usage: import wordpress FILE.xml|https://site [--dry-run] [--media download|link|skip] [--report report.json] [--since date] [--overwrite] [--pages]";

    /// <summary>
    /// What is wrong with the arguments after the source, if anything: an option without its value, an option the command
    /// does not know, a second source. Host settings (<c>--name=value</c>) go to the host.
    /// </summary>
    private static string? Unexpected(string[] args)
    {
        for (var i = 3; i < args.Length; i++)
        {
            if (Options.Contains(args[i]))
            {
                if (i + 1 == args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return $"{args[i]} needs a value.";
                }
                i++;
            }
            else if (!Flags.Contains(args[i]) && !(args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains('=', StringComparison.Ordinal)))
            {
                return args[i].StartsWith('-') ? $"Unknown option {args[i]}." : $"One source at a time: {args[i]} is a second one.";
            }
        }
        return null;
    }

    /// <summary>Why a report could not be written to <paramref name="path"/> (tried by creating it, then removing it again), else null.</summary>
    private static string? CannotWrite(string path)
    {
        if (Directory.Exists(path))
        {
            return "it is a folder.";
        }
        var existed = File.Exists(path);
        try
        {
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write))
            {
            }
            if (!existed)
            {
                File.Delete(path);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>The operator names the site, so no SSRF guard; a site that stops answering times out.</summary>
    private static HttpClient RestClient(IServiceProvider services)
    {
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(WpRestArchive.HttpClientName);
        client.Timeout = RestTimeout;
        client.DefaultRequestHeaders.UserAgent.ParseAdd("HeadlessNews-Import/1.0");
        return client;
    }
}
