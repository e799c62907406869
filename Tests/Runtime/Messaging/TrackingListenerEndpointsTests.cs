using System;
using System.Linq;
using System.Net;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Messaging;

/// <summary>Several endpoints, as a cluster's primaries: tracking is on only when it is on everywhere.</summary>
public sealed class TrackingListenerEndpointsTests : IDisposable
{
    private const string Prefix = "trk:endpoints:";
    private const string ClientName = "akcache-test-endpoints";

    private readonly RedisTestServer _first = RedisTestServer.StartRedisServer();
    private readonly RedisTestServer _second = RedisTestServer.StartRedisServer();
    private readonly ListLoggerFactory _logs = new();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public void TrackingStartsOnlyOnceEveryEndpointTracks()
    {
        _second.Stop();
        var sink = new RecordingSink();
        using var listener = Listener(sink);

        // The first endpoint tracks, and its keys are announced, but the set is not tracking yet.
        RawRedis.WaitUntil(() => RawRedis.Tracks(_first.Port, ClientName), "the first endpoint has the listener, tracking");
        RawRedis.Run(_first.Port, "SET", Prefix + "early", "1");
        sink.WaitForCount("invalidated " + Prefix + "early", 1);
        Assert.Equal(TrackingState.Starting, listener.State);

        _second.Restart();
        sink.WaitForCount("started", 1);
        RawRedis.Run(_second.Port, "SET", Prefix + "second", "1");
        sink.WaitForCount("invalidated " + Prefix + "second", 1);

        Assert.Equal(new[] { "invalidated " + Prefix + "early", "started", "invalidated " + Prefix + "second" }, sink.Events);
        Assert.Equal(TrackingState.Tracking, listener.State);
    }

    [Fact]
    public void LosingEveryEndpointAtOnceIsOneLossAndOneRecovery()
    {
        var sink = new RecordingSink();
        using var listener = Listener(sink);
        sink.WaitForCount("started", 1);

        // A password while both connections are killed: neither can come back before the other is gone too.
        const string password = "pause-reconnects";
        var servers = new[] { _first, _second };
        foreach (var server in servers)
        {
            RawRedis.Run(server.Port, "CONFIG", "SET", "requirepass", password);
        }

        foreach (var server in servers)
        {
            foreach (var (id, _) in RawRedis.Clients(server.Port, password).Where(c => c.Name == ClientName))
            {
                RawRedis.RunAs(server.Port, password, "CLIENT", "KILL", "ID", id);
            }
        }

        sink.WaitFor(e => e.Count == 2, "the loss");
        RawRedis.WaitUntil(
            () => _logs.Entries.Any(e => e.Message.Contains("lost while not tracking", StringComparison.Ordinal)),
            "the listener has seen the second connection go too");
        foreach (var server in servers)
        {
            RawRedis.RunAs(server.Port, password, "CONFIG", "SET", "requirepass", string.Empty);
        }

        sink.WaitForCount("started", 2);
        RawRedis.Run(_second.Port, "SET", Prefix + "after", "1");
        sink.WaitForCount("invalidated " + Prefix + "after", 1);

        var events = sink.Events;
        Assert.Equal(4, events.Count);
        Assert.Equal(("started", "started", "invalidated " + Prefix + "after"), (events[0], events[2], events[3]));
        // Either connection may be noticed first: the sockets close in no set order.
        Assert.True(
            events[1].StartsWith("lost 127.0.0.1:" + _first.Port + ": ", StringComparison.Ordinal) || events[1].StartsWith("lost 127.0.0.1:" + _second.Port + ": ", StringComparison.Ordinal),
            events[1]);
        Assert.Equal(TrackingState.Tracking, listener.State);
    }

    private TrackingListener Listener(RecordingSink sink)
    {
        var settings = TrackingListenerTests.Settings(_first.Port, Prefix, ClientName);
        settings.EndPoints = [new IPEndPoint(IPAddress.Loopback, _first.Port), new IPEndPoint(IPAddress.Loopback, _second.Port)];
        var listener = new TrackingListener(settings, sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();
        return listener;
    }
}
