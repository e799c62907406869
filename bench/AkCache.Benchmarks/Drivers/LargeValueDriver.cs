using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Subjects;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 13: small Redis hits (the 1 KB quote, one caller, each call timed) while nothing else moves,
/// and while another thread of the same process reads a 60 MiB incompressible value from Redis in a
/// loop. The local layer is off, so that every call of both goes to Redis. The two phases take turns
/// in blocks, so that a noisy moment of the machine is shared; the figure is the ratio of the p99s.
/// </summary>
internal static class LargeValueDriver
{
    private const int LargeBytes = 60 * 1024 * 1024;

    public static int Run(bool quick, string results)
    {
        var calls = quick ? 2_000 : 20_000;
        const int Blocks = 10;
        AkCacheRuntime.Configure(options =>
        {
            options.RedisUrl = BenchRedis.Url;
            options.Prefix = AkCacheSetup.NewPrefix("large");
            options.LocalCache = false;
        });
        try
        {
            for (var id = 0; id < 100; id++)
            {
                _ = Memoized.GetQuote(id);
            }

            _ = Memoized.Blob(LargeBytes);
            RedisProbe.RequireRedisHits("small quote", 3, () => Memoized.GetQuote(1));
            RedisProbe.RequireRedisHits("60 MiB value", 1, () => Memoized.Blob(LargeBytes));

            var quiet = new List<long>(calls);
            var busy = new List<long>(calls);
            long largeReads = 0;
            var largeTicks = 0L;
            var quietPause = TimeSpan.Zero;
            var busyPause = TimeSpan.Zero;
            var busyGen2 = 0;
            for (var block = 0; block < Blocks; block++)
            {
                var pause = GC.GetTotalPauseDuration();
                Measure(calls / Blocks, quiet);
                quietPause += GC.GetTotalPauseDuration() - pause;
                using var stop = new CancellationTokenSource();
                var started = new ManualResetEventSlim();
                var mover = Task.Factory.StartNew(
                    () =>
                    {
                        started.Set();
                        while (!stop.IsCancellationRequested)
                        {
                            var clock = Stopwatch.StartNew();
                            if (Memoized.Blob(LargeBytes).Length != LargeBytes)
                            {
                                throw new InvalidOperationException("the 60 MiB value came back with another length");
                            }

                            Interlocked.Add(ref largeTicks, clock.ElapsedTicks);
                            Interlocked.Increment(ref largeReads);
                        }
                    },
                    TaskCreationOptions.LongRunning);
                started.Wait();
                pause = GC.GetTotalPauseDuration();
                var gen2 = GC.CollectionCount(2);
                Measure(calls / Blocks, busy);
                busyPause += GC.GetTotalPauseDuration() - pause;
                busyGen2 += GC.CollectionCount(2) - gen2;
                stop.Cancel();
                mover.GetAwaiter().GetResult();
            }

            var quietSummary = LatencySummary.From("small Redis hit, nothing else moving", quiet);
            var busySummary = LatencySummary.From("small Redis hit, 60 MiB reads in a loop", busy);
            var ratio = Math.Round(busySummary.P99Us / quietSummary.P99Us, 2);
            var largeMs = Math.Round(largeTicks * 1000.0 / Stopwatch.Frequency / Math.Max(1, largeReads), 1);
            Console.WriteLine(quietSummary);
            Console.WriteLine(busySummary);
            Console.WriteLine($"p99 ratio busy/quiet: {ratio}; 60 MiB reads: {largeReads}, {largeMs} ms each on average");
            Console.WriteLine($"garbage collector pauses: {quietPause.TotalMilliseconds:F1} ms in the quiet phase, {busyPause.TotalMilliseconds:F1} ms in the busy one ({busyGen2} gen2 collections)");
            BenchResults.Write(results, "large-values", new { Quiet = quietSummary, Busy = busySummary, P99Ratio = ratio, LargeReads = largeReads, LargeReadMs = largeMs });
            return 0;
        }
        finally
        {
            AkCacheRuntime.Reset();
        }
    }

    private static void Measure(int calls, List<long> ticks)
    {
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            _ = Memoized.GetQuote(i % 100);
            ticks.Add(Stopwatch.GetTimestamp() - start);
        }
    }
}
