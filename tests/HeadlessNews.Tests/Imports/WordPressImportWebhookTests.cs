using System.Text.Json;
using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Tests.Support;
using HeadlessNews.Tests.Webhooks;
using static HeadlessNews.Tests.Webhooks.WebhookTestKit;

namespace HeadlessNews.Tests.Imports;

/// <summary>What subscribers hear of an import: one <c>import.completed</c> with the run's counts.</summary>
public sealed class WordPressImportWebhookTests(WebhookApi api) : IClassFixture<WebhookApi>
{
    [Fact]
    public async Task The_import_completed_webhook_carries_the_runs_counts_per_kind_and_its_pictures()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await CreateWebhookAsync(await api.ClientWithScopesAsync("webhooks:manage"), receiver.Url, ContentEventTypes.ImportCompleted);
        var (run, file) = WordPressImportTests.Fixture(out _);
        await api.WithDbAsync(_ => Task.FromResult(0));
        using var output = new StringWriter();
        Assert.True(await WordPressImportCommand.RunAsync(api.Services, ["import", "wordpress", file, "--media", "link"], output) == 0, output.ToString());

        var source = $"https://{run}.glannau-gazette.example";
        await Eventually.TrueAsync(() => receiver.Received.Any(r => r.Body.Contains(source, StringComparison.Ordinal)), "the import.completed delivery");
        var payload = JsonDocument.Parse(receiver.Received.Single(r => r.Body.Contains(source, StringComparison.Ordinal)).Body).RootElement;
        Assert.Equal("import.completed", payload.GetProperty("type").GetString());
        var data = payload.GetProperty("data");
        Assert.Equal(source, data.GetProperty("source").GetString());
        // Articles (posts and pages): ten created; a post in the bin and a page (no --pages) skipped.
        Assert.Equal(10, data.GetProperty("created").GetInt32());
        Assert.Equal(0, data.GetProperty("updated").GetInt32());
        Assert.Equal(0, data.GetProperty("unchanged").GetInt32());
        Assert.Equal(2, data.GetProperty("skipped").GetInt32());
        var counts = data.GetProperty("counts");
        Assert.Equal(10, counts.GetProperty("posts").GetProperty("created").GetInt32());
        Assert.Equal(1, counts.GetProperty("menu items").GetProperty("skipped").GetInt32());
        Assert.True(counts.GetProperty("authors").GetProperty("created").GetInt32() >= 2);
        var images = data.GetProperty("images");
        Assert.Equal(0, images.GetProperty("downloaded").GetInt32());
        Assert.Equal(0, images.GetProperty("failed").GetInt32());
        Assert.True(images.GetProperty("linked").GetInt32() > 0);
    }
}
