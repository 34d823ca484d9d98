using System.Security.Cryptography;
using System.Text;

namespace HeadlessNews.Api.Infrastructure.Security;

public static class ApiKeySecrets
{
    /// <summary>Every secret starts with it (new ones are made by <see cref="ApiKeyMint"/>).</summary>
    public const string Marker = "hn_";
    public const int PrefixLength = 11;

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static string PrefixOf(string secret) => secret[..Math.Min(PrefixLength, secret.Length)];

    public static bool LooksLikeSecret(string value) => value.StartsWith(Marker, StringComparison.Ordinal) && value.Length is > 20 and < 200;
}
