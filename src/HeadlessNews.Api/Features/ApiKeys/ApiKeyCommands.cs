using System.Globalization;
using HeadlessNews.Api.Features.Audit;
using HeadlessNews.Api.Infrastructure.Cli;

namespace HeadlessNews.Api.Features.ApiKeys;

/// <summary>The <c>keys</c> command-line verb: <c>create|list|revoke|rotate-signing</c>. A created secret is the last line of stdout.</summary>
public static class ApiKeyCommands
{
    public static readonly CommandVerb Verb = new(
        "keys",
        [
            "  keys create --name NAME --scopes a,b [--expires 2027-01-01T00:00:00Z] [--sections s1,s2] [--tags t1]",
            "  keys list",
            "  keys revoke KEY_ID",
            "  keys rotate-signing                            a new key signs cursors and preview links; the old one is accepted for Tokens:SigningKeyGraceHours more",
        ],
        ["--name", "--scopes", "--expires", "--sections", "--tags"],
        RunAsync);

    private static async Task<int?> RunAsync(WebApplication app, string[] args) => args switch
    {
        [_, "create", ..] => await CreateKeyAsync(app, args),
        [_, "list", ..] => await ListKeysAsync(app),
        [_, "revoke", var id, ..] => await RevokeKeyAsync(app, id),
        [_, "rotate-signing", ..] => await RotateSigningKeyAsync(app),
        _ => null,
    };

    private static async Task<int> CreateKeyAsync(WebApplication app, string[] args)
    {
        var name = CommandLine.Option(args, "--name");
        var scopes = CommandLine.List(CommandLine.Option(args, "--scopes"));
        var expires = CommandLine.Option(args, "--expires");
        if (string.IsNullOrWhiteSpace(name) || scopes.Length == 0 || scopes.Any(s => !Scopes.Known.Contains(s)))
        {
            await Console.Error.WriteLineAsync($"keys create needs --name and --scopes from: {string.Join(", ", Scopes.Known)}");
            return CommandLine.Usage;
        }
        DateTimeOffset? expiresAt = null;
        if (expires is not null)
        {
            if (!DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                await Console.Error.WriteLineAsync("--expires must be an ISO-8601 date-time.");
                return CommandLine.Usage;
            }
            expiresAt = parsed;
        }
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var request = new CreateApiKeyRequest(name, scopes, expiresAt, CommandLine.List(CommandLine.Option(args, "--sections")), CommandLine.List(CommandLine.Option(args, "--tags")));
        var (limits, errors) = await ApiKeyIssuer.ResolveLimitsAsync(db, request, CancellationToken.None);
        if (errors.Count > 0)
        {
            await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, errors.Values.SelectMany(e => e)));
            return CommandLine.Usage;
        }
        var mint = app.Services.GetRequiredService<ApiKeyMint>();
        await mint.RunAsync(CancellationToken.None);
        var created = await ApiKeyIssuer.CreateAsync(db, PostgresClock.Instance, mint, request, limits, CancellationToken.None);
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
            return CommandLine.Usage;
        }
        await DatabaseMigrator.MigrateAsync(app.Services, CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var found = await ApiKeyIssuer.RevokeAsync(db, PostgresClock.Instance, keyId, CancellationToken.None);
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
        At = PostgresClock.Instance.GetUtcNow(),
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
}
