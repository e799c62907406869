using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Runtime.Messaging;

/// <summary>
/// What a real Redis will not do on demand: stay silent, send garbage, or refuse HELLO as Redis 5
/// does. A scripted server on loopback plays each part.
/// </summary>
public sealed class TrackingListenerFakeServerTests : IDisposable
{
    private readonly ListLoggerFactory _logs = new();
    private readonly ITestOutputHelper _output;

    public TrackingListenerFakeServerTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        foreach (var (level, message) in _logs.Entries.Where(e => e.Level >= LogLevel.Information))
        {
            _output.WriteLine($"{level}: {message}");
        }
    }

    [Fact]
    public void ASilentConnectionIsLostByTheHeartbeatAndMadeAgain()
    {
        // The first connection never answers PING; the second does.
        using var server = new ScriptedServer { AnswersPing = connection => connection > 1 };
        var settings = TrackingListenerTests.Settings(server.Port, "k", "fake");
        settings.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
        settings.HeartbeatTimeout = TimeSpan.FromMilliseconds(500);
        var sink = new RecordingSink();
        using var listener = new TrackingListener(settings, sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();

        sink.WaitForCount("started", 2);

        var events = sink.Events;
        Assert.Equal(3, events.Count);
        Assert.Equal("started", events[0]);
        Assert.Contains("no reply to PING within 500 ms", events[1], StringComparison.Ordinal);
        Assert.True(server.PingsReceived(1) >= 1);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public void UnexpectedFramesAreCountedAndBrokenFramingDropsTheConnection()
    {
        using var server = new ScriptedServer
        {
            AfterTracking = connection => connection == 1
                ? ">2\r\n+message\r\n+x\r\n" + // a push of another kind
                  "+surprise\r\n" + // a reply to nothing
                  ">2\r\n$10\r\ninvalidate\r\n:5\r\n" + // an invalidation of neither keys nor null
                  ">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\nk1\r\n:3\r\n" + // one key, one item that is no key
                  "|1\r\n+ttl\r\n:1\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk2\r\n" + // an attribute before a push
                  "?broken\r\n"
                : string.Empty,
        };
        var settings = TrackingListenerTests.Settings(server.Port, "k", "fake");
        settings.HeartbeatInterval = TimeSpan.FromSeconds(30); // no PING, so that no reply is taken for its answer
        var sink = new RecordingSink();
        using var listener = new TrackingListener(settings, sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();

        sink.WaitForCount("started", 2);

        var events = sink.Events;
        Assert.Equal(new[] { "started", "invalidated k1", "invalidated k2" }, events.Take(3));
        Assert.Contains("not RESP3", events[3], StringComparison.Ordinal);
        Assert.Equal("started", events[4]);
        Assert.Equal(5, events.Count);
        Assert.Equal(5, listener.MessagesIgnored);
        Assert.Single(_logs.Entries, e => e.Message.Contains("not RESP3", StringComparison.Ordinal));
    }

    [Fact]
    public void HelloUnknownAsInRedisFiveIsUnsupportedWithoutRetrying()
    {
        using var server = new ScriptedServer { HelloReply = "-ERR unknown command 'HELLO'\r\n" };
        var sink = new RecordingSink();
        var listener = new TrackingListener(TrackingListenerTests.Settings(server.Port, "k", "fake"), sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();
        RawRedis.WaitUntil(() => listener.State == TrackingState.Unsupported, "the listener gives up");
        listener.Dispose();

        Assert.Contains("HELLO 3 was answered 'ERR unknown command 'HELLO''", listener.UnsupportedReason, StringComparison.Ordinal);
        Assert.Equal(1, server.Connections);
        Assert.Equal(new[] { "unsupported " + listener.UnsupportedReason }, sink.Events);
    }

    [Fact]
    public void OverTlsTheServerCertificateIsCheckedAndPushesArrive()
    {
        using var certificate = SelfSigned();
        using var server = new ScriptedServer
        {
            Certificate = certificate,
            AfterTracking = _ => ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nk-tls\r\n",
        };
        var settings = TrackingListenerTests.Settings(server.Port, "k", "fake");
        settings.Ssl = true;
        settings.SslHost = "localhost";
        settings.CertificateValidation = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
        var sink = new RecordingSink();
        using var listener = new TrackingListener(settings, sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();

        sink.WaitForCount("invalidated k-tls", 1);

        Assert.Equal(new[] { "started", "invalidated k-tls" }, sink.Events);
    }

    [Fact]
    public void OverTlsAnUntrustedCertificateIsRefusedAndLoggedOnce()
    {
        using var certificate = SelfSigned();
        using var server = new ScriptedServer { Certificate = certificate };
        var settings = TrackingListenerTests.Settings(server.Port, "k", "fake");
        settings.Ssl = true;
        settings.SslHost = "localhost";
        var sink = new RecordingSink();
        using var listener = new TrackingListener(settings, sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();

        RawRedis.WaitUntil(() => server.Connections >= 3, "three attempts");

        Assert.Equal(TrackingState.Starting, listener.State);
        Assert.Empty(sink.Events);
        Assert.Contains("certificate", Assert.Single(_logs.Warnings), StringComparison.OrdinalIgnoreCase);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Answers HELLO and CLIENT TRACKING, then plays a script; counts connections and PINGs.</summary>
    private sealed class ScriptedServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Thread _acceptor;
        private readonly List<(Socket Socket, Thread Thread)> _clients = new();
        private readonly Dictionary<int, int> _pings = new();
        private volatile bool _stopped;

        public ScriptedServer()
        {
            _listener.Start();
            _acceptor = new Thread(Accept) { IsBackground = true };
            _acceptor.Start();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public string HelloReply { get; init; } = "%1\r\n+server\r\n+fake\r\n";

        public Func<int, bool> AnswersPing { get; init; } = _ => true;

        public Func<int, string> AfterTracking { get; init; } = _ => string.Empty;

        /// <summary>When set, every connection is TLS with this certificate.</summary>
        public X509Certificate2? Certificate { get; init; }

        public int Connections
        {
            get
            {
                lock (_clients)
                {
                    return _clients.Count;
                }
            }
        }

        public int PingsReceived(int connection)
        {
            lock (_pings)
            {
                return _pings.GetValueOrDefault(connection);
            }
        }

        public void Dispose()
        {
            _stopped = true;
            _listener.Stop();
            _acceptor.Join();
            lock (_clients)
            {
                foreach (var (socket, _) in _clients)
                {
                    socket.Dispose();
                }
            }

            foreach (var (_, thread) in _clients)
            {
                thread.Join();
            }
        }

        private void Accept()
        {
            while (!_stopped)
            {
                Socket socket;
                try
                {
                    socket = _listener.AcceptSocket();
                }
                catch (SocketException)
                {
                    return;
                }

                lock (_clients)
                {
                    var number = _clients.Count + 1;
                    var thread = new Thread(() => Serve(socket, number)) { IsBackground = true };
                    _clients.Add((socket, thread));
                    thread.Start();
                }
            }
        }

        private void Serve(Socket socket, int connection)
        {
            var reader = new Resp3Reader();
            var buffer = new byte[4096];
            try
            {
                using var stream = Open(socket);
                while (true)
                {
                    while (reader.TryRead() is { } command)
                    {
                        Answer(stream, connection, command.Items[0].Text!.ToUpperInvariant());
                    }

                    var count = stream.Read(buffer, 0, buffer.Length);
                    if (count == 0)
                    {
                        return;
                    }

                    reader.Append(buffer.AsSpan(0, count));
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                // The listener closed the connection or refused the certificate, or the test is over.
            }
        }

        private Stream Open(Socket socket)
        {
            var network = new NetworkStream(socket, ownsSocket: false);
            if (Certificate is null)
            {
                return network;
            }

            var ssl = new SslStream(network, leaveInnerStreamOpen: false);
            ssl.AuthenticateAsServer(Certificate);
            return ssl;
        }

        private void Answer(Stream stream, int connection, string command)
        {
            switch (command)
            {
                case "HELLO":
                    Send(stream, HelloReply);
                    break;
                case "CLIENT":
                    Send(stream, "+OK\r\n" + AfterTracking(connection));
                    break;
                case "PING":
                    lock (_pings)
                    {
                        _pings[connection] = _pings.GetValueOrDefault(connection) + 1;
                    }

                    if (AnswersPing(connection))
                    {
                        Send(stream, "+PONG\r\n");
                    }

                    break;
            }
        }

        private static void Send(Stream stream, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush();
        }
    }
}
