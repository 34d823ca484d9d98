using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>
/// The server output cache for one delivery route: only anonymous reads (no <c>Authorization</c>, no <c>?key=</c>)
/// are looked up or stored; entries vary by the query parameters the route defines (any other parameter is ignored, so
/// <c>&amp;x=random</c> cannot bypass the cache) and the negotiated encoding, and carry the global tag plus the
/// handler's <c>Surrogate-Key</c> tags.
/// </summary>
internal sealed class DeliveryCachePolicy(string[] queryKeys) : IOutputCachePolicy
{
    private static readonly string[] NegotiatedEncodings = ["br", "gzip", "*"];

    /// <summary>The query parameters the route defines (see <see cref="RouteQueryParameters"/>).</summary>
    public StringValues QueryKeys { get; } = queryKeys;

    /// <summary>Whether the route defines the query parameter <paramref name="name"/> (names match regardless of case, as binding does).</summary>
    public bool Defines(string name) => queryKeys.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static bool IsAnonymousRead(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Authorization.Count == 0
        && !request.Query.ContainsKey("key");

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<DeliveryCacheOptions>>().Value;
        // Anything else skips the output cache altogether (no vary key computed, no response stream wrapped).
        context.EnableOutputCaching = options.ServerCacheEnabled && IsAnonymousRead(context.HttpContext.Request);
        if (!context.EnableOutputCaching)
        {
            return ValueTask.CompletedTask;
        }
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        context.AllowLocking = true;
        context.CacheVaryByRules.QueryKeys = QueryKeys;
        context.CacheVaryByRules.VaryByValues["encoding"] = EncodingKey(context.HttpContext.Request);
        context.ResponseExpirationTimeSpan = TimeSpan.FromSeconds(options.ServerSeconds);
        context.Tags.Add(CacheTags.All);
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0)
        {
            context.AllowCacheStorage = false;
            return ValueTask.CompletedTask;
        }
        foreach (var tag in CacheTags.ReadTags(response))
        {
            context.Tags.Add(tag);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The compressed bytes are what is stored, so entries vary by the encodings the client accepts, normalised
    /// so that "gzip, br" and "br,gzip" share one entry.
    /// </summary>
    private static string EncodingKey(HttpRequest request)
    {
        if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var accepted))
        {
            return string.Empty;
        }
        return string.Join(',', accepted
            .Where(e => NegotiatedEncodings.Contains(e.Value.Value, StringComparer.OrdinalIgnoreCase) && e.Quality is not 0)
            .Select(e => e.Value.Value!.ToLowerInvariant() + (e.Quality is { } q ? "=" + q.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : string.Empty))
            .Order(StringComparer.Ordinal));
    }
}
