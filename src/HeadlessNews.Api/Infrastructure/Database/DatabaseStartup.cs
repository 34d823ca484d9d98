
namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// Provisions (embedded), migrates and seeds the database before the server accepts requests.
/// Runs as a hosted service so that merely building the app (e.g. to describe its OpenAPI) never does.
/// </summary>
public sealed class DatabaseStartup(
    IServiceProvider services,
    DatabaseEndpoint endpoint,
    IOptions<DatabaseOptions> options,
    IEnumerable<IDatabaseStartupTask> startupTasks) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await endpoint.EnsureReadyAsync(cancellationToken);
        if (options.Value.MigrateOnStartup)
        {
            await DatabaseMigrator.MigrateAsync(services, cancellationToken);
        }
        foreach (var task in startupTasks)
        {
            await task.RunAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Work that needs the migrated database at start-up (signing keys, sample content, the first admin key), run in registration order.</summary>
public interface IDatabaseStartupTask
{
    Task RunAsync(CancellationToken cancellationToken);
}
