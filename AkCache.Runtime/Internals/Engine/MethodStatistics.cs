using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace AkCache.Internals.Engine;

/// <summary>
/// One method's counters since the process started (across configurations): what
/// <see cref="CacheInfo"/> reports. The rare outcomes are counted with Interlocked. Local hits, the
/// hot path, are counted without a locked instruction (which would cost about as much as the
/// dictionary lookup): each thread adds to one of <see cref="HitStripes"/> counters, each on a cache
/// line of its own, chosen once per thread in turn (kept in a thread-static field, which the JIT reads
/// inline, where <c>Environment.CurrentManagedThreadId</c> is a call). A hit can go uncounted only
/// when two threads that share a stripe increment it at the same instant; a single thread's counts are exact.
/// </summary>
internal sealed class MethodStatistics
{
    private const int HitStripes = 16;
    private const int Stride = 8;

    /// <summary>This thread's stripe times <see cref="Stride"/>, plus one: 0 until the thread's first hit.</summary>
    [ThreadStatic]
    private static int t_stripe;

    private static int s_stripes;

    private readonly long[] _localHitStripes = new long[HitStripes * Stride];
    private long _redisHits;
    private long _fallbackHits;
    private long _misses;
    private long _computations;
    private long _waitsForOtherProcesses;
    private long _errors;

    public long LocalHits
    {
        get
        {
            long total = 0;
            for (var i = 0; i < HitStripes; i++)
            {
                total += Volatile.Read(ref _localHitStripes[i * Stride]);
            }

            return total;
        }
    }

    public long RedisHits => Interlocked.Read(ref _redisHits);

    public long FallbackHits => Interlocked.Read(ref _fallbackHits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Computations => Interlocked.Read(ref _computations);

    public long WaitsForOtherProcesses => Interlocked.Read(ref _waitsForOtherProcesses);

    public long Errors => Interlocked.Read(ref _errors);

    public void CountLocalHit()
    {
        var stripe = t_stripe - 1;
        if (stripe < 0)
        {
            stripe = ChooseStripe();
        }

        _localHitStripes[stripe]++;
    }

    /// <summary>The calling thread's stripe, chosen on its first hit: threads take the stripes in turn.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ChooseStripe()
    {
        var stripe = (Interlocked.Increment(ref s_stripes) & (HitStripes - 1)) * Stride;
        t_stripe = stripe + 1;
        return stripe;
    }

    public void CountRedisHit() => Interlocked.Increment(ref _redisHits);

    public void CountFallbackHit() => Interlocked.Increment(ref _fallbackHits);

    public void CountMiss() => Interlocked.Increment(ref _misses);

    public void CountComputation() => Interlocked.Increment(ref _computations);

    public void CountWaitForOtherProcess() => Interlocked.Increment(ref _waitsForOtherProcesses);

    public void CountError() => Interlocked.Increment(ref _errors);
}
