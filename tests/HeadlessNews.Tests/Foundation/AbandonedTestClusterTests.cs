using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Foundation;

/// <summary>A killed test run's private cluster is removed by a later run; a running or starting one is left alone.</summary>
public sealed class AbandonedTestClusterTests : IDisposable
{
    private readonly string _clusters = Path.Combine(Path.GetTempPath(), "hn-cluster-sweep-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Only_clusters_an_hour_old_whose_server_is_gone_are_removed()
    {
        var now = DateTime.UtcNow;
        var abandoned = Cluster("abandoned", serverPid: DeadPid(), age: TimeSpan.FromHours(2), now);
        var neverStarted = Cluster("never-started", serverPid: null, age: TimeSpan.FromHours(3), now);
        var running = Cluster("running", serverPid: Environment.ProcessId, age: TimeSpan.FromHours(5), now);
        var starting = Cluster("starting", serverPid: null, age: TimeSpan.FromMinutes(5), now);

        TestDatabaseServer.RemoveAbandonedClusters(_clusters, now);

        Assert.False(Directory.Exists(abandoned));
        Assert.False(Directory.Exists(neverStarted));
        Assert.True(Directory.Exists(running));
        Assert.True(Directory.Exists(starting));
    }

    private string Cluster(string name, int? serverPid, TimeSpan age, DateTime now)
    {
        var folder = Path.Combine(_clusters, name);
        Directory.CreateDirectory(Path.Combine(folder, "pg"));
        if (serverPid is { } pid)
        {
            File.WriteAllText(Path.Combine(folder, "pg", "postmaster.pid"), $"{pid}\n/tmp/{name}/pg\n");
        }
        Directory.SetLastWriteTimeUtc(folder, now - age);
        return folder;
    }

    /// <summary>The pid of a process that has exited.</summary>
    private static int DeadPid()
    {
        using var process = System.Diagnostics.Process.Start("true")!;
        process.WaitForExit();
        return process.Id;
    }

    public void Dispose()
    {
        if (Directory.Exists(_clusters))
        {
            Directory.Delete(_clusters, recursive: true);
        }
    }
}
