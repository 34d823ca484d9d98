using System.Globalization;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Media;

/// <summary>The API with <c>Media:Storage=s3</c> against a real S3-compatible server (s3rver) of the test class's own.</summary>
public sealed class S3MediaApiFactory : ApiFactory
{
    private S3rver? _server;

    public S3rver S3 => _server ?? throw new InvalidOperationException("s3rver was not started.");

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Media:Storage"] = "s3",
        ["Media:S3:ServiceUrl"] = S3.ServiceUrl.ToString(),
        ["Media:S3:Bucket"] = S3rver.Bucket,
        ["Media:S3:AccessKey"] = S3rver.Credential,
        ["Media:S3:SecretKey"] = S3rver.Credential,
        ["Media:S3:ForcePathStyle"] = "true",
        ["Media:MaxUploadBytes"] = (2 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (S3rver.SkipReason is null)
        {
            _server = await S3rver.StartAsync();
        }
    }

    /// <summary>A second API node on this node's database and bucket.</summary>
    public ApiFactory SecondNode() => new SharingNode(this);

    private sealed class SharingNode(S3MediaApiFactory first) : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(first.Settings)
        {
            ["ConnectionStrings:HeadlessNews"] = first.ConnectionString,
        };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
