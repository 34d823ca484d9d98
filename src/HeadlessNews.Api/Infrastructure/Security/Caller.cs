using System.Security.Claims;

namespace HeadlessNews.Api.Infrastructure.Security;

/// <summary>A person signed in through an OpenID Connect provider: who the issuer says they are.</summary>
public sealed record Person(string Issuer, string Subject, string? Email);

/// <summary>
/// Who made a request: a person (from an access token), or an API key's name and, when an editorial tool says so, the
/// person it acts for. <c>X-On-Behalf-Of</c> is ignored for a person: the token already names them.
/// </summary>
public sealed record Caller(Guid? KeyId, string Name, string? OnBehalfOf, Person? Person = null)
{
    public const string OnBehalfOfHeader = "X-On-Behalf-Of";
    public const int OnBehalfOfMaxLength = 200;
    public const int NameMaxLength = 200;
    public const string KeyKind = "key";
    public const string PersonKind = "person";

    public string Kind => Person is null ? KeyKind : PersonKind;

    public static Caller From(HttpContext context)
    {
        var user = context.User;
        var name = user.Identity?.Name ?? "anonymous";
        if (user.FindFirstValue(PersonClaims.Subject) is { } subject && user.FindFirstValue(PersonClaims.Issuer) is { } issuer)
        {
            return new Caller(null, name, null, new Person(issuer, subject, user.FindFirstValue(PersonClaims.Email)));
        }
        var keyId = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : (Guid?)null;
        var onBehalfOf = context.Request.Headers[OnBehalfOfHeader].ToString().Trim();
        return new Caller(keyId, name, onBehalfOf.Length == 0 ? null : onBehalfOf);
    }

    public string Describe() => OnBehalfOf is null ? Name : $"{Name} (for {OnBehalfOf})";

    /// <summary>
    /// One id per credential, for state kept per caller (idempotency keys): the key's id, or for a person a stable id
    /// derived from issuer and subject, so two people never share a scope.
    /// </summary>
    public Guid ScopeId => Person is { } person
        ? new Guid(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(person.Issuer + "\n" + person.Subject)).AsSpan(0, 16))
        : KeyId ?? Guid.Empty;
}
