using HeadlessNews.Api.Features.Media;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HeadlessNews.Api.Features.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Keeps the published read model in step with every save (see <see cref="ReadModelRefresher"/>), and answers from it what is visible.</summary>
    public static IServiceCollection AddDeliveryReadModel(this IServiceCollection services) =>
        services.AddSingleton<IInterceptor, ReadModelRefresher>().AddSingleton<IAssetVisibility, PublishedAssetVisibility>();
}
