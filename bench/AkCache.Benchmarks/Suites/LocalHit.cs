using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 11: the local layer's hit with Redis up, for Add(int, int): the woven method against a
/// hand-written expiring memo (the baseline), the same memo without expiry (the plain limit), and
/// FusionCache's and HybridCache's memory hits with precomputed keys; and the same hit through the
/// Task and ValueTask entry points, which must not allocate either.
/// </summary>
[MemoryDiagnoser]
public class LocalHit
{
    /// <summary>The baseline's name, also <see cref="Drivers.LocalHitDriver"/>'s.</summary>
    internal const string Baseline = "hand-written expiring memo: XxHash128 + ConcurrentDictionary + TickCount64 deadline";

    private AddContenders _peers = null!;
    private int _a = 20;
    private int _b = 22;
    private string _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        AkCacheSetup.UseRedis(AkCacheSetup.NewPrefix("local-add"));

        // The breakdown rows: the two halves of a woven stub, on a method object of their own.
        _peers = new AddContenders("AkCache.Benchmarks.LocalBreakdown.Add(System.Int32,System.Int32)", "bench-local");
        _peers.PrecomputeKey(_a, _b);
        _ = AkCacheLookupAlone();
        LocalHitSetup.RequireLocalHits("AkCache lookup alone", () => AkCacheLookupAlone(), () => AkCacheRuntime.GetCacheInfo(() => AkCacheLookupAlone()).LocalHits);
        _ = Memoized.Add(_a, _b);
        LocalHitSetup.RequireLocalHits("AkCache local hit", () => Memoized.Add(_a, _b), () => AkCacheRuntime.GetCacheInfo(() => Memoized.Add(0, 0)).LocalHits);
        _ = Memoized.AddTask(_a, _b).Result;
        LocalHitSetup.RequireLocalHits("AkCache Task local hit", () => _ = Memoized.AddTask(_a, _b).Result, () => AkCacheRuntime.GetCacheInfo(() => Memoized.AddTask(0, 0)).LocalHits);
        _ = Memoized.AddValueTask(_a, _b).Result;
        LocalHitSetup.RequireLocalHits("AkCache ValueTask local hit", () => _ = Memoized.AddValueTask(_a, _b).Result, () => AkCacheRuntime.GetCacheInfo(() => Memoized.AddValueTask(0, 0)).LocalHits);
        _key = AddContenders.StringKey(_a, _b);
        _ = HandWrittenExpiringMemo();
        _ = HandWrittenLimit();
        _ = FusionCachePrecomputedKey();
        _ = HybridCachePrecomputedKey();
    }

    /// <summary>The setup of <see cref="AkCacheLocalHitListened"/>: the same, and a MeterListener enabling every instrument of the "AkCache" meter, collected as an exporter would.</summary>
    [GlobalSetup(Target = nameof(AkCacheLocalHitListened))]
    public void SetupListened()
    {
        Setup();
        _listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "AkCache")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _measured, value));
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measured));
        _listener.Start();
        _collector = new Timer(_ => _listener.RecordObservableInstruments(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    private System.Diagnostics.Metrics.MeterListener? _listener;
    private Timer? _collector;
    private long _measured;

    [GlobalCleanup]
    public void Cleanup()
    {
        _collector?.Dispose();
        _listener?.Dispose();
        _peers.Dispose();
        AkCacheRuntime.Reset();
    }

    /// <summary>The woven method with Redis up: KeyBuilder (XxHash128), then the local layer's answer.</summary>
    [Benchmark(Description = "AkCache, local hit (Redis up)")]
    public int AkCacheLocalHit() => Memoized.Add(_a, _b);

    /// <summary>The same hit while a MeterListener listens to every AkCache instrument and collects them every second: the hit path records nothing (its counts are read only at collection).</summary>
    [Benchmark(Description = "AkCache, local hit, a MeterListener on the AkCache meter attached")]
    public int AkCacheLocalHitListened() => Memoized.Add(_a, _b);

    [Benchmark(Description = "of which: the key alone (BeginKey, Add ×2, Complete)")]
    public AkCache.CompilerServices.MemoKey AkCacheKeyAlone() => _peers.KeyAlone(_a, _b);

    [Benchmark(Description = "of which: the lookup alone (Invoke, key precomputed)")]
    public int AkCacheLookupAlone() => _peers.LookupAlone(_a, _b);

    /// <summary>The Task entry point: an immutable value's hit returns the completed task kept with the entry.</summary>
    [Benchmark(Description = "AkCache async (Task<int>), local hit")]
    public Task<int> AkCacheTaskHit() => Memoized.AddTask(_a, _b);

    [Benchmark(Description = "AkCache async (ValueTask<int>), local hit")]
    public ValueTask<int> AkCacheValueTaskHit() => Memoized.AddValueTask(_a, _b);

    [Benchmark(Baseline = true, Description = Baseline)]
    public int HandWrittenExpiringMemo() => _peers.HandWrittenExpiringMemo(_a, _b);

    /// <summary>The plain limit: the same memo without expiry.</summary>
    [Benchmark(Description = "hand-written limit: XxHash128 + ConcurrentDictionary")]
    public int HandWrittenLimit() => _peers.HandWrittenLimit(_a, _b);

    [Benchmark(Description = "FusionCache GetOrSet, precomputed key")]
    public int FusionCachePrecomputedKey() => _peers.FusionCache(_key, _a, _b);

    [Benchmark(Description = "HybridCache GetOrCreate, precomputed key")]
    public int HybridCachePrecomputedKey() => _peers.HybridCache(_key, _a, _b);
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
