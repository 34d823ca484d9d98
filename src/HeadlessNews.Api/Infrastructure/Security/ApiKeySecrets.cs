using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace HeadlessNews.Api.Infrastructure.Security;

public static class ApiKeySecrets
{
    private const string Marker = "hn_";
    public const int PrefixLength = 11;

    /// <summary>A new secret: the marker and 256 random bits, URL-safe.</summary>
    public static string Generate() => Marker + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static string PrefixOf(string secret) => secret[..Math.Min(PrefixLength, secret.Length)];

    public static bool LooksLikeSecret(string value) => value.StartsWith(Marker, StringComparison.Ordinal) && value.Length is > 20 and < 200;
}
