using System;
using System.Linq;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Runtime.Messaging;

/// <summary>Tests that restart or reconfigure their server, so each has one of its own.</summary>
public sealed class TrackingListenerRecoveryTests : IDisposable
{
    private const string ListenerPassword = "listener-pw-5d1c";
    private const string OtherPassword = "server-pw-93ab";
    private const string Prefix = "trk:recovery:";
    private const string ClientName = "akcache-test-recovery";

    private readonly RedisTestServer _server = RedisTestServer.StartRedisServer();
    private readonly ListLoggerFactory _logs = new();
    private readonly ITestOutputHelper _output;
    private string? _serverPassword;
    private long _ownConnections;

    public TrackingListenerRecoveryTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        foreach (var (level, message) in _logs.Entries.Where(e => e.Level >= LogLevel.Information))
        {
            _output.WriteLine($"{level}: {message}");
        }

        _server.Dispose();
    }

    [Fact]
    public void AServerRestartIsLostThenTrackedAgainAndADelAfterItIsDelivered()
    {
        var sink = new RecordingSink();
        using var listener = new TrackingListener(TrackingListenerTests.Settings(_server.Port, Prefix, ClientName), sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();
        sink.WaitForCount("started", 1);

        _server.Restart();
        sink.WaitForCount("started", 2);

        // The restarted server is empty: the key is made, then deleted, and each is announced.
        RawRedis.Run(_server.Port, "SET", Prefix + "k", "1");
        sink.WaitForCount("invalidated " + Prefix + "k", 1);
        Assert.Equal(1, RawRedis.Run(_server.Port, "DEL", Prefix + "k").Integer);
        sink.WaitForCount("invalidated " + Prefix + "k", 2);

        var events = sink.Events;
        Assert.Equal("started", events[0]);
        Assert.StartsWith("lost 127.0.0.1:" + _server.Port + ": ", events[1]);
        Assert.Equal(new[] { "started", "invalidated " + Prefix + "k", "invalidated " + Prefix + "k" }, events.Skip(2));
        Assert.Equal(TrackingState.Tracking, listener.State);
    }

    [Fact]
    public void AWrongPasswordIsLoggedOnceWithoutThePasswordAndTheRightOneTracks()
    {
        RequirePassword(OtherPassword);
        var connectionsBefore = ConnectionsReceived();
        var settings = TrackingListenerTests.Settings(_server.Port, Prefix, ClientName);
        settings.Password = ListenerPassword;
        var sink = new RecordingSink();
        using var listener = new TrackingListener(settings, sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();

        // Several attempts, not one: the warning is still single.
        RawRedis.WaitUntil(() => ConnectionsReceived() >= connectionsBefore + 4, "the listener tried four times");
        Assert.NotEqual(TrackingState.Tracking, listener.State);
        Assert.Empty(sink.Events);
        var warning = Assert.Single(_logs.Warnings);
        Assert.Contains("WRONGPASS", warning, StringComparison.Ordinal);
        Assert.Contains("authentication failed", warning, StringComparison.Ordinal);

        // An operator fixes the server's password: the listener's next attempt tracks.
        RequirePassword(ListenerPassword);
        sink.WaitForCount("started", 1);
        RawRedis.RunAs(_server.Port, ListenerPassword, "SET", Prefix + "k", "1");
        sink.WaitForCount("invalidated " + Prefix + "k", 1);

        Assert.Equal(TrackingState.Tracking, listener.State);
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains(ListenerPassword, StringComparison.Ordinal) || e.Message.Contains(OtherPassword, StringComparison.Ordinal));
        Assert.Single(_logs.Warnings);
        RequirePassword(null);
    }

    [Fact]
    public void NoPasswordWhereOneIsRequiredIsLoggedOnceAsNoAuth()
    {
        RequirePassword(OtherPassword);
        var connectionsBefore = ConnectionsReceived();
        var sink = new RecordingSink();
        using var listener = new TrackingListener(TrackingListenerTests.Settings(_server.Port, Prefix, ClientName), sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();

        RawRedis.WaitUntil(() => ConnectionsReceived() >= connectionsBefore + 3, "the listener tried three times");

        Assert.Equal(TrackingState.Starting, listener.State);
        Assert.Contains("NOAUTH", Assert.Single(_logs.Warnings), StringComparison.Ordinal);
        Assert.Empty(sink.Events);
        RequirePassword(null);
    }

    /// <summary>CONFIG SET requirepass, remembering the password for the test's own commands.</summary>
    private void RequirePassword(string? password)
    {
        Assert.Equal("OK", RawRedis.RunAs(_server.Port, _serverPassword, "CONFIG", "SET", "requirepass", password ?? string.Empty).Text);
        _serverPassword = password;
    }

    /// <summary>total_connections_received from INFO stats, less the connections this test made to read it.</summary>
    private long ConnectionsReceived()
    {
        _ownConnections++;
        var info = RawRedis.RunAs(_server.Port, _serverPassword, "INFO", "stats").Text ?? string.Empty;
        var line = info.Split("\r\n").Single(l => l.StartsWith("total_connections_received:", StringComparison.Ordinal));
        return long.Parse(line.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) - _ownConnections;
    }
}
