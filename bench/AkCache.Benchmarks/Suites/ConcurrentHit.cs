using System;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 3: 64 asynchronous callers at once, each awaiting <see cref="CallsPerCaller"/> Redis hits of
/// the 1 KB value in a row. The time is per call; throughput is its inverse.
/// </summary>
[MemoryDiagnoser]
[ProcessCount(5)] // a round trip's cost differs from one process to the next by up to a half here: five processes each, their iterations pooled
public class ConcurrentHit
{
    public const int Callers = 64;
    public const int CallsPerCaller = 100;
    private const int Calls = Callers * CallsPerCaller;
    private const int Id = 7;

    private IDatabase _database = null!;
    private string _rawKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        // A Redis hit is measured: with the local layer on (the default), every call after the
        // first few would be answered in process, and the probe below would stop the run.
        AkCacheRuntime.Configure(options =>
        {
            options.RedisUrl = BenchRedis.Url;
            options.Prefix = AkCacheSetup.NewPrefix("concurrent");
            options.LocalCache = false;
        });
        _ = Memoized.GetQuoteAsync(Id).GetAwaiter().GetResult();
        RedisProbe.RequireRedisHits("AkCache async", 10, () => Memoized.GetQuoteAsync(Id).GetAwaiter().GetResult());
        _database = RedisProbe.Connection.GetDatabase();
        _rawKey = AkCacheSetup.NewPrefix("raw-quote");
        _database.StringSet(_rawKey, BenchSerializer.Serialize(Quote.Create(Id)), TimeSpan.FromMinutes(30));
    }

    [GlobalCleanup]
    public void Cleanup() => AkCacheRuntime.Reset();

    [Benchmark(OperationsPerInvoke = Calls, Description = "AkCache async, 64 callers")]
    public Task AkCache() => Run(static _ => Memoized.GetQuoteAsync(Id));

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls, Description = "raw StringGetAsync + MessagePack, 64 callers")]
    public Task RawRedis() => Run(RawGetAsync);

    private async Task<Quote> RawGetAsync(int caller) =>
        BenchSerializer.Deserialize<Quote>((ReadOnlyMemory<byte>)await _database.StringGetAsync(_rawKey).ConfigureAwait(false));

    private static Task Run(Func<int, Task<Quote>> call)
    {
        var callers = new Task[Callers];
        for (var i = 0; i < callers.Length; i++)
        {
            callers[i] = Caller(call, i);
        }

        return Task.WhenAll(callers);
    }

    private static async Task Caller(Func<int, Task<Quote>> call, int caller)
    {
        // Starts on the thread pool, as independent request handlers would.
        await Task.Yield();
        for (var i = 0; i < CallsPerCaller; i++)
        {
            _ = await call(caller).ConfigureAwait(false);
        }
    }
}
