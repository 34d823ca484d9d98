using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace HeadlessNews.Api.Infrastructure.Database;

public static class DatabaseServiceCollectionExtensions
{
    public static IServiceCollection AddHeadlessNewsDatabase(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DatabaseEndpoint>();
        services.AddSingleton<CacheEvictionInterceptor>();
        services.AddDbContextPool<HeadlessNewsDbContext>((provider, options) =>
            Configure(options, provider.GetRequiredService<DatabaseEndpoint>().ConnectionString)
                .AddInterceptors(provider.GetRequiredService<CacheEvictionInterceptor>()));
        services.AddSingleton<ReadDatabase>();
        services.AddKeyedScoped(ReadDatabase.Key, (provider, _) => provider.GetRequiredService<ReadDatabase>().CreateDbContext());
        services.AddKeyedScoped(ReadDatabase.GenericPlansKey, (provider, _) => provider.GetRequiredService<ReadDatabase>().CreateDbContext(genericPlans: true));
        services.AddHostedService<DatabaseStartup>();
        services.AddHealthChecks().AddDbContextCheck<HeadlessNewsDbContext>("database", tags: ["ready"]);
        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) => options
        .UseNpgsql(connectionString, npgsql => Provider(npgsql).ConfigureDataSource(ConfigureDataSource))
        .UseSnakeCaseNamingConvention();

    /// <summary>Contexts on a data source the caller owns (and may also read from directly).</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) => options
        .UseNpgsql(dataSource, npgsql => Provider(npgsql))
        .UseSnakeCaseNamingConvention();

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        ConfigureDataSource(builder);
        return builder.Build();
    }

    private static void ConfigureDataSource(NpgsqlDataSourceBuilder dataSource) => dataSource.EnableDynamicJson();

    private static NpgsqlDbContextOptionsBuilder Provider(NpgsqlDbContextOptionsBuilder npgsql) => npgsql.MigrationsHistoryTable("__ef_migrations_history");
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database.</summary>
internal sealed class DesignTimeDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<HeadlessNewsDbContext>
{
    public HeadlessNewsDbContext CreateDbContext(string[] args) =>
        new((DbContextOptions<HeadlessNewsDbContext>)DatabaseServiceCollectionExtensions
            .Configure(new DbContextOptionsBuilder<HeadlessNewsDbContext>(), "Host=localhost;Database=design_time").Options);
}
