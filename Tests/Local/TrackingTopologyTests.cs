using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using AkCache.Internals.Engine;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Local;

/// <summary>
/// Tracking follows the cluster's primaries: when a master joins and takes a slot, the listener is
/// made again for the new set, so that a change made on the new master is seen as on the others.
/// </summary>
public sealed class TrackingTopologyTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _prefix = "topo" + Guid.NewGuid().ToString("N").Substring(0, 10);
    private readonly Func<string, string> _greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
    private readonly ITestOutputHelper _output;

    public TrackingTopologyTests(ITestOutputHelper output) => _output = output;

    private static LocalCoherence Coherence => AkCacheRuntime.State.Engine.Coherence;

    public void Dispose() => AkCacheRuntime.Reset();

    [SkippableFact]
    public void A_master_added_to_the_cluster_is_tracked_and_an_external_DEL_there_is_seen()
    {
        RedisTestCluster.SkipUnlessItCanStart();
        using var cluster = RedisTestCluster.Start();
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = cluster.Url;
            o.Prefix = _prefix;
            o.LoggerFactory = new ListLoggerFactory();
        });
        WovenAssembly.ResetCalls();
        Assert.Equal("Hello, Ada", _greet("Ada"));
        WaitUntil(() => Coherence.IsTracking && Coherence.TrackedEndPoints.Count == 3, "tracking on the three masters");

        // The key's slot, emptied, goes to a new master.
        using var admin = ConnectionMultiplexer.Connect(string.Join(",", cluster.Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture))));
        var key = admin.GetServers().SelectMany(s => s.Keys(pattern: _prefix + ":*")).Select(k => k.ToString()).Single();
        Assert.True(AkCacheRuntime.Invalidate(() => _greet("Ada")));
        var added = cluster.AddMaster();
        cluster.MoveEmptySlot(cluster.KeySlot(key), added);

        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
        var newMaster = "127.0.0.1:" + added.ToString(CultureInfo.InvariantCulture);
        WaitUntil(() => Coherence.IsTracking && Coherence.TrackedEndPoints.Contains(newMaster), "tracking on the new master too");
        _output.WriteLine($"tracked: {string.Join(", ", Coherence.TrackedEndPoints)}; listener made again {Coherence.ListenerRebuilds} time(s)");
        Assert.True(Coherence.ListenerRebuilds >= 1);
        var hits = AkCacheRuntime.GetCacheInfo(() => _greet("Ada")).LocalHits;
        WaitUntil(() => _greet("Ada") == "Hello, Ada" && AkCacheRuntime.GetCacheInfo(() => _greet("Ada")).LocalHits > hits, "the local layer answers first");

        using (var onNewMaster = ConnectionMultiplexer.Connect(newMaster))
        {
            Assert.True(onNewMaster.GetDatabase().KeyDelete(key));
        }

        WaitUntil(() => _greet("Ada") == "Hello, Ada" && WovenAssembly.Calls("Greet") == 3, "the DEL on the new master is seen");
    }

    private static void WaitUntil(Func<bool> condition, string what) => Wait.Until(condition, what, Patience);
}
