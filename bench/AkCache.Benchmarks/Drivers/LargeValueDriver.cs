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
/// loop, then while that thread stores a new 60 MiB value in a loop (a miss with a new argument each
/// time), and, as the stores' control, while it only makes such values in process (copies and a
/// checksum, no Redis). The local layer is off, so that every call goes to Redis. Quiet and busy phases take turns
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

            var reads = Phases(calls, Blocks, () =>
            {
                if (Memoized.Blob(LargeBytes).Length != LargeBytes)
                {
                    throw new InvalidOperationException("the 60 MiB value came back with another length");
                }
            });
            long version = 0;
            var writes = Phases(calls, Blocks, () => _ = Memoized.FreshBlob(LargeBytes, Interlocked.Increment(ref version)));
            var readRatio = reads.Report("60 MiB reads", "60 MiB reads in a loop");
            // The control of the stores: what the storing thread does in process for each one (the new
            // value copied, its envelope written, the checksum), without Redis.
            var copies = Phases(calls, Blocks, () => System.IO.Hashing.XxHash3.HashToUInt64((byte[])Plain.StampedBlob(LargeBytes, 1).Clone()));
            var copyRatio = copies.Report("60 MiB copies", "two 60 MiB copies and a checksum in a loop, without Redis");
            var writeRatio = writes.Report("60 MiB stores", "60 MiB stores (a miss with a new argument each) in a loop");
            BenchResults.Write(results, "large-values", new { Reads = reads.Summary("60 MiB reads in a loop"), Writes = writes.Summary("60 MiB stores in a loop"), P99Ratio = readRatio, WriteP99Ratio = writeRatio, Copies = copies.Summary("60 MiB copies in a loop"), CopyP99Ratio = copyRatio });
            return 0;
        }
        finally
        {
            AkCacheRuntime.Reset();
        }
    }

    /// <summary>
    /// <paramref name="blocks"/> blocks that each time <paramref name="calls"/> / blocks small hits with
    /// nothing else moving, then as many while another thread runs <paramref name="move"/> in a loop.
    /// </summary>
    private static Phase Phases(int calls, int blocks, Action move)
    {
        var phase = new Phase(calls);
        for (var block = 0; block < blocks; block++)
        {
            var pause = GC.GetTotalPauseDuration();
            Measure(calls / blocks, phase.Quiet);
            phase.QuietPause += GC.GetTotalPauseDuration() - pause;
            using var stop = new CancellationTokenSource();
            var started = new ManualResetEventSlim();
            var mover = Task.Factory.StartNew(
                () =>
                {
                    started.Set();
                    while (!stop.IsCancellationRequested)
                    {
                        var clock = Stopwatch.StartNew();
                        move();
                        Interlocked.Add(ref phase.MoveTicks, clock.ElapsedTicks);
                        Interlocked.Increment(ref phase.Moves);
                    }
                },
                TaskCreationOptions.LongRunning);
            started.Wait();
            pause = GC.GetTotalPauseDuration();
            var gen2 = GC.CollectionCount(2);
            Measure(calls / blocks, phase.Busy);
            phase.BusyPause += GC.GetTotalPauseDuration() - pause;
            phase.BusyGen2 += GC.CollectionCount(2) - gen2;
            stop.Cancel();
            mover.GetAwaiter().GetResult();
        }

        return phase;
    }

    private sealed class Phase
    {
        public Phase(int calls)
        {
            Quiet = new List<long>(calls);
            Busy = new List<long>(calls);
        }

        public List<long> Quiet { get; }

        public List<long> Busy { get; }

        public TimeSpan QuietPause { get; set; }

        public TimeSpan BusyPause { get; set; }

        public int BusyGen2 { get; set; }

        public long Moves;

        public long MoveTicks;

        public object Summary(string busy) => new
        {
            Quiet = LatencySummary.From("small Redis hit, nothing else moving", Quiet),
            Busy = LatencySummary.From("small Redis hit, " + busy, Busy),
            Moves,
            MoveMs = MoveMilliseconds,
        };

        private double MoveMilliseconds => Math.Round(MoveTicks * 1000.0 / Stopwatch.Frequency / Math.Max(1, Moves), 1);

        /// <summary>Prints both phases and returns the ratio of their p99s.</summary>
        public double Report(string moves, string busy)
        {
            var quiet = LatencySummary.From("small Redis hit, nothing else moving", Quiet);
            var loaded = LatencySummary.From("small Redis hit, " + busy, Busy);
            var ratio = Math.Round(loaded.P99Us / quiet.P99Us, 2);
            Console.WriteLine(quiet);
            Console.WriteLine(loaded);
            Console.WriteLine($"p99 ratio busy/quiet: {ratio}; {moves}: {Moves}, {MoveMilliseconds} ms each on average");
            Console.WriteLine($"garbage collector pauses: {QuietPause.TotalMilliseconds:F1} ms in the quiet phase, {BusyPause.TotalMilliseconds:F1} ms in the busy one ({BusyGen2} gen2 collections)");
            return ratio;
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
