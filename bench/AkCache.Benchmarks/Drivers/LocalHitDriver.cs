using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Suites;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 11 again, interleaved: the contenders of <see cref="LocalHit"/> take turns in short blocks
/// (about 20 ms each), many rounds over, so that a busy moment of this shared machine falls on all
/// of them alike; each round gives a ratio to the expiring memo, and the table shows the median
/// round. BenchmarkDotNet runs each contender in a process of its own, minutes apart, and on a
/// loaded machine its ratios move with the load (the memo's own time varies by half between runs).
/// Every call goes through a delegate, as BenchmarkDotNet's do; the empty delegate's time is
/// measured the same way and taken off, as BenchmarkDotNet does with its overhead. On Linux a block
/// is timed with the thread's own CPU clock (<see cref="ThreadTime"/>), so that the time the thread
/// waits for a core while other processes run is not counted: on this shared 2-core machine the
/// wall clock mostly measures the neighbours.
/// </summary>
internal static class LocalHitDriver
{
    private const double BlockMilliseconds = 20;

    public static int Run(bool quick, string results)
    {
        var rounds = quick ? 5 : 41;
        var suite = new LocalHit();
        suite.Setup();
        try
        {
            var contenders = new (string Name, Func<int> Call)[]
            {
                ("AkCache, local hit (Redis up)", suite.AkCacheLocalHit),
                ("of which: the key alone", () => suite.AkCacheKeyAlone().IsValid ? 1 : 0),
                ("of which: the lookup alone", suite.AkCacheLookupAlone),
                ("AkCache async (Task), local hit", () => suite.AkCacheTaskHit().Result),
                ("AkCache async (ValueTask), local hit", () => suite.AkCacheValueTaskHit().Result),
                (LocalHit.Baseline, suite.HandWrittenExpiringMemo),
                ("hand-written limit: XxHash128 + ConcurrentDictionary", suite.HandWrittenLimit),
                ("FusionCache GetOrSet, precomputed key", suite.FusionCachePrecomputedKey),
                ("HybridCache GetOrCreate, precomputed key", suite.HybridCachePrecomputedKey),
            };
            Func<int> empty = static () => 0;

            // Warm-up (tiered compilation reaches its optimized code), then a block size per contender.
            var perBlock = new int[contenders.Length];
            var emptyPerBlock = Calibrate(empty);
            for (var c = 0; c < contenders.Length; c++)
            {
                perBlock[c] = Calibrate(contenders[c].Call);
            }

            var nanoseconds = contenders.Select(_ => new List<double>(rounds)).ToArray();
            var overheads = new List<double>(rounds);
            for (var round = 0; round < rounds; round++)
            {
                var overhead = NanosecondsPerCall(empty, emptyPerBlock);
                overheads.Add(overhead);
                for (var c = 0; c < contenders.Length; c++)
                {
                    nanoseconds[c].Add(Math.Max(0, NanosecondsPerCall(contenders[c].Call, perBlock[c]) - overhead));
                }
            }

            var baseline = Array.FindIndex(contenders, c => c.Name == LocalHit.Baseline);
            var limit = Array.FindIndex(contenders, c => c.Name.StartsWith("hand-written limit", StringComparison.Ordinal));
            var rows = contenders.Select((c, i) => new LocalHitRow(
                c.Name,
                Math.Round(Median(nanoseconds[i]), 2),
                Math.Round(Median(nanoseconds[i].Select((ns, r) => ns / nanoseconds[baseline][r])), 3),
                Math.Round(Median(nanoseconds[i].Select((ns, r) => ns / nanoseconds[limit][r])), 3),
                Math.Round(Quantile(nanoseconds[i].Select((ns, r) => ns / nanoseconds[baseline][r]), 0.1), 3),
                Math.Round(Quantile(nanoseconds[i].Select((ns, r) => ns / nanoseconds[baseline][r]), 0.9), 3),
                AllocatedPerCall(c.Call))).ToList();
            foreach (var row in rows)
            {
                Console.WriteLine(row);
            }

            var clock = ThreadTime.IsThreadCpuTime ? "thread CPU time" : "wall clock";
            Console.WriteLine($"empty delegate (taken off every row): {Median(overheads):F2} ns; {rounds} rounds; timed with the {clock}");
            BenchResults.Write(results, "local-hit", new { Rounds = rounds, BlockMilliseconds, Clock = clock, EmptyDelegateNs = Math.Round(Median(overheads), 2), Baseline = LocalHit.Baseline, Rows = rows });
            return 0;
        }
        finally
        {
            suite.Cleanup();
        }
    }

    /// <summary>Calls per block of about <see cref="BlockMilliseconds"/>, after a warm-up of half a second.</summary>
    private static int Calibrate(Func<int> call)
    {
        var watch = Stopwatch.StartNew();
        long calls = 0;
        while (watch.ElapsedMilliseconds < 500)
        {
            for (var i = 0; i < 1_000; i++)
            {
                call();
            }

            calls += 1_000;
        }

        var perMillisecond = calls / watch.Elapsed.TotalMilliseconds;
        return (int)Math.Clamp(perMillisecond * BlockMilliseconds, 1_000, 50_000_000);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double NanosecondsPerCall(Func<int> call, int calls)
    {
        var start = ThreadTime.Nanoseconds();
        for (var i = 0; i < calls; i++)
        {
            call();
        }

        return (double)(ThreadTime.Nanoseconds() - start) / calls;
    }

    private static long AllocatedPerCall(Func<int> call)
    {
        const int Calls = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            call();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before + (Calls / 2)) / Calls;
    }

    private static double Median(IEnumerable<double> values) => Quantile(values, 0.5);

    private static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        var at = q * (sorted.Length - 1);
        var low = (int)Math.Floor(at);
        var high = (int)Math.Ceiling(at);
        return sorted[low] + ((sorted[high] - sorted[low]) * (at - low));
    }
}

/// <summary>One contender of <see cref="LocalHitDriver"/>: the median round's time, its ratios, and the 10th and 90th percentile rounds' ratio to the memo.</summary>
internal sealed record LocalHitRow(string Name, double MedianNs, double RatioToMemo, double RatioToLimit, double RatioToMemoP10, double RatioToMemoP90, long AllocatedBytes)
{
    public override string ToString() =>
        $"{Name,-72} {MedianNs,8:F2} ns  x{RatioToMemo,6:F2} memo (p10 {RatioToMemoP10:F2}, p90 {RatioToMemoP90:F2})  x{RatioToLimit,6:F2} limit  {AllocatedBytes} B";
}

/// <summary>The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID) on Linux; elsewhere the wall clock (Stopwatch).</summary>
internal static class ThreadTime
{
    private const int ClockThreadCpuTime = 3;

    public static readonly bool IsThreadCpuTime = OperatingSystem.IsLinux();

    public static long Nanoseconds()
    {
        if (IsThreadCpuTime && clock_gettime(ClockThreadCpuTime, out var now) == 0)
        {
            return (now.Seconds * 1_000_000_000L) + now.Nanoseconds;
        }

        return (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
