using System;
using System.Linq;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Runtime.Messaging;

/// <summary>Garnet speaks RESP3 but has no CLIENT TRACKING: the listener says so once and stops.</summary>
public sealed class TrackingListenerGarnetTests : IDisposable
{
    private readonly RedisTestServer _garnet = RedisTestServer.StartGarnet();
    private readonly ListLoggerFactory _logs = new();
    private readonly ITestOutputHelper _output;

    public TrackingListenerGarnetTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _garnet.Dispose();

    [Fact]
    public void GarnetIsUnsupportedWithItsReplyAndDisposeIsClean()
    {
        // What Garnet itself answers, asked directly: the reason must quote it.
        var reply = RawRedis.Run(_garnet.Port, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "trk:");
        Assert.True(reply.IsError, $"Garnet answered CLIENT TRACKING with {reply}");

        var sink = new RecordingSink();
        var listener = new TrackingListener(TrackingListenerTests.Settings(_garnet.Port, "trk:", "akcache-test-garnet"), sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();
        RawRedis.WaitUntil(() => listener.State == TrackingState.Unsupported, "the listener gives up on Garnet");

        _output.WriteLine($"{_garnet.Description}: {listener.UnsupportedReason}");
        Assert.Contains(reply.Text!, listener.UnsupportedReason, StringComparison.Ordinal);
        Assert.Contains("cannot use CLIENT TRACKING", listener.UnsupportedReason, StringComparison.Ordinal);
        var warning = Assert.Single(_logs.Warnings);
        Assert.Contains(reply.Text!, warning, StringComparison.Ordinal);

        sink.WaitForCount("unsupported " + listener.UnsupportedReason, 1);
        listener.Dispose();
        sink.Close();
        Assert.Equal(TrackingState.Disposed, listener.State);
        Assert.Equal(new[] { "unsupported " + listener.UnsupportedReason }, sink.Events);
        Assert.Equal(0, sink.LateCalls);
        Assert.Single(_logs.Warnings);
    }
}
