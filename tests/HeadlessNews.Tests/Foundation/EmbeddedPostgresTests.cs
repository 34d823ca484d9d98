using System.Runtime.Versioning;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Tests.Support;
using Npgsql;

namespace HeadlessNews.Tests.Foundation;

/// <summary>The embedded cluster's own credentials, on private clusters (one each) so nothing else is disturbed.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class EmbeddedPostgresTests
{
    private static async Task OpenAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
    }

    private static string WithPassword(string connectionString, string? password) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = password, Pooling = false }.ConnectionString;

    [Fact]
    public async Task The_embedded_cluster_refuses_a_connection_without_its_password_and_a_second_process_reads_the_same_one()
    {
        var cluster = await TestDatabaseServer.StartPrivateClusterAsync();
        try
        {
            var connectionString = cluster.ConnectionString("postgres");
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => OpenAsync(WithPassword(connectionString, null)));
            var wrong = await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(WithPassword(connectionString, "guessed")));
            Assert.Equal(PostgresErrorCodes.InvalidPassword, wrong.SqlState);
            await OpenAsync(connectionString);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cluster.PasswordFile));

            // The keys CLI attaches to the cluster the API runs.
            await using var attached = EmbeddedPostgres.Create(cluster.DataDirectory);
            await attached.StartAsync();
            Assert.Equal(cluster.Port, attached.Port);
            await OpenAsync(attached.ConnectionString("postgres"));
        }
        finally
        {
            await cluster.StopAsync(immediate: true);
        }
    }

    [Fact]
    public async Task A_cluster_an_earlier_version_created_with_trust_gets_a_password_when_it_next_starts()
    {
        var cluster = await TestDatabaseServer.StartPrivateClusterAsync();
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.ConnectionString("postgres")) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var forget = new NpgsqlCommand("ALTER ROLE postgres PASSWORD NULL", connection);
            await forget.ExecuteNonQueryAsync();
        }
        await cluster.StopAsync();
        await File.WriteAllTextAsync(Path.Combine(cluster.DataDirectory, "pg_hba.conf"), "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        File.Delete(cluster.PasswordFile);

        await using var upgraded = EmbeddedPostgres.Create(cluster.DataDirectory, TestDatabaseServer.FastSettings);
        await upgraded.StartAsync();
        var connectionString = upgraded.ConnectionString("postgres");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => OpenAsync(WithPassword(connectionString, null)));
        await OpenAsync(connectionString);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(upgraded.PasswordFile));
        Assert.DoesNotContain("trust", await File.ReadAllTextAsync(Path.Combine(upgraded.DataDirectory, "pg_hba.conf")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_embedded_cluster_takes_a_quarter_of_the_machines_memory_for_shared_buffers()
    {
        var cluster = await TestDatabaseServer.StartPrivateClusterAsync();
        await cluster.StopAsync();
        const long twoGigabytes = 2L * 1024 * 1024 * 1024;

        await using var sized = EmbeddedPostgres.Create(cluster.DataDirectory, EmbeddedPostgres.SizedFor(twoGigabytes));
        await sized.StartAsync();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(sized.ConnectionString("postgres")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var show = new NpgsqlCommand("SELECT current_setting('shared_buffers') || ' ' || current_setting('effective_cache_size')", connection);
        Assert.Equal("512MB 1GB", await show.ExecuteScalarAsync());
    }
}
