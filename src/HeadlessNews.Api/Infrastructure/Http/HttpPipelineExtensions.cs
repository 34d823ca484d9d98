using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Api.Infrastructure.Text;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Http;

public static class HttpPipelineExtensions
{
    /// <summary>
    /// Answers HEAD as GET without the body (RFC 9110 §9.3.2), on every GET route: routing and caching see GET, while
    /// Kestrel, which keeps the method it parsed, sends the headers only. The request log still says HEAD.
    /// </summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use((context, next) =>
        HttpMethods.IsHead(context.Request.Method) ? AsGetAsync(context, next) : next(context));

    private static async Task AsGetAsync(HttpContext context, RequestDelegate next)
    {
        context.Request.Method = HttpMethods.Get;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Method = HttpMethods.Head;
        }
    }

    /// <summary>
    /// Refuses oversized input up front with a problem: the body (413; Kestrel enforces the same limit on
    /// chunked bodies), the URL (414), the headers (431), and NUL characters in the query or headers (400),
    /// a body in a charset .NET does not know or of a JSON type other than application/json (415).
    /// </summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<HttpLimitsOptions>>().Value;
        var maxBody = limits.MaxRequestBodyBytes;
        foreach (var larger in context.RequestServices.GetServices<RequestBodyLimit>())
        {
            maxBody = larger.Applies(context.Request) ? Math.Max(maxBody, larger.MaxBytes) : maxBody;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = maxBody;
        }
        // Most requests pass: they go on without an async frame of this middleware's own around the rest.
        return Refusal(context.Request, limits, maxBody) is { } refusal
            ? Problems.WriteAsync(context, refusal.Status, refusal.Title, refusal.Detail)
            : next(context);
    });

    private static (int Status, string Title, string Detail)? Refusal(HttpRequest request, HttpLimitsOptions limits, long maxBody)
    {
        var urlLength = (request.PathBase.Value?.Length ?? 0) + (request.Path.Value?.Length ?? 0) + (request.QueryString.Value?.Length ?? 0);
        if (urlLength > limits.MaxUrlLength)
        {
            return (StatusCodes.Status414UriTooLong, "URI Too Long",
                $"The path and query string are {urlLength} characters; this API accepts at most {limits.MaxUrlLength}.");
        }
        var headerBytes = HeaderBytes(request.Headers);
        if (headerBytes > limits.MaxRequestHeadersBytes)
        {
            return (StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request Header Fields Too Large",
                $"The request headers are {headerBytes} bytes; this API accepts at most {limits.MaxRequestHeadersBytes}.");
        }
        if (request.ContentLength > maxBody)
        {
            return (StatusCodes.Status413PayloadTooLarge, Problems.TooLargeTitle,
                $"The request body is {request.ContentLength} bytes; this API accepts at most {maxBody}.");
        }
        if (NulIn(request) is { } where)
        {
            return (StatusCodes.Status400BadRequest, "Invalid text", $"The {where} contains a NUL character (%00), which this API never accepts.");
        }
        // The one header kept as text (in revisions and the audit log) takes what a body's text does.
        if (request.Headers[Caller.OnBehalfOfHeader].ToString() is { Length: > 0 } onBehalfOf && AcceptedText.IndexOfRefused(onBehalfOf, out var codePoint) >= 0)
        {
            return (StatusCodes.Status400BadRequest, "Invalid text", $"The {Caller.OnBehalfOfHeader} header contains U+{codePoint:X4}, which a name may not hold.");
        }
        return BodyTypeRefusal(request);
    }

    /// <summary>Names, values and a separator's worth per value (4 bytes).</summary>
    private static int HeaderBytes(IHeaderDictionary headers)
    {
        var bytes = 0;
        foreach (var (name, values) in headers)
        {
            bytes += name.Length;
            foreach (var value in values)
            {
                bytes += (value?.Length ?? 0) + 4;
            }
        }
        return bytes;
    }

    /// <summary>
    /// A compressed body (no content coding is decoded: a gzipped body would be read as malformed JSON), one in a charset
    /// .NET does not know, or of a JSON type other than <c>application/json</c> (ASP.NET Core reads any <c>…+json</c> body
    /// as JSON, and a PUT never merges a patch). A request without a body is not judged by its headers: some clients send
    /// a Content-Type on every GET.
    /// </summary>
    private static (int Status, string Title, string Detail)? BodyTypeRefusal(HttpRequest request)
    {
        if (request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0)
        {
            return null;
        }
        if (request.Headers.ContentEncoding.ToString() is { Length: > 0 } coding && !coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"Content-Encoding '{coding}' is not accepted; send the body uncompressed.");
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            return null;
        }
        if (mediaType.MediaType.Value is { } type && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"'{type}' is not accepted; send the body as application/json (a PUT replaces the whole resource, it never merges a patch).");
        }
        // Taken as is, quotes included, because that is how the JSON body reader looks the encoding up.
        if (mediaType.Charset.Value is not { } charset)
        {
            return null;
        }
        try
        {
            _ = Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            return (StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"The body's charset '{charset}' is unknown; send application/json in UTF-8.");
        }
    }

    /// <summary>Where a NUL character appears in the decoded query or header values, if anywhere (the server already refuses one in the path).</summary>
    private static string? NulIn(HttpRequest request)
    {
        foreach (var (name, values) in request.Query)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || HasNul(values))
            {
                return "query string";
            }
        }
        foreach (var (_, values) in request.Headers)
        {
            if (HasNul(values))
            {
                return "request headers";
            }
        }
        return null;
    }

    private static bool HasNul(StringValues values)
    {
        foreach (var value in values)
        {
            if (value?.Contains('\0', StringComparison.Ordinal) == true)
            {
                return true;
            }
        }
        return false;
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
