using Microsoft.EntityFrameworkCore.Infrastructure;

namespace HeadlessNews.Api.Features.Media;

/// <summary>An image as delivery shows it. For an uploaded asset <c>url</c> equals <c>src</c>; a URL-only image has an empty <c>srcset</c>.</summary>
public sealed record DeliveredImage(
    Guid? AssetId, string Url, string? Alt, string? Caption, string? Credit, int? Width, int? Height, FocalPoint? FocalPoint,
    string Src, IReadOnlyList<SrcsetEntry> Srcset);

public sealed record SrcsetEntry(int Width, string Url);

/// <summary>One use of an image in content: an asset reference or an outside URL, with the per-use overrides.</summary>
public sealed record ImageUse(Guid? AssetId, string? Url, string? Alt, string? Caption, string? Credit, FocalPoint? FocalPoint);

/// <summary>
/// What content needs from the asset library, kept here so articles and notices call one thing: checking that referenced
/// assets exist when content is saved, and turning image uses into <see cref="DeliveredImage"/>s when it is rendered.
/// </summary>
public static class DeliveredImages
{
    /// <summary>Adds an error (by JSON path) for every referenced asset that does not exist; uses without an asset are skipped.</summary>
    public static async Task CheckReferencesAsync(HeadlessNewsDbContext db, IEnumerable<(string Path, Guid? AssetId)> references, IDictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var uses = references.Where(r => r.AssetId is not null).Select(r => (r.Path, AssetId: r.AssetId!.Value)).ToList();
        if (uses.Count == 0)
        {
            return;
        }
        var ids = uses.Select(u => u.AssetId).Distinct().ToList();
        var known = await db.Set<Asset>().Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
        foreach (var (path, assetId) in uses.Where(u => !known.Contains(u.AssetId)))
        {
            errors[path] = [$"No asset has id {assetId}."];
        }
    }

    /// <summary>
    /// Loads the referenced assets once; the returned function delivers each use (null for a use whose asset is gone).
    /// With <paramref name="signedUntil"/> every rendition URL is signed until then (a preview shows pictures nobody else may see yet).
    /// Pass <paramref name="urls"/> with a read-database context, which has no application services to find it in.
    /// </summary>
    public static async Task<Func<ImageUse?, DeliveredImage?>> LoaderAsync(
        HeadlessNewsDbContext db, IEnumerable<ImageUse?> uses, CancellationToken cancellationToken, DateTimeOffset? signedUntil = null, MediaUrls? urls = null)
    {
        var ids = uses.Where(u => u?.AssetId is not null).Select(u => u!.AssetId!.Value).Distinct().ToList();
        var assets = ids.Count == 0 ? [] : await db.Set<Asset>().AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        urls ??= db.GetService<MediaUrls>();
        return use => use switch
        {
            null => null,
            { AssetId: { } id } => assets.GetValueOrDefault(id) is { } asset ? Deliver(asset, use, urls, signedUntil) : null,
            { Url: { } url } => new DeliveredImage(null, url, use.Alt, use.Caption, use.Credit, null, null, use.FocalPoint, url, []),
            _ => null,
        };
    }

    /// <summary><c>src</c> is a JPEG (what every reader and feed takes); <c>srcset</c> uses <c>auto</c>, negotiated per browser.</summary>
    private static DeliveredImage Deliver(Asset asset, ImageUse use, MediaUrls urls, DateTimeOffset? signedUntil)
    {
        string Url(int width, string format) => urls.Rendition(asset.Id, asset.Version, width, format) is var url && signedUntil is { } until
            ? urls.Sign(url, asset.Id, until)
            : url;
        var widths = urls.WidthsFor(asset.Width);
        var src = Url(MediaUrls.SrcWidth(widths), "jpg");
        return new DeliveredImage(asset.Id, src, use.Alt ?? asset.Alt, use.Caption ?? asset.Caption, use.Credit ?? asset.Credit,
            asset.Width, asset.Height, use.FocalPoint ?? asset.FocalPoint, src,
            [.. widths.Select(w => new SrcsetEntry(w, Url(w, "auto")))]);
    }
}
