using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// Input limits. The API answers a problem at its own limits (body, URL, headers); Kestrel's limits sit
/// above them as a backstop for what never reaches the pipeline and is refused with an empty response.
/// </summary>
public sealed class HttpLimitsOptions
{
    public const string Section = "Limits";

    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Nesting depth of a JSON body (objects and arrays); deeper is a 400.</summary>
    [Range(8, 256)]
    public int MaxJsonDepth { get; set; } = 32;

    /// <summary>Path plus query string, in characters; longer is a 414 problem.</summary>
    [Range(256, 65536)]
    public int MaxUrlLength { get; set; } = 4096;

    /// <summary>All request headers (names, values and separators), in bytes; more is a 431 problem.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxRequestHeadersBytes { get; set; } = 16 * 1024;

    /// <summary>Kestrel's hard limit on the request line; over it Kestrel answers an empty 414.</summary>
    [Range(1024, 1024 * 1024)]
    public int KestrelMaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>Kestrel's hard limit on all headers; over it Kestrel answers an empty 431.</summary>
    [Range(1024, 4 * 1024 * 1024)]
    public int KestrelMaxRequestHeadersBytes { get; set; } = 32 * 1024;

    [Range(16, 1000)]
    public int KestrelMaxRequestHeaderCount { get; set; } = 100;

    /// <summary>A request still running after this long is cancelled and answered 503, so hung database calls cannot pile up.</summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 30;
}

public static class HttpLimitsServiceCollectionExtensions
{
    public const string SocketsSection = "Kestrel:Sockets";

    /// <summary>
    /// Binds <see cref="HttpLimitsOptions"/> and applies them to Kestrel and to JSON bodies (depth, refused characters), and
    /// <c>Kestrel:Sockets</c> to the socket transport.
    /// </summary>
    public static IServiceCollection AddHttpInputLimits(this IServiceCollection services)
    {
        services.AddOptions<HttpLimitsOptions>().BindConfiguration(HttpLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimitsOptions>>((kestrel, limits) =>
        {
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestLineSize = limits.Value.KestrelMaxRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.Value.KestrelMaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestHeaderCount = limits.Value.KestrelMaxRequestHeaderCount;
        });
        // Kestrel reads its endpoints from "Kestrel" but not its socket transport's options (e.g. UnsafePreferInlineScheduling).
        services.AddOptions<SocketTransportOptions>().BindConfiguration(SocketsSection);
        services.AddOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>().Configure<IOptions<HttpLimitsOptions>>((json, limits) =>
        {
            json.SerializerOptions.MaxDepth = limits.Value.MaxJsonDepth;
            json.SerializerOptions.Converters.Add(new AcceptedTextConverter());
            // Ahead of ApiJson's timestamp converter, whichever configures first: the first that converts a type wins.
            json.SerializerOptions.Converters.Insert(0, new AcceptedDateTimeOffsetConverter());
            json.SerializerOptions.Converters.Add(new AcceptedDateOnlyConverter());
        });
        return services;
    }
}
