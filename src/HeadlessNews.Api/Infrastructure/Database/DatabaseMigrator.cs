using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

public static class DatabaseMigrator
{
    /// <summary>Arbitrary, fixed key so every HeadlessNews instance contends for the same lock.</summary>
    private const long MigrationLockKey = 0x4865_6164_4e65_7773;

    /// <summary>Applies pending migrations while holding a session advisory lock, so instances starting together do not race.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var endpoint = services.GetRequiredService<DatabaseEndpoint>();
        await endpoint.EnsureReadyAsync(cancellationToken);
        await using var lockConnection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(endpoint.ConnectionString) { Pooling = false, CommandTimeout = 0 }.ConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var acquire = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", lockConnection))
        {
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        await db.Database.MigrateAsync(cancellationToken);
        await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey})", lockConnection);
        await release.ExecuteNonQueryAsync(cancellationToken);
    }
}
