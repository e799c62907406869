using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AkCache.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Local;

/// <summary>A redis-server of <see cref="CrossProcessCoherenceTests"/>'s own: its FLUSHALL touches no other class's data.</summary>
public sealed class CoherenceRedisFixture : IDisposable
{
    private readonly Lazy<RedisTestServer> _server = new(RedisTestServer.StartRedisServer);

    /// <summary>The server, started on first use (after the test knows redis-server is there).</summary>
    public RedisTestServer Server => _server.Value;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}

/// <summary>
/// The local layers of four TestWorker processes (<c>--coherence</c>) kept coherent across processes:
/// a change made elsewhere (an operator's DEL, SET or FLUSHALL; AkCache's own Invalidate or
/// ClearMethod in another process) stops every process's local layer from serving the old value.
/// Each process measures, by calling every millisecond, how long after the change its local layer
/// still answered; the latencies are printed, and the only bound asserted on them is a generous one
/// for correctness (<see cref="Bound"/>), not for speed.
/// </summary>
public sealed class CrossProcessCoherenceTests : IClassFixture<CoherenceRedisFixture>
{
    private const string MethodPattern = ":TestWorker.Coherent.Value(System.String):*";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LocalTimeout = TimeSpan.FromSeconds(20);
    private readonly CoherenceRedisFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _prefix = "coherence" + Guid.NewGuid().ToString("N").Substring(0, 10);

