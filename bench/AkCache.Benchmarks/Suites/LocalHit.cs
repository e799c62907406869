using System;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Hashing;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;
using ZiggyCreatures.Caching.Fusion;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 11: the local layer's hit with Redis up, for Add(int, int): the woven method against a
/// hand-written expiring memo (the baseline), the same memo without expiry (the plain limit), and
/// FusionCache's and HybridCache's memory hits with precomputed keys.
/// </summary>
[MemoryDiagnoser]
public class LocalHit
{
    private readonly ConcurrentDictionary<UInt128, int> _limit = new();
    private readonly ConcurrentDictionary<UInt128, (int Value, long Deadline)> _expiring = new();
    private FusionCache _fusion = null!;
    private PeerCaches.Hybrid _hybrid = null!;
    private int _a = 20;
    private int _b = 22;
    private string _key = null!;
    private AkCache.CompilerServices.MemoizedMethod _method = null!;
    private AkCache.CompilerServices.MemoKey _memoKey;
    private Func<(int, int), int> _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        AkCacheSetup.UseRedis(AkCacheSetup.NewPrefix("local-add"));

        // The breakdown rows: the two steps of a woven stub, on a method object of their own.
        _method = AkCache.CompilerServices.MemoizedMethod.Create("AkCache.Benchmarks.LocalBreakdown.Add(System.Int32,System.Int32)", "bench", 0);
        _memoKey = AkCacheKeyAlone();
        _body = static args => Plain.Add(args.Item1, args.Item2);
        _ = AkCacheLookupAlone();
        LocalHitSetup.RequireLocalHits("AkCache lookup alone", () => AkCacheLookupAlone(), () => AkCacheRuntime.GetCacheInfo(() => AkCacheLookupAlone()).LocalHits);
        _ = Memoized.Add(_a, _b);
        LocalHitSetup.RequireLocalHits("AkCache local hit", () => Memoized.Add(_a, _b), () => AkCacheRuntime.GetCacheInfo(() => Memoized.Add(0, 0)).LocalHits);
        _fusion = PeerCaches.FusionMemory();
        _hybrid = PeerCaches.CreateHybrid(endpoint: null, "bench-local");
        _key = $"add:{_a}:{_b}";
        _ = HandWrittenExpiringMemo();
        _ = HandWrittenLimit();
        _ = FusionCachePrecomputedKey();
        _ = HybridCachePrecomputedKey();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fusion.Dispose();
        _hybrid.Dispose();
        AkCacheRuntime.Reset();
    }

    /// <summary>The woven method with Redis up: KeyBuilder (XxHash128), then the local layer's answer.</summary>
    [Benchmark(Description = "AkCache, local hit (Redis up)")]
    public int AkCacheLocalHit() => Memoized.Add(_a, _b);

    [Benchmark(Description = "of which: the key alone (BeginKey, Add ×2, Complete)")]
    public AkCache.CompilerServices.MemoKey AkCacheKeyAlone()
    {
        var builder = _method.BeginKey();
        builder.Add(_a);
        builder.Add(_b);
        return builder.Complete();
    }

    [Benchmark(Description = "of which: the lookup alone (Invoke, key precomputed)")]
    public int AkCacheLookupAlone() => _method.Invoke(_memoKey, (_a, _b), _body, default);

    /// <summary>What a careful user would write: XxHash128 of the arguments, one ConcurrentDictionary lookup, a deadline check.</summary>
    [Benchmark(Baseline = true, Description = "hand-written expiring memo: XxHash128 + ConcurrentDictionary + TickCount64 deadline")]
    public int HandWrittenExpiringMemo()
    {
        var key = Hash(_a, _b);
        if (_expiring.TryGetValue(key, out var entry) && Environment.TickCount64 < entry.Deadline)
        {
            return entry.Value;
        }

        var value = Plain.Add(_a, _b);
        _expiring[key] = (value, Environment.TickCount64 + 86_400_000);
        return value;
    }

    /// <summary>The plain limit: the same memo without expiry.</summary>
    [Benchmark(Description = "hand-written limit: XxHash128 + ConcurrentDictionary")]
    public int HandWrittenLimit()
    {
        var key = Hash(_a, _b);
        if (_limit.TryGetValue(key, out var value))
        {
            return value;
        }

        value = Plain.Add(_a, _b);
        _limit[key] = value;
        return value;
    }

    [Benchmark(Description = "FusionCache GetOrSet, precomputed key")]
    public int FusionCachePrecomputedKey()
    {
        var (a, b) = (_a, _b);
        return _fusion.GetOrSet(_key, _ => Plain.Add(a, b));
    }

    [Benchmark(Description = "HybridCache GetOrCreate, precomputed key")]
    public int HybridCachePrecomputedKey() =>
        _hybrid.Cache.GetOrCreateAsync(_key, (_a, _b), static (s, _) => ValueTask.FromResult(Plain.Add(s.Item1, s.Item2))).GetAwaiter().GetResult();

    private static UInt128 Hash(int a, int b)
    {
        Span<byte> arguments = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(arguments, a);
        BinaryPrimitives.WriteInt32LittleEndian(arguments.Slice(4), b);
        return XxHash128.HashToUInt128(arguments);
    }
}

/// <summary>
/// Item 11, second part: a local hit of a mutable 1 KB record (Quote), which AkCache copies per hit
/// (it deserializes its stored bytes), against HybridCache's memory hit of the same record, which
/// deserializes per hit too (HybridCache shares only immutable types).
/// </summary>
[MemoryDiagnoser]
public class LocalHitRecord
{
    private PeerCaches.Hybrid _hybrid = null!;

    [GlobalSetup]
    public void Setup()
    {
        AkCacheSetup.UseRedis(AkCacheSetup.NewPrefix("local-quote"));
        _ = Memoized.GetQuote(1);
        LocalHitSetup.RequireLocalHits("AkCache local hit of a record", () => Memoized.GetQuote(1), () => AkCacheRuntime.GetCacheInfo(() => Memoized.GetQuote(0)).LocalHits);
        _hybrid = PeerCaches.CreateHybrid(endpoint: null, "bench-local-quote");
        _ = HybridCacheRecord();
        if (ReferenceEquals(Memoized.GetQuote(1), Memoized.GetQuote(1)) || ReferenceEquals(HybridCacheRecord(), HybridCacheRecord()))
        {
            throw new InvalidOperationException("a mutable record was shared between callers: the benchmark would not compare copies.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hybrid.Dispose();
        AkCacheRuntime.Reset();
    }

    [Benchmark(Description = "AkCache, local hit of a mutable 1 KB record (a copy per hit)")]
    public Quote AkCacheLocalHitRecord() => Memoized.GetQuote(1);

    [Benchmark(Baseline = true, Description = "HybridCache GetOrCreate of the same record, precomputed key (a copy per hit)")]
    public Quote HybridCacheRecord() =>
        _hybrid.Cache.GetOrCreateAsync("quote:1", static _ => ValueTask.FromResult(Quote.Create(1))).GetAwaiter().GetResult();
}

internal static class LocalHitSetup
{
    /// <summary>Waits until the local layer answers (tracking is on once the first connection is made), then checks that it does.</summary>
    public static void RequireLocalHits(string contender, Action call, Func<long> localHits)
    {
        var waited = Stopwatch.StartNew();
        var before = localHits();
        while (localHits() - before < 100)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{contender}: the local layer did not answer within 30 s; the benchmark would measure Redis hits.");
            }

            call();
            Thread.Sleep(1);
        }
    }
}
