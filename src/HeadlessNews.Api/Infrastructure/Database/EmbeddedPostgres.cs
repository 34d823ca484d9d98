using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>
/// A private PostgreSQL cluster run from the machine's own binaries (initdb/pg_ctl), used when no
/// connection string is configured and by the test suite. PostgreSQL refuses to run as root, so a
/// root process runs the binaries as the unprivileged <c>postgres</c> OS user. It listens on loopback only and
/// takes SCRAM logins with a generated password kept beside the data folder (<see cref="PasswordFile"/>, mode 0600),
/// where every process using the cluster (the API, the <c>keys</c> command) reads it.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string ServiceUser = "postgres";

    /// <summary>The whole of pg_hba.conf: password logins over loopback TCP (the server opens no Unix socket).</summary>
    private const string HostBasedAuthentication = """
        # Written by HeadlessNews: the embedded cluster takes password (SCRAM) logins over loopback only.
        host    all    all    127.0.0.1/32    scram-sha-256
        host    all    all    ::1/128         scram-sha-256

        """;
    private readonly string _binDirectory;
    private readonly IReadOnlyDictionary<string, string> _serverSettings;
    private readonly Action<string> _log;
    private bool _startedByUs;
    private string _password = string.Empty;

    private EmbeddedPostgres(string dataDirectory, string binDirectory, IReadOnlyDictionary<string, string> serverSettings, Action<string> log)
    {
        DataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        _serverSettings = serverSettings;
        _log = log;
    }

    public string DataDirectory { get; }

    public int Port { get; private set; }

    /// <summary>Beside the cluster's folder rather than in it: initdb needs the password before the folder may hold anything.</summary>
    public string PasswordFile => DataDirectory + ".password";

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={_password};Database={database};Include Error Detail=true";

    private string HostBasedAuthenticationFile => Path.Combine(DataDirectory, "pg_hba.conf");

    public static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>
    /// Memory settings for a cluster that has the machine to itself, as PostgreSQL's guidance sizes them: a quarter of
    /// the memory for shared buffers (128 MB to 4 GB) and half of it as the planner's cache estimate. The default 128 MB
    /// holds a 10,000-article archive; at 100,000 the read model's heap alone is ~400 MB, and every search that misses
    /// shared buffers copies its pages from the OS cache again.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SizedFor(long memoryBytes)
    {
        const long megabyte = 1024 * 1024;
        var sharedBuffers = Math.Clamp(memoryBytes / 4 / megabyte, 128, 4096);
        return new Dictionary<string, string>
        {
            ["shared_buffers"] = $"{sharedBuffers}MB",
            ["effective_cache_size"] = $"{Math.Max(512, memoryBytes / 2 / megabyte)}MB",
        };
    }

    /// <summary>Finds the binaries and chooses a data folder the server's OS user can reach.</summary>
    public static EmbeddedPostgres Create(string requestedDataDirectory, IReadOnlyDictionary<string, string>? serverSettings = null, Action<string>? log = null)
    {
        var binDirectory = FindBinDirectory() ?? throw new EmbeddedPostgresException(
            "No PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or under /usr/lib/postgresql/*/bin. " +
            "Install them (Debian: apt-get install postgresql) or set ConnectionStrings__HeadlessNews to an existing server.");
        var dataDirectory = Path.GetFullPath(requestedDataDirectory);
        log ??= _ => { };
        if (RunningAsRoot && !ServiceUserCanReach(dataDirectory))
        {
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..12];
            var fallback = Path.Combine("/var/lib/headlessnews", key, "postgres");
            log($"The postgres OS user cannot reach {dataDirectory}; keeping the embedded cluster in {fallback} instead.");
            dataDirectory = fallback;
        }
        return new EmbeddedPostgres(dataDirectory, binDirectory, serverSettings ?? new Dictionary<string, string>(), log);
    }

    /// <summary>Initialises the cluster if needed and starts it, or attaches to it when another process already runs it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var exists = File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));
        _password = await ReadOrCreatePasswordAsync(exists, cancellationToken);
        if (!exists)
        {
            await InitialiseAsync(cancellationToken);
        }

        var runningPort = await RunningPortAsync(cancellationToken);
        if (runningPort is { } port)
        {
            Port = port;
            _log($"Using the embedded PostgreSQL already running on 127.0.0.1:{Port} ({DataDirectory}).");
            return;
        }

        RemoveStaleLockFile();
        Port = FreeLoopbackPort();
        await StartServerAsync(cancellationToken);
        await RequirePasswordAsync(cancellationToken);
        _log($"Started the embedded PostgreSQL on 127.0.0.1:{Port} ({DataDirectory}).");
    }

    private async Task<string> ReadOrCreatePasswordAsync(bool clusterExists, CancellationToken cancellationToken)
    {
        if (File.Exists(PasswordFile))
        {
            return (await File.ReadAllTextAsync(PasswordFile, cancellationToken)).Trim();
        }
        if (clusterExists && await File.ReadAllTextAsync(HostBasedAuthenticationFile, cancellationToken) == HostBasedAuthentication)
        {
            throw new EmbeddedPostgresException(
                $"{PasswordFile} is missing, and the embedded cluster in {DataDirectory} accepts only the password it held. " +
                "Restore the file, or delete the cluster's folder to start with an empty one.");
        }
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(Path.GetDirectoryName(PasswordFile)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using (var file = new StreamWriter(PasswordFile, options))
        {
            await file.WriteAsync(password);
        }
        if (RunningAsRoot)
        {
            // initdb, run as the service user, reads it; root reads it whoever owns it.
            await RunProcessAsync("chown", [$"{ServiceUser}:", PasswordFile], asServiceUser: false, cancellationToken);
        }
        return password;
    }

    /// <summary>
    /// A cluster an earlier version created with <c>trust</c> (any local process could log in as the superuser) gets the
    /// password and this pg_hba.conf, then restarts so that no connection is let in by the old rules afterwards.
    /// </summary>
    private async Task RequirePasswordAsync(CancellationToken cancellationToken)
    {
        if (await File.ReadAllTextAsync(HostBasedAuthenticationFile, cancellationToken) == HostBasedAuthentication)
        {
            return;
        }
        _log("The embedded PostgreSQL accepted logins without a password (made by an earlier version): setting one.");
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync(cancellationToken);
            // The password is hex, so it needs no quoting; ALTER ROLE takes no parameters.
            await using var setPassword = new NpgsqlCommand($"SET password_encryption = 'scram-sha-256'; ALTER ROLE postgres PASSWORD '{_password}'", connection);
            await setPassword.ExecuteNonQueryAsync(cancellationToken);
        }
        await File.WriteAllTextAsync(HostBasedAuthenticationFile, HostBasedAuthentication, cancellationToken);
        await StopAsync();
        await StartServerAsync(cancellationToken);
    }

    public async Task StopAsync(bool immediate = false)
    {
        if (!_startedByUs)
        {
            return;
        }
        _startedByUs = false;
        await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "stop"], CancellationToken.None);
        _log("Stopped the embedded PostgreSQL.");
    }

    /// <summary>Starts a stopped cluster again on the same port (used by fault tests).</summary>
    public Task RestartOnSamePortAsync(CancellationToken cancellationToken = default) => StartServerAsync(cancellationToken);

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var options = new StringBuilder().Append(CultureInfo.InvariantCulture, $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''");
        foreach (var (name, value) in _serverSettings)
        {
            options.Append(CultureInfo.InvariantCulture, $" -c {name}={value}");
        }
        var logFile = Path.Combine(DataDirectory, "server.log");
        await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", logFile, "-w", "-t", "60", "-o", options.ToString(), "start"], cancellationToken);
        _startedByUs = true;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task InitialiseAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DataDirectory);
        if (RunningAsRoot)
        {
            await RunProcessAsync("chown", ["-R", $"{ServiceUser}:", DataDirectory], asServiceUser: false, cancellationToken);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _log($"Creating an embedded PostgreSQL cluster in {DataDirectory}.");
        await RunAsync("initdb", ["-D", DataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={PasswordFile}",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"], cancellationToken);
        await File.WriteAllTextAsync(HostBasedAuthenticationFile, HostBasedAuthentication, cancellationToken);
    }

    private async Task<int?> RunningPortAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }
        var status = await RunProcessAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "status"], RunningAsRoot, cancellationToken, throwOnError: false);
        if (status.ExitCode != 0)
        {
            return null;
        }
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        return lines.Length > 3 && int.TryParse(lines[3], CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private void RemoveStaleLockFile()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (File.Exists(pidFile))
        {
            _log("Removing a stale postmaster.pid left by a server that is no longer running.");
            File.Delete(pidFile);
        }
    }

    private Task<ProcessResult> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunProcessAsync(Path.Combine(_binDirectory, tool), arguments, RunningAsRoot, cancellationToken);

    private static async Task<ProcessResult> RunProcessAsync(string fileName, IReadOnlyList<string> arguments, bool asServiceUser, CancellationToken cancellationToken, bool throwOnError = true)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServiceUser ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asServiceUser)
        {
            foreach (var argument in new[] { "-u", ServiceUser, "--", fileName })
            {
                start.ArgumentList.Add(argument);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new EmbeddedPostgresException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var result = new ProcessResult(process.ExitCode, await output + await error);
        if (throwOnError && result.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"{Path.GetFileName(fileName)} failed with exit code {result.ExitCode}: {result.Output.Trim()}");
        }
        return result;
    }

    internal static string? FindBinDirectory()
    {
        static bool HasTools(string directory) =>
            File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Directory: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(d => HasTools(d.Directory))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Directory)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(HasTools);
    }

    /// <summary>The postgres user needs execute permission on every parent of the data folder.</summary>
    private static bool ServiceUserCanReach(string dataDirectory)
    {
        for (var directory = Path.GetDirectoryName(dataDirectory); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
        {
            if (!OperatingSystem.IsWindows() && Directory.Exists(directory) && !File.GetUnixFileMode(directory).HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }
        return true;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record ProcessResult(int ExitCode, string Output);
}

public sealed class EmbeddedPostgresException(string message) : Exception(message);
