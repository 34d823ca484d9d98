using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Foundation;

/// <summary>Nodes re-read the signing keys every second here (a minute by default), so a rotation reaches them quickly.</summary>
public sealed class SigningKeyRotationApiFactory : ApiFactory
{
    public const string RefreshSeconds = "1";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Tokens:KeyRefreshSeconds"] = RefreshSeconds };
}

public sealed class SigningKeyRotationTests(SigningKeyRotationApiFactory api) : IClassFixture<SigningKeyRotationApiFactory>
{
    private const int SevenDays = 7 * 24 * 60;

    /// <summary>Runs the API's command line in a process of its own, as an operator would, against the test database.</summary>
    private async Task RunCommandLineAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["exec", Path.Combine(AppContext.BaseDirectory, "HeadlessNews.Api.dll"), .. args])
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ConnectionStrings__HeadlessNews"] = api.ConnectionString;
        start.Environment["Tokens__KeyRefreshSeconds"] = SigningKeyRotationApiFactory.RefreshSeconds;
        start.Environment["Tokens__SigningKeyGraceHours"] = "24";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await output}{await errors}");
    }

    private static Task WaitForStatusAsync(HttpClient client, string path, HttpStatusCode expected) =>
        Eventually.TrueAsync(async () => (await client.GetAsync(path)).StatusCode == expected, $"{path} to answer {(int)expected}");

    [Fact]
    public async Task Rotating_the_signing_key_keeps_old_links_and_cursors_for_the_grace_period_and_signs_new_ones_with_the_new_key()
    {
        var secret = await api.CreateKeyAsync(["content:write"]);
        var writer = api.CreateClient();
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var article = await writer.CreateArticleAsync(new { headline = Editorial.Unique("Rotation draft") });
        await writer.CreateArticleAsync(new { headline = Editorial.Unique("Rotation second draft") });
        var oldLink = await writer.PreviewPathAsync(article.Id(), SevenDays);
        var oldCursor = "/v1/manage/articles?limit=1&cursor=" + Uri.EscapeDataString((await writer.GetJsonAsync("/v1/manage/articles?limit=1")).GetProperty("next").GetString()!);
        var reader = api.CreateClient();

        await RunCommandLineAsync("keys", "rotate-signing");
        api.Clock.Advance(TimeSpan.FromHours(1));

        using var secondNode = api.WithWebHostBuilder(_ => { });
        var secondWriter = secondNode.CreateClient();
        secondWriter.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var secondReader = secondNode.CreateClient();
        var newLink = await secondWriter.PreviewPathAsync(article.Id(), SevenDays);
        await WaitForStatusAsync(reader, newLink, HttpStatusCode.OK);
        var laterLink = await writer.PreviewPathAsync(article.Id(), SevenDays);
        foreach (var client in new[] { reader, secondReader })
        {
            await (await client.GetAsync(oldLink)).AssertSuccessAsync();
        }
        await (await writer.GetAsync(oldCursor)).AssertSuccessAsync();
        await (await secondWriter.GetAsync(oldCursor)).AssertSuccessAsync();

        api.Clock.Advance(TimeSpan.FromHours(24));

        foreach (var client in new[] { reader, secondReader })
        {
            await (await client.GetAsync(oldLink)).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await client.GetAsync(newLink)).AssertSuccessAsync();
            await (await client.GetAsync(laterLink)).AssertSuccessAsync();
        }
        await (await writer.GetAsync(oldCursor)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
