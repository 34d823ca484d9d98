using System.Globalization;
using HeadlessNews.Api.Features.ApiKeys;
using HeadlessNews.Api.Features.Audit;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;

namespace HeadlessNews.Api.Infrastructure.Cli;

/// <summary>
/// A verb a feature adds to the command line (e.g. <c>import</c>), so that Infrastructure knows no feature.
/// </summary>
/// <param name="Name">The first argument that selects it.</param>
/// <param name="OwnedOptions">Its options that take a value (they and their values are not passed to the host).</param>
/// <param name="OwnedFlags">Its options without a value (not passed to the host either).</param>
/// <param name="Usage">Its lines in the usage text.</param>
/// <param name="RunAsync">Runs it with all the arguments; returns the exit code.</param>
public sealed record CommandVerb(
    string Name, IReadOnlyList<string> OwnedOptions, IReadOnlyList<string> OwnedFlags, string Usage, Func<WebApplication, string[], Task<int>> RunAsync);

/// <summary>
/// Verbs on the same executable as the web host: <c>keys create|list|revoke|rotate-signing</c>, <c>migrate</c>, <c>openapi PATH</c>,
/// and the <see cref="CommandVerb"/>s features add. Logs go to stderr; a created secret is the last line of stdout.
/// </summary>
public static class CommandLine
{
    private static readonly string[] Verbs = ["keys", "migrate", "openapi"];
    private static readonly string[] OwnedOptions = ["--name", "--scopes", "--expires", "--sections", "--tags"];

    public static bool IsCommand(string[] args, IReadOnlyList<CommandVerb> added) =>
        args.Length > 0 && (Verbs.Contains(args[0]) || added.Any(v => v.Name == args[0]));

