using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HeadlessNews.Api.Features.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Keeps the published read model in step with every save (see <see cref="ReadModelRefresher"/>), and answers from it what is visible.</summary>
    public static IServiceCollection AddDeliveryReadModel(this IServiceCollection services)
    {
        services.AddOptions<ReadModelOptions>().BindConfiguration(ReadModelOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReadModelRelabeller>();
        return services.AddSingleton<IInterceptor, ReadModelRefresher>().AddSingleton<IAssetVisibility, PublishedAssetVisibility>()
            .AddHostedService(provider => provider.GetRequiredService<ReadModelRelabeller>());
    }

    /// <summary>Live blog streams: one listener and one dispatch loop per node (see <see cref="LiveBlogHub"/>).</summary>
    public static IServiceCollection AddLiveBlogs(this IServiceCollection services)
    {
        services.AddOptions<LiveBlogOptions>().BindConfiguration(LiveBlogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LiveBlogHub>();
        services.AddSingleton<ITagEvictionObserver>(provider => provider.GetRequiredService<LiveBlogHub>());
        return services.AddHostedService(provider => provider.GetRequiredService<LiveBlogHub>());
    }

    /// <summary>The turns full-text reads take at the database (see <see cref="SearchTurns"/>) and the node's search index (see <see cref="SearchIndex"/>).</summary>
    public static IServiceCollection AddSearch(this IServiceCollection services)
    {
        services.AddOptions<SearchOptions>().BindConfiguration(SearchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SearchIndex>();
        services.AddSingleton<ITagEvictionObserver>(provider => provider.GetRequiredService<SearchIndex>());
        services.AddHostedService(provider => provider.GetRequiredService<SearchIndex>());
        services.AddHealthChecks().AddCheck<SearchIndex>("search-index", tags: ["ready"]);
        return services.AddSingleton<SearchTurns>();
    }
}
