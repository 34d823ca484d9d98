using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>
/// Makes API key secrets: the marker, 256 random bits and an HMAC tag of them under a server key kept in the database.
/// A secret whose tag verifies was minted by this deployment, so authentication always looks it up, even when the
/// caller's address has spent its failed-authentication budget; a made-up key never verifies and then costs nothing.
/// The tag only earns the lookup: a key is valid because its hash is stored, never because its tag verifies.
/// </summary>
public sealed class ApiKeyMint(IServiceScopeFactory scopes) : IDatabaseStartupTask
{
    private const string SecretName = "api-key-tag";
    private const int RandomBytes = 32;
    private const int TagBytes = 16;
    /// <summary>The marker and base64url of the random bytes and the tag (48 bytes, 64 characters).</summary>
    private static readonly int MintedLength = ApiKeySecrets.Marker.Length + 64;
    private byte[]? _key;

    public async Task RunAsync(CancellationToken cancellationToken) =>
        _key = await ServerSecret.GetOrCreateAsync(scopes, SecretName, cancellationToken);

    public string NewSecret()
    {
        var random = RandomNumberGenerator.GetBytes(RandomBytes);
        return ApiKeySecrets.Marker + WebEncoders.Base64UrlEncode([.. random, .. Tag(random)]);
    }

    /// <summary>Whether this deployment minted the secret (keys from before tagging, and made-up ones, say no).</summary>
    public bool Minted(string secret)
    {
        if (secret.Length != MintedLength || !secret.StartsWith(ApiKeySecrets.Marker, StringComparison.Ordinal))
        {
            return false;
        }
        byte[] bytes;
        try
        {
            bytes = WebEncoders.Base64UrlDecode(secret, ApiKeySecrets.Marker.Length, secret.Length - ApiKeySecrets.Marker.Length);
        }
        catch (FormatException)
        {
            return false;
        }
        return bytes.Length == RandomBytes + TagBytes && CryptographicOperations.FixedTimeEquals(bytes.AsSpan(RandomBytes), Tag(bytes.AsSpan(0, RandomBytes)));
    }

    private byte[] Tag(ReadOnlySpan<byte> random) =>
        HMACSHA256.HashData(_key ?? throw new InvalidOperationException("The API key mint is not initialised."), random)[..TagBytes];
}
