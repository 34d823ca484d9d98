using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Media;

/// <summary>
/// The API with its media on the filesystem in a folder of the test class's own, a 2 MiB upload limit, and a public site
/// (<see cref="PublicBaseUrl"/>) that serves the API under <c>/v1</c>.
/// </summary>
public class MediaApiFactory : ApiFactory
{
    public string MediaFolder { get; } = Directory.CreateTempSubdirectory("headlessnews-media-").FullName;

    public const string PublicBaseUrl = "https://news.example/";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Delivery:PublicBaseUrl"] = PublicBaseUrl,
        ["Media:FilesystemPath"] = MediaFolder,
        ["Media:MaxUploadBytes"] = (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public int StoredFiles() => Directory.Exists(MediaFolder) ? Directory.EnumerateFiles(MediaFolder, "*", SearchOption.AllDirectories).Count() : 0;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(MediaFolder, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The media API on real Kestrel, which enforces the upload limit on chunked bodies.</summary>
public sealed class KestrelMediaApiFactory : MediaApiFactory
{
    public KestrelMediaApiFactory() => UseKestrel(0);
}
