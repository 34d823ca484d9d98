using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Features.Media;

public sealed class MediaOptions : IValidatableObject
{
    public const string Section = "Media";
    public const string FilesystemStorage = "filesystem";
    public const string S3Storage = "s3";

    /// <summary><c>filesystem</c> (one node) or <c>s3</c> (any S3-compatible store; what several nodes share).</summary>
    [Required]
    public string Storage { get; set; } = FilesystemStorage;

    /// <summary>Where originals and renditions live with <c>filesystem</c>, relative to the content root.</summary>
    [Required]
    public string FilesystemPath { get; set; } = ".data/media";

    public MediaS3Options S3 { get; set; } = new();

    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxUploadBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Judged from the file's header, before any decoding.</summary>
    [Range(1, 1_000_000_000)]
    public long MaxPixels { get; set; } = 100_000_000;

    /// <summary>The rendition widths offered (and accepted in rendition URLs).</summary>
    public int[] Widths { get; set; } = [320, 640, 960, 1280, 1920];

    /// <summary>Memory each node gives to the renditions it has sent, so hot pictures skip the disk or the store; 0 turns it off.</summary>
    [Range(0, 16_384)]
    public int HotRenditionsMegabytes { get; set; } = 64;

    /// <summary>Image decodes and encodes at once on this node (uploads and first renditions); more wait.</summary>
    [Range(1, 64)]
    public int MaxConcurrentRenders { get; set; } = 2;

    /// <summary>
    /// When set (e.g. <c>/_media/</c>), a stored rendition is answered with <c>X-Accel-Redirect: {prefix}{storage key}</c>
    /// and no body, for an nginx in front (an <c>internal</c> location aliased to the media folder or proxying to the
    /// bucket) to send the bytes.
    /// </summary>
    [RegularExpression("^/([^?#]*/)?$", ErrorMessage = "Media:AccelRedirectPrefix is a path that starts and ends with /.")]
    public string? AccelRedirectPrefix { get; set; }

    /// <summary>How long fetching a <c>sourceUrl</c> may take.</summary>
    [Range(1, 300)]
    public int FetchTimeoutSeconds { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Storage is not (FilesystemStorage or S3Storage))
        {
            yield return new ValidationResult("Media:Storage is filesystem or s3.", [nameof(Storage)]);
        }
        if (Storage == S3Storage && (S3.ServiceUrl is null || string.IsNullOrEmpty(S3.Bucket)))
        {
            yield return new ValidationResult("Media:Storage s3 needs Media:S3:ServiceUrl and Media:S3:Bucket.", [nameof(S3)]);
        }
        if (Widths.Length == 0 || Widths.Any(w => w is < 16 or > 8192))
        {
            yield return new ValidationResult("Media:Widths needs at least one width, each 16 to 8192.", [nameof(Widths)]);
        }
    }
}

public sealed class MediaS3Options
{
    public Uri? ServiceUrl { get; set; }
    public string? Bucket { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    /// <summary>Signing region; S3-compatible stores mostly ignore it.</summary>
    public string Region { get; set; } = "us-east-1";
    /// <summary>Bucket in the path rather than the host name (MinIO, Ceph, loopback servers).</summary>
    public bool ForcePathStyle { get; set; }
}
