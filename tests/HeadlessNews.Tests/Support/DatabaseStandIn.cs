using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace HeadlessNews.Tests.Support;

/// <summary>
/// Stands in for a database server (a standby, or the primary) on a loopback port by forwarding to the test server.
/// <see cref="Stop"/> refuses new connections and resets those open, as a stopped server's host does;
/// <see cref="HoldAnswers"/> keeps what the server sends from reaching the API until released, so a read can be held
/// after PostgreSQL has run it.
/// </summary>
public sealed class DatabaseStandIn : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<TcpClient> _sockets = [];
    private readonly CancellationTokenSource _stopped = new();
    private volatile Hold? _hold;
    private int _connections;

    public DatabaseStandIn(string host, int port)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = ForwardAsync(host, port);
    }

    public int Port { get; }

    /// <summary>A stand-in for the server <paramref name="connectionString"/> names.</summary>
    public static DatabaseStandIn For(string connectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(connectionString);
        return new DatabaseStandIn(server.Host!, server.Port);
    }

    /// <summary><paramref name="connectionString"/> with this stand-in as its server.</summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>
    /// What the server sends from now on waits until <see cref="Hold.Release"/>; <see cref="Hold.Holding"/> completes once
    /// something does. With <paramref name="containing"/>, only an answer holding that text waits (and what follows it on
    /// its connection): others, such as a node asking the standby how far it has replayed, pass.
    /// </summary>
    public Hold HoldAnswers(string? containing = null) => _hold = new Hold(this, containing is null ? null : Encoding.UTF8.GetBytes(containing));

    public sealed class Hold(DatabaseStandIn standIn, byte[]? marker)
    {
        internal bool Holds(ReadOnlySpan<byte> answer) => marker is null || answer.IndexOf(marker) >= 0;

        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Holding => _holding.Task;

        public void Release()
        {
            standIn._hold = null;
            _released.TrySetResult();
        }

        internal Task WaitAsync(CancellationToken cancellationToken)
        {
            _holding.TrySetResult();
            return _released.Task.WaitAsync(cancellationToken);
        }
    }

    public void Stop()
    {
        _stopped.Cancel();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            try
            {
                socket.Client?.LingerState = new LingerOption(true, 0);
            }
            catch (ObjectDisposedException)
            {
                // A pump closed it already.
            }
            socket.Close();
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_stopped.IsCancellationRequested)
        {
            Stop();
        }
        _stopped.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ForwardAsync(string host, int port)
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopped.Token);
                var server = new TcpClient();
                _sockets.Add(client);
                _sockets.Add(server);
                await server.ConnectAsync(host, port, _stopped.Token);
                Interlocked.Increment(ref _connections);
                _ = PumpAsync(client, server, answers: false);
                _ = PumpAsync(server, client, answers: true);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool answers)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer, _stopped.Token)) > 0)
            {
                if (answers && _hold is { } hold && hold.Holds(buffer.AsSpan(0, read)))
                {
                    await hold.WaitAsync(_stopped.Token);
                }
                await target.WriteAsync(buffer.AsMemory(0, read), _stopped.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped, or the other side closed.
        }
        finally
        {
            to.Close();
        }
    }
}
