using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Tests.Support;

/// <summary>
/// A loopback TCP proxy in front of a Redis server that can stop passing replies on, so tests can
/// play a Redis that accepts commands but answers too late (the timeout case).
/// </summary>
public sealed class FreezableProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _connections = new();
    private volatile bool _frozen;

    public FreezableProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _ = AcceptLoop();
    }

    public string Url => $"redis://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>While frozen, replies from the server are held back until <see cref="Thaw"/>.</summary>
    public void Freeze() => _frozen = true;

    public void Thaw() => _frozen = false;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort);
            _connections.Add(client);
            _connections.Add(upstream);
            _ = Pump(client.GetStream(), upstream.GetStream(), holdWhileFrozen: false);
            _ = Pump(upstream.GetStream(), client.GetStream(), holdWhileFrozen: true);
        }
    }

    private async Task Pump(NetworkStream from, NetworkStream to, bool holdWhileFrozen)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                while (holdWhileFrozen && _frozen && !_stop.IsCancellationRequested)
                {
                    await Task.Delay(10);
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.IO.IOException or ObjectDisposedException or SocketException)
        {
            // A closed side ends the pump; the other side sees the close through its own read.
        }
    }
}
