using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HeadlessNews.Api.Features.Webhooks;

/// <summary>Standard Webhooks v1 secrets and signatures.</summary>
public static class WebhookSigning
{
    private const string SecretPrefix = "whsec_";

    /// <summary>A new secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string GenerateSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The <c>webhook-signature</c> value: <c>v1,&lt;base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"&gt;</c> for each secret,
    /// space-separated (receivers accept a delivery when any signature matches, which makes rotation seamless).
    /// </summary>
    public static string Sign(IEnumerable<string> secrets, string messageId, long timestamp, string body)
    {
        var content = Encoding.UTF8.GetBytes($"{messageId}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}");
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), content))));
    }

    private static byte[] KeyOf(string secret) => Convert.FromBase64String(secret[SecretPrefix.Length..]);
}
