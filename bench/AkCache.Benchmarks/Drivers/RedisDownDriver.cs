using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Subjects;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 8: the cost per call once Redis is down. A redis-server of its own is started, AkCache uses
/// it (default options: 500 ms operation timeout, 2 s break), 1,000 results are stored, then the
/// server goes away in one of two ways: stopped (connections refused) or frozen with SIGSTOP (the
/// socket stays open and nothing answers). The first call after that is timed on its own; then every
/// call is timed for a few seconds, long enough to include the probes of Redis the breaker lets
/// through every 2 s: hits (arguments stored before the outage) and misses (new arguments).
/// </summary>
internal static class RedisDownDriver
{
    private const int Stored = 1_000;

    public static int Run(bool quick, string results)
    {
        var phase = TimeSpan.FromSeconds(quick ? 1 : 5);
        var scenarios = new List<object>();
        foreach (var outage in new[] { "stopped", "frozen" })
        {
            using var server = RedisServer.Start();
            AkCacheRuntime.Configure(options =>
            {
                options.RedisUrl = "redis://" + server.Endpoint;
                options.Prefix = AkCacheSetup.NewPrefix("down-" + outage);
                options.LoggerFactory = NullLoggerFactory.Instance;
            });
            for (var i = 0; i < Stored; i++)
            {
                _ = Memoized.Add(i, -1);
                _ = Memoized.Add(i, -1);
            }

            if (outage == "stopped")
            {
                server.Stop();
            }
            else
            {
                Signal("STOP", server.ProcessId);
            }

            try
            {
                var first = Stopwatch.StartNew();
                _ = Memoized.Add(0, -1);
                var firstMs = first.Elapsed.TotalMilliseconds;
                var hits = Loop(phase, i => Memoized.Add(i % Stored, -1));
                var next = 10_000_000;
                var misses = Loop(phase, _ => Memoized.Add(next++, -1));
                var hitSummary = LatencySummary.From($"Redis {outage}: hit (memory layer)", hits);
                var missSummary = LatencySummary.From($"Redis {outage}: miss (runs the body)", misses);
                Console.WriteLine($"Redis {outage}: first call after the outage {firstMs:F1} ms");
                Console.WriteLine(hitSummary);
                Console.WriteLine(missSummary);
                scenarios.Add(new { Outage = outage, FirstCallMs = Math.Round(firstMs, 2), Hit = hitSummary, Miss = missSummary });
            }
            finally
            {
                if (outage == "frozen")
                {
                    Signal("CONT", server.ProcessId);
                }

                AkCacheRuntime.Reset();
            }
        }

        BenchResults.Write(results, "redis-down", new { PhaseSeconds = phase.TotalSeconds, Scenarios = scenarios });
        return 0;
    }

    private static List<long> Loop(TimeSpan duration, Func<int, int> call)
    {
        var ticks = new List<long>(4_000_000);
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; ; i++)
        {
            var start = Stopwatch.GetTimestamp();
            _ = call(i);
            var stop = Stopwatch.GetTimestamp();
            ticks.Add(stop - start);
            if (stop > end)
            {
                return ticks;
            }
        }
    }

    /// <summary>Sends a signal to the redis-server this driver started (by its own pid, never by name).</summary>
    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid.ToString(CultureInfo.InvariantCulture)}") { UseShellExecute = false });
        kill?.WaitForExit();
    }
}
