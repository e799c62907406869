using System;
using System.Collections.Generic;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Values;

/// <summary>
/// The hash tag mixes the argument hash with the method's identity: the results of methods without
/// arguments (whose argument hashes are all equal) spread over the slots and the masters of a cluster,
/// instead of one slot holding them all.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ClusterSpreadTests
{
    private readonly ITestOutputHelper _output;

    public ClusterSpreadTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void Results_of_methods_without_arguments_spread_over_three_masters()
    {
        RedisTestCluster.SkipUnlessItCanStart();

        using var cluster = RedisTestCluster.Start();
        var prefix = "spread" + Guid.NewGuid().ToString("N").Substring(0, 8);
        var run = WorkerProcesses.RunToEnd(cluster.Url, prefix, "--results");

        using var connection = ConnectionMultiplexer.Connect(string.Join(",", cluster.Ports.Select(p => "127.0.0.1:" + p)));
        var perMaster = cluster.Ports.ToDictionary(p => p, p => connection.GetServer("127.0.0.1", p).Keys(pattern: prefix + ":TestWorker.Results.*").Select(k => k.ToString()).ToList());
        var keys = perMaster.Values.SelectMany(k => k).ToList();
        _output.WriteLine("keys per master: " + string.Join(", ", perMaster.Select(p => $"{p.Key}: {p.Value.Count}")));

        Assert.True(keys.Count >= 40, $"{keys.Count} keys:\n{run}");
        Assert.All(keys, k => Assert.Contains("():", k));
        Assert.All(perMaster.Values, onOne => Assert.InRange(onOne.Count, 1, keys.Count * 6 / 10));
        Assert.True(keys.Select(k => connection.HashSlot(k)).Distinct().Count() >= keys.Count - 2, "the keys share slots");
    }
}
