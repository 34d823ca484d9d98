using HeadlessNews.Api.Features.Webhooks;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Http.Timeouts;

namespace HeadlessNews.Api.Features.Media;

public static class MediaServiceCollectionExtensions
{
    public static IServiceCollection AddMedia(this IServiceCollection services)
    {
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IMediaStorage>(provider => provider.GetRequiredService<IOptions<MediaOptions>>().Value.Storage == MediaOptions.S3Storage
            ? ActivatorUtilities.CreateInstance<S3MediaStorage>(provider)
            : ActivatorUtilities.CreateInstance<FileSystemMediaStorage>(provider));
        services.AddSingleton<ImageWork>();
        services.AddSingleton<HotRenditions>();
        services.AddSingleton<ITagEvictionObserver>(provider => provider.GetRequiredService<HotRenditions>());
        services.AddSingleton<RenditionAssets>();
        services.AddSingleton<ITagEvictionObserver>(provider => provider.GetRequiredService<RenditionAssets>());
        services.AddSingleton<MediaUrls>();
        // Uploads are larger than any JSON body: the multipart overhead on top of the image is small.
        services.AddSingleton(provider => new RequestBodyLimit(
            request => HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/v1/manage/assets"),
            provider.GetRequiredService<IOptions<MediaOptions>>().Value.MaxUploadBytes + 64 * 1024));
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<HttpLimitsOptions>, IOptions<MediaOptions>>((timeouts, limits, media) =>
            timeouts.AddPolicy(AssetWrites.UploadTimeoutPolicy, new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(limits.Value.RequestTimeoutSeconds + media.Value.FetchTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = context => timeouts.DefaultPolicy!.WriteTimeoutResponse!(context),
            }));
        services.AddScoped<AssetWrites>();
        services.AddHttpClient(AssetWrites.SourcesHttpClient, client => client.DefaultRequestHeaders.UserAgent.ParseAdd("HeadlessNews-Media/1.0"))
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<WebhookTargets>().ConnectAsync,
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
            });
        return services;
    }
}
