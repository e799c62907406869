using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Messaging;

/// <summary>
/// What a real Redis will not do on demand: stay silent, send garbage, or refuse HELLO as Redis 5
/// does. A scripted server on loopback plays each part.
/// </summary>
public sealed class TrackingListenerFakeServerTests
{
    private readonly ListLoggerFactory _logs = new();

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
        Assert.Single(_logs.Warnings, w => w.Contains("not RESP3", StringComparison.Ordinal));
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
        Assert.Empty(sink.Events);
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
                while (true)
                {
                    while (reader.TryRead() is { } command)
                    {
                        Answer(socket, connection, command.Items[0].Text!.ToUpperInvariant());
                    }

                    var count = socket.Receive(buffer);
                    if (count == 0)
                    {
                        return;
                    }

                    reader.Append(buffer.AsSpan(0, count));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The listener closed the connection, or the test is over.
            }
        }

        private void Answer(Socket socket, int connection, string command)
        {
            switch (command)
            {
                case "HELLO":
                    Send(socket, HelloReply);
                    break;
                case "CLIENT":
                    Send(socket, "+OK\r\n" + AfterTracking(connection));
                    break;
                case "PING":
                    lock (_pings)
                    {
                        _pings[connection] = _pings.GetValueOrDefault(connection) + 1;
                    }

                    if (AnswersPing(connection))
                    {
                        Send(socket, "+PONG\r\n");
                    }

                    break;
            }
        }

        private static void Send(Socket socket, string text) => socket.Send(Encoding.UTF8.GetBytes(text));
    }
}
