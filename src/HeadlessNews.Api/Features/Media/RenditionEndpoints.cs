using System.Globalization;
using HeadlessNews.Api.Infrastructure.Caching;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HeadlessNews.Api.Features.Media;

public static class RenditionEndpoints
{
    public static RouteGroupBuilder MapRenditions(this RouteGroupBuilder v1)
    {
        v1.MapGet("/images/{id:guid}/{version:int}/{rendition}", GetRendition).WithName("GetImageRendition").WithTags("Media")
            .WithSummary("An image rendition `{width}.{jpg|webp|avif|auto}` (?ratio=16x9|4x3|1x1|3x2 crops around the focal point); public once visible content uses the asset, else a management key or a signed URL (?exp=&sig=).")
            .Produces(StatusCodes.Status200OK, contentType: ImageFiles.Jpeg, additionalContentTypes: [ImageFiles.WebP, ImageFiles.Avif])
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
            return Problems.NotFound($"No image {id} is published.");
        }
        if (version != asset.Version)
        {
            return TypedResults.Redirect($"/v1/images/{id}/{asset.Version}/{rendition}{http.Request.QueryString}", permanent: true);
        }
        var stored = await work.GetOrMakeAsync(asset, spec, cancellationToken);
        var headers = http.Response.Headers;
        headers.CacheControl = isPublic ? "public, max-age=31536000, immutable" : "private, no-store";
        headers[CacheTags.HeaderName] = Asset.CacheTag(id);
        if (rendition.EndsWith(".auto", StringComparison.Ordinal))
        {
            headers.Vary = "Accept";
        }
        if (options.Value.AccelRedirectPrefix is { } prefix)
        {
            // nginx sends the file, with its own ETag, and answers If-None-Match itself.
            headers["X-Accel-Redirect"] = prefix + spec.Key(id, asset.Version);
            return TypedResults.Bytes([], spec.ContentType);
        }
        var etag = spec.ETag(asset.Version);
        return stored.PhysicalPath is { } path
            ? TypedResults.PhysicalFile(path, spec.ContentType, entityTag: etag)
            : TypedResults.Bytes(stored.Bytes!, spec.ContentType, entityTag: etag);
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
            "auto" when accept?.Contains(ImageFiles.Avif, StringComparison.OrdinalIgnoreCase) == true => "avif",
            "auto" when accept?.Contains(ImageFiles.WebP, StringComparison.OrdinalIgnoreCase) == true => "webp",
            "auto" => "jpg",
            var named and ("jpg" or "webp" or "avif") => named,
            _ => null,
        };
        return format is null ? null : new RenditionSpec(width, format, ratio);
    }
}