    /// <summary>The arguments the verb does not own (e.g. --urls, --environment) go to the host.</summary>
    public static string[] HostArguments(string[] args, IReadOnlyList<CommandVerb> added)
    {
        if (!IsCommand(args, added))
        {
            return args;
        }
        var verb = added.FirstOrDefault(v => v.Name == args[0]);
        var owned = verb?.OwnedOptions ?? OwnedOptions;
        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (owned.Contains(args[i]))
            {
                i++;
            }
            else if (args[i].StartsWith('-') && verb?.OwnedFlags.Contains(args[i]) != true)
            {
                rest.Add(args[i]);
            }
        }
        return [.. rest];
    }

    public static async Task<int> RunAsync(WebApplication app, string[] args, IReadOnlyList<CommandVerb> added)
    {
        try
        {
            if (added.FirstOrDefault(v => v.Name == args[0]) is { } verb)
            {
                return await verb.RunAsync(app, args);
            }
            return args switch
            {
                ["openapi", var path, ..] => await WriteOpenApiAsync(app, path),
                ["openapi"] => await WriteOpenApiAsync(app, CommittedOpenApiPath(app.Environment.ContentRootPath)),
                ["migrate", ..] => await MigrateAsync(app),
                ["keys", "create", ..] => await CreateKeyAsync(app, args),
                ["keys", "list", ..] => await ListKeysAsync(app),
                ["keys", "revoke", var id, ..] => await RevokeKeyAsync(app, id),
                ["keys", "rotate-signing", ..] => await RotateSigningKeyAsync(app),
                _ => Usage(added),
            };
        }
        catch (EmbeddedPostgresException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        finally
        {
            await app.Services.GetRequiredService<DatabaseEndpoint>().DisposeAsync();
        }
    }

    private static int Usage(IReadOnlyList<CommandVerb> added)
    {
        Console.Error.Write("""
            usage: HeadlessNews.Api [command]
              (no command)                                   run the API
              migrate                                        apply pending database migrations and exit
              keys create --name NAME --scopes a,b [--expires 2027-01-01T00:00:00Z] [--sections s1,s2] [--tags t1]
              keys list
              keys revoke KEY_ID
              keys rotate-signing                            a new key signs cursors and preview links; the old one is accepted for Tokens:SigningKeyGraceHours more
              openapi [PATH]                                 write the OpenAPI document (default: the repository's openapi/headlessnews.v1.json)

            """);
        foreach (var verb in added)
        {
            Console.Error.WriteLine(verb.Usage);
        }
        return 64;
    }

    private static async Task<int> WriteOpenApiAsync(WebApplication app, string path)
    {
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

    private static async Task<int> CreateKeyAsync(WebApplication app, string[] args)
    {
        var name = Option(args, "--name");
        var scopes = List(Option(args, "--scopes"));
        var expires = Option(args, "--expires");
        if (string.IsNullOrWhiteSpace(name) || scopes.Length == 0 || scopes.Any(s => !Scopes.Known.Contains(s)))
        {
            await Console.Error.WriteLineAsync($"keys create needs --name and --scopes from: {string.Join(", ", Scopes.Known)}");
            return 64;
        }
        DateTimeOffset? expiresAt = null;
        if (expires is not null)
        {
            if (!DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                await Console.Error.WriteLineAsync("--expires must be an ISO-8601 date-time.");
                return 64;
            }
            expiresAt = parsed;
        }
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var request = new CreateApiKeyRequest(name, scopes, expiresAt, List(Option(args, "--sections")), List(Option(args, "--tags")));
        var (limits, errors) = await ApiKeyIssuer.ResolveLimitsAsync(db, request, CancellationToken.None);
        if (errors.Count > 0)
        {
            await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, errors.Values.SelectMany(e => e)));
            return 64;
        }
        var mint = app.Services.GetRequiredService<ApiKeyMint>();
        await mint.RunAsync(CancellationToken.None);
        var created = await ApiKeyIssuer.CreateAsync(db, TimeProvider.System, mint, request, limits, CancellationToken.None);
        await AuditTrail.RecordAsync(db, Audited("keys create", StatusCodes.Status201Created, created.Id), CancellationToken.None);
        await Console.Error.WriteLineAsync($"Created key {created.Id} \"{created.Name}\" with scopes {string.Join(',', created.Scopes)}. The secret is shown once:");
        Console.Out.WriteLine(created.Secret);
        return 0;
    }

    private static async Task<int> ListKeysAsync(WebApplication app)
    {
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var keys = await db.Set<ApiKey>().AsNoTracking().OrderBy(k => k.CreatedAt).ProjectToResponse(db).ToListAsync();
        foreach (var key in keys)
        {
            var state = key.RevokedAt is not null ? "revoked" : key.ExpiresAt <= DateTimeOffset.UtcNow ? "expired" : "active";
            Console.Out.WriteLine($"{key.Id}  {key.Prefix}…  {state,-7}  {string.Join(',', key.Scopes),-30}  {key.Name}");
        }
        return 0;
    }

    private static async Task<int> RevokeKeyAsync(WebApplication app, string id)
    {
        if (!Guid.TryParse(id, out var keyId))
        {
            await Console.Error.WriteLineAsync("keys revoke needs the key's id (see keys list).");
            return 64;
        }
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var found = await ApiKeyIssuer.RevokeAsync(db, TimeProvider.System, keyId, CancellationToken.None);
        if (found)
        {
            await AuditTrail.RecordAsync(db, Audited("keys revoke", StatusCodes.Status204NoContent, keyId), CancellationToken.None);
        }
        await Console.Error.WriteLineAsync(found ? $"Revoked {keyId}." : $"No key has id {keyId}.");
        return found ? 0 : 1;
    }

    private static async Task<int> RotateSigningKeyAsync(WebApplication app)
    {
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        var (signsFrom, replacedUntil) = await app.Services.GetRequiredService<TokenSigner>().RotateAsync(CancellationToken.None);
        await Console.Error.WriteLineAsync($"A new token-signing key signs from {signsFrom:O}, once every node has read it; tokens signed before stay valid until {replacedUntil:O}.");
        return 0;
    }

    /// <summary>An audit entry for a command: the actor is the operating-system user who ran it, on this machine.</summary>
    private static AuditEntry Audited(string command, int status, Guid keyId) => new()
    {
        Id = Guid.CreateVersion7(),
        At = TimeProvider.System.GetUtcNow(),
        ActorKind = AuditActors.Person,
        ActorName = $"{Environment.UserName}@{Environment.MachineName} (command line)",
        Method = "CLI",
        Route = command,
        Path = command,
        Status = status,
        ResourceType = "api-key",
        ResourceId = keyId.ToString(),
        RequestId = Guid.NewGuid().ToString("N"),
    };

    /// <summary>The value after <paramref name="name"/>, if given.</summary>
    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static string[] List(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
