using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Tests.Support;

/// <summary>
/// A loopback TCP proxy in front of a Redis server that can stop passing replies on, so tests can
/// play a Redis that accepts commands but answers too late (the timeout case). It records the name
/// of every command clients send through it, so that tests count what reaches Redis instead of
/// timing it. When the server goes away, the proxy closes the client's side too, as the server's
/// own socket would.
/// </summary>
public sealed class FreezableProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _connections = new();
    private readonly ConcurrentQueue<string> _commands = new();
    private volatile bool _frozen;

    public FreezableProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _ = AcceptLoop();
    }

    public string Url => $"redis://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>The commands received from clients and passed on to the server, in order: the name (upper case), then its first argument if any.</summary>
    public IReadOnlyList<string> Commands => _commands.ToList();

    /// <summary>
    /// How many of the received commands have one of <paramref name="names"/>; the client library's
    /// own reads of its tie-breaker key (a GET at every connect) are not counted.
    /// </summary>
    public int Count(params string[] names) => _commands.Count(c => names.Contains(c.Split(' ')[0], StringComparer.Ordinal) && !c.EndsWith(" " + TieBreakerKey, StringComparison.Ordinal));

    /// <summary>StackExchange.Redis's default tie-breaker key, read with GET whenever it connects.</summary>
    private const string TieBreakerKey = "__Booksleeve_TieBreak";

    /// <summary>While frozen, replies from the server are held back until <see cref="Thaw"/>.</summary>
    public void Freeze() => _frozen = true;

    /// <summary>True from a <see cref="Freeze"/> (or a command <see cref="FreezeAt"/> waited for) to the <see cref="Thaw"/>.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>
    /// Freezes when a client sends the next command named one of <paramref name="names"/> after
    /// <paramref name="skip"/> others of them: that command reaches the server, and its reply (with
    /// every later one) is held back until <see cref="Thaw"/>. A test freezes Redis this way at one
    /// given step of a call (its lock attempt, its store), not at a moment chosen by the clock.
    /// </summary>
    public void FreezeAt(int skip, params string[] names)
    {
        lock (_commands)
        {
            _freezeAt = names;
            _freezeSkip = skip;
        }
    }

    private string[]? _freezeAt;
    private int _freezeSkip;

    /// <summary>A command received from a client: recorded, and the freeze armed by <see cref="FreezeAt"/> applied, before it is passed on.</summary>
    private void Received(string command)
    {
        _commands.Enqueue(command);
        lock (_commands)
        {
            if (_freezeAt is { } names && names.Contains(command.Split(' ')[0], StringComparer.Ordinal) && _freezeSkip-- == 0)
            {
                _freezeAt = null;
                _frozen = true;
            }
        }
    }

    public void Thaw() => _frozen = false;

    /// <summary>
    /// Plays a server that is slow to come up: connections accepted during the next
    /// <paramref name="delay"/> are passed on only when it is over (what the client sends meanwhile
    /// waits in the socket), so a connect started now gets its first reply after about that long.
    /// Later connections are passed on at once.
    /// </summary>
    public void HoldNewConnectionsFor(TimeSpan delay) =>
        Interlocked.Exchange(ref _holdUntil, Environment.TickCount64 + (long)delay.TotalMilliseconds);

    private long _holdUntil;

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

            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        var held = Interlocked.Read(ref _holdUntil) - Environment.TickCount64;
        if (held > 0)
        {
            _connections.Add(client);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(held), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                client.Dispose();
                return;
            }
        }

        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // The server is down: the client sees its connection closed before it could send anything.
            upstream.Dispose();
            client.Dispose();
            return;
        }

        _connections.Add(client);
        _connections.Add(upstream);
        await Relay(client, upstream);
    }

    private async Task Relay(TcpClient client, TcpClient upstream)
    {
        var requests = Pump(client.GetStream(), upstream.GetStream(), holdWhileFrozen: false, new CommandReader(Received));
        var replies = Pump(upstream.GetStream(), client.GetStream(), holdWhileFrozen: true, reader: null);
        await Task.WhenAny(requests, replies);

        // One side closed: close the other, so that the client learns at once that the server is gone.
        client.Dispose();
        upstream.Dispose();
    }

    private async Task Pump(NetworkStream from, NetworkStream to, bool holdWhileFrozen, CommandReader? reader)
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

                reader?.Feed(buffer.AsSpan(0, read));
                while (holdWhileFrozen && _frozen && !_stop.IsCancellationRequested)
                {
                    await Task.Delay(10);
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.IO.IOException or ObjectDisposedException or SocketException)
        {
            // A closed side ends the pump; Relay closes the other.
        }
    }

    /// <summary>Reads the command names out of a client's RESP stream (arrays of bulk strings), across reads.</summary>
    private sealed class CommandReader
    {
        private readonly Action<string> _received;
        private readonly List<byte> _pending = new();

        public CommandReader(Action<string> received) => _received = received;

        public void Feed(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                _pending.Add(b);
            }

            var data = _pending.ToArray();
            var consumed = 0;
            while (TryReadCommand(data, consumed, out var name, out var end))
            {
                _received(name);
                consumed = end;
            }

            _pending.RemoveRange(0, consumed);
        }

        /// <summary>One whole command from <paramref name="start"/>: its first element, and where it ends.</summary>
        private static bool TryReadCommand(byte[] data, int start, out string name, out int end)
        {
            name = string.Empty;
            end = start;
            if (!TryReadLine(data, start, out var header, out var position) || header.Length < 2)
            {
                return false;
            }

            if (header[0] != '*')
            {
                // An inline command (never sent by StackExchange.Redis): its first word.
                name = header.Split(' ')[0].ToUpperInvariant();
                end = position;
                return true;
            }

            var elements = int.Parse(header.AsSpan(1));
            for (var i = 0; i < elements; i++)
            {
                if (!TryReadLine(data, position, out var length, out var payload))
                {
                    return false;
                }

                var size = int.Parse(length.AsSpan(1));
                if (payload + size + 2 > data.Length)
                {
                    return false;
                }

                if (i == 0)
                {
                    name = Encoding.ASCII.GetString(data, payload, size).ToUpperInvariant();
                }
                else if (i == 1)
                {
                    name += " " + Encoding.UTF8.GetString(data, payload, Math.Min(size, 200));
                }

                position = payload + size + 2;
            }

            end = position;
            return true;
        }

        private static bool TryReadLine(byte[] data, int start, out string line, out int next)
        {
            for (var i = start; i + 1 < data.Length; i++)
            {
                if (data[i] == '\r' && data[i + 1] == '\n')
                {
                    line = Encoding.ASCII.GetString(data, start, i - start);
                    next = i + 2;
                    return true;
                }
            }

            line = string.Empty;
            next = start;
            return false;
        }
    }
}
