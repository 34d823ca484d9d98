using System.Runtime.InteropServices;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;

namespace HeadlessNews.Api.Infrastructure.Cli;

/// <summary>
/// A verb a feature adds to the command line (e.g. Features/ApiKeys' <c>keys</c>): its name, usage lines, the options it
/// owns (with a value, and flags without one: neither goes to the host), and what it does: the exit code, or null for
/// arguments it does not know (the usage is printed).
/// </summary>
public sealed record CommandVerb(
    string Name, IReadOnlyList<string> Usage, IReadOnlyList<string> OwnedOptions, Func<WebApplication, string[], Task<int?>> RunAsync,
    IReadOnlyList<string>? OwnedFlags = null);

/// <summary>
/// Verbs on the same executable as the web host: <c>migrate</c>, <c>openapi PATH</c> and those features add.
/// Logs go to stderr; output meant for scripts goes to stdout.
/// </summary>
public sealed class CommandLine(params CommandVerb[] features)
{
    private static readonly string[] BuiltIn = ["migrate", "openapi"];

    public bool IsCommand(string[] args) => args.Length > 0 && (BuiltIn.Contains(args[0]) || features.Any(v => v.Name == args[0]));

    /// <summary>The arguments the verb does not own (e.g. --urls, --environment) go to the host.</summary>
    public string[] HostArguments(string[] args)
    {
        if (!IsCommand(args))
        {
            return args;
        }
        var verb = features.FirstOrDefault(v => v.Name == args[0]);
        var owned = verb?.OwnedOptions ?? [];
        var flags = verb?.OwnedFlags ?? [];
        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (owned.Contains(args[i]))
            {
                i++;
            }
            else if (args[i].StartsWith('-') && !flags.Contains(args[i]))
            {
                rest.Add(args[i]);
            }
        }
        return [.. rest];
    }

    /// <param name="mapHttp">Maps the API's middleware and routes; only <c>openapi</c> needs them.</param>
    public async Task<int> RunAsync(WebApplication app, string[] args, Action<WebApplication> mapHttp)
    {
        // A command runs without the host, whose lifetime would stop it (and the embedded PostgreSQL with it) on Ctrl-C or
        // SIGTERM: the signal asks the command to stop instead (ApplicationStopping), the database stops below, and the
        // process exits as the signal would have (an interrupted import resumes on its next run). A second signal ends it at once.
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        int? signalled = null;
        void Stop(PosixSignalContext context)
        {
            if (signalled is not null)
            {
                return;
            }
            signalled = 128 + (context.Signal == PosixSignal.SIGINT ? 2 : 15);
            context.Cancel = true;
            lifetime.StopApplication();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            return args switch
            {
                ["openapi", var path, ..] => await WriteOpenApiAsync(app, mapHttp, path),
                ["openapi"] => await WriteOpenApiAsync(app, mapHttp, CommittedOpenApiPath(app.Environment.ContentRootPath)),
                ["migrate", ..] => await MigrateAsync(app),
                [var name, ..] when features.FirstOrDefault(v => v.Name == name) is { } verb => await verb.RunAsync(app, args) ?? PrintUsage(),
                _ => PrintUsage(),
            };
        }
        catch (EmbeddedPostgresException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (OperationCanceledException) when (signalled is { } exitCode)
        {
            await Console.Error.WriteLineAsync("Stopped: what was written before the signal is kept, and a re-run carries on from there.");
            return exitCode;
        }
        finally
        {
            await app.Services.GetRequiredService<DatabaseEndpoint>().DisposeAsync();
        }
    }

    /// <summary>The exit code of a command used wrongly (sysexits' EX_USAGE).</summary>
    public const int Usage = 64;

    private int PrintUsage()
    {
        string[] lines =
        [
            "usage: HeadlessNews.Api [command]",
            "  (no command)                                   run the API",
            "  migrate                                        apply pending database migrations and exit",
            .. features.SelectMany(v => v.Usage),
            "  openapi [PATH]                                 write the OpenAPI document (default: the repository's openapi/headlessnews.v1.json)",
        ];
        Console.Error.WriteLine(string.Join(Environment.NewLine, lines));
        return Usage;
    }

    private static async Task<int> WriteOpenApiAsync(WebApplication app, Action<WebApplication> mapHttp, string path)
    {
        mapHttp(app);
        // UseEndpoints is what registers the mapped endpoints with API discovery (normally done when the server starts).
        app.UseEndpoints(_ => { });
        var document = app.Services.GetRequiredService<ISwaggerProvider>().GetSwagger(OpenApiExtensions.DocumentName);
        await using var file = new StreamWriter(path);
        document.SerializeAsV3(new OpenApiJsonWriter(file));
        await Console.Error.WriteLineAsync($"Wrote {path}.");
        return 0;
    }

    private static string CommittedOpenApiPath(string contentRoot)
    {
        for (var directory = new DirectoryInfo(contentRoot); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HeadlessNews.sln")))
            {
                return Path.Combine(directory.FullName, "openapi", "headlessnews.v1.json");
            }
        }
        throw new InvalidOperationException("No HeadlessNews.sln above the content root; pass the output path explicitly.");
    }

    private static async Task<int> MigrateAsync(WebApplication app)
    {
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        await Console.Error.WriteLineAsync("The database is up to date.");
        return 0;
    }

    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, if any.</summary>
    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>
    /// A file named on the command line, relative to where the command was typed: <c>dotnet run --project …</c> starts the
    /// app in the project's folder, but the shell's <c>PWD</c> it inherits still names the folder the user is in.
    /// </summary>
    public static string UserPath(string path) =>
        Path.IsPathRooted(path) || Environment.GetEnvironmentVariable("PWD") is not { } shellDirectory || !Path.IsPathRooted(shellDirectory) || !Directory.Exists(shellDirectory)
            ? Path.GetFullPath(path)
            : Path.GetFullPath(path, shellDirectory);

    /// <summary>A comma-separated option as a list (empty when absent).</summary>
    public static string[] List(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
