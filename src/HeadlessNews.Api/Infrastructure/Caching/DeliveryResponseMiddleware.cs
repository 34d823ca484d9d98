using System.Globalization;
using System.IO.Hashing;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IO;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>Marks an endpoint whose responses get delivery caching headers (see <see cref="DeliveryResponseMiddleware"/>).</summary>
internal sealed class DeliveryResponseMetadata
{
    public static readonly DeliveryResponseMetadata Instance = new();

    public static bool IsOn(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<DeliveryResponseMetadata>() is not null;
}

/// <summary>
/// For delivery endpoints, cached or not: buffers the (already compressed) body, gives it a strong ETag (the
/// handler's own, else a hash of the bytes), answers a matching <c>If-None-Match</c> with 304, and sets
/// <c>Cache-Control</c> (public for anonymous reads, capped by <see cref="CacheTags.ExpireAt"/>; private otherwise).
/// It sits inside the output cache, so what it writes is what a cache entry stores.
/// </summary>
internal sealed class DeliveryResponseMiddleware(RequestDelegate next, IOptions<DeliveryCacheOptions> options, TimeProvider clock, RecyclableMemoryStreamManager buffers)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!DeliveryResponseMetadata.IsOn(context.GetEndpoint()))
        {
            await next(context);
            return;
        }

        var original = context.Response.Body;
        // Pooled blocks: a fresh MemoryStream per response was ~1/4 of an uncached list's allocations, and an
        // include=body page (over 85 KB) landed on the large-object heap every time. The stream's id only labels
        // diagnostics events; a new one per stream (Guid.NewGuid) costs a read of /dev/urandom per response.
        await using var buffer = buffers.GetStream(Guid.Empty);
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var response = context.Response;
        var cacheable = response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status301MovedPermanently;
        SetCacheControl(context, cacheable);
        if (response.StatusCode == StatusCodes.Status200OK)
        {
            var etag = StrongETag(response, buffer);
            response.Headers.ETag = etag;
            if (NotModified(context.Request, response, etag))
            {
                context.Features.Get<IOutputCacheFeature>()?.Context.AllowCacheStorage = false;
                response.StatusCode = StatusCodes.Status304NotModified;
                response.ContentLength = null;
                response.Headers.ContentType = default;
                return;
            }
        }
        if (buffer.Length > 0)
        {
            response.ContentLength = buffer.Length;
            foreach (var block in buffer.GetReadOnlySequence())
            {
                await original.WriteAsync(block, context.RequestAborted);
            }
        }
    }

    private void SetCacheControl(HttpContext context, bool cacheable)
    {
        var headers = context.Response.Headers;
        var outputCache = context.Features.Get<IOutputCacheFeature>()?.Context;
        if (!cacheable || !DeliveryCachePolicy.IsAnonymousRead(context.Request))
        {
            headers.CacheControl = PrivateResponses.CacheControl;
            return;
        }
        headers[CacheTags.HeaderName] = string.Join(' ', CacheTags.ReadTags(context.Response).Prepend(CacheTags.All).Distinct(StringComparer.Ordinal));

        var settings = options.Value;
        var maxAge = TimeSpan.FromSeconds(settings.MaxAgeSeconds);
        var staleWhileRevalidate = settings.StaleWhileRevalidateSeconds;
        if (context.ExpiresAt() is { } expiresAt)
        {
            var remaining = expiresAt - clock.GetUtcNow();
            if (remaining < maxAge)
            {
                maxAge = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            }
            // Serving stale past the boundary would show, say, an expired notice: the grace period ends there too.
            staleWhileRevalidate = (int)Math.Clamp((remaining - maxAge).TotalSeconds, 0, staleWhileRevalidate);
            if (outputCache is not null)
            {
                if (remaining <= TimeSpan.Zero)
                {
                    outputCache.AllowCacheStorage = false;
                }
                else if (outputCache.ResponseExpirationTimeSpan is not { } server || remaining < server)
                {
                    outputCache.ResponseExpirationTimeSpan = remaining;
                }
            }
        }
        var seconds = ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        headers.CacheControl = $"public, max-age={seconds}, stale-while-revalidate={staleWhileRevalidate.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>A strong ETag differs per content coding, so a handler's own tag gets the encoding appended.</summary>
    private static string StrongETag(HttpResponse response, RecyclableMemoryStream body)
    {
        var encoding = response.Headers.ContentEncoding.ToString();
        var own = response.Headers.ETag.ToString();
        if (own.Length > 2 && own[0] == '"' && own[^1] == '"')
        {
            return encoding.Length == 0 ? own : $"{own[..^1]}-{encoding}\"";
        }
        // A change detector, not a signature: XXH128 is ~20x cheaper than SHA-256, which was ~5 % of an uncached list's CPU.
        var hash = new XxHash128();
        foreach (var block in body.GetReadOnlySequence())
        {
            hash.Append(block.Span);
        }
        return "\"" + WebEncoders.Base64UrlEncode(hash.GetCurrentHash()) + "\"";
    }

    /// <summary>
    /// If-None-Match uses the weak comparison (RFC 9110 13.1.2); without it, If-Modified-Since is compared with the
    /// handler's Last-Modified (feeds and sitemaps set one), to the second (13.1.3).
    /// </summary>
    private static bool NotModified(HttpRequest request, HttpResponse response, string etag)
    {
        if (request.Headers.IfNoneMatch.Count > 0)
        {
            if (!EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var candidates))
            {
                return false;
            }
            var current = EntityTagHeaderValue.Parse(etag);
            return candidates.Any(c => c.Equals(EntityTagHeaderValue.Any) || c.Compare(current, useStrongComparison: false));
        }
        return request.Headers.IfModifiedSince.Count > 0 && response.Headers.LastModified.Count > 0
            && HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since)
            && HeaderUtilities.TryParseDate(response.Headers.LastModified.ToString(), out var lastModified)
            && lastModified.ToUnixTimeSeconds() <= since.ToUnixTimeSeconds();
    }
}
