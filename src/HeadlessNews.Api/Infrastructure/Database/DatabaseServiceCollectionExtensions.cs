using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Events;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace HeadlessNews.Api.Infrastructure.Database;

public static class DatabaseServiceCollectionExtensions
{
    public static IServiceCollection AddHeadlessNewsDatabase(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DatabaseEndpoint>();
        services.AddSingleton<DatabaseRetries>();
        services.AddSingleton<CacheEvictionInterceptor>();
        services.AddSingleton<IInterceptor>(provider => provider.GetRequiredService<CacheEvictionInterceptor>());
        services.AddHttpContextAccessor();
        services.AddSingleton<IInterceptor, EventActorInterceptor>();
        services.AddSingleton<IdempotencyCommitMarker>();
        services.AddSingleton<IInterceptor>(provider => provider.GetRequiredService<IdempotencyCommitMarker>());
        services.AddSingleton<IdempotencyKeysInHand>();
        // Features add theirs (e.g. Delivery's read model) as IInterceptor services: the database knows none of them.
        services.AddDbContextPool<HeadlessNewsDbContext>((provider, options) =>
            Configure(options, provider.GetRequiredService<ConnectionPools>().Primary)
                .AddInterceptors(provider.GetServices<IInterceptor>()));
        services.AddSingleton<ReadDatabase>();
        services.AddSingleton<ConnectionPools>();
        services.AddKeyedScoped(ReadDatabase.Key, (provider, _) => provider.GetRequiredService<ReadDatabase>().CreateDbContext());
        services.AddKeyedScoped(ReadDatabase.GenericPlansKey, (provider, _) => provider.GetRequiredService<ReadDatabase>().CreateDbContext(genericPlans: true));
        services.AddHostedService<DatabaseStartup>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) => Common(options
        .UseNpgsql(connectionString, npgsql => Provider(npgsql).ConfigureDataSource(ConfigureDataSource)));

    /// <summary>Contexts on a data source the caller owns (and may also read from directly).</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) => Common(options
        .UseNpgsql(dataSource, npgsql => Provider(npgsql)));

    /// <summary>
    /// A failed save is usually the client's (a duplicate slug answered 409), and one that is ours reaches the exception
    /// handler, which logs it: EF Core's own error line with a stack trace would call every 409 a failure.
    /// </summary>
    private static DbContextOptionsBuilder Common(DbContextOptionsBuilder options) => options
        .UseSnakeCaseNamingConvention()
        .ConfigureWarnings(warnings => warnings.Log((CoreEventId.SaveChangesFailed, LogLevel.Debug)));

    public static NpgsqlDataSource CreateDataSource(string connectionString, ILoggerFactory? loggers = null)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        ConfigureDataSource(builder);
        if (loggers is not null)
        {
            builder.UseLoggerFactory(loggers);
        }
        return builder.Build();
    }

    private static void ConfigureDataSource(NpgsqlDataSourceBuilder dataSource) => dataSource.EnableDynamicJson();

    /// <summary>Single queries, said explicitly: the queries that load several collections choose splitting themselves.</summary>
    private static NpgsqlDbContextOptionsBuilder Provider(NpgsqlDbContextOptionsBuilder npgsql) => npgsql
        .MigrationsHistoryTable("__ef_migrations_history")
        .UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database.</summary>
internal sealed class DesignTimeDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<HeadlessNewsDbContext>
{
    public HeadlessNewsDbContext CreateDbContext(string[] args) =>
        new((DbContextOptions<HeadlessNewsDbContext>)DatabaseServiceCollectionExtensions
            .Configure(new DbContextOptionsBuilder<HeadlessNewsDbContext>(), "Host=localhost;Database=design_time").Options);
}
