using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Tests.Infrastructure;
using Xunit;

namespace AkCache.Tests.Runtime.Messaging;

/// <summary>What a sink was told, in order, with a way to wait for a condition on it.</summary>
internal sealed class RecordingSink : IInvalidationSink
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly List<string> _events = new();
    private bool _closed;

    /// <summary>Calls received after <see cref="Close"/>: the listener promised there would be none.</summary>
    public int LateCalls { get; private set; }

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToList();
            }
        }
    }

    public int Count(string entry) => Events.Count(e => e == entry);

    public int CountStartingWith(string prefix) => Events.Count(e => e.StartsWith(prefix, StringComparison.Ordinal));

    public void OnInvalidated(string key) => Record("invalidated " + key);

    public void OnFlushed() => Record("flushed");

    public void OnTrackingLost(string reason) => Record("lost " + reason);

    public void OnTrackingStarted() => Record("started");

    public void OnTrackingUnsupported(string reason) => Record("unsupported " + reason);

    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the events, failing the test with them after the timeout.</summary>
    public void WaitFor(Func<IReadOnlyList<string>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        lock (_gate)
        {
            while (!condition(_events))
            {
                var left = (timeout ?? Timeout) - deadline.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    Assert.Fail($"Timed out waiting for {what}; events: [{string.Join(" | ", _events)}]");
                }

                Monitor.Wait(_gate, left);
            }
        }
    }

    public void WaitForCount(string entry, int count) => WaitFor(e => e.Count(x => x == entry) >= count, $"{count} x '{entry}'");

    private void Record(string entry)
    {
        lock (_gate)
        {
            if (_closed)
            {
                LateCalls++;
            }

            _events.Add(entry);
            Monitor.PulseAll(_gate);
        }
    }
}

/// <summary>One command on a fresh connection, read with the component's own reader, so that tests need no client library state across restarts.</summary>
internal static class RawRedis
{
    public static Resp3Value Run(int port, params string[] command) => RunAs(port, null, command);

    public static Resp3Value RunAs(int port, string? password, params string[] command) =>
        RunAll(port, password is null ? [command] : [["AUTH", password], command]);

    public static Resp3Value RunInDatabase(int port, int database, params string[] command) =>
        RunAll(port, [["SELECT", database.ToString(System.Globalization.CultureInfo.InvariantCulture)], command]);

    /// <returns>The last command's reply; the others must succeed.</returns>
    private static Resp3Value RunAll(int port, string[][] commands)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000, SendTimeout = 5000 };
        socket.Connect(IPAddress.Loopback, port);
        var reader = new Resp3Reader();
        for (var i = 0; i < commands.Length - 1; i++)
        {
            var reply = Exchange(socket, reader, commands[i]);
            Assert.False(reply.IsError, $"{commands[i][0]}: {reply.Text}");
        }

        return Exchange(socket, reader, commands[^1]);
    }

    /// <summary>The names of the clients CLIENT LIST shows, with their ids.</summary>
    public static IReadOnlyList<(string Id, string Name)> Clients(int port, string? password = null)
    {
        var list = RunAs(port, password, "CLIENT", "LIST").Text ?? string.Empty;
        return list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]))
            .Select(fields => (fields["id"], fields["name"]))
            .ToList();
    }

    /// <summary>Whether a client named <paramref name="name"/> has turned tracking on (flag t in CLIENT LIST): it appears there by name before its CLIENT TRACKING runs.</summary>
    public static bool Tracks(int port, string name)
    {
        var list = RunAs(port, null, "CLIENT", "LIST").Text ?? string.Empty;
        return list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]))
            .Any(fields => fields["name"] == name && fields["flags"].Contains('t', StringComparison.Ordinal));
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> after 10 s.</summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            if (elapsed.Elapsed > RecordingSink.Timeout)
            {
                Assert.Fail("Timed out waiting until " + what);
            }

            Thread.Sleep(20);
        }
    }

    private static Resp3Value Exchange(Socket socket, Resp3Reader reader, string[] command)
    {
        socket.Send(Resp3Writer.Command(command));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            if (reader.TryRead() is { } reply)
            {
                return reply;
            }

            var count = socket.Receive(buffer);
            Assert.True(count > 0, "The server closed the connection.");
            reader.Append(buffer.AsSpan(0, count));
        }
    }
}

/// <summary>A redis-server of the tracking tests' own, shared by one class, since the tests do not change its configuration.</summary>
public sealed class TrackingRedisFixture : IDisposable
{
    public TrackingRedisFixture() => Server = RedisTestServer.StartRedisServer();

    public RedisTestServer Server { get; }

    public void Dispose() => Server.Dispose();
}

public sealed class TrackingTestSupportTests
{
    [Fact]
    public void TheRecordingSinkTimesOutWithTheEventsSeen()
    {
        var sink = new RecordingSink();
        sink.OnInvalidated("k");
        var failure = Record.Exception(() => sink.WaitFor(e => e.Contains("flushed"), "a flush", TimeSpan.FromMilliseconds(50)));
        Assert.Contains("invalidated k", failure!.Message);
    }
}
