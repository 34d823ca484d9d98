
namespace HeadlessNews.Api.Features.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.HasValidDurations(), "Webhooks: GiveUpAfter, DisableAfterFailingFor and every RetrySchedule delay must be positive.")
            .ValidateOnStart();
        services.AddSingleton<WebhookTargets>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName, (provider, client) =>
            {
                client.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<WebhookOptions>>().Value.TimeoutSeconds);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("HeadlessNews-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<WebhookTargets>().ConnectAsync,
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            });
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
