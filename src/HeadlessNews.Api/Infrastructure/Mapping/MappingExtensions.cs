using Mapster;

namespace HeadlessNews.Api.Infrastructure.Mapping;

public static class MappingExtensions
{
    private static readonly Lazy<TypeAdapterConfig> Configured = new(() =>
    {
        var config = TypeAdapterConfig.GlobalSettings;
        config.Scan(typeof(MappingExtensions).Assembly);
        config.Compile();
        return config;
    });

    /// <summary>Applies every Mapster <see cref="IRegister"/> in the assembly to the global config once and compiles it, so a bad mapping fails at start-up.</summary>
    public static IServiceCollection AddHeadlessNewsMapping(this IServiceCollection services) => services.AddSingleton(Configured.Value);
}
