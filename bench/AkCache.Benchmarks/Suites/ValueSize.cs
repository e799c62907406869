using System;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 6: a Redis hit against the size of the value, a byte[] of random bytes (incompressible;
/// MessagePack writes it as one bin block), one caller at a time.
/// </summary>
[MemoryDiagnoser]
public class ValueSize
{
    private IDatabase _database = null!;
    private string _rawKey = null!;

    [Params(100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // A Redis hit is measured: with the local layer on (the default), every call after the
        // first few would be answered in process, and the probe below would stop the run.
        AkCacheRuntime.Configure(options =>
        {
            options.RedisUrl = BenchRedis.Url;
            options.Prefix = AkCacheSetup.NewPrefix("size");
            options.LocalCache = false;
        });
        _ = Memoized.Blob(Size);
        RedisProbe.RequireRedisHits("AkCache", 3, () => Memoized.Blob(Size));
        _database = RedisProbe.Connection.GetDatabase();
        _rawKey = AkCacheSetup.NewPrefix("raw-blob");
        _database.StringSet(_rawKey, BenchSerializer.Serialize(Plain.Blob(Size)), TimeSpan.FromMinutes(30));
    }

    [GlobalCleanup]
    public void Cleanup() => AkCacheRuntime.Reset();

    [Benchmark(Description = "AkCache, Redis hit")]
    public byte[] AkCache() => Memoized.Blob(Size);

    [Benchmark(Baseline = true, Description = "raw StringGet + MessagePack")]
    public byte[] RawRedis() => BenchSerializer.Deserialize<byte[]>((ReadOnlyMemory<byte>)_database.StringGet(_rawKey));
}
