using System;
using System.Linq;
using AkCache.Benchmarks.Drivers;
using AkCache.Benchmarks.Infrastructure;

// Usage (bench/run.sh runs them all, in this order, against one redis-server it starts):
//   AkCache.Benchmarks [BenchmarkDotNet arguments, e.g. --filter '*'] [--quick]   items 1-6, 8 and 10, and the serializers alone (BenchmarkDotNet)
//   AkCache.Benchmarks latency [--quick]      item 2's p50/p99 (stopwatch loop) and redis-benchmark -c 1 floor
//   AkCache.Benchmarks throughput [--quick]   item 3 alone: 64 callers, AkCache and raw interleaved, with CPU time and work items per call
//   AkCache.Benchmarks throughput --contender akcache|raw [--seconds N]   one contender alone, for a profiler
//   AkCache.Benchmarks stampede [--quick]     item 7: a cold stampede across 8 processes
//   AkCache.Benchmarks values [--quick]       item 10 (DataTable): bytes stored, and hit and miss timed interleaved
//   AkCache.Benchmarks local-hit [--quick]    item 11: the local layer's hit against the memos and peers, interleaved
//   AkCache.Benchmarks redis-down [--quick]   item 8: per-call percentiles once Redis is down (starts and stops its own redis-server)
//   AkCache.Benchmarks build-time [--quick]   item 9: the build time that weaving 1,000 memoized methods adds
//   AkCache.Benchmarks invalidation [--quick] item 12: invalidation latency across 4 processes (starts its own redis-server and Garnet)
// --quick: short runs that only check that everything works; their figures mean nothing.
// Results: JSON in $AKCACHE_BENCH_RESULTS (default ./bench-results); bench/report.py turns them into docs/benchmarks.md.
// Redis: $AKCACHE_BENCH_REDIS (host:port on loopback) when set, else a redis-server started here on a free loopback port.
var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
var mode = rest.Length > 0 && !rest[0].StartsWith('-') ? rest[0] : "benchmarks";
var results = BenchResults.Directory;

switch (mode)
{
    case "stampede-worker":
        return StampedeDriver.Worker(rest.Skip(1).ToArray());
    case "redis-down":
        return RedisDownDriver.Run(quick, results);
    case "build-time":
        return BuildTimeDriver.Run(quick, results);
    case "invalidation":
        return InvalidationLatencyDriver.Run(quick, results);
    case "invalidation-worker":
        return InvalidationLatencyWorker.Run(rest.Skip(1).ToArray());
    case "garnet-server":
        return GarnetChild.Serve(rest.Skip(1).ToArray());
}

RedisServer? own = null;
if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BenchRedis.Variable)))
{
    own = RedisServer.Start();
    Environment.SetEnvironmentVariable(BenchRedis.Variable, own.Endpoint);
    Console.WriteLine($"Started redis-server (pid {own.ProcessId}) at {own.Endpoint}.");
}

try
{
    return mode switch
    {
        "benchmarks" => BenchmarkDriver.Run(rest, quick, results),
        "latency" => LatencyDriver.Run(quick, results),
        "throughput" => ThroughputDriver.Run(rest.Skip(1).ToArray(), quick, results),
        "stampede" => StampedeDriver.Run(quick, results),
        "values" => ValuesDriver.Run(quick, results),
        "local-hit" => LocalHitDriver.Run(quick, results),
        "large-values" => LargeValueDriver.Run(quick, results),
        _ => Usage(mode),
    };
}
catch (Exception ex)
{
    // Caught so that the finally block stops the redis-server started here.
    Console.Error.WriteLine(ex);
    return 1;
}
finally
{
    own?.Dispose();
}

static int Usage(string mode)
{
    Console.Error.WriteLine($"Unknown mode '{mode}': use latency, throughput, stampede, values, local-hit, large-values, redis-down, build-time, invalidation, or BenchmarkDotNet arguments.");
    return 2;
}
