using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// Readiness of the databases: healthy while the primary answers; degraded while only the read database (a standby)
/// does, since delivery goes on answering from it and only management answers 503; unhealthy once delivery cannot read.
/// </summary>
internal sealed class DatabaseHealthCheck(ConnectionPools pools, ReadDatabase readDatabase) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (await AnswersAsync(pools.Primary, cancellationToken))
        {
            return HealthCheckResult.Healthy();
        }
        return readDatabase.UsesReplica && await AnswersAsync(readDatabase.DataSource(), cancellationToken)
            ? HealthCheckResult.Degraded("The primary does not answer: delivery reads from the standby, management answers 503.")
            : HealthCheckResult.Unhealthy("No database answers: delivery cannot read.");
    }

    /// <summary>
    /// A query, not an open: a pooled connection opens without reaching the server, a multiplexed one reaches none. An idle
    /// connection the server dropped (a restart) fails once, so the pool's idle connections are closed and it asks again.
    /// </summary>
    private static async Task<bool> AnswersAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return true;
            }
            catch (Exception e) when (attempt == 1 && e.IsBrokenConnection())
            {
                dataSource.Clear();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                return false;
            }
        }
    }
}
