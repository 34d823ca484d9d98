using System.Globalization;
using HeadlessNews.Api.Infrastructure.Caching;
using Microsoft.AspNetCore.Authorization;

namespace HeadlessNews.Api.Features.Media;

public static class RenditionEndpoints
{
    private const string RouteName = "GetImageRendition";

    public static RouteGroupBuilder MapRenditions(this RouteGroupBuilder v1)
    {
        v1.MapGet("/images/{id:guid}/{version:int}/{rendition}", GetRendition).WithName(RouteName).WithTags("Media")
            .WithSummary("An image rendition `{width}.{jpg|webp|avif|auto}` (?ratio=16x9|4x3|1x1|3x2 crops around the focal point); public once visible content uses the asset, else a management key or a signed URL (?exp=&sig=).")
            .Produces<Stream>(StatusCodes.Status200OK, ImageFiles.Jpeg, ImageFiles.WebP, ImageFiles.Avif)
            .Produces(StatusCodes.Status301MovedPermanently)
            .Produces(StatusCodes.Status304NotModified);
        return v1;
    }

    private static async Task<Results<PhysicalFileHttpResult, FileContentHttpResult, RedirectHttpResult, ProblemHttpResult>> GetRendition(
        Guid id, int version, string rendition, string? ratio, long? exp, string? sig, HttpContext http, HeadlessNewsDbContext db,
        ImageWork work, RenditionAssets assets, MediaUrls urls, IAuthorizationService authorization, TimeProvider clock, IOptions<MediaOptions> options, CancellationToken cancellationToken)
    {
        if (Parse(rendition, ratio, http.Request.Headers.Accept, options.Value) is not { } spec)
        {
            return Problems.BadRequest($"A rendition is {{width}}.{{format}} with a width of {string.Join(", ", options.Value.Widths)}, a format of jpg, webp, avif or auto, and an optional ratio of {string.Join(", ", RenditionSpec.Ratios.Keys)}.");
        }
        var asset = await assets.FindAsync(db, id, cancellationToken);
        var now = clock.GetUtcNow();
        var isPublic = asset?.IsVisibleAt(now) == true;
        if (asset is null || (!isPublic && !urls.IsValidSignature(id, exp, sig, now)
            && !(await authorization.AuthorizeAsync(http.User, Scopes.Policies.MediaRead)).Succeeded))
        {
            // A 404 is cacheable by default: one kept at the edge would outlive the publication, whose purge names this key.
            http.Response.Headers.CacheControl = "private, no-store";
            http.Response.Headers[CacheTags.HeaderName] = Asset.CacheTag(id);
            return Problems.NotFound($"No image {id} is published.");
        }
        if (version < 1 || version > asset.Version)
        {
            // Not an old version: a 301 to today's would be cached and, once the asset reached that version, loop.
            return Problems.BadRequest($"Image {id} has no version {version}; its current version is {asset.Version}.");
        }
        if (version != asset.Version)
        {
            return TypedResults.Redirect($"/v1/images/{id}/{asset.Version}/{rendition}{http.Request.QueryString}", permanent: true);
        }
        var stored = await work.GetOrMakeAsync(asset, spec, cancellationToken);
        SetHeaders(http, id, rendition, isPublic);
        if (options.Value.AccelRedirectPrefix is { } prefix)
        {
            // nginx sends the file, with its own ETag, and answers If-None-Match itself.
            http.Response.Headers["X-Accel-Redirect"] = prefix + spec.Key(id, asset.Version);
            return TypedResults.Bytes([], spec.ContentType);
        }
        var etag = spec.ETag(asset.Version);
        return stored.PhysicalPath is { } path
            ? TypedResults.PhysicalFile(path, spec.ContentType, entityTag: etag)
            : TypedResults.Bytes(stored.Bytes!, spec.ContentType, entityTag: etag);
    }

    /// <summary>
    /// Answers a reader's request for a public rendition this node holds in memory (<see cref="HotRenditions"/>) right
    /// after routing, before CORS, authentication, rate limits and caching, which cost a picture ~10× what sending it does
    /// (bench/README.md): as an output-cached page is, it is answered before the rate limiter. A request with credentials
    /// (Authorization, a signed URL, any query but <c>ratio</c>) or an <c>Origin</c>, for an unknown, stale or not (yet)
    /// visible asset, or a rendition not in memory goes the whole way, so the embargo rule is the endpoint's, unchanged.
    /// </summary>
    public static IApplicationBuilder UseHotRenditions(this IApplicationBuilder app)
    {
        var assets = app.ApplicationServices.GetRequiredService<RenditionAssets>();
        var hot = app.ApplicationServices.GetRequiredService<HotRenditions>();
        var clock = app.ApplicationServices.GetRequiredService<TimeProvider>();
        var options = app.ApplicationServices.GetRequiredService<IOptions<MediaOptions>>();
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (options.Value.AccelRedirectPrefix is null && hot.IsOn
                && context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == RouteName
                && request.Headers.Authorization.Count == 0 && request.Headers.Origin.Count == 0
                && (request.Query.Count == 0 || (request.Query.Count == 1 && request.Query.ContainsKey("ratio")))
                && Guid.TryParse(request.RouteValues["id"] as string, out var id) && assets.Known(id) is { } asset
                && int.TryParse(request.RouteValues["version"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                && version == asset.Version && asset.IsVisibleAt(clock.GetUtcNow())
                && request.RouteValues["rendition"] is string rendition
                && Parse(rendition, request.Query["ratio"], request.Headers.Accept, options.Value) is { } spec
                && hot.Find(spec.Key(id, version)) is { } bytes)
            {
                SetHeaders(context, id, rendition, isPublic: true);
                return TypedResults.Bytes(bytes, spec.ContentType, entityTag: spec.ETag(version)).ExecuteAsync(context);
            }
            return next(context);
        });
    }

    private static void SetHeaders(HttpContext http, Guid id, string rendition, bool isPublic)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = isPublic ? "public, max-age=31536000, immutable" : "private, no-store";
        headers[CacheTags.HeaderName] = Asset.CacheTag(id);
        if (rendition.EndsWith(".auto", StringComparison.Ordinal))
        {
            headers.Vary = "Accept";
        }
    }

    /// <summary><c>auto</c> becomes the best format <paramref name="accept"/> names (AVIF, then WebP), else JPEG.</summary>
    private static RenditionSpec? Parse(string rendition, string? ratio, string? accept, MediaOptions options)
    {
        var dot = rendition.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !int.TryParse(rendition.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            || !options.Widths.Contains(width) || (ratio is not null && !RenditionSpec.Ratios.ContainsKey(ratio)))
        {
            return null;
        }
        var format = rendition[(dot + 1)..] switch
        {
            "auto" when Names(accept, ImageFiles.Avif) => "avif",
            "auto" when Names(accept, ImageFiles.WebP) => "webp",
            "auto" => "jpg",
            var named and ("jpg" or "webp" or "avif") => named,
            _ => null,
        };
        return format is null ? null : new RenditionSpec(width, format, ratio);
    }

    /// <summary>Whether <paramref name="accept"/> names <paramref name="mediaType"/> itself with a weight above 0 (<c>q=0</c> is a refusal).</summary>
    private static bool Names(string? accept, string mediaType)
    {
        foreach (var entry in (accept ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(';', StringSplitOptions.TrimEntries);
            if (parts[0].Equals(mediaType, StringComparison.OrdinalIgnoreCase))
            {
                return !parts.Skip(1).Any(p => p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && double.TryParse(p[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var weight) && weight <= 0);
            }
        }
        return false;
    }
}
