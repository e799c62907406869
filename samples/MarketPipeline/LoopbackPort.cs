using System.Net;
using System.Net.Sockets;

namespace MarketPipeline;

internal static class LoopbackPort
{
    /// <summary>A port nothing listens on right now (another program could still take it before we do).</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
