using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// Proxies whose <c>X-Forwarded-For</c> names the client: single addresses (<c>Http:KnownProxies</c>) and CIDR networks
/// (<c>Http:KnownNetworks</c>). None by default, loopback included, so a proxy on the same host must be named too.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "Http";

    public string[] KnownProxies { get; set; } = [];

    public string[] KnownNetworks { get; set; } = [];

    public bool AnyConfigured => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        ClientAddresses.InvalidAddresses(KnownProxies, $"{Section}:{nameof(KnownProxies)}")
            .Concat(ClientAddresses.InvalidNetworks(KnownNetworks, $"{Section}:{nameof(KnownNetworks)}"));
}

/// <summary>Who the client is: the socket's peer, or the address a configured proxy forwards.</summary>
public static class ClientAddresses
{
    public static IServiceCollection AddClientAddresses(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().Configure<IConfiguration>((proxies, configuration) =>
        {
            proxies.KnownProxies = ConfigurationLists.Read(configuration, $"{ProxyOptions.Section}:{nameof(ProxyOptions.KnownProxies)}");
            proxies.KnownNetworks = ConfigurationLists.Read(configuration, $"{ProxyOptions.Section}:{nameof(ProxyOptions.KnownNetworks)}");
        }).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            // The framework trusts loopback unless told otherwise; only the configured proxies are trusted here.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
            foreach (var network in proxies.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(IPNetwork.Parse(network));
            }
            // Right to left through every configured proxy (a CDN, then nginx), stopping at the first address that is not one.
            forwarded.ForwardLimit = null;
        });
        return services;
    }

    /// <summary>
    /// Before anything reads the client address. Only when a proxy is configured: the framework's middleware with an empty
    /// trust list would believe every peer, and without it nothing is spent on requests at all.
    /// </summary>
    public static IApplicationBuilder UseClientAddresses(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<ProxyOptions>>().Value.AnyConfigured ? app.UseForwardedHeaders() : app;

    /// <summary>An IPv4 client of a dual-stack socket arrives as <c>::ffff:a.b.c.d</c>; it is judged as <c>a.b.c.d</c>.</summary>
    public static IPAddress Normalised(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Loopback or inside one of <paramref name="networks"/>; an unknown address (no socket) is neither.</summary>
    public static bool IsLoopbackOrIn(IPAddress? address, IReadOnlyList<IPNetwork> networks)
    {
        if (address is null)
        {
            return false;
        }
        var client = Normalised(address);
        if (IPAddress.IsLoopback(client))
        {
            return true;
        }
        foreach (var network in networks)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }
        return false;
    }

    internal static IEnumerable<ValidationResult> InvalidAddresses(string[] values, string key) =>
        values.Where(v => !IPAddress.TryParse(v, out _))
            .Select(v => new ValidationResult($"{key}: '{v}' is not an IP address.", [key]));

    internal static IEnumerable<ValidationResult> InvalidNetworks(string[] values, string key) =>
        values.Where(v => !IPNetwork.TryParse(v, out _))
            .Select(v => new ValidationResult($"{key}: '{v}' is not a CIDR network (e.g. 10.0.0.0/8 or 2001:db8::/32).", [key]));
}