    public CrossProcessCoherenceTests(CoherenceRedisFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [SkippableFact]
    public void An_external_DEL_stops_every_process_serving_the_old_value()
    {
        var server = RedisServer();
        using var workers = new CoherenceWorkers(4, server.Url, _prefix);
        using var admin = Admin(server.Endpoint);
        var old = ShareLocally(workers.All, "x");
        var key = SingleKey(admin, server.Endpoint);

        var seen = ChangeAndWatch(workers.All, "x", () => Assert.True(admin.GetDatabase().KeyDelete(key)));

        Report("external DEL (redis-server)", seen);
        Assert.All(seen, s => Assert.NotEqual(old, s.Value));

        // After the deletion one process computed again, and the others read its value.
        Assert.Single(seen.Select(s => s.Value).Distinct());
    }

    /// <summary>
    /// A valid overwrite: a stored value is bound to its key (docs/values.md), so the test keeps the
    /// key's first envelope, has AkCache replace it by a second computation, and puts the first back
    /// with SET, as an operator restoring a value would: every process then serves the first again.
    /// </summary>
    [SkippableFact]
    public void An_external_SET_of_another_valid_value_is_served_by_every_process()
    {
        var server = RedisServer();
        using var workers = new CoherenceWorkers(4, server.Url, _prefix);
        using var admin = Admin(server.Endpoint);
        var first = ShareLocally(workers.All, "x");
        var key = SingleKey(admin, server.Endpoint);
        var firstEnvelope = admin.GetDatabase().StringGet(key);
        Assert.False(firstEnvelope.IsNull);

        var recomputed = ChangeAndWatch(workers.All.Skip(1).ToList(), "x", () => workers.All[0].Send("invalidate x"));
        workers.All[0].Expect("INVALIDATED", Bound);
        var second = ShareLocally(workers.All, "x");
        Assert.NotEqual(first, second);
        Assert.All(recomputed, s => Assert.Equal(second, s.Value));

        var seen = ChangeAndWatch(workers.All, "x", () => Assert.True(admin.GetDatabase().StringSet(key, firstEnvelope, expiry: null, keepTtl: true)));

        Report("external SET (redis-server)", seen);
        Assert.All(seen, s => Assert.Equal(first, s.Value));
    }

    [SkippableFact]
    public void An_external_FLUSHALL_stops_every_process_serving_the_old_value()
    {
        var server = RedisServer();
        using var workers = new CoherenceWorkers(4, server.Url, _prefix);
        using var admin = Admin(server.Endpoint);
        var old = ShareLocally(workers.All, "x");

        var seen = ChangeAndWatch(workers.All, "x", () => admin.GetServer(server.Endpoint).FlushAllDatabases());

        Report("external FLUSHALL (redis-server)", seen);
        Assert.All(seen, s => Assert.NotEqual(old, s.Value));
    }

    [SkippableFact]
    public void Invalidate_in_one_process_reaches_the_other_three_on_redis_server()
    {
        var server = RedisServer();
        InvalidateReachesTheOthers(server, "redis-server");
    }

    [SkippableFact]
    public void ClearMethod_in_one_process_reaches_the_other_three_on_redis_server()
    {
        var server = RedisServer();
        ClearMethodReachesTheOthers(server, "redis-server");
    }

    [Fact]
    public void Invalidate_in_one_process_reaches_the_other_three_on_Garnet()
    {
        using var garnet = RedisTestServer.StartGarnet();
        InvalidateReachesTheOthers(garnet, "Garnet");
    }

    [Fact]
    public void ClearMethod_in_one_process_reaches_the_other_three_on_Garnet()
    {
        using var garnet = RedisTestServer.StartGarnet();
        ClearMethodReachesTheOthers(garnet, "Garnet");
    }

    /// <summary>
    /// The documented loss on a server without key tracking: an operator's DEL reaches no local
    /// layer, which keeps answering its value (until it expires, or AkCache's own channel says
    /// otherwise, checked last).
    /// </summary>
    [Fact]
    public void On_Garnet_an_external_DEL_is_not_seen_and_every_process_keeps_serving_its_local_value()
    {
        using var garnet = RedisTestServer.StartGarnet();
        using var workers = new CoherenceWorkers(4, garnet.Url, _prefix);
        using var admin = Admin(garnet.Endpoint);
        var old = ShareLocally(workers.All, "x");
        var key = SingleKey(admin, garnet.Endpoint);

        var watch = TimeSpan.FromSeconds(2);
        var kept = ChangeAndWatch(workers.All, "x", () => Assert.True(admin.GetDatabase().KeyDelete(key)), watch);

        Assert.False(admin.GetDatabase().KeyExists(key));
        Assert.All(kept, s => Assert.Null(s.LatencyMs));
        Assert.All(kept, s => Assert.Equal(old, s.Value));
        _output.WriteLine($"Garnet, external DEL: all 4 processes still served {old} from their local layer {watch.TotalSeconds} s later (the documented loss)");

        // AkCache's own invalidation still reaches them.
        var seen = ChangeAndWatch(workers.All.Skip(1).ToList(), "x", () => workers.All[0].Send("invalidate x"));
        Assert.All(seen, s => Assert.NotEqual(old, s.Value));
    }

    /// <summary>
    /// ClearMethod on a three-master cluster scans every primary: the method's keys, spread over the
    /// three by their hash tags, are all deleted, and the other processes stop serving every argument.
    /// </summary>
    [SkippableFact]
    public void ClearMethod_on_a_three_master_cluster_deletes_the_keys_of_every_primary_and_reaches_the_other_processes()
    {
        RedisTestCluster.SkipUnlessItCanStart();
        using var cluster = RedisTestCluster.Start();
        using var workers = new CoherenceWorkers(4, cluster.Url, _prefix);
        using var admin = ConnectionMultiplexer.Connect(string.Join(",", cluster.Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture))) + ",allowAdmin=true");
        var arguments = Enumerable.Range(0, 40).Select(i => "a" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var before = arguments.ToDictionary(a => a, a => ShareLocally(workers.All, a));

        var perNode = KeysPerNode(admin, cluster.Ports);
        _output.WriteLine("keys per primary before ClearMethod: " + string.Join(", ", perNode));
        Assert.All(perNode, count => Assert.True(count > 0, "every primary holds some of the 40 arguments' keys: " + string.Join(", ", perNode)));

        var at = CoherenceWorkers.NowMs();
        workers.All[0].Send("clear");
        var cleared = long.Parse(workers.All[0].Expect("CLEARED", Bound)[1], CultureInfo.InvariantCulture);

        // Nothing called the method since: any key left is one ClearMethod missed.
        var after = KeysPerNode(admin, cluster.Ports);
        _output.WriteLine($"ClearMethod deleted {cleared} keys; keys per primary after: " + string.Join(", ", after));
        Assert.All(after, count => Assert.Equal(0, count));
        Assert.Equal(perNode.Sum(), cleared);

        foreach (var worker in workers.All.Skip(1))
        {
            foreach (var argument in arguments)
            {
                worker.Send(string.Create(CultureInfo.InvariantCulture, $"poll {argument} {(int)Bound.TotalMilliseconds} {at:F3}"));
                var (latency, value) = worker.PollOutcome(Bound + TimeSpan.FromSeconds(5));
                Assert.True(latency is not null, $"worker {worker.Number} still served {value} for {argument} {Bound.TotalSeconds} s after ClearMethod:\n{workers.Describe()}");
                Assert.NotEqual(before[argument], value);
            }
        }
    }

