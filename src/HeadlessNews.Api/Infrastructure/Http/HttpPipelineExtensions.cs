using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Http;

public static class HttpPipelineExtensions
{
    /// <summary>
    /// Refuses oversized input up front with a problem: the body (413; Kestrel enforces the same limit on
    /// chunked bodies), the URL (414), the headers (431), and NUL characters in the query or headers (400),
    /// a body in a charset .NET does not know (415).
    /// </summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<HttpLimitsOptions>>().Value;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limits.MaxRequestBodyBytes;
        }
        var request = context.Request;
        var urlLength = (request.PathBase.Value?.Length ?? 0) + (request.Path.Value?.Length ?? 0) + (request.QueryString.Value?.Length ?? 0);
        if (urlLength > limits.MaxUrlLength)
        {
            await Problems.WriteAsync(context, StatusCodes.Status414UriTooLong, "URI too long",
                $"The path and query string are {urlLength} characters; this API accepts at most {limits.MaxUrlLength}.");
            return;
        }
        var headerBytes = request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => (v?.Length ?? 0) + 4));
        if (headerBytes > limits.MaxRequestHeadersBytes)
        {
            await Problems.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request header fields too large",
                $"The request headers are {headerBytes} bytes; this API accepts at most {limits.MaxRequestHeadersBytes}.");
            return;
        }
        if (request.ContentLength > limits.MaxRequestBodyBytes)
        {
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Payload too large",
                $"The request body is {request.ContentLength} bytes; this API accepts at most {limits.MaxRequestBodyBytes}.");
            return;
        }
        if (NulIn(request) is { } where)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid text",
                $"The {where} contains a NUL character (%00), which this API never accepts.");
            return;
        }
        if (UnknownCharset(request) is { } charset)
        {
            await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"The body's charset '{charset}' is unknown; send application/json in UTF-8.");
            return;
        }
        await next(context);
    });

    private static string? UnknownCharset(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.Charset.HasValue)
        {
            return null;
        }
        // Taken as is, quotes included, because that is how the JSON body reader looks the encoding up.
        var charset = mediaType.Charset.Value!;
        try
        {
            _ = Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            return charset;
        }
    }

    /// <summary>Where a NUL character appears in the decoded query or header values, if anywhere (the server already refuses one in the path).</summary>
    private static string? NulIn(HttpRequest request)
    {
        if (request.Query.Any(q => q.Key.Contains('\0', StringComparison.Ordinal) || q.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true)))
        {
            return "query string";
        }
        return request.Headers.Any(h => h.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true)) ? "request headers" : null;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/swagger")
                ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
                : "default-src 'none'; frame-ancestors 'none'";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
