using System.Security.Claims;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>Who made a request: the API key's name and, when an editorial tool says so, the person it acts for.</summary>
public sealed record Caller(Guid? KeyId, string KeyName, string? OnBehalfOf)
{
    public const string OnBehalfOfHeader = "X-On-Behalf-Of";
    public const int OnBehalfOfMaxLength = 200;

    public static Caller From(HttpContext context)
    {
        var user = context.User;
        var keyId = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : (Guid?)null;
        var onBehalfOf = context.Request.Headers[OnBehalfOfHeader].ToString().Trim();
        return new Caller(keyId, user.Identity?.Name ?? "anonymous", onBehalfOf.Length == 0 ? null : onBehalfOf);
    }

    public string Describe() => OnBehalfOf is null ? KeyName : $"{KeyName} (for {OnBehalfOf})";
}
