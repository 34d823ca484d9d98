using System.Net.Http.Headers;
using HeadlessNews.Api.Features.ApiKeys;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HeadlessNews.Tests.Support;

/// <summary>The API in memory over its own fresh database (one per test class).</summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public TestClock Clock { get; } = new();

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Extra configuration a test class needs (e.g. turning a feature on).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await (await TestDatabaseServer.Shared).CreateDatabaseAsync();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:HeadlessNews", ConnectionString);
        builder.UseSetting("Database:MigrateOnStartup", "false");
        builder.UseSetting("RateLimiting:Enabled", "false");
        builder.UseSetting("WarmUp:Seconds", "0");
        builder.UseSetting("Webhooks:AllowPrivateTargets", "true");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            services.AddTransient<IStartupFilter, OpenApiConformanceStartupFilter>();
        });
    }

    /// <summary>A client whose requests carry a new API key with the given scopes.</summary>
    public async Task<HttpClient> ClientWithScopesAsync(params string[] scopes)
    {
        var secret = await CreateKeyAsync(scopes);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    public async Task<string> CreateKeyAsync(string[] scopes, string[]? sections = null, string[]? tags = null)
    {
        StartServer();
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        var request = new CreateApiKeyRequest("test key " + string.Join(',', scopes), scopes, null, sections, tags);
        var (limits, errors) = await ApiKeyIssuer.ResolveLimitsAsync(db, request, CancellationToken.None);
        Assert.Empty(errors);
        return (await ApiKeyIssuer.CreateAsync(db, Clock, Services.GetRequiredService<ApiKeyMint>(), request, limits, CancellationToken.None)).Secret!;
    }

    /// <summary>Runs <paramref name="work"/> against the database directly (to check what was or was not written).</summary>
    public async Task<T> WithDbAsync<T>(Func<HeadlessNewsDbContext, Task<T>> work)
    {
        StartServer();
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>());
    }
}
