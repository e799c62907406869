using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Suites;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 3 interleaved: the 64-caller runs of <see cref="ConcurrentHit"/>, AkCache and raw taking
/// turns (the order alternates), so that both see the same moments of a noisy machine. Besides
/// calls per second, each round records the process's CPU time and the thread pool's work items per
/// call: on two cores the 64 callers keep both busy, so throughput is the inverse of CPU per call.
/// </summary>
/// <remarks>
/// <c>throughput --contender akcache|raw --seconds N</c> runs one contender alone for N seconds
/// (for a profiler such as perf attached to the process); its figures are printed, not written.
/// </remarks>
internal static class ThroughputDriver
{
    private const int Calls = ConcurrentHit.Callers * ConcurrentHit.CallsPerCaller;
    private const int BatchesPerRound = 5;

    public static int Run(string[] args, bool quick, string results)
    {
        var contender = Option(args, "--contender");
        if (contender is not null)
        {
            var which = contender switch
            {
                "akcache" => 0,
                "raw" => 1,
                _ => throw new ArgumentException($"--contender is akcache or raw, not '{contender}'."),
            };
            var seconds = double.Parse(Option(args, "--seconds") ?? "20", System.Globalization.CultureInfo.InvariantCulture);
            Alone(which, TimeSpan.FromSeconds(seconds));
            return 0;
        }

        var measured = Measure(quick ? 3 : 21);
        BenchResults.Write(results, "throughput", measured);
        return 0;
    }

    /// <summary>The rounds of both contenders, interleaved; printed and returned for the report.</summary>
    public static ThroughputResult Measure(int rounds)
    {
        var suite = new ConcurrentHit();
        suite.Setup();
        try
        {
            var samples = new[] { new List<Round>(), new List<Round>() };
            _ = RunRound(suite, 0);
            _ = RunRound(suite, 1);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var which in round % 2 == 0 ? new[] { 0, 1 } : new[] { 1, 0 })
                {
                    samples[which].Add(RunRound(suite, which));
                }
            }

            var akcache = Summary.Of(samples[0]);
            var raw = Summary.Of(samples[1]);
            var ratio = akcache.CallsPerSecond / raw.CallsPerSecond;
            Console.WriteLine($"64 callers, interleaved, {rounds} rounds of {BatchesPerRound * Calls} calls each (medians):");
            Console.WriteLine($"  AkCache {akcache}");
            Console.WriteLine($"  raw     {raw}");
            Console.WriteLine($"  ratio {ratio:F3} (AkCache / raw calls per second)");
            return new ThroughputResult(rounds, BatchesPerRound * Calls, Math.Round(akcache.CallsPerSecond), Math.Round(raw.CallsPerSecond), Math.Round(ratio, 3), akcache, raw);
        }
        finally
        {
            suite.Cleanup();
        }
    }

    private static void Alone(int which, TimeSpan duration)
    {
        var suite = new ConcurrentHit();
        suite.Setup();
        try
        {
            var rounds = new List<Round>();
            var clock = Stopwatch.StartNew();
            Console.WriteLine($"Running {(which == 0 ? "AkCache" : "raw")} alone for {duration.TotalSeconds:F0} s (pid {Environment.ProcessId}).");
            while (clock.Elapsed < duration)
            {
                rounds.Add(RunRound(suite, which));
            }

            Console.WriteLine($"  {(which == 0 ? "AkCache" : "raw")} {Summary.Of(rounds)}");
        }
        finally
        {
            suite.Cleanup();
        }
    }

    private static Round RunRound(ConcurrentHit suite, int which)
    {
        // Each contender pays for its own garbage, not for the other's.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var itemsBefore = ThreadPool.CompletedWorkItemCount;
        var gcBefore = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        for (var batch = 0; batch < BatchesPerRound; batch++)
        {
            (which == 0 ? suite.AkCache() : suite.RawRedis()).GetAwaiter().GetResult();
        }

        var elapsed = clock.Elapsed;
        process.Refresh();
        const double N = BatchesPerRound * Calls;
        return new Round(
            N / elapsed.TotalSeconds,
            (process.TotalProcessorTime - cpuBefore).TotalMilliseconds * 1000 / N,
            (ThreadPool.CompletedWorkItemCount - itemsBefore) / N,
            GC.CollectionCount(0) - gcBefore);
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    internal readonly record struct Round(double CallsPerSecond, double CpuUsPerCall, double WorkItemsPerCall, int Gen0);

    /// <summary>Medians over a contender's rounds.</summary>
    internal sealed record Summary(double CallsPerSecond, double CpuUsPerCall, double WorkItemsPerCall, double Gen0PerRound)
    {
        public static Summary Of(List<Round> rounds) => new(
            Math.Round(Median(rounds.Select(r => r.CallsPerSecond))),
            Math.Round(Median(rounds.Select(r => r.CpuUsPerCall)), 3),
            Math.Round(Median(rounds.Select(r => r.WorkItemsPerCall)), 3),
            Median(rounds.Select(r => (double)r.Gen0)));

        public override string ToString() =>
            $"{CallsPerSecond,9:F0} calls/s, CPU {CpuUsPerCall,6:F2} us/call, {WorkItemsPerCall:F3} thread-pool work items/call, {Gen0PerRound:F0} gen0 GCs/round";
    }

    internal sealed record ThroughputResult(int Rounds, int CallsPerRound, double AkCacheCallsPerSecond, double RawCallsPerSecond, double Ratio, Summary AkCache, Summary Raw);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
