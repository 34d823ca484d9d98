using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HeadlessNews.Api.Features.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Keeps the published read model in step with every save (see <see cref="ReadModelRefresher"/>).</summary>
    public static IServiceCollection AddDeliveryReadModel(this IServiceCollection services) =>
        services.AddSingleton<IInterceptor, ReadModelRefresher>();
}
