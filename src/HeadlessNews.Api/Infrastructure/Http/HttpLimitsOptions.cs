using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Infrastructure.Http;

public sealed class HttpLimitsOptions
{
    public const string Section = "Limits";

    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}
