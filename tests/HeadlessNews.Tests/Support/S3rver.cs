using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace HeadlessNews.Tests.Support;

/// <summary>
/// A real S3-compatible server for the tests: the npm package <c>s3rver</c> (3.7.1), installed once into a cache folder
/// (<c>S3RVER_PREFIX</c>, else <c>~/.cache/headlessnews-tests/s3rver</c>; <c>.ci/run</c> installs it there) and run by node
/// with a bucket of its own in a throwaway folder. Credentials are s3rver's fixed <c>S3RVER</c>/<c>S3RVER</c>.
/// </summary>
public sealed class S3rver : IAsyncDisposable
{
    public const string Version = "3.7.1";
    public const string Credential = "S3RVER";
    public const string Bucket = "media";

    private readonly Process _process;
    private readonly string _directory;

    private S3rver(Process process, string directory, Uri serviceUrl)
    {
        _process = process;
        _directory = directory;
        ServiceUrl = serviceUrl;
    }

    public Uri ServiceUrl { get; }

    /// <summary>Why the S3 tests cannot run here, or null. Outside CI only a machine without node may skip them.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("CI") != "true" && FindOnPath("node") is null
            ? "node is not installed: the S3 tests need s3rver (npm). CI installs it; they never skip under CI=true."
            : null;

    public static async Task<S3rver> StartAsync()
    {
        var script = await InstalledScriptAsync();
        var directory = Directory.CreateTempSubdirectory("headlessnews-s3rver-").FullName;
        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo(FindOnPath("node") ?? throw new InvalidOperationException("node is not on PATH."))
        {
            ArgumentList = { script, "--directory", directory, "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", Bucket },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3rver(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        await server.WaitUntilListeningAsync(port);
        return server;
    }

    private Task WaitUntilListeningAsync(int port) => Eventually.TrueAsync(async () =>
    {
        Assert.False(_process.HasExited, $"s3rver exited with {(_process.HasExited ? _process.ExitCode : 0)} before listening.");
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }, "s3rver to listen", seconds: 20);

    /// <summary>How many objects the bucket holds under <paramref name="prefix"/>, asked through the S3 API.</summary>
    public async Task<int> ObjectsUnderAsync(string prefix)
    {
        using var client = new AmazonS3Client(new BasicAWSCredentials(Credential, Credential), new AmazonS3Config
        {
            ServiceURL = ServiceUrl.ToString(),
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
        var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix });
        return page.S3Objects?.Count ?? 0;
    }

    private static async Task<string> InstalledScriptAsync()
    {
        var prefix = Environment.GetEnvironmentVariable("S3RVER_PREFIX")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "headlessnews-tests", "s3rver");
        var script = Path.Combine(prefix, "node_modules", "s3rver", "bin", "s3rver.js");
        if (File.Exists(script))
        {
            return script;
        }
        var npm = FindOnPath("npm") ?? throw new InvalidOperationException($"s3rver is not installed under {prefix} and npm is not on PATH.");
        var install = new ProcessStartInfo(npm) { ArgumentList = { "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", prefix, $"s3rver@{Version}" } };
        using var process = Process.Start(install)!;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0 && File.Exists(script), $"npm install s3rver@{Version} into {prefix} failed ({process.ExitCode}).");
        return script;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A fact that skips, with the reason, where the S3 tests cannot run (never under CI=true).</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        Skip = S3rver.SkipReason;
    }
}
