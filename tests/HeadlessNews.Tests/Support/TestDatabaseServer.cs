using System.Diagnostics;
using System.Net.Sockets;
using HeadlessNews.Api.Infrastructure.Database;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Testcontainers.PostgreSql;

namespace HeadlessNews.Tests.Support;

/// <summary>
/// One PostgreSQL server per test run: <c>HEADLESSNEWS_TEST_CONNECTION</c> if set, else a Testcontainers
/// container when a Docker engine answers, else a private cluster from the machine's binaries.
/// A migrated template database makes each test class's fresh database a cheap copy.
/// </summary>
public sealed class TestDatabaseServer
{
    private static readonly Lazy<Task<TestDatabaseServer>> SharedServer = new(StartAsync);
    private readonly string _adminConnectionString;
    private readonly string _templateName;

    private TestDatabaseServer(string adminConnectionString, string templateName)
    {
        _adminConnectionString = adminConnectionString;
        _templateName = templateName;
    }

    public static Task<TestDatabaseServer> Shared => SharedServer.Value;

    /// <summary>Settings that make a throwaway cluster fast; durability is not a test concern.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastSettings = new Dictionary<string, string>
    {
        ["fsync"] = "off", ["synchronous_commit"] = "off", ["full_page_writes"] = "off", ["jit"] = "off", ["max_connections"] = "1000",
    };

    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {_templateName}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    private static async Task<TestDatabaseServer> StartAsync()
    {
        var admin = Environment.GetEnvironmentVariable("HEADLESSNEWS_TEST_CONNECTION");
        if (string.IsNullOrWhiteSpace(admin))
        {
            admin = await DockerAnswersAsync() ? await StartContainerAsync() : await StartLocalClusterAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Pooling = false, IncludeErrorDetail = true };
        var template = "hn_template_" + Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Database = "postgres" }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {template}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var templateConnection = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Database = template }.ConnectionString;
        await using (var db = new HeadlessNewsDbContext((DbContextOptions<HeadlessNewsDbContext>)DatabaseServiceCollectionExtensions
            .Configure(new DbContextOptionsBuilder<HeadlessNewsDbContext>(), templateConnection).Options))
        {
            await db.Database.MigrateAsync();
        }
        return new TestDatabaseServer(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Database = "postgres" }.ConnectionString, template);
    }

    private static readonly string PrivateClustersFolder = Path.Combine(Path.GetTempPath(), "headlessnews-tests");

    /// <summary>Starts a private cluster for this test process and removes it when the process exits.</summary>
    public static async Task<EmbeddedPostgres> StartPrivateClusterAsync()
    {
        RemoveAbandonedClusters(PrivateClustersFolder, DateTime.UtcNow);
        var directory = Path.Combine(PrivateClustersFolder, Guid.NewGuid().ToString("N"), "pg");
        var cluster = EmbeddedPostgres.Create(directory, FastSettings);
        await cluster.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            cluster.StopAsync(immediate: true).GetAwaiter().GetResult();
            try
            {
                Directory.Delete(Path.GetDirectoryName(cluster.DataDirectory)!, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean from the temp folder.
            }
        };
        return cluster;
    }

    /// <summary>
    /// A test process that is killed (a timeout, Ctrl-C twice) leaves its cluster behind, ~250 MB each: a day of
    /// interrupted runs filled this machine's disk (37 GB). A cluster folder unchanged for an hour (its own entries: the
    /// cluster's files are a level below) whose server is not running is removed; a younger one may belong to a run that
    /// is starting.
    /// </summary>
    internal static void RemoveAbandonedClusters(string clustersFolder, DateTime now)
    {
        if (!Directory.Exists(clustersFolder))
        {
            return;
        }
        foreach (var folder in new DirectoryInfo(clustersFolder).EnumerateDirectories())
        {
            if (folder.LastWriteTimeUtc > now.AddHours(-1) || ServerRuns(Path.Combine(folder.FullName, "pg", "postmaster.pid")))
            {
                continue;
            }
            try
            {
                folder.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another run removing it too, or not ours to remove.
            }
        }
    }

    /// <summary>Whether the process named on the first line of a cluster's postmaster.pid is alive.</summary>
    private static bool ServerRuns(string pidFile)
    {
        try
        {
            if (!int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
            {
                return false;
            }
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<string> StartLocalClusterAsync() => (await StartPrivateClusterAsync()).ConnectionString("postgres");

    private static async Task<string> StartContainerAsync()
    {
        var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
        await container.StartAsync();
        return container.GetConnectionString();
    }

    /// <summary>A cheap probe (a few ms) so machines without Docker do not wait for Testcontainers to time out.</summary>
    private static async Task<bool> DockerAnswersAsync()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var socketPath = host is not null && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock";
        if (host is not null && !host.StartsWith("unix://", StringComparison.Ordinal))
        {
            return true;
        }
        if (!File.Exists(socketPath))
        {
            return false;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token);
            await socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).Contains(" 200 ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
