using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Faults;

/// <summary>
/// A 3-master cluster whose first master has a replica (cluster-node-timeout 3 s): the master is
/// killed mid-run (SIGKILL), the cluster promotes the replica, and AkCache follows. Every call returns
/// the right result meanwhile and none throws; a warning names the outage; results computed for the
/// promoted replica's slots are stored on it afterwards: sharing resumes.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ClusterFailoverTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;
    private readonly ListLoggerFactory _log = new();
    private readonly string _prefix = "failover" + Guid.NewGuid().ToString("N").Substring(0, 8);

    public ClusterFailoverTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => AkCacheRuntime.Reset();

    [SkippableFact]
    public void A_master_killed_and_its_replica_promoted_keeps_every_result_right_and_sharing_resumes()
    {
        RedisTestCluster.SkipUnlessItCanStart();
        using var cluster = RedisTestCluster.Start(nodeTimeoutMilliseconds: 3000);
        var victim = cluster.Ports[0];
        var replica = cluster.AddReplicaOf(victim);
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = cluster.Url;
            o.Prefix = _prefix;
            o.LoggerFactory = _log;
        });
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        WovenAssembly.ResetCalls();
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(2 * i, add(i, i));
        }

        var onVictim = KeysOn(victim).Length;
        Assert.InRange(onVictim, 1, 29);
        Wait.Until(() => KeysOn(replica).Length == onVictim, "the replica holds the victim's values", Patience);

        cluster.Kill(victim);
        var clock = Stopwatch.StartNew();
        var round = 0;
        Wait.Until(
            () =>
            {
                // New arguments each round, some of which hash to the victim's slots: once one is stored on the replica, sharing resumed there.
                CallNewArguments(add, ++round);
                return cluster.Replication(replica).Contains("role:master", StringComparison.Ordinal) && KeysOn(replica).Length > onVictim;
            },
            "a result was stored on the promoted replica",
            Patience);
        _output.WriteLine($"sharing resumed on the promoted replica {clock.ElapsedMilliseconds} ms after the kill, in round {round}");

        // The dead master's breaker does not stay open for ever: closed by a call answered for its
        // slots (redirected to the replica while the client library's map still named it), or
        // dropped once a break passes with the map showing it owns no slot (ForgetNodesWithoutSlots).
        var redis = AkCacheRuntime.State.Redis!;
        Wait.Until(
            () =>
            {
                CallNewArguments(add, ++round);
                return redis.NodeBreakers.Values.All(b => b.IsClosed);
            },
            "no node breaker is left open",
            Patience);
        Assert.Contains(_log.Warnings, w => w.Contains("owns no slot any more", StringComparison.Ordinal) || w.Contains("Redis answers again for the keys of cluster node", StringComparison.Ordinal));
        foreach (var entry in _log.Entries)
        {
            _output.WriteLine($"{entry.Level}: {entry.Message}");
        }

        // Every computation is counted: the first 30, and at most one per new argument.
        Assert.InRange(WovenAssembly.Calls("Add"), 30 + 1, 30 + (round * 10));
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(2 * i, add(i, i));
        }

        Assert.Contains(_log.Warnings, w => w.Contains("unavailable", StringComparison.Ordinal) || w.Contains("refuses to store", StringComparison.Ordinal));
    }

    /// <summary>Ten calls with arguments new in <paramref name="round"/>, each answer checked, then a pause of 100 ms.</summary>
    private static void CallNewArguments(Func<int, int, int> add, int round)
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(1000 + (round * 100) + i, add(1000, (round * 100) + i));
        }

        Thread.Sleep(100);
    }

    [SkippableFact]
    public void A_dead_master_costs_only_the_calls_whose_keys_live_on_it_and_the_other_masters_keep_sharing()
    {
        RedisTestCluster.SkipUnlessItCanStart();
        using var cluster = RedisTestCluster.Start();
        var victim = cluster.Ports[0];
        var healthy = cluster.Ports.Skip(1).ToArray();
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        // Which calls hash to which master: a key's slot is its tag's, the same under any prefix.
        var mapping = _prefix + "map";
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = cluster.Url;
            o.Prefix = mapping;
            o.LoggerFactory = _log;
        });
        for (var j = 0; j < 60; j++)
        {
            Assert.Equal(7000 + j, add(7000, j));
        }

        var onHealthy = healthy.SelectMany(p => KeysOn(p, mapping)).Select(Tag).ToHashSet(StringComparer.Ordinal);
        var onVictim = KeysOn(victim, mapping).Select(Tag).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(60, onHealthy.Count + onVictim.Count);
        Assert.NotEmpty(onVictim);

        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = cluster.Url;
            o.Prefix = _prefix;
            o.LoggerFactory = _log;
        });
        Assert.Equal(2, add(1, 1));
        cluster.Kill(victim);
        WovenAssembly.ResetCalls();
        for (var j = 0; j < 60; j++)
        {
            Assert.Equal(7000 + j, add(7000, j));
        }

        foreach (var entry in _log.Entries)
        {
            _output.WriteLine($"{entry.Level}: {entry.Message}");
        }

        // Each call computed once, and every result whose key lives on a healthy master was stored
        // there: one breaker for the whole cluster would have skipped Redis for every call after the
        // first on the dead master, for a break.
        Assert.Equal(60, WovenAssembly.Calls("Add"));
        Assert.Equal(onHealthy.OrderBy(t => t, StringComparer.Ordinal), healthy.SelectMany(p => KeysOn(p, _prefix)).Select(Tag).Where(onHealthy.Contains).OrderBy(t => t, StringComparer.Ordinal));
        var warning = Assert.Single(_log.Warnings, w => w.Contains("unavailable", StringComparison.Ordinal));
        Assert.Contains($"cluster node 127.0.0.1:{victim} ", warning, StringComparison.Ordinal);
        Assert.True(AkCacheRuntime.State.Redis!.Breaker.IsClosed, "the whole connection's breaker stayed closed");
    }

    /// <summary>The hash tag of a key: "{...}" at its end.</summary>
    private static string Tag(string key) => key.Substring(key.LastIndexOf('{'));

    private string[] KeysOn(int port) => KeysOn(port, _prefix);

    private static string[] KeysOn(int port, string prefix)
    {
        using var connection = ConnectionMultiplexer.Connect($"127.0.0.1:{port},allowAdmin=true,connectTimeout=10000");
        return connection.GetServer("127.0.0.1", port).Keys(pattern: prefix + ":*").Select(k => k.ToString()).Where(k => !k.EndsWith(":lock", StringComparison.Ordinal) && !k.EndsWith(":awaited", StringComparison.Ordinal)).ToArray();
    }
}
