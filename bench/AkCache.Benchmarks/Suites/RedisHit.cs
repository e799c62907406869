using System;
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
/// Item 2: a Redis hit of a 1 KB value (<see cref="Quote"/>), one caller at a time. The peers'
/// memory layers are told to skip their read, so each call is what a process without the value
/// in L1 pays: the Redis read, deserialization, and the peer's own bookkeeping (its L1 write).
/// </summary>
[MemoryDiagnoser]
[ProcessCount(3)] // a round trip's cost differs from one process to the next by up to a third here: three processes each, their iterations pooled
public class RedisHit
{
    private const int Id = 7;

    private IDatabase _database = null!;
    private string _rawKey = null!;
    private string _peerKey = null!;
    private FusionCache _fusion = null!;
    private FusionCacheEntryOptions _fusionL2Hit = null!;
    private PeerCaches.Hybrid _hybrid = null!;
    private HybridCacheEntryOptions _hybridL2Hit = null!;

    [GlobalSetup]
    public void Setup()
    {
        // A Redis hit is measured: with the local layer on (the default), every call after the
        // first few would be answered in process, and the probe below would stop the run.
        AkCacheRuntime.Configure(options =>
        {
            options.RedisUrl = BenchRedis.Url;
            options.Prefix = AkCacheSetup.NewPrefix("hit");
            options.LocalCache = false;
        });
        _ = Memoized.GetQuote(Id);
        _ = Memoized.GetQuoteAsync(Id).GetAwaiter().GetResult();
        RedisProbe.RequireRedisHits("AkCache", 10, () => Memoized.GetQuote(Id));
        RedisProbe.RequireRedisHits("AkCache async", 10, () => Memoized.GetQuoteAsync(Id).GetAwaiter().GetResult());

        _database = RedisProbe.Connection.GetDatabase();
        _rawKey = AkCacheSetup.NewPrefix("raw-quote");
        var bytes = BenchSerializer.Serialize(Quote.Create(Id));
        if (bytes.Length != 1024)
        {
            throw new InvalidOperationException($"The 1 KB value is {bytes.Length} bytes.");
        }

        _database.StringSet(_rawKey, bytes, TimeSpan.FromMinutes(30));

        var instance = AkCacheSetup.NewPrefix("peer") + ":";
        _peerKey = "quote:" + Id;
        _fusion = PeerCaches.FusionWithRedis(BenchRedis.Endpoint, instance, distributedLocker: false);
        _fusionL2Hit = _fusion.CreateEntryOptions(o => o.SkipMemoryCacheRead = true);
        _ = _fusion.GetOrSet(_peerKey, _ => Quote.Create(Id));
        RedisProbe.RequireRedisHits("FusionCache L2", 10, () => FusionCacheL2());

        _hybrid = PeerCaches.CreateHybrid(BenchRedis.Endpoint, instance);
        _hybridL2Hit = new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheRead };
        _ = _hybrid.Cache.GetOrCreateAsync(_peerKey, static _ => ValueTask.FromResult(Quote.Create(Id))).AsTask().GetAwaiter().GetResult();
        RedisProbe.RequireRedisHits("HybridCache L2", 10, () => HybridCacheL2().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fusion.Dispose();
        _hybrid.Dispose();
        AkCacheRuntime.Reset();
    }

    [Benchmark(Description = "AkCache, Redis hit")]
    public Quote AkCache() => Memoized.GetQuote(Id);

    [Benchmark(Description = "AkCache async, Redis hit")]
    public Task<Quote> AkCacheAsync() => Memoized.GetQuoteAsync(Id);

    /// <summary>The floor for this client: one StringGet and the same MessagePack deserialization.</summary>
    [Benchmark(Baseline = true, Description = "raw StringGet + MessagePack")]
    public Quote RawRedis() => BenchSerializer.Deserialize<Quote>((ReadOnlyMemory<byte>)_database.StringGet(_rawKey));

    [Benchmark(Description = "raw StringGetAsync + MessagePack")]
    public async Task<Quote> RawRedisAsync() => BenchSerializer.Deserialize<Quote>((ReadOnlyMemory<byte>)await _database.StringGetAsync(_rawKey).ConfigureAwait(false));

    [Benchmark(Description = "FusionCache GetOrSet, L2 (Redis) hit")]
    public Quote FusionCacheL2() => _fusion.GetOrSet(_peerKey, _ => Quote.Create(Id), _fusionL2Hit);

    /// <summary>HybridCache has only an asynchronous API.</summary>
    [Benchmark(Description = "HybridCache GetOrCreateAsync, L2 (Redis) hit")]
    public async Task<Quote> HybridCacheL2() =>
        await _hybrid.Cache.GetOrCreateAsync(_peerKey, static _ => ValueTask.FromResult(Quote.Create(Id)), _hybridL2Hit).ConfigureAwait(false);
}
