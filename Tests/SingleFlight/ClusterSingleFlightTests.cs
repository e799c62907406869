using System;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.SingleFlight;

/// <summary>
/// The same race on a three-master Redis Cluster: the value, its lock and its awaited mark share a
/// slot (hash tags), and the stored-value announcement reaches processes connected to other nodes.
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
        var logs = cluster.Ports.Select(p => new CommandLog(p)).ToList();
        try
        {
            RaceOn(cluster, logs);
        }
        finally
        {
            logs.ForEach(l => l.Dispose());
        }
    }

    private void RaceOn(RedisTestCluster cluster, System.Collections.Generic.List<CommandLog> logs)
    {
        var prefix = "cluster" + Guid.NewGuid().ToString("N").Substring(0, 8);
        using var workers = new WorkerProcesses(4, new[] { "--key", prefix, "--threads", "4", "--compute-ms", "1500" }, cluster.Url, prefix);
        workers.Go(TimeSpan.FromSeconds(60));
        workers.WaitForExit(TimeSpan.FromSeconds(60));

        var outcome = CrossProcessSingleFlightTests.Analyse(workers);
        _output.WriteLine($"cluster: computations {outcome.Computations}, results {outcome.ResultCount}, last caller returned {outcome.LastResultAt - outcome.LastComputeEnd} ms after the computation ended");
        Assert.True(outcome.Computations == 1, string.Join("\n", workers.Workers.Select(w => w.Describe())));
        Assert.Equal(16, outcome.ResultCount);
        Assert.Single(outcome.Values);

        using var connection = ConnectionMultiplexer.Connect(string.Join(",", cluster.Ports.Select(p => "127.0.0.1:" + p)) + ",allowAdmin=true");
        var keys = cluster.Ports.SelectMany(p => connection.GetServer("127.0.0.1", p).Keys(pattern: prefix + ":TestWorker.Slow.Compute*")).Select(k => k.ToString()).ToList();
        var valueKey = Assert.Single(keys);
        Assert.Matches(@"\{[0-9a-f]{32}\}$", valueKey);
        Assert.Equal(connection.HashSlot(valueKey), connection.HashSlot(valueKey + ":lock"));

        // The cluster's own slot of each name the scripts take (a script naming keys of two
        // slots fails there with CROSSSLOT).
        var node = cluster.Ports.Select(p => connection.GetServer("127.0.0.1", p)).First(s => s.Keys(pattern: valueKey).Any());
        var slots = new[] { valueKey, valueKey + ":lock", valueKey + ":awaited" }.Select(k => (long)node.Execute("CLUSTER", "KEYSLOT", k)).ToList();
        Assert.Single(slots.Distinct());

        // Three processes waited, so a look marked the value as awaited, and the store script, which
        // reads that mark, put the value in the announcement: the mark lives in the script's slot.
        var commands = logs.SelectMany(l => l.AllSoFar()).ToList();
        _output.WriteLine($"awaited marks written: {commands.Count(c => c.FromScript && c.Name == "SET" && c.Arguments.Count > 0 && c.Arguments[0] == valueKey + ":awaited")}");
        Assert.Contains(commands, c => c.FromScript && c.Name == "SET" && c.Arguments.Count > 0 && c.Arguments[0] == valueKey + ":awaited");
        var announcement = Assert.Single(commands, c => c.IsAnnouncementOf(valueKey));
        Assert.StartsWith(valueKey + "\n", announcement.Arguments[1], StringComparison.Ordinal);
    }
}
