using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>
/// Signs small JSON payloads (pagination cursors, change-feed tokens, preview links) with keys kept in the database,
/// so a token made by one API node is accepted by every other node and after restarts. Every node re-reads the keys
/// each <see cref="TokenSigningOptions.KeyRefreshSeconds"/>. A rotated key (<c>keys rotate-signing</c>) is accepted at
/// once but signs only two refresh intervals later, when every node knows it; the keys it replaces are accepted until
/// the grace period after that has passed, so no token in flight breaks on any node before then.
/// </summary>
public sealed class TokenSigner(IServiceScopeFactory scopes, TimeProvider clock, IOptions<TokenSigningOptions> options, ILogger<TokenSigner> logger)
    : BackgroundService, IDatabaseStartupTask
{
    /// <summary>Newest first by the moment it starts signing.</summary>
    private volatile TokenSigningKey[] _keys = [];

    /// <summary>The key that signs now, so a cache of signed tokens can tell when a rotation has made it stale.</summary>
    public int SigningKeyId => SigningKeyAt(clock.GetUtcNow()).Id;

    /// <summary>Makes the first key on a database that has none, then reads the keys.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockKeysAsync(db, cancellationToken);
            if (!await db.Set<TokenSigningKey>().AnyAsync(cancellationToken))
            {
                db.Add(new TokenSigningKey { Value = RandomNumberGenerator.GetBytes(32), ActiveFrom = clock.GetUtcNow() });
                await db.SaveChangesAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        await LoadAsync(db, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.KeyRefreshSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(interval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await LoadAsync(scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>(), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Reading the token-signing keys failed; signing and checking with the keys read before");
            }
        }
    }

    /// <summary>
    /// Adds a key that signs from two refresh intervals on; every key still accepted is accepted until the grace period
    /// after that (or its own earlier deadline); keys past their deadline are deleted.
    /// </summary>
    public async Task<(DateTimeOffset SignsFrom, DateTimeOffset ReplacedKeysUntil)> RotateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var now = clock.GetUtcNow();
        var signsFrom = now + 2 * TimeSpan.FromSeconds(options.Value.KeyRefreshSeconds);
        var replacedUntil = signsFrom + TimeSpan.FromHours(options.Value.SigningKeyGraceHours);
        var keys = db.Set<TokenSigningKey>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockKeysAsync(db, cancellationToken);
            await keys.Where(k => k.RetiresAt <= now).ExecuteDeleteAsync(cancellationToken);
            await keys.Where(k => k.RetiresAt == null || k.RetiresAt > replacedUntil)
                .ExecuteUpdateAsync(k => k.SetProperty(key => key.RetiresAt, replacedUntil), cancellationToken);
            db.Add(new TokenSigningKey { Value = RandomNumberGenerator.GetBytes(32), ActiveFrom = signsFrom });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await LoadAsync(db, cancellationToken);
        return (signsFrom, replacedUntil);
    }

    /// <summary><c>base64url(json).base64url(hmac(purpose, json))</c>; the purpose stops a cursor being replayed as a preview token.</summary>
    public string Sign<T>(string purpose, T payload)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(payload);
        return WebEncoders.Base64UrlEncode(json) + "." + WebEncoders.Base64UrlEncode(Mac(SigningKeyAt(clock.GetUtcNow()), purpose, json));
    }

    public bool TryRead<T>(string purpose, string? token, out T? payload)
    {
        payload = default;
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot <= 0 || token.Length > 4096)
        {
            return false;
        }
        try
        {
            var json = WebEncoders.Base64UrlDecode(token[..dot]);
            var signature = WebEncoders.Base64UrlDecode(token[(dot + 1)..]);
            var now = clock.GetUtcNow();
            foreach (var key in _keys)
            {
                if ((key.RetiresAt is null || key.RetiresAt > now) && CryptographicOperations.FixedTimeEquals(signature, Mac(key, purpose, json)))
                {
                    payload = JsonSerializer.Deserialize<T>(json);
                    return payload is not null;
                }
            }
            return false;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }

    /// <summary>The newest key that has started signing (the oldest when the clock is behind them all).</summary>
    private TokenSigningKey SigningKeyAt(DateTimeOffset now)
    {
        var keys = _keys;
        if (keys.Length == 0)
        {
            throw new InvalidOperationException("The token signer is not initialised.");
        }
        foreach (var key in keys)
        {
            if (key.ActiveFrom <= now)
            {
                return key;
            }
        }
        return keys[^1];
    }

    private static byte[] Mac(TokenSigningKey key, string purpose, byte[] json)
    {
        var purposeBytes = Encoding.UTF8.GetBytes(purpose + "\n");
        return HMACSHA256.HashData(key.Value, (byte[])[.. purposeBytes, .. json]);
    }

    private async Task LoadAsync(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        _keys = [.. await db.Set<TokenSigningKey>().AsNoTracking().OrderByDescending(k => k.ActiveFrom).ThenByDescending(k => k.Id).ToListAsync(cancellationToken)];

    /// <summary>Serialises making the first key and rotations, across nodes and the command line.</summary>
    private static async Task LockKeysAsync(HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('token-signing-keys'))", cancellationToken);
}

public sealed class TokenSigningOptions
{
    public const string Section = "Tokens";

    /// <summary>How long after a rotated key starts signing the keys it replaces are still accepted; 0 ends them at once (a leaked key). Read by <c>keys rotate-signing</c>, which stores the deadline.</summary>
    [Range(0, 24 * 365)]
    public int SigningKeyGraceHours { get; set; } = 7 * 24;

    /// <summary>How often every node re-reads the keys; a rotated key starts signing two intervals after the rotation.</summary>
    [Range(1, 3600)]
    public int KeyRefreshSeconds { get; set; } = 60;
}

/// <summary>A token-signing key: accepted from its creation, signing from <see cref="ActiveFrom"/>, accepted until <see cref="RetiresAt"/>.</summary>
public sealed class TokenSigningKey
{
    public int Id { get; set; }
    public required byte[] Value { get; set; }
    public DateTimeOffset ActiveFrom { get; set; }
    public DateTimeOffset? RetiresAt { get; set; }
}

internal sealed class TokenSigningKeyConfiguration : IEntityTypeConfiguration<TokenSigningKey>
{
    public void Configure(EntityTypeBuilder<TokenSigningKey> builder)
    {
        builder.ToTable("token_signing_keys");
        builder.Property(k => k.Id).UseIdentityAlwaysColumn();
    }
}

public static class TokenSigningServiceCollectionExtensions
{
    public static IServiceCollection AddTokenSigning(this IServiceCollection services)
    {
        services.AddOptions<TokenSigningOptions>().BindConfiguration(TokenSigningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TokenSigner>();
        services.AddSingleton<IDatabaseStartupTask>(provider => provider.GetRequiredService<TokenSigner>());
        services.AddHostedService(provider => provider.GetRequiredService<TokenSigner>());
        return services;
    }
}
