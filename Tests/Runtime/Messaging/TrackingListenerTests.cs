using System;
using System.Linq;
using System.Net;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Tests.Support;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Runtime.Messaging;

/// <summary>The listener against a real redis-server, written to from outside as an operator would.</summary>
public sealed class TrackingListenerTests : IClassFixture<TrackingRedisFixture>
{
    private readonly TrackingRedisFixture _redis;
    private readonly string _id = Guid.NewGuid().ToString("N").Substring(0, 8);
    private readonly ListLoggerFactory _logs = new();

    public TrackingListenerTests(TrackingRedisFixture redis) => _redis = redis;

    private int Port => _redis.Server.Port;

    private string Prefix => $"trk:{_id}:";

    private string ClientName => "akcache-test-" + _id;

    internal static TrackingSettings Settings(int port, string prefix, string clientName) => new()
    {
        EndPoints = [new IPEndPoint(IPAddress.Loopback, port)],
        Prefix = prefix,
        ClientName = clientName,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxAuthRetryDelay = TimeSpan.FromMilliseconds(400),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        HeartbeatTimeout = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public void AnExternalSetAndDelReachTheSinkAndAKeyOutsideThePrefixDoesNot()
    {
        var sink = new RecordingSink();
        using var listener = Started(sink);

        RawRedis.Run(Port, "SET", Prefix + "a", "1");
        sink.WaitForCount("invalidated " + Prefix + "a", 1);
        RawRedis.Run(Port, "DEL", Prefix + "a");
        sink.WaitForCount("invalidated " + Prefix + "a", 2);

        // Redis sends pushes in order: once the marker is in, the outside key would have been too.
        RawRedis.Run(Port, "SET", "other:" + Prefix + "b", "1");
        RawRedis.Run(Port, "SET", "trk:" + _id + "b", "1");
        RawRedis.Run(Port, "SET", Prefix + "marker", "1");
        sink.WaitForCount("invalidated " + Prefix + "marker", 1);

        Assert.Equal(
            new[] { "started", "invalidated " + Prefix + "a", "invalidated " + Prefix + "a", "invalidated " + Prefix + "marker" },
            sink.Events);
        Assert.Equal(TrackingState.Tracking, listener.State);
        Assert.Equal(0, listener.MessagesIgnored);
    }

    [Fact]
    public void SeveralKeysOfOneCommandEachReachTheSink()
    {
        var sink = new RecordingSink();
        using var listener = Started(sink);

        RawRedis.Run(Port, "MSET", Prefix + "1", "a", Prefix + "ü", "b", "elsewhere", "c");
        sink.WaitForCount("invalidated " + Prefix + "ü", 1);

        Assert.Equal(new[] { "started", "invalidated " + Prefix + "1", "invalidated " + Prefix + "ü" }, sink.Events);
    }

    [Fact]
    public void FlushAllAndFlushDbReachOnFlushedWhateverTheDatabase()
    {
        var sink = new RecordingSink();
        using var listener = Started(sink);

        RawRedis.Run(Port, "SET", Prefix + "x", "1");
        RawRedis.Run(Port, "FLUSHALL");
        sink.WaitForCount("flushed", 1);
        RawRedis.Run(Port, "SET", Prefix + "x", "1");
        RawRedis.Run(Port, "FLUSHDB");
        sink.WaitForCount("flushed", 2);

        // Tracking is not per database: a flush of database 3 is announced like any other.
        RawRedis.RunInDatabase(Port, 3, "FLUSHDB");

        sink.WaitForCount("flushed", 3);
        Assert.Equal(
            new[] { "started", "invalidated " + Prefix + "x", "flushed", "invalidated " + Prefix + "x", "flushed", "flushed" },
            sink.Events);
    }

    [Fact]
    public void AKeyIsInvalidatedWhenRedisExpiresIt()
    {
        var sink = new RecordingSink();
        using var listener = Started(sink);

        // The SET is one invalidation; Redis's own expiry, with nobody reading the key, is the second.
        RawRedis.Run(Port, "SET", Prefix + "short", "1", "PX", "50");
        sink.WaitForCount("invalidated " + Prefix + "short", 2);
        RawRedis.Run(Port, "SET", Prefix + "marker", "1");
        sink.WaitForCount("invalidated " + Prefix + "marker", 1);

        Assert.Equal(2, sink.Count("invalidated " + Prefix + "short"));
        Assert.Equal(0, RawRedis.Run(Port, "EXISTS", Prefix + "short").Integer);
    }

    [Fact]
    public void AKilledConnectionIsLostThenTrackedAgainAndInvalidationsFlowAgain()
    {
        var sink = new RecordingSink();
        using var listener = Started(sink);

        var (id, _) = RawRedis.Clients(Port).Single(c => c.Name == ClientName);
        Assert.Equal(1, RawRedis.Run(Port, "CLIENT", "KILL", "ID", id).Integer);

        sink.WaitForCount("started", 2);
        RawRedis.Run(Port, "SET", Prefix + "after", "1");
        sink.WaitForCount("invalidated " + Prefix + "after", 1);

        Assert.Equal("started", sink.Events[0]);
        Assert.StartsWith("lost 127.0.0.1:" + Port + ": ", sink.Events[1]);
        Assert.Equal(new[] { "started", "invalidated " + Prefix + "after" }, sink.Events.Skip(2));
        Assert.Single(_logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Information && e.Message.Contains("invalidation tracking lost", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Warnings, w => w.Contains("invalidation tracking lost", StringComparison.Ordinal));
        Assert.Equal(TrackingState.Tracking, listener.State);
        Assert.NotEqual(id, RawRedis.Clients(Port).Single(c => c.Name == ClientName).Id);
    }

    [Fact]
    public void DisposeStopsEveryCallbackAndClosesTheConnection()
    {
        var sink = new RecordingSink();
        var observer = new RecordingSink();
        var listener = Started(sink);
        using var witness = new TrackingListener(Settings(Port, Prefix, ClientName + "-witness"), observer, _logs.CreateLogger("witness"), TimeProvider.System);
        witness.Start();
        observer.WaitForCount("started", 1);

        listener.Dispose();
        sink.Close();

        // The witness tracks the same prefix: once it has the key, the disposed listener would have had it too.
        RawRedis.Run(Port, "SET", Prefix + "late", "1");
        RawRedis.Run(Port, "FLUSHALL");
        observer.WaitForCount("flushed", 1);
        RawRedis.WaitUntil(() => RawRedis.Clients(Port).All(c => c.Name != ClientName), "CLIENT LIST no longer shows " + ClientName);

        Assert.Equal(0, sink.LateCalls);
        Assert.Equal(new[] { "started" }, sink.Events);
        Assert.Equal(TrackingState.Disposed, listener.State);
        listener.Dispose();
        Assert.Equal(new[] { "started", "invalidated " + Prefix + "late", "flushed" }, observer.Events);
    }

    [Fact]
    public void ASinkThatThrowsIsLoggedOnceAndTheListenerGoesOn()
    {
        var sink = new ThrowingSink();
        using var listener = new TrackingListener(Settings(Port, Prefix, ClientName), sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();
        RawRedis.WaitUntil(() => listener.State == TrackingState.Tracking, "tracking");

        RawRedis.Run(Port, "SET", Prefix + "1", "1");
        RawRedis.Run(Port, "SET", Prefix + "2", "1");
        RawRedis.WaitUntil(() => sink.Calls >= 3, "three calls (started and two keys)");

        Assert.Single(_logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal(TrackingState.Tracking, listener.State);
    }

    [Fact]
    public void SettingsFromAConfigurationKeepEndpointsCredentialsAndTls()
    {
        var options = ConfigurationOptions.Parse("cache.example:6390,127.0.0.2,user=app,password=s3cret,ssl=true,sslHost=cache.example,name=my app,connectTimeout=1234");

        var settings = TrackingSettings.From(options, "ak:");

        Assert.Equal(new EndPoint[] { new DnsEndPoint("cache.example", 6390), new IPEndPoint(IPAddress.Parse("127.0.0.2"), 6380) }, settings.EndPoints);
        Assert.Equal(("app", "s3cret", true, "cache.example"), (settings.User, settings.Password, settings.Ssl, settings.SslHost));
        Assert.Equal(("ak:", "my-app-tracking", TimeSpan.FromMilliseconds(1234)), (settings.Prefix, settings.ClientName, settings.ConnectTimeout));
        Assert.Equal("HELLO *** failed", settings.Scrub("HELLO s3cret failed"));
    }

    private TrackingListener Started(RecordingSink sink)
    {
        var listener = new TrackingListener(Settings(Port, Prefix, ClientName), sink, _logs.CreateLogger("test"), TimeProvider.System);
        listener.Start();
        sink.WaitForCount("started", 1);
        Assert.Equal(TrackingState.Tracking, listener.State);
        return listener;
    }

    private sealed class ThrowingSink : IInvalidationSink
    {
        private int _calls;

        public int Calls => System.Threading.Volatile.Read(ref _calls);

        public void OnInvalidated(string key) => Throw();

        public void OnFlushed() => Throw();

        public void OnTrackingLost(string reason) => Throw();

        public void OnTrackingStarted() => Throw();

        public void OnTrackingUnsupported(string reason) => Throw();

        private void Throw()
        {
            System.Threading.Interlocked.Increment(ref _calls);
            throw new InvalidOperationException("sink failure");
        }
    }
}
