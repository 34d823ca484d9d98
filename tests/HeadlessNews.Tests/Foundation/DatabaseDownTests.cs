using System.Net;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Foundation;

/// <summary>Runs the API over a cluster of its own, so stopping it disturbs no other test.</summary>
public sealed class DatabaseDownTests : IAsyncLifetime
{
    private EmbeddedPostgres _cluster = null!;
    private PrivateClusterApi _api = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestDatabaseServer.StartPrivateClusterAsync();
        _api = new PrivateClusterApi(_cluster.ConnectionString("headlessnews"));
        _ = _api.Server;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _cluster.StopAsync(immediate: true);
    }

    [Fact]
    public async Task A_stopped_database_gives_503_problems_with_retry_after_and_recovers_without_a_restart()
    {
        var admin = await _api.ClientWithScopesAsync("keys:manage");
        await (await admin.GetAsync("/v1/manage/api-keys")).AssertSuccessAsync();

        // A fast (checkpointing) stop: the throwaway cluster runs without fsync, so an immediate stop could lose the test's key.
        await _cluster.StopAsync();
        var down = await admin.GetAsync("/v1/manage/api-keys");
        await down.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(down.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _api.CreateClient().GetAsync("/health/ready")).StatusCode);

        await _cluster.RestartOnSamePortAsync();
        await Eventually.TrueAsync(async () => (await admin.GetAsync("/v1/manage/api-keys")).StatusCode == HttpStatusCode.OK,
            "the API to answer again once the database is back");
    }

    private sealed class PrivateClusterApi(string connectionString) : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:HeadlessNews"] = connectionString,
            ["Database:MigrateOnStartup"] = "true",
        };
    }
}
