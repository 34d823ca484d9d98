using System.Security.Claims;
using HeadlessNews.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Authentication;

namespace HeadlessNews.Api.Infrastructure.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddApiKeySecurity(this IServiceCollection services)
    {
        services.AddSingleton<FailedAuthenticationBudget>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var (policy, scopes) in Scopes.Policies.Requirements)
        {
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireAssertion(context => HasAnyScope(context.User, scopes)));
        }
        return services;
    }

    public static bool HasAnyScope(ClaimsPrincipal user, IEnumerable<string> scopes) =>
        user.FindAll(Scopes.ClaimType).Any(c => c.Value == Scopes.All || scopes.Contains(c.Value));

    /// <summary>A presented key that is unknown, revoked or expired is refused on every route, public ones included.</summary>
    public static IApplicationBuilder UseRejectionOfInvalidKeys(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // The authentication middleware has already run the handler, so this is its remembered, completed result.
        var authenticating = context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
        return authenticating.IsCompletedSuccessfully && authenticating.Result.Failure is null
            ? next(context)
            : RejectOrContinueAsync(context, next, authenticating);
    });

    private static async Task RejectOrContinueAsync(HttpContext context, RequestDelegate next, Task<AuthenticateResult> authenticating)
    {
        if ((await authenticating).Failure is not null)
        {
            await context.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
            return;
        }
        await next(context);
    }
}
