using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Infrastructure.Http;

public sealed class HttpLimitsOptions
{
    public const string Section = "Limits";

    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>A request still running after this long is cancelled and answered 503, so hung database calls cannot pile up.</summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 30;
}
