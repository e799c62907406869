using System;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.SingleFlight;

/// <summary>
/// The same race on a three-master Redis Cluster: the value and its lock share a slot (hash tags),
/// and the stored-value announcement reaches processes connected to other nodes.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ClusterSingleFlightTests
{
    private readonly ITestOutputHelper _output;

    public ClusterSingleFlightTests(ITestOutputHelper output) => _output = output;

    /// <summary>Without redis-server this is reported as skipped, with the reason; under CI=true it fails instead.</summary>
    [SkippableFact]
    public void Processes_on_a_three_master_cluster_compute_once()
    {
        RedisTestCluster.SkipUnlessItCanStart();

        using var cluster = RedisTestCluster.Start();
        var prefix = "cluster" + Guid.NewGuid().ToString("N").Substring(0, 8);
        using var workers = new WorkerProcesses(4, new[] { "--key", prefix, "--threads", "4", "--compute-ms", "1500" }, cluster.Url, prefix);
        workers.Go(TimeSpan.FromSeconds(60));
        workers.WaitForExit(TimeSpan.FromSeconds(60));

        var outcome = CrossProcessSingleFlightTests.Analyse(workers);
        _output.WriteLine($"cluster: computations {outcome.Computations}, results {outcome.ResultCount}, last caller returned {outcome.LastResultAt - outcome.LastComputeEnd} ms after the computation ended");
        Assert.True(outcome.Computations == 1, string.Join("\n", workers.Workers.Select(w => w.Describe())));
        Assert.Equal(16, outcome.ResultCount);
        Assert.Single(outcome.Values);

        using var connection = ConnectionMultiplexer.Connect(string.Join(",", cluster.Ports.Select(p => "127.0.0.1:" + p)));
        var keys = cluster.Ports.SelectMany(p => connection.GetServer("127.0.0.1", p).Keys(pattern: prefix + ":TestWorker.Slow.Compute*")).Select(k => k.ToString()).ToList();
        var valueKey = Assert.Single(keys);
        Assert.Matches(@"\{[0-9a-f]{32}\}$", valueKey);
        Assert.Equal(connection.HashSlot(valueKey), connection.HashSlot(valueKey + ":lock"));
    }
}
