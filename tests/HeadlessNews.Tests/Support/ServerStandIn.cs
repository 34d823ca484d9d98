using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace HeadlessNews.Tests.Support;

/// <summary>
/// Stands in for a database server (a standby, a primary) on a loopback port by forwarding to the test server;
/// <see cref="Stop"/> refuses new connections and resets those open, as a stopped server's host does.
/// </summary>
public sealed class ServerStandIn : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<TcpClient> _sockets = [];
    private readonly CancellationTokenSource _stopped = new();
    private int _connections;

    public ServerStandIn(string host, int port)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = ForwardAsync(host, port);
    }

    public int Port { get; }

    public int Connections => Volatile.Read(ref _connections);

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
                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stopped.Token);
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
