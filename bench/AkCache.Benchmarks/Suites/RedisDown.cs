using System;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 8: Redis down, once the first failure is known. AkCache points at a closed loopback port
/// with the default 2-second break, so the measured calls include one probe of Redis every 2 s, as
/// in production. The percentiles (p99) come from the stopwatch loop of `redis-down`, which stops a
/// real redis-server mid-run; this gives the mean and the allocations.
/// </summary>
[MemoryDiagnoser]
public class RedisDown
{
    private int _a = 20;
    private int _b = 22;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        AkCacheSetup.UseClosedPort(new AkCacheOptions().BreakDuration);
        _ = Memoized.Add(_a, _b);
    }

    [GlobalCleanup]
    public void Cleanup() => AkCacheRuntime.Reset();

    [Benchmark(Description = "AkCache, Redis down, hit (memory layer)")]
    public int Hit() => Memoized.Add(_a, _b);

    /// <summary>New arguments every call: the body runs, and the result goes to the memory layer (bounded at 10,000 entries).</summary>
    [Benchmark(Description = "AkCache, Redis down, miss (runs the body)")]
    public int Miss() => Memoized.Add(++_next, _b);
}
