using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace HeadlessNews.Api.Features.Tips;

public static class TipsServiceCollectionExtensions
{
    public static IServiceCollection AddTips(this IServiceCollection services)
    {
        services.AddOptions<TipsOptions>().BindConfiguration(TipsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddDataProtection().SetApplicationName("HeadlessNews");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<TipsOptions>, IHostEnvironment, ILoggerFactory>((keys, tips, host, logging) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.GetFullPath(tips.Value.KeyRingPath, host.ContentRootPath)), logging));
        services.AddSingleton<TipSealer>();
        services.AddSingleton<TipChallenges>();
        services.AddSingleton<TipAttachments>();
        services.AddSingleton<TipUploadGate>();
        // A tip with attachments may be larger than other bodies; one sent as JSON has none, and keeps the usual limit.
        services.AddSingleton(provider => new RequestBodyLimit(
            request => HttpMethods.IsPost(request.Method) && request.Path.Equals(TipEndpoints.Path, StringComparison.OrdinalIgnoreCase) && request.HasFormContentType,
            provider.GetRequiredService<IOptions<TipsOptions>>().Value.MaxRequestBytes));
        services.AddSingleton<TipRetention>();
        services.AddHostedService(provider => provider.GetRequiredService<TipRetention>());
        return services;
    }
}
