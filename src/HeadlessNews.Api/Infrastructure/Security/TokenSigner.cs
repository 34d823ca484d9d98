using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>
/// Signs small JSON payloads (pagination cursors, preview tokens) with a key kept in the database,
/// so a token made by one API node is accepted by every other node and after restarts.
/// </summary>
public sealed class TokenSigner(IServiceScopeFactory scopes) : IDatabaseStartupTask
{
    private const string SecretName = "token-signing";
    private byte[]? _key;

    public async Task RunAsync(CancellationToken cancellationToken) =>
        _key = await ServerSecret.GetOrCreateAsync(scopes, SecretName, cancellationToken);

    /// <summary><c>base64url(json).base64url(hmac(purpose, json))</c>; the purpose stops a cursor being replayed as a preview token.</summary>
    public string Sign<T>(string purpose, T payload)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(payload);
        return WebEncoders.Base64UrlEncode(json) + "." + WebEncoders.Base64UrlEncode(Mac(purpose, json));
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
            if (!CryptographicOperations.FixedTimeEquals(signature, Mac(purpose, json)))
            {
                return false;
            }
            payload = JsonSerializer.Deserialize<T>(json);
            return payload is not null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }

    private byte[] Mac(string purpose, byte[] json)
    {
        var key = _key ?? throw new InvalidOperationException("The token signer is not initialised.");
        var purposeBytes = Encoding.UTF8.GetBytes(purpose + "\n");
        return HMACSHA256.HashData(key, (byte[])[.. purposeBytes, .. json]);
    }
}

public sealed class ServerSecret
{
    public required string Name { get; set; }
    public required byte[] Value { get; set; }

    /// <summary>The named secret (256 random bits), made by whichever node asks first and shared by all.</summary>
    public static async Task<byte[]> GetOrCreateAsync(IServiceScopeFactory scopes, string name, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var candidate = RandomNumberGenerator.GetBytes(32);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO server_secrets (name, value) VALUES ({name}, {candidate}) ON CONFLICT (name) DO NOTHING", cancellationToken);
        return await db.Set<ServerSecret>().Where(s => s.Name == name).Select(s => s.Value).SingleAsync(cancellationToken);
    }
}

internal sealed class ServerSecretConfiguration : IEntityTypeConfiguration<ServerSecret>
{
    public void Configure(EntityTypeBuilder<ServerSecret> builder)
    {
        builder.ToTable("server_secrets");
        builder.HasKey(s => s.Name);
    }
}