    private void InvalidateReachesTheOthers(RedisTestServer server, string kind)
    {
        using var workers = new CoherenceWorkers(4, server.Url, _prefix);
        var old = ShareLocally(workers.All, "x");
        var others = workers.All.Skip(1).ToList();

        var seen = ChangeAndWatch(others, "x", () => workers.All[0].Send("invalidate x"));

        Assert.Equal("True", workers.All[0].Expect("INVALIDATED", Bound)[2]);
        Report($"Invalidate in worker 1 ({kind})", seen);
        Assert.All(seen, s => Assert.NotEqual(old, s.Value));
    }

    private void ClearMethodReachesTheOthers(RedisTestServer server, string kind)
    {
        using var workers = new CoherenceWorkers(4, server.Url, _prefix);
        var old = ShareLocally(workers.All, "x");
        var otherOld = ShareLocally(workers.All, "y");
        var others = workers.All.Skip(1).ToList();

        var seen = ChangeAndWatch(others, "x", () => workers.All[0].Send("clear"));

        Assert.True(long.Parse(workers.All[0].Expect("CLEARED", Bound)[1], CultureInfo.InvariantCulture) >= 2);
        Report($"ClearMethod in worker 1 ({kind})", seen);
        Assert.All(seen, s => Assert.NotEqual(old, s.Value));

        // The whole method went, not the polled argument alone.
        foreach (var worker in others)
        {
            worker.Send(string.Create(CultureInfo.InvariantCulture, $"poll y {(int)Bound.TotalMilliseconds} {CoherenceWorkers.NowMs():F3}"));
            var (latency, value) = worker.PollOutcome(Bound + TimeSpan.FromSeconds(5));
            Assert.True(latency is not null, $"worker {worker.Number} still served {value} for y after ClearMethod:\n{workers.Describe()}");
            Assert.NotEqual(otherOld, value);
        }
    }

    private RedisTestServer RedisServer()
    {
        if (RedisTestServer.FindRedisServer() is null)
        {
            Assert.False(RedisTestServer.RequireRealRedis, "CI is set, which requires redis-server on PATH; install it with apt-get install redis-server");
            Skip.If(true, "redis-server is not on PATH; these tests need its key tracking (any CI value turns this into a failure).");
        }

        return _fixture.Server;
    }

    private static ConnectionMultiplexer Admin(string endpoint) => ConnectionMultiplexer.Connect(endpoint + ",allowAdmin=true");

    /// <summary>The first worker computes <paramref name="argument"/>, the others read it; each then serves it from its local layer.</summary>
    private static string ShareLocally(IReadOnlyList<CoherenceWorker> workers, string argument)
    {
        var (value, _) = workers[0].Call(argument);
        foreach (var worker in workers)
        {
            Assert.Equal(value, worker.ServeLocally(argument, LocalTimeout));
        }

        return value;
    }

    /// <summary>
    /// Arms a poll in each of <paramref name="watchers"/> (each serving the old value locally), makes
    /// the change, and tells them when it was made; returns each one's latency and new value, or a
    /// null latency and the value it kept serving for <paramref name="watch"/> (default <see cref="Bound"/>).
    /// </summary>
    private static List<(double? LatencyMs, string Value)> ChangeAndWatch(IReadOnlyList<CoherenceWorker> watchers, string argument, Action change, TimeSpan? watch = null)
    {
        var timeout = watch ?? Bound;
        foreach (var watcher in watchers)
        {
            watcher.ArmPoll(argument, timeout);
        }

        var at = CoherenceWorkers.NowMs();
        change();
        foreach (var watcher in watchers)
        {
            watcher.Send(string.Create(CultureInfo.InvariantCulture, $"at {at:F3}"));
        }

        var outcomes = watchers.Select(w => w.PollOutcome(timeout + TimeSpan.FromSeconds(10))).ToList();
        if (watch is null)
        {
            Assert.True(outcomes.All(o => o.LatencyMs is not null), $"a process still served the old value of {argument} {timeout.TotalSeconds} s after the change:\n" + string.Join("\n", watchers.Select(w => w.Describe())));
        }

        return outcomes;
    }

    private void Report(string what, IEnumerable<(double? LatencyMs, string Value)> seen) =>
        _output.WriteLine($"{what}: the old value stopped being served after " + string.Join(", ", seen.Select(s => s.LatencyMs!.Value.ToString("F1", CultureInfo.InvariantCulture) + " ms")));

    private string SingleKey(ConnectionMultiplexer admin, string endpoint) =>
        Assert.Single(admin.GetServer(endpoint).Keys(pattern: _prefix + MethodPattern)).ToString();

    private List<int> KeysPerNode(ConnectionMultiplexer admin, IReadOnlyList<int> ports) =>
        ports.Select(p => admin.GetServer("127.0.0.1", p).Keys(pattern: _prefix + MethodPattern, pageSize: 100).Count()).ToList();
}
