using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>The challenge as the ALTCHA widget 2.x reads it.</summary>
public sealed record TipChallengeResponse(string Algorithm, string Challenge, string Salt, string Signature, int Maxnumber);

/// <summary>A verified solution: the hash to spend it under and when its challenge expires.</summary>
public readonly record struct TipProof(byte[] SpentHash, DateTimeOffset ExpiresAt);

/// <summary>
/// ALTCHA's SHA-256 proof of work: <c>challenge</c> = hex SHA-256(salt + number), <c>signature</c> = hex
/// HMAC-SHA256(challenge) under a server key shared by every node (a <see cref="ServerSecret"/>). The salt carries its
/// expiry (<c>?expires=</c>, Unix seconds) and ends in <c>&amp;</c>, so no digit of the number can be moved into it to
/// forge a later expiry with the same hash.
/// </summary>
public sealed partial class TipChallenges(IServiceScopeFactory scopes, TimeProvider clock, IOptions<TipsOptions> options)
{
    public const string Algorithm = "SHA-256";
    private const string SecretName = "tips-challenge";
    private Task<byte[]>? _key;

    public async Task<TipChallengeResponse> CreateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Challenge;
        var expires = clock.GetUtcNow().AddSeconds(settings.ExpirySeconds).ToUnixTimeSeconds();
        var salt = $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}?expires={expires.ToString(CultureInfo.InvariantCulture)}&";
        var number = RandomNumberGenerator.GetInt32(settings.MaxNumber + 1);
        var challenge = Hash(salt, number);
        return new TipChallengeResponse(Algorithm, challenge, salt, await SignAsync(challenge, cancellationToken), settings.MaxNumber);
    }

    /// <summary>The proof when <paramref name="altcha"/> (base64 of the widget's JSON) solves a challenge this API issued and has not expired; else why not.</summary>
    public async Task<(TipProof? Proof, string? Refusal)> VerifyAsync(string? altcha, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(altcha))
        {
            return (null, "altcha is missing: solve GET /v1/tips/challenge and send the solution.");
        }
        Solution? solution;
        try
        {
            solution = JsonSerializer.Deserialize<Solution>(Convert.FromBase64String(altcha.Trim()), SolutionJson);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return (null, "altcha is not base64 of the solution's JSON.");
        }
        if (solution is not { Algorithm: Algorithm, Challenge: { } challenge, Salt: { } salt, Signature: { } signature, Number: >= 0 and var number }
            || SaltPattern().Match(salt) is not { Success: true } match)
        {
            return (null, "altcha is not a SHA-256 solution of a challenge from this API.");
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
        if (expires <= clock.GetUtcNow())
        {
            return (null, "The challenge has expired; fetch a new one.");
        }
        var expected = await SignAsync(challenge, cancellationToken);
        if (!FixedTimeEquals(Hash(salt, number), challenge) || !FixedTimeEquals(expected, signature))
        {
            return (null, "altcha does not solve a challenge from this API.");
        }
        return (new TipProof(SHA256.HashData(Encoding.ASCII.GetBytes(challenge)), expires), null);
    }

    private static string Hash(string salt, long number) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(salt + number.ToString(CultureInfo.InvariantCulture))));

    private async Task<string> SignAsync(string challenge, CancellationToken cancellationToken)
    {
        var key = await (_key ??= ServerSecret.GetOrCreateAsync(scopes, SecretName, cancellationToken));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(challenge)));
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static readonly JsonSerializerOptions SolutionJson = new(JsonSerializerDefaults.Web);

    private sealed record Solution(string? Algorithm, string? Challenge, long Number, string? Salt, string? Signature);

    [GeneratedRegex(@"^[0-9a-f]{24}\?expires=([0-9]{1,12})&$")]
    private static partial Regex SaltPattern();
}
