using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>
/// Encrypts what a reader wrote and sent (texts, contact details, attachments) and the newsroom's notes, with ASP.NET Core
/// Data Protection: AES-256-CBC + HMAC-SHA256 under keys in the key ring folder (<see cref="TipsOptions.KeyRingPath"/>),
/// rotated every 90 days; old keys stay in the ring to open what they sealed.
/// </summary>
public sealed class TipSealer(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("HeadlessNews.Tips.v1");

    public byte[] Seal(byte[] plain) => _protector.Protect(plain);

    public byte[] Open(byte[] sealedBytes) => _protector.Unprotect(sealedBytes);

    public byte[] SealText(string text) => Seal(Encoding.UTF8.GetBytes(text));

    public string OpenText(byte[] sealedText) => Encoding.UTF8.GetString(Open(sealedText));

    public byte[]? SealOptional(string? text) => string.IsNullOrWhiteSpace(text) ? null : SealText(text.Trim());

    public string? OpenOptional(byte[]? sealedText) => sealedText is null ? null : OpenText(sealedText);
}

public static class TipTime
{
    /// <summary>Tips keep times only to the hour, so a stored time cannot be matched to a network log.</summary>
    public static DateTimeOffset ToHour(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
