using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Local;

/// <summary>
/// ClearAll against a primary and its replica, servers of this class's own: a replica that is down
/// holds no keys of its own and must not stop a clear; a primary that is down must, with a message
/// that says what was and was not removed.
/// </summary>
public sealed class ClearAcrossServersTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _prefix = "clr" + Guid.NewGuid().ToString("N").Substring(0, 10);
    private readonly Func<string, string> _greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
    private readonly ListLoggerFactory _log = new();
    private RedisTestServer? _primary;
    private RedisTestServer? _replica;

    public void Dispose()
    {
        AkCacheRuntime.Reset();
        _replica?.Dispose();
        _primary?.Dispose();
    }

    [SkippableFact]
    public void A_replica_that_is_down_does_not_stop_a_clear()
    {
        var (primary, replica) = PrimaryAndReplica();
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal("Hello, Bob", _greet("Bob"));
        Assert.Equal(2, KeysOn(primary).Length);

        replica.Stop();
        WaitUntil(() => !Multiplexer.GetServer(replica.Endpoint).IsConnected, "the replica is seen as down");

        Assert.Equal(2, AkCacheRuntime.ClearAll());
        Assert.Empty(KeysOn(primary));
        Assert.Equal(0, AkCacheRuntime.State.Local.Count);
    }

    [SkippableFact]
    public void A_primary_that_is_down_stops_a_clear_and_the_message_says_this_process_was_cleared_but_not_Redis()
    {
        var (primary, _) = PrimaryAndReplica();
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal(1, AkCacheRuntime.State.Local.Count);

        primary.Stop();
        WaitUntil(() => !Multiplexer.GetServer(primary.Endpoint).IsConnected, "the primary is seen as down");

        var error = Assert.Throws<InvalidOperationException>(() => AkCacheRuntime.ClearAll());
        Assert.Contains($"the Redis primary at {primary.Endpoint} is not connected", error.Message);
        Assert.Contains("This process's own entries were removed, but nothing was deleted in Redis", error.Message);
        Assert.Equal(0, AkCacheRuntime.State.Local.Count);
    }

    private static IConnectionMultiplexer Multiplexer => AkCacheRuntime.State.Redis!.Connection!;

    private (RedisTestServer Primary, RedisTestServer Replica) PrimaryAndReplica()
    {
        if (RedisTestServer.FindRedisServer() is null)
        {
            Assert.False(RedisTestServer.RequireRealRedis, "CI is set, which requires redis-server on PATH; install it with apt-get install redis-server");
            Skip.If(true, "redis-server is not on PATH; a replica needs it (any CI value turns this into a failure).");
        }

        var primary = _primary = RedisTestServer.StartRedisServer();
        var replica = _replica = RedisTestServer.StartRedisServer();
        using (var admin = ConnectionMultiplexer.Connect(replica.Endpoint + ",allowAdmin=true"))
        {
            admin.GetServer(replica.Endpoint).Execute("REPLICAOF", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture));
            WaitUntil(() => admin.GetServer(replica.Endpoint).Info("replication").SelectMany(g => g).Any(p => p.Key == "master_link_status" && p.Value == "up"), "the replica follows the primary");
        }

        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = primary.Url + "," + replica.Url;
            o.Prefix = _prefix;
            o.LoggerFactory = _log;
        });
        WovenAssembly.ResetCalls();
        Assert.Equal("Hello, Eve", _greet("Eve"));
        WaitUntil(() => Multiplexer.GetServer(replica.Endpoint) is { IsConnected: true, IsReplica: true }, "the client sees the replica as a replica");
        Assert.True(AkCacheRuntime.Invalidate(() => _greet("Eve")));
        return (primary, replica);
    }

    private string[] KeysOn(RedisTestServer server)
    {
        using var admin = ConnectionMultiplexer.Connect(server.Endpoint + ",allowAdmin=true");
        return admin.GetServer(server.Endpoint).Keys(pattern: _prefix + ":*").Select(k => k.ToString()).ToArray();
    }

    private static void WaitUntil(Func<bool> condition, string what) => Wait.Until(condition, what, Patience);
}
