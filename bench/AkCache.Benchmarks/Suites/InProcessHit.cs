using System;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 1: a hit served in-process, for a method with two int arguments and an int result.
/// AkCache's in-process layer answers only while Redis is unavailable (docs/failures.md), so here
/// AkCache points at a closed loopback port: the first call opens the breaker, and with a one-hour
/// break every measured call is a memory-layer hit (no probe of Redis falls in the run).
/// </summary>
[MemoryDiagnoser]
public class InProcessHit
{
    private AddContenders _peers = null!;
    private int _a = 20;
    private int _b = 22;
    private string _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        AkCacheSetup.UseClosedPort(TimeSpan.FromHours(1));
        _ = Memoized.Add(_a, _b);
        var runs = Plain.AddBodyRuns;
        for (var i = 0; i < 100; i++)
        {
            _ = Memoized.Add(_a, _b);
        }

        if (Plain.AddBodyRuns != runs || runs != 1)
        {
            throw new InvalidOperationException($"AkCache memory layer: the body ran {Plain.AddBodyRuns} times; the benchmark would not measure hits.");
        }

        // The breakdown rows: the same two steps a woven stub takes, measured apart, on a method
        // object of their own (its entry is stored by the first call below).
        _peers = new AddContenders("AkCache.Benchmarks.Breakdown.Add(System.Int32,System.Int32)", "bench");
        _peers.PrecomputeKey(_a, _b);
        _ = AkCacheLookupAlone();
        runs = Plain.AddBodyRuns;
        _ = AkCacheLookupAlone();
        if (Plain.AddBodyRuns != runs)
        {
            throw new InvalidOperationException("AkCache lookup alone: the body ran again; the benchmark would not measure hits.");
        }

        _key = AddContenders.StringKey(_a, _b);
        _ = HandWrittenLimit();
        _ = FusionCacheKeyPerCall();
        _ = HybridCacheKeyPerCall();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _peers.Dispose();
        AkCacheRuntime.Reset();
    }

    /// <summary>The woven method: KeyBuilder (XxHash128), then MemoizedMethod.Invoke, answered by the memory layer.</summary>
    [Benchmark(Description = "AkCache, memory layer (Redis down)")]
    public int AkCacheMemoryLayer() => Memoized.Add(_a, _b);

    /// <summary>Breakdown, first step: the key exactly as the woven stub builds it (BeginKey, Add, Add, Complete).</summary>
    [Benchmark(Description = "AkCache, the key alone (BeginKey, Add ×2, Complete)")]
    public AkCache.CompilerServices.MemoKey AkCacheKeyAlone() => _peers.KeyAlone(_a, _b);

    /// <summary>Breakdown, second step: MemoizedMethod.Invoke with a key computed once (breaker, clock, lookup, shared value).</summary>
    [Benchmark(Description = "AkCache, the lookup alone (Invoke, key precomputed)")]
    public int AkCacheLookupAlone() => _peers.LookupAlone(_a, _b);

    [Benchmark(Baseline = true, Description = "hand-written: XxHash128 + ConcurrentDictionary")]
    public int HandWrittenLimit() => _peers.HandWrittenLimit(_a, _b);

    /// <summary>FusionCache (memory only) as a user calls it: a string key built from the arguments, a factory capturing them.</summary>
    [Benchmark(Description = "FusionCache GetOrSet, key built per call")]
    public int FusionCacheKeyPerCall() => _peers.FusionCache(AddContenders.StringKey(_a, _b), _a, _b);

    /// <summary>FusionCache with a key computed once: its own cost alone.</summary>
    [Benchmark(Description = "FusionCache GetOrSet, precomputed key")]
    public int FusionCachePrecomputedKey() => _peers.FusionCache(_key, _a, _b);

    [Benchmark(Description = "HybridCache GetOrCreate, key built per call")]
    public int HybridCacheKeyPerCall() => _peers.HybridCache(AddContenders.StringKey(_a, _b), _a, _b);

    [Benchmark(Description = "HybridCache GetOrCreate, precomputed key")]
    public int HybridCachePrecomputedKey() => _peers.HybridCache(_key, _a, _b);

    [Benchmark(Description = "plain call (not cached)")]
    public int PlainCall() => Plain.Add(_a, _b);
}

/// <summary>Item 1, second row set: the same woven method while Redis is up, which is AkCache's normal hit path today.</summary>
[MemoryDiagnoser]
public class InProcessHitViaRedis
{
    private StackExchange.Redis.IDatabase _database = null!;
    private string _rawKey = null!;
    private int _a = 20;
    private int _b = 22;

    [GlobalSetup]
    public void Setup()
    {
        // A Redis hit is measured: with the local layer on (the default), every call after the
        // first few would be answered in process, and the probe below would stop the run.
        AkCacheRuntime.Configure(options =>
        {
            options.RedisUrl = BenchRedis.Url;
            options.Prefix = AkCacheSetup.NewPrefix("add");
            options.LocalCache = false;
        });
        _ = Memoized.Add(_a, _b);
        RedisProbe.RequireRedisHits("AkCache Redis hit", 20, () => Memoized.Add(_a, _b));
        _database = RedisProbe.Connection.GetDatabase();
        _rawKey = AkCacheSetup.NewPrefix("raw-add");
        _database.StringSet(_rawKey, BenchSerializer.Serialize(42), TimeSpan.FromMinutes(30));
    }

    [GlobalCleanup]
    public void Cleanup() => AkCacheRuntime.Reset();

    [Benchmark(Description = "AkCache, Redis hit (Redis up)")]
    public int AkCacheRedisHit() => Memoized.Add(_a, _b);

    [Benchmark(Baseline = true, Description = "raw StringGet + MessagePack, int value")]
    public int RawRedisInt() => BenchSerializer.Deserialize<int>((ReadOnlyMemory<byte>)_database.StringGet(_rawKey));
}
