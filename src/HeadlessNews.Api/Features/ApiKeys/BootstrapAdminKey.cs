
namespace HeadlessNews.Api.Features.ApiKeys;

/// <summary>On a fresh embedded database in Development, prints one admin key so a newcomer can start at once.</summary>
public sealed class BootstrapAdminKey(
    IServiceScopeFactory scopes, DatabaseEndpoint endpoint, IHostEnvironment environment, TimeProvider clock, ApiKeyMint mint) : IDatabaseStartupTask
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!endpoint.IsEmbedded || !environment.IsDevelopment())
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        if (await db.Set<ApiKey>().AnyAsync(cancellationToken))
        {
            return;
        }
        var created = await ApiKeyIssuer.CreateAsync(db, clock, mint, new CreateApiKeyRequest("bootstrap admin", [Scopes.All], null, null, null), PartnerLimits.None, cancellationToken);
        Console.Out.WriteLine($"""

            A fresh database: here is an admin API key (scope *). It is shown this once; keep it.
              {created.Secret}

            """);
    }
}
