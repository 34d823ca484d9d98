using System.Net;
using System.Net.Sockets;
using HeadlessNews.Tests.Articles;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Imports;

/// <summary>
/// An import on a box without a way out, or from a site that is gone: after a few pictures find no server, the rest from
/// that host are not asked for (each would wait out its timeout), and every one stays a link, reported.
/// </summary>
public sealed class WordPressUnreachablePicturesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task After_three_pictures_from_a_host_that_does_not_answer_the_rest_are_kept_as_links_without_asking()
    {
        // A "site" that takes each connection and hangs up without a word.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connections = 0;
        using var stop = new CancellationTokenSource();
        var hangingUp = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref connections);
                client.Client.Close();
            }
        });
        var site = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var (run, file) = WordPressImportTests.Fixture(out var pid, site);
        var pictures = string.Concat(Enumerable.Range(1, 8).Select(i => $"<img src=\"{site}/wp-content/uploads/2020/01/pier-{i}.jpg\" alt=\"Pier {i}\">"));
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace(
            "<content:encoded><![CDATA[A week on, the new mortar has held through two high tides.]]></content:encoded>",
            $"<content:encoded><![CDATA[A week on, the new mortar has held through two high tides.\n\n{pictures}]]></content:encoded>", StringComparison.Ordinal));

        var (exit, output) = await api.RunImportAsync(file, "--report", file + ".report.json");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hangingUp);

        Assert.True(exit == 0, output);
        var secondLook = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}-{pid}104");
        var images = secondLook.GetProperty("body").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "image").ToList();
        Assert.Equal(8, images.Count);
        Assert.All(images, image => Assert.StartsWith(site, image.GetProperty("url").GetString(), StringComparison.Ordinal));
        // Three pictures were asked for (the fixture's two, then the first pier), the other seven were not.
        var report = await File.ReadAllTextAsync(file + ".report.json");
        Assert.Equal(3, report.Split("could not be fetched from 127.0.0.1").Length - 1);
        Assert.Equal(7, report.Split("127.0.0.1 did not answer 3 fetches in a row").Length - 1);
        Assert.True(connections > 0, "the pictures that were asked for reached the host");
    }

    [Fact]
    public async Task A_picture_host_whose_name_does_not_resolve_is_given_up_after_three_pictures_too()
    {
        var (run, file) = WordPressImportTests.Fixture(out var pid);
        const string host = "pictures.glannau-gazette.invalid";
        var pictures = string.Concat(Enumerable.Range(1, 5).Select(i => $"<img src=\"https://{host}/pier-{i}.jpg\" alt=\"Pier {i}\">"));
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace(
            "<content:encoded><![CDATA[A week on, the new mortar has held through two high tides.]]></content:encoded>",
            $"<content:encoded><![CDATA[A week on, the new mortar has held through two high tides.\n\n{pictures}]]></content:encoded>", StringComparison.Ordinal));

        var (exit, output) = await api.RunImportAsync(file, "--report", file + ".report.json");

        Assert.True(exit == 0, output);
        var report = await File.ReadAllTextAsync(file + ".report.json");
        Assert.Equal(3, report.Split($"The host {host} does not resolve").Length - 1);
        Assert.Equal(2, report.Split($"{host} did not answer 3 fetches in a row").Length - 1);
        var secondLook = await api.CreateClient().GetJsonAsync($"/v1/articles/harbour-wall-repaired-{run}-{pid}104");
        Assert.Equal(5, secondLook.GetProperty("body").EnumerateArray().Count(b => b.GetProperty("type").GetString() == "image"));
    }
}
