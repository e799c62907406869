using System.Threading;

namespace AkCache.Internals.Engine;

/// <summary>
/// One method's counters since the process started (across configurations), kept with Interlocked:
/// what <see cref="CacheInfo"/> reports. Counting costs one uncontended increment on each path.
/// </summary>
internal sealed class MethodStatistics
{
    private long _localHits;
    private long _redisHits;
    private long _fallbackHits;
    private long _misses;
    private long _computations;
    private long _waitsForOtherProcesses;
    private long _errors;

    public long LocalHits => Interlocked.Read(ref _localHits);

    public long RedisHits => Interlocked.Read(ref _redisHits);

    public long FallbackHits => Interlocked.Read(ref _fallbackHits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Computations => Interlocked.Read(ref _computations);

    public long WaitsForOtherProcesses => Interlocked.Read(ref _waitsForOtherProcesses);

    public long Errors => Interlocked.Read(ref _errors);

    public void CountLocalHit() => Interlocked.Increment(ref _localHits);

    public void CountRedisHit() => Interlocked.Increment(ref _redisHits);

    public void CountFallbackHit() => Interlocked.Increment(ref _fallbackHits);

    public void CountMiss() => Interlocked.Increment(ref _misses);

    public void CountComputation() => Interlocked.Increment(ref _computations);

    public void CountWaitForOtherProcess() => Interlocked.Increment(ref _waitsForOtherProcesses);

    public void CountError() => Interlocked.Increment(ref _errors);
}
