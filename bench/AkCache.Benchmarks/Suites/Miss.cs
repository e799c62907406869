using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 4: the miss path. Every call has arguments never seen before, so it reads Redis (a miss),
/// computes the 1 KB value (about a microsecond) and stores it with a 5-minute time to live. The
/// peers also take their locks: FusionCache its in-process lock, and with the distributed locker a
/// Redis lock as well; HybridCache its in-process stampede protection. AkCache, since single flight,
/// joins the in-process flight and takes the Redis lock (SET NX, released by a script that publishes
/// the stored key); a runtime without single flight takes no lock, and docs/benchmarks.md says which
/// one a run measured.
/// </summary>
[MemoryDiagnoser]
public class Miss
{
    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);

    private IDatabase _database = null!;
    private string _prefix = null!;
    private long _next;
    private FusionCache _fusion = null!;
    private FusionCache _fusionLocker = null!;
    private PeerCaches.Hybrid _hybrid = null!;
    private HybridCacheEntryOptions _hybridOptions = null!;

    [GlobalSetup]
    public void Setup()
    {
        _prefix = AkCacheSetup.NewPrefix("miss");
        AkCacheSetup.UseRedis(_prefix);
        _database = RedisProbe.Connection.GetDatabase();
        _fusion = PeerCaches.FusionWithRedis(BenchRedis.Endpoint, _prefix + ":fusion:", distributedLocker: false);
        _fusion.DefaultEntryOptions.Duration = TimeToLive;
        _fusionLocker = PeerCaches.FusionWithRedis(BenchRedis.Endpoint, _prefix + ":fusion-locker:", distributedLocker: true);
        _fusionLocker.DefaultEntryOptions.Duration = TimeToLive;
        _hybrid = PeerCaches.CreateHybrid(BenchRedis.Endpoint, _prefix + ":hybrid:");
        _hybridOptions = new HybridCacheEntryOptions { Expiration = TimeToLive, LocalCacheExpiration = TimeToLive };

        // Warm every path (connections, JIT) on keys of its own.
        for (var i = 0; i < 3; i++)
        {
            _ = AkCache();
            _ = RawRedis();
            _ = FusionCache();
            _ = FusionCacheDistributedLocker();
            HybridCache().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fusion.Dispose();
        _fusionLocker.Dispose();
        _hybrid.Dispose();
        AkCacheRuntime.Reset();
    }

    [Benchmark(Description = "AkCache miss")]
    public Quote AkCache() => Memoized.FreshQuote(Next());

    /// <summary>The floor: GET (nil), compute, serialize, SET with a time to live; no lock.</summary>
    [Benchmark(Baseline = true, Description = "raw GET + compute + MessagePack + SET")]
    public Quote RawRedis()
    {
        var id = Next();
        var key = _prefix + ":raw:" + id;
        var stored = _database.StringGet(key);
        if (!stored.IsNull)
        {
            return BenchSerializer.Deserialize<Quote>((ReadOnlyMemory<byte>)stored);
        }

        var value = Quote.Create(id);
        _database.StringSet(key, BenchSerializer.Serialize(value), TimeToLive);
        return value;
    }

    [Benchmark(Description = "FusionCache GetOrSet miss (memory lock, L1 + L2)")]
    public Quote FusionCache()
    {
        var id = Next();
        return _fusion.GetOrSet("quote:" + id, _ => Quote.Create(id));
    }

    [Benchmark(Description = "FusionCache GetOrSet miss + Redis distributed locker")]
    public Quote FusionCacheDistributedLocker()
    {
        var id = Next();
        return _fusionLocker.GetOrSet("quote:" + id, _ => Quote.Create(id));
    }

    [Benchmark(Description = "HybridCache GetOrCreateAsync miss (L1 + L2)")]
    public async Task<Quote> HybridCache() =>
        await _hybrid.Cache.GetOrCreateAsync("quote:" + Next(), static _ => ValueTask.FromResult(Quote.Create(1)), _hybridOptions).ConfigureAwait(false);

    private long Next() => Interlocked.Increment(ref _next);
}
