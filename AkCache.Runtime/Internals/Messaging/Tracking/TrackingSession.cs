using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>
/// One open connection with tracking on: made by <see cref="OpenAsync"/> (TCP, TLS, HELLO 3,
/// CLIENT TRACKING), then read by <see cref="PumpAsync"/> until it ends, while a heartbeat PINGs it.
/// Only the heartbeat writes once the handshake is done, one PING at a time.
/// </summary>
internal sealed class TrackingSession : IDisposable
{
    private static readonly byte[] Ping = Resp3Writer.Command("PING");

    private readonly EndPoint _endPoint;
    private readonly TrackingSettings _settings;
    private readonly TrackingListener _listener;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private Stream _stream;
    private readonly Resp3Reader _reader = new();
    private readonly byte[] _readBuffer = new byte[16 * 1024];
    private ITimer? _heartbeat;
    private long _pingSentAt;
    private long _lastPingAt;
    private int _pendingPings;
    private string? _abortReason;
    private int _disposed;

    private TrackingSession(EndPoint endPoint, TrackingSettings settings, TrackingListener listener, TimeProvider time, Socket socket, Stream stream)
    {
        _endPoint = endPoint;
        _settings = settings;
        _listener = listener;
        _time = time;
        _socket = socket;
        _stream = stream;
    }

