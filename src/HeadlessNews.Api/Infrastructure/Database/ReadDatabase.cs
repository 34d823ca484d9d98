using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// The database delivery and feeds read from: <c>ConnectionStrings:HeadlessNewsRead</c> when set (for example an
/// Npgsql multi-host string with <c>Target Session Attributes=prefer-standby</c>), else the primary. Inject it as
/// <c>[FromKeyedServices(ReadDatabase.Key)] HeadlessNewsDbContext db</c>; its contexts do not track changes.
/// Management never uses it: an editor always reads their own writes from the primary.
/// </summary>
public sealed class ReadDatabase(IConfiguration configuration, DatabaseEndpoint endpoint)
{
    public const string Key = "read";
    public const string ConnectionName = "HeadlessNewsRead";
    private readonly Lazy<PooledDbContextFactory<HeadlessNewsDbContext>> _factory = new(
        () => CreateFactory(ConnectionString(configuration, endpoint)), LazyThreadSafetyMode.PublicationOnly);

    public bool UsesReplica => !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName));

    public HeadlessNewsDbContext CreateDbContext() => _factory.Value.CreateDbContext();

    private static PooledDbContextFactory<HeadlessNewsDbContext> CreateFactory(string connectionString) => new(
        ((DbContextOptionsBuilder<HeadlessNewsDbContext>)DatabaseServiceCollectionExtensions
            .Configure(new DbContextOptionsBuilder<HeadlessNewsDbContext>(), connectionString))
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options);

    private static string ConnectionString(IConfiguration configuration, DatabaseEndpoint endpoint)
    {
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName)))
        {
            return endpoint.ConnectionString;
        }
        var primary = new NpgsqlConnectionStringBuilder(endpoint.ConnectionString);
        var read = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(ConnectionName));
        if (!read.ContainsKey("Command Timeout"))
        {
            read.CommandTimeout = primary.CommandTimeout;
        }
        if (!read.ContainsKey("Timeout"))
        {
            read.Timeout = primary.Timeout;
        }
        return read.ConnectionString;
    }
}
