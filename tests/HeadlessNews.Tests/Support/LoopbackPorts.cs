using System.Net;
using System.Net.Sockets;

namespace HeadlessNews.Tests.Support;

public static class LoopbackPorts
{
    /// <summary>A loopback port nothing listens on now (the system chose it free, and it is closed again).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