    /// <summary>Connects and turns tracking on within the connect timeout.</summary>
    /// <exception cref="TrackingHandshakeException">The server refused, or did not answer in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="stop"/> was cancelled.</exception>
    public static async Task<TrackingSession> OpenAsync(
        EndPoint endPoint, TrackingSettings settings, TrackingListener listener, TimeProvider time, CancellationToken stop)
    {
        using var timeout = time.CreateCancellationTokenSource(settings.ConnectTimeout);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        TrackingSession? session = null;
        try
        {
            var socket = await ConnectSocketAsync(endPoint, either.Token).ConfigureAwait(false);
            var network = new NetworkStream(socket, ownsSocket: true);
            session = new TrackingSession(endPoint, settings, listener, time, socket, network);
            using (either.Token.Register(session.Dispose))
            {
                await session.SecureAsync(network).ConfigureAwait(false);
                await session.HandshakeAsync().ConfigureAwait(false);
            }

            either.Token.ThrowIfCancellationRequested();
            return session;
        }
        catch (Exception e) when (e is not TrackingHandshakeException)
        {
            session?.Dispose();
            stop.ThrowIfCancellationRequested();
            if (timeout.IsCancellationRequested)
            {
                throw new TrackingHandshakeException(
                    TrackingFailureKind.Transient,
                    $"no connection and handshake within {settings.ConnectTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
            }

            throw new TrackingHandshakeException(TrackingFailureKind.Transient, settings.Scrub(e.Message));
        }
        catch
        {
            session?.Dispose();
            throw;
        }
    }

    /// <summary>Why the session ended, if the heartbeat or a broken frame ended it.</summary>
    public string? AbortReason => Volatile.Read(ref _abortReason);

    /// <summary>Reads until the connection ends, handing pushes to the listener.</summary>
    /// <returns>Why it ended, for logs and <see cref="IInvalidationSink.OnTrackingLost"/>.</returns>
    public async Task<string> PumpAsync()
    {
        StartHeartbeat();
        try
        {
            while (true)
            {
                // First the frames the handshake's last read may have brought along.
                while (_reader.TryRead() is { } frame)
                {
                    OnFrame(frame);
                }

                var count = await _stream.ReadAsync(_readBuffer, 0, _readBuffer.Length).ConfigureAwait(false);
                if (count == 0)
                {
                    return AbortReason ?? "the server closed the connection";
                }

                _reader.Append(new ReadOnlySpan<byte>(_readBuffer, 0, count));
            }
        }
        catch (Resp3ProtocolException e)
        {
            _listener.CountIgnored();
            Abort(e.Message);
            return AbortReason ?? e.Message;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return AbortReason ?? _settings.Scrub(e.Message);
        }
    }

    /// <summary>Ends the session with a reason; the pump returns it. Safe from any thread, any number of times.</summary>
    public void Abort(string reason)
    {
        Interlocked.CompareExchange(ref _abortReason, reason, null);
        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _heartbeat?.Dispose();
        _stream.Dispose();
        _socket.Dispose();
    }

    private static async Task<Socket> ConnectSocketAsync(EndPoint endPoint, CancellationToken token)
    {
        var (addresses, port) = endPoint switch
        {
            IPEndPoint ip => (new[] { ip.Address }, ip.Port),
            DnsEndPoint dns => (await Dns.GetHostAddressesAsync(dns.Host).ConfigureAwait(false), dns.Port),
            _ => throw new NotSupportedException($"Cannot connect to a {endPoint.GetType().Name}."),
        };
        Exception? last = null;
        foreach (var address in addresses)
        {
            token.ThrowIfCancellationRequested();
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                // netstandard2.0's ConnectAsync takes no token: closing the socket is what cancels it.
                using (token.Register(socket.Dispose))
                {
                    await socket.ConnectAsync(new IPEndPoint(address, port)).ConfigureAwait(false);
                }

                token.ThrowIfCancellationRequested();
                return socket;
            }
            catch (Exception e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Puts TLS over the socket when the settings ask for it; from then on the session reads and writes through it.</summary>
    private async Task SecureAsync(NetworkStream network)
    {
        if (!_settings.Ssl)
        {
            return;
        }

        var ssl = new SslStream(network, leaveInnerStreamOpen: false, _settings.CertificateValidation);
        _stream = ssl;
        var host = _settings.SslHost ?? (_endPoint as DnsEndPoint)?.Host ?? ((IPEndPoint)_endPoint).Address.ToString();
        await ssl.AuthenticateAsClientAsync(host, _settings.ClientCertificates, _settings.SslProtocols, _settings.CheckCertificateRevocation).ConfigureAwait(false);
    }

    private async Task HandshakeAsync()
    {
        var hello = new List<string> { "HELLO", "3" };
        if (_settings.Password is not null)
        {
            hello.AddRange(new[] { "AUTH", _settings.User ?? "default", _settings.Password });
        }

        hello.AddRange(new[] { "SETNAME", _settings.ClientName });
        var helloReply = await CommandAsync(hello).ConfigureAwait(false);
        Check("HELLO 3", helloReply);
        if (helloReply.Kind != Resp3Kind.Map)
        {
            throw new TrackingHandshakeException(
                TrackingFailureKind.Unsupported, $"HELLO 3 was answered with {helloReply}, not a RESP3 map");
        }

        var tracking = new List<string> { "CLIENT", "TRACKING", "ON", "BCAST" };
        if (_settings.Prefix.Length > 0)
        {
            tracking.AddRange(new[] { "PREFIX", _settings.Prefix });
        }

        var trackingReply = await CommandAsync(tracking).ConfigureAwait(false);
        if (trackingReply.IsError && (trackingReply.Text ?? string.Empty).StartsWith("NOPERM", StringComparison.OrdinalIgnoreCase))
        {
            // HELLO authenticated: the user exists, but its ACL forbids tracking. Asking again would
            // repeat the answer; the local layer then relies on AkCache's own channel, as on Garnet.
            throw new TrackingHandshakeException(
                TrackingFailureKind.Unsupported,
                $"CLIENT TRACKING was answered '{_settings.Scrub(trackingReply.Text ?? string.Empty)}': the ACL user may not use it (grant it +client|tracking)");
        }

        Check("CLIENT TRACKING", trackingReply);
    }

    private void Check(string command, Resp3Value reply)
    {
        if (reply.IsError)
        {
            var error = _settings.Scrub(reply.Text ?? string.Empty);
            throw new TrackingHandshakeException(TrackingHandshakeException.Classify(error), $"{command} was answered '{error}'");
        }
    }

    /// <summary>Sends one command and reads its reply; pushes before it (none are expected yet) are counted and dropped.</summary>
    private async Task<Resp3Value> CommandAsync(IReadOnlyList<string> arguments)
    {
        var bytes = Resp3Writer.Command(arguments);
        await _stream.WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
        await _stream.FlushAsync().ConfigureAwait(false);
        while (true)
        {
            while (_reader.TryRead() is { } frame)
            {
                if (frame.Kind != Resp3Kind.Push)
                {
                    return frame;
                }

                _listener.CountIgnored();
            }

            var count = await _stream.ReadAsync(_readBuffer, 0, _readBuffer.Length).ConfigureAwait(false);
            if (count == 0)
            {
                throw new IOException("the server closed the connection during the handshake");
            }

            _reader.Append(new ReadOnlySpan<byte>(_readBuffer, 0, count));
        }
    }

    private void OnFrame(Resp3Value frame)
    {
        // Any frame at all shows the connection alive.
        Interlocked.Exchange(ref _pingSentAt, 0);
        if (frame.Kind == Resp3Kind.Push)
        {
            _listener.OnPush(frame);
        }
        else if (Interlocked.Decrement(ref _pendingPings) < 0)
        {
            Interlocked.Increment(ref _pendingPings);
            _listener.CountIgnored();
        }
    }

    private void StartHeartbeat()
    {
        // Ticks finer than the interval, so that a missing reply is seen soon after the timeout.
        var interval = _settings.HeartbeatInterval;
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, Math.Min(interval.Ticks, _settings.HeartbeatTimeout.Ticks / 2)));
        Volatile.Write(ref _lastPingAt, _time.GetTimestamp());
        _heartbeat = _time.CreateTimer(_ => OnHeartbeat(), null, tick, tick);
        if (Volatile.Read(ref _disposed) != 0)
        {
            _heartbeat.Dispose();
        }
    }

    private void OnHeartbeat()
    {
        var sentAt = Interlocked.Read(ref _pingSentAt);
        if (sentAt != 0)
        {
            if (_time.GetElapsedTime(sentAt) >= _settings.HeartbeatTimeout)
            {
                Abort($"no reply to PING within {_settings.HeartbeatTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
            }

            return;
        }

        if (_time.GetElapsedTime(Interlocked.Read(ref _lastPingAt)) < _settings.HeartbeatInterval)
        {
            return;
        }

        var now = _time.GetTimestamp();
        Interlocked.Exchange(ref _lastPingAt, now);
        if (Interlocked.CompareExchange(ref _pingSentAt, now == 0 ? 1 : now, 0) == 0)
        {
            Interlocked.Increment(ref _pendingPings);
            _ = SendPingAsync();
        }
    }

    private async Task SendPingAsync()
    {
        try
        {
            await _stream.WriteAsync(Ping, 0, Ping.Length).ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Abort("PING could not be sent: " + _settings.Scrub(e.Message));
        }
    }
}
