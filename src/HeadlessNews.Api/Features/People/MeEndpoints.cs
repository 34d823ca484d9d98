using System.Security.Claims;

namespace HeadlessNews.Api.Features.People;

/// <param name="Kind">key or person.</param>
/// <param name="Name">The key's name, or the person's display name.</param>
/// <param name="Subject">For a person: the subject their identity provider gives them.</param>
/// <param name="Issuer">For a person: the identity provider (token issuer).</param>
/// <param name="KeyPrefix">For a key: its visible prefix.</param>
/// <param name="Scopes">What the caller may do (a person's roles mapped to scopes).</param>
/// <param name="Contributor">True for a person whose only role is contributor: they may change only drafts they created.</param>
public sealed record MeResponse(string Kind, string Name, string? Subject, string? Issuer, string? Email, string? KeyPrefix, string[] Scopes, bool Contributor);

public static class MeEndpoints
{
    public static RouteGroupBuilder MapMe(this RouteGroupBuilder manage)
    {
        manage.MapGet("/me", GetMe).WithTags("People").WithName("GetMe")
            .WithSummary("Who the caller is (an API key or a signed-in person) and which scopes it holds.")
            .RequireAuthorization(Scopes.Policies.Manage);
        return manage;
    }

    private static Ok<MeResponse> GetMe(HttpContext http)
    {
        var caller = Caller.From(http);
        var user = http.User;
        return TypedResults.Ok(new MeResponse(caller.Kind, caller.Name, caller.Person?.Subject, caller.Person?.Issuer, caller.Person?.Email,
            user.FindFirstValue(ApiKeyAuthenticationHandler.KeyPrefixClaim), [.. user.FindAll(Scopes.ClaimType).Select(c => c.Value)],
            user.HasClaim(c => c.Type == PersonClaims.Contributor)));
    }
}
