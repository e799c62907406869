using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using AkCache.Internals.Configuration;
using AkCache.Internals.Distributed;
using AkCache.Internals.Engine;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Local;

/// <summary>
/// The local layer where Redis cannot track keys for AkCache: here an ACL user without
/// CLIENT TRACKING on redis-server, which behaves as Garnet does. The local layer answers first only
/// once a probe of this process came back through its own subscription to AkCache's channel, and
/// stops at once when a connection fails, until a probe comes back again.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ChannelOnlyCoherenceTests : MemoizeTestBase
{
    private const string ChannelUserPassword = "channel-only-pw";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly Func<string, string> _greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
    private readonly string _user = "chan" + Guid.NewGuid().ToString("N").Substring(0, 8);
    private readonly ConnectionMultiplexer _admin;

    public ChannelOnlyCoherenceTests(RedisServerFixture fixture)
        : base(fixture)
    {
        _admin = ConnectionMultiplexer.Connect(Server.Endpoint + ",allowAdmin=true");
    }

    private static LocalCoherence Coherence => AkCacheRuntime.State.Engine.Coherence;

    public override void Dispose()
    {
        base.Dispose();
        if (Server.Kind == RedisTestServer.RedisServerKind)
        {
            _admin.GetServer(Server.Endpoint).Execute("ACL", "DELUSER", _user);
        }

        _admin.Dispose();
    }

    [SkippableFact]
    public void Without_tracking_the_local_layer_answers_first_once_its_probe_came_back_and_sees_another_process_invalidate()
    {
        UseUserWithoutTracking("&*");
        var key = CachedAndServedLocally("Ada");
        Assert.True(Coherence.ChannelConfirmations >= 1);

        InvalidateFromAnotherProcess(key);

        WaitUntil(() => _greet("Ada") == "Hello, Ada" && WovenAssembly.Calls("Greet") == 2, "the other process's invalidation is seen");
    }

    [SkippableFact]
    public void Without_tracking_a_channel_that_cannot_be_subscribed_to_never_lets_the_local_layer_answer_first()
    {
        // The user may use the stored channel (the store script publishes on it) but not the invalidation channel.
        UseUserWithoutTracking($"&{Prefix}:akcache:stored");
        Assert.Equal("Hello, Ada", _greet("Ada"));
        var key = Assert.Single(StoredKeys());
        WaitUntil(() => Coherence.Listener?.State == TrackingState.Unsupported, "tracking is found unavailable");

        // Several rounds of probing (each finds no subscription and tries to make it again, in vain).
        Thread.Sleep(LocalCoherence.MaintenanceInterval * 4);
        Assert.False(Coherence.AllowsAnswerFirst);
        Assert.Equal(0, Coherence.ChannelConfirmations);

        Redis.KeyDelete(key);
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
    }

    [SkippableFact]
    public void Without_tracking_a_lost_connection_stops_answering_first_until_a_new_probe_came_back()
    {
        UseUserWithoutTracking("&*");
        var key = CachedAndServedLocally("Ada");
        var confirmations = Coherence.ChannelConfirmations;

        // Every connection of the user, the subscription's included, as a network failure would.
        _admin.GetServer(Server.Endpoint).Execute("CLIENT", "KILL", "USER", _user);

        WaitUntil(() => Coherence.ChannelConfirmations > confirmations, "a new probe came back after the reconnect");
        InvalidateFromAnotherProcess(key);
        WaitUntil(() => _greet("Ada") == "Hello, Ada" && WovenAssembly.Calls("Greet") == 2, "the invalidation after the reconnect is seen");
    }

    [SkippableFact]
    public void Without_tracking_a_channel_that_stops_delivering_without_a_disconnect_stops_answering_first_within_the_lease()
    {
        UseUserWithoutTracking("&*");
        CachedAndServedLocally("Ada");
        var confirmations = Coherence.ChannelConfirmations;

        // A frozen server: every connection stays open, and nothing published is delivered (PUBLISH waits).
        var server = _admin.GetServer(Server.Endpoint);
        server.Execute("CLIENT", "PAUSE", "8000", "WRITE");
        try
        {
            WaitUntil(() => !Coherence.AllowsAnswerFirst, "the local layer stops answering first once its probe no longer comes back");
        }
        finally
        {
            server.Execute("CLIENT", "UNPAUSE");
        }

        WaitUntil(() => Coherence.ChannelConfirmations > confirmations && Coherence.AllowsAnswerFirst, "a probe came back after the pause");
    }

    [Fact]
    public void A_configuration_disposed_before_its_first_connect_finished_starts_no_tracking()
    {
        var state = Internals.RuntimeState.Create(new AkCacheOptions { RedisUrl = Server.Url, Prefix = Prefix, LoggerFactory = Log });
        state.Dispose();

        // What the first connect does once it returns, after the configuration was replaced.
        using var connection = ConnectionMultiplexer.Connect(Server.Endpoint);
        var start = state.Engine.Coherence.StartAsync(connection, state.Redis!.Configuration, Prefix, state.Redis.Channels, state.Logger, TimeProvider.System, synchronous: true);

        Assert.True(start.IsCompletedSuccessfully);
        Assert.Null(state.Engine.Coherence.Listener);
        Assert.False(state.Engine.Coherence.AllowsAnswerFirst);
    }

    private void UseUserWithoutTracking(string channels)
    {
        if (Server.Kind != RedisTestServer.RedisServerKind)
        {
            Assert.False(RedisTestServer.RequireRealRedis, "CI is set, which requires redis-server for ACL users");
            Skip.If(true, "These tests make an ACL user of redis-server (any CI value turns this into a failure).");
        }

        _admin.GetServer(Server.Endpoint).Execute("ACL", "SETUSER", _user, "reset", "on", ">" + ChannelUserPassword, "~*", "resetchannels", channels, "+@all", "-client|tracking");
        Configure(o => o.RedisUrl = $"redis://{_user}:{ChannelUserPassword}@{Server.Endpoint}");
    }

    /// <summary>Caches Greet(name), then waits until the local layer answers it without Redis; returns its key.</summary>
    private string CachedAndServedLocally(string name)
    {
        Assert.Equal("Hello, " + name, _greet(name));
        var key = Assert.Single(StoredKeys());
        WaitUntil(() => Coherence.IsChannelOnly, "a probe came back through the channel");
        var hits = AkCacheRuntime.GetCacheInfo(() => _greet(name)).LocalHits;
        WaitUntil(() => _greet(name) == "Hello, " + name && AkCacheRuntime.GetCacheInfo(() => _greet(name)).LocalHits > hits, "the local layer answers first");
        Assert.Equal(1, WovenAssembly.Calls("Greet"));
        return key;
    }

    /// <summary>What AkCacheRuntime.Invalidate does in Redis from another process: the value goes, every process is told.</summary>
    private void InvalidateFromAnotherProcess(string key)
    {
        using var other = new RedisAccessor(RedisUrl.Parse(Server.Url), new AkCacheOptions { Prefix = Prefix }, new ListLoggerFactory(), TimeProvider.System);
        Assert.True(other.DeleteAndAnnounce(key));
    }

    private static void WaitUntil(Func<bool> condition, string what) => Wait.Until(condition, what, Patience);
}
