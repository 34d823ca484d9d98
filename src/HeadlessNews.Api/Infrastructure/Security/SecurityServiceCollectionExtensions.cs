using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace HeadlessNews.Api.Infrastructure.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>API keys, and OpenID Connect access tokens when <c>Auth:Oidc</c> names an issuer (<see cref="PersonTokens"/>).</summary>
    public static IServiceCollection AddApiKeySecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<FailedAuthenticationBudget>();
        services.AddAuthentication(PersonTokens.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddPersonTokens(configuration);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var (policy, scopes) in Scopes.Policies.Requirements)
        {
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireAssertion(context => HasAnyScope(context.User, scopes)));
        }
        return services;
    }

    public static bool HasAnyScope(ClaimsPrincipal user, IEnumerable<string> scopes) =>
        user.FindAll(Scopes.ClaimType).Any(c => c.Value == Scopes.All || scopes.Contains(c.Value));

    /// <summary>A presented key or token that is unknown, revoked, expired or invalid is refused on every route, public ones included.</summary>
    public static IApplicationBuilder UseRejectionOfInvalidKeys(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // The authentication middleware has already run the handler, so this is its remembered, completed result.
        var authenticating = context.AuthenticateAsync();
        return authenticating.IsCompletedSuccessfully && authenticating.Result.Failure is null
            ? next(context)
            : RejectOrContinueAsync(context, next, authenticating);
    });

    private static async Task RejectOrContinueAsync(HttpContext context, RequestDelegate next, Task<AuthenticateResult> authenticating)
    {
        if ((await authenticating).Failure is not null)
        {
            await context.ChallengeAsync();
            return;
        }
        await next(context);
    }
}
