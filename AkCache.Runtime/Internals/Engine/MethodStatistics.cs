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
    private long _slowReads;

    /// <summary>The method's usual computation time in this process, in Stopwatch ticks: a moving average, 0 before its first computation.</summary>
    private long _usualComputationTicks;

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

    /// <summary>Calls that stopped waiting for a read slower than the method (AkCacheOptions.ComputeOnSlowReads), and computed.</summary>
    public long SlowReads => Interlocked.Read(ref _slowReads);

    public void CountSlowRead() => Interlocked.Increment(ref _slowReads);

    /// <summary>Adds one computation's duration (Stopwatch ticks) to the usual one: an average that weighs the last eight or so; racing updates may lose one, which an average can afford.</summary>
    public void RecordComputation(long ticks)
    {
        var usual = Volatile.Read(ref _usualComputationTicks);
        Volatile.Write(ref _usualComputationTicks, usual == 0 ? Math.Max(1, ticks) : Math.Max(1, usual + ((ticks - usual) / 8)));
    }

    /// <summary>
    /// How long a read of this method's value may take before the call computes instead (<c>AkCacheOptions.ComputeOnSlowReads</c>),
    /// in milliseconds: twice its usual computation time, at least <paramref name="minimumMs"/>; 0 (wait as long as the
    /// read may take) before its first computation here, or when that is not shorter than <paramref name="timeoutMs"/>.
    /// </summary>
    public int SlowReadWaitMs(int minimumMs, int timeoutMs)
    {
        var usual = Volatile.Read(ref _usualComputationTicks);
        if (usual == 0)
        {
            return 0;
        }

        var twice = 2 * usual * 1000 / System.Diagnostics.Stopwatch.Frequency;
        var wait = Math.Max(minimumMs, twice);
        return wait < timeoutMs ? (int)wait : 0;
    }
}
