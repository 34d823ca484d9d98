using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace HeadlessNews.Api.Features.Media;

/// <summary>Where originals and renditions are kept, by key (<c>originals/{id}</c>, <c>renditions/{id}/…</c>).</summary>
public interface IMediaStorage
{
    /// <summary>The bytes under <paramref name="key"/>, or null when there are none.</summary>
    Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>A stored rendition as it is best sent, or null when there is none.</summary>
    Task<StoredMedia?> FindAsync(string key, CancellationToken cancellationToken);

    Task WriteAsync(string key, byte[] bytes, string contentType, CancellationToken cancellationToken);

    /// <summary>Removes every key starting with <paramref name="prefix"/>.</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken);
}

/// <summary>What to send: a file on this machine (sent from the page cache, never read into memory), or bytes.</summary>
public sealed record StoredMedia(string? PhysicalPath, byte[]? Bytes);

public sealed class FileSystemMediaStorage(IOptions<MediaOptions> options, IHostEnvironment environment) : IMediaStorage
{
    private readonly string _root = Path.GetFullPath(options.Value.FilesystemPath, environment.ContentRootPath);

    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(key), cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task<StoredMedia?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        return Task.FromResult(File.Exists(path) ? new StoredMedia(path, null) : null);
    }

    /// <summary>Written beside and renamed into place, so a reader never sees half a file.</summary>
    public async Task WriteAsync(string key, byte[] bytes, string contentType, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    public Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var path = PathOf(prefix.TrimEnd('/'));
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        if (File.Exists(path))
        {
            File.Delete(path);
        }
        return Task.CompletedTask;
    }

    private string PathOf(string key) => Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
}

/// <summary>Any S3-compatible store; the renditions a node sends are kept in its memory by <see cref="HotRenditions"/>.</summary>
public sealed class S3MediaStorage : IMediaStorage, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;

    public S3MediaStorage(IOptions<MediaOptions> options)
    {
        var s3 = options.Value.S3;
        _bucket = s3.Bucket!;
        var config = new AmazonS3Config
        {
            ServiceURL = s3.ServiceUrl!.ToString(),
            ForcePathStyle = s3.ForcePathStyle,
            AuthenticationRegion = s3.Region,
            // SDK 4.x adds checksums by default, which many S3-compatible stores reject.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        _client = s3.AccessKey is { Length: > 0 }
            ? new AmazonS3Client(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), config)
            : new AmazonS3Client(new AnonymousAWSCredentials(), config);
    }

    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.GetObjectAsync(_bucket, key, cancellationToken);
            using var buffer = new MemoryStream(checked((int)response.ContentLength));
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<StoredMedia?> FindAsync(string key, CancellationToken cancellationToken) =>
        await ReadAsync(key, cancellationToken) is { } bytes ? new StoredMedia(null, bytes) : null;

    public async Task WriteAsync(string key, byte[] bytes, string contentType, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(bytes, writable: false);
        // The body is in memory and its length known: plain signed payloads suit every store, where aws-chunked
        // encoding is stored verbatim (chunk signatures and all) by some S3-compatible servers.
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = body, ContentType = contentType, UseChunkEncoding = false }, cancellationToken);
    }

    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await _client.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                await _client.DeleteObjectAsync(_bucket, item.Key, cancellationToken);
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
    }

    public void Dispose() => _client.Dispose();
}
