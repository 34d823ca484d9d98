using System.Net.Sockets;
using System.Security.Cryptography;
using HeadlessNews.Api.Features.Webhooks;

namespace HeadlessNews.Api.Features.Media;

/// <summary>An image's bytes as received, with the metadata the writer gave.</summary>
public sealed record AssetUpload(byte[] Bytes, string Filename, string? Alt, string? Caption, string? Credit);

/// <summary>A stored asset, and whether this upload created it (false: identical bytes were already there).</summary>
public sealed record StoredAsset(Asset Asset, bool Created);

/// <summary>
/// The one way images enter the library, for every writer (the upload route, importers): fetching a URL through the
/// webhook SSRF guard, and storing bytes (deduplicated by SHA-256, judged by content, embedded metadata filling gaps).
/// </summary>
public sealed class AssetWrites(
    HeadlessNewsDbContext db, TimeProvider clock, ImageWork work, IMediaStorage storage, WebhookTargets targets, IHttpClientFactory clients, IOptions<MediaOptions> options)
{
    public const string SourcesHttpClient = "media-sources";

    /// <summary>
    /// The upload route's request timeout: <c>Limits:RequestTimeoutSeconds</c> plus <c>Media:FetchTimeoutSeconds</c>, so a
    /// slow <c>sourceUrl</c> ends as the fetch's own 422 rather than as the request timeout's 503 (30 s each by default).
    /// </summary>
    public const string UploadTimeoutPolicy = "asset-upload";

    /// <summary>
    /// Redirects followed from a picture's URL: an archive's old <c>http://</c> links to a site now on https, a CDN. Each
    /// target is checked as the URL itself was, and connected to under the same rules.
    /// </summary>
    public const int MaxRedirects = 5;

    /// <summary>
    /// Fetches <paramref name="url"/> (checked now and on the address connected to), following up to
    /// <see cref="MaxRedirects"/> redirects, at most MaxUploadBytes; status 400 means the URL itself is refused.
    /// </summary>
    public async Task<(byte[]? Bytes, string Filename, ImageRefusal? Refusal)> FetchAsync(string url, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (await targets.CheckUrlAsync(url, cancellationToken) is { } unsafeUrl)
        {
            return (null, string.Empty, new ImageRefusal(StatusCodes.Status400BadRequest, unsafeUrl.Detail, Unreachable: unsafeUrl.Unresolved));
        }
        var uri = new Uri(url);
        var filename = Path.GetFileName(Uri.UnescapeDataString(uri.AbsolutePath)) is { Length: > 0 } name ? name : uri.Host;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.FetchTimeoutSeconds));
            var client = clients.CreateClient(SourcesHttpClient);
            for (var redirects = 0; ; redirects++)
            {
                using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    var target = new Uri(uri, location);
                    if (redirects == MaxRedirects)
                    {
                        return (null, filename, new ImageRefusal(StatusCodes.Status422UnprocessableEntity, $"The sourceUrl redirected more than {MaxRedirects} times (last from {uri.Host})."));
                    }
                    // The server that redirected answered: a target that does not resolve is a refusal, not an unreachable host.
                    if (await targets.CheckUrlAsync(target.AbsoluteUri, timeout.Token) is { } unsafeTarget)
                    {
                        return (null, filename, new ImageRefusal(StatusCodes.Status422UnprocessableEntity,
                            $"{uri.Host} redirected the sourceUrl to a URL that is not fetched: {unsafeTarget.Detail}"));
                    }
                    uri = target;
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    return (null, filename, new ImageRefusal(StatusCodes.Status422UnprocessableEntity, $"{uri.Host} answered {(int)response.StatusCode} for the sourceUrl."));
                }
                if (response.Content.Headers.ContentLength > settings.MaxUploadBytes)
                {
                    return (null, filename, TooLarge(response.Content.Headers.ContentLength.Value, settings));
                }
                return await ReadAsync(response, filename, settings, timeout.Token);
            }
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, filename, new ImageRefusal(StatusCodes.Status422UnprocessableEntity, $"The sourceUrl could not be fetched from {uri.Host}.", Unreachable: true));
        }
    }

    /// <summary>The response's body, refused once it passes MaxUploadBytes (whatever its Content-Length said).</summary>
    private static async Task<(byte[]? Bytes, string Filename, ImageRefusal? Refusal)> ReadAsync(
        HttpResponseMessage response, string filename, MediaOptions settings, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > settings.MaxUploadBytes)
            {
                return (null, filename, TooLarge(buffer.Length + read, settings));
            }
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), filename, null);
    }

    /// <summary>
    /// A multipart filename or a URL's last segment as stored: no control character belongs in a name (tab and line
    /// breaks included), and what <see cref="AcceptedText"/> refuses would make the asset's next <c>PUT</c> of the same
    /// JSON a 400; "image" when nothing is left.
    /// </summary>
    private static string StoredFilename(string given) =>
        AcceptedText.Cut(new string([.. AcceptedText.WithoutRefused(given).Where(c => !char.IsControl(c))]).Trim(), 255) is { Length: > 0 } name ? name : "image";

    public static ImageRefusal TooLarge(long bytes, MediaOptions settings) => new(StatusCodes.Status413PayloadTooLarge,
        $"The image is {bytes:N0} bytes or more; at most {settings.MaxUploadBytes:N0} bytes are accepted (Media:MaxUploadBytes).");

    /// <summary>Stores the image, or finds the asset with the same bytes; refuses what is not an image we accept.</summary>
    public async Task<(StoredAsset? Stored, ImageRefusal? Refusal)> StoreAsync(AssetUpload upload, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(upload.Bytes));
        if (await db.Set<Asset>().AsNoTracking().FirstOrDefaultAsync(a => a.Sha256 == sha256, cancellationToken) is { } existing)
        {
            return (new StoredAsset(existing, false), null);
        }
        var (image, refusal) = await work.RunAsync(() => ImageFiles.Inspect(upload.Bytes, options.Value.MaxPixels), cancellationToken);
        if (image is null)
        {
            return (null, refusal);
        }
        var now = clock.Now();
        var embedded = image.Metadata;
        var asset = new Asset
        {
            Id = Guid.CreateVersion7(),
            Filename = StoredFilename(upload.Filename),
            ContentType = image.ContentType,
            Width = image.Width,
            Height = image.Height,
            Bytes = upload.Bytes.LongLength,
            Sha256 = sha256,
            Alt = upload.Alt,
            Caption = upload.Caption ?? AcceptedText.Cut(embedded.Caption, 1000),
            Credit = upload.Credit ?? AcceptedText.Cut(embedded.Credit, 200),
            RightsHolder = AcceptedText.Cut(embedded.Copyright, 200),
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        try
        {
            await storage.WriteAsync(Asset.OriginalKey(asset.Id), upload.Bytes, asset.ContentType, cancellationToken);
            if (image.Master is { } master)
            {
                await storage.WriteAsync(Asset.MasterKey(asset.Id), master, ImageFiles.Jpeg, cancellationToken);
            }
            db.Add(asset);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // The same bytes were uploaded concurrently: theirs won.
            await DeleteFilesAsync(asset.Id);
            db.ChangeTracker.Clear();
            return (new StoredAsset(await db.Set<Asset>().AsNoTracking().FirstAsync(a => a.Sha256 == sha256, cancellationToken), false), null);
        }
        catch
        {
            await DeleteFilesAsync(asset.Id);
            throw;
        }
        return (new StoredAsset(asset, true), null);
    }

    private async Task DeleteFilesAsync(Guid id)
    {
        foreach (var key in Asset.UploadKeys(id))
        {
            await storage.DeletePrefixAsync(key, CancellationToken.None);
        }
    }
}
