using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace AkCache.Benchmarks.Infrastructure;

internal static class BenchResults
{
    public static string Directory =>
        System.IO.Path.GetFullPath(Environment.GetEnvironmentVariable("AKCACHE_BENCH_RESULTS") is { Length: > 0 } path ? path : "bench-results");

    public static void Write(string directory, string name, object value)
    {
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"Wrote {path}");
    }
}

/// <summary>Percentiles of per-call durations, in microseconds.</summary>
internal sealed record LatencySummary(string Name, int Calls, double MeanUs, double P50Us, double P90Us, double P99Us, double P999Us, double MaxUs, int OverOneMs)
{
    public static LatencySummary From(string name, IReadOnlyList<long> ticks)
    {
        var sorted = ticks.ToArray();
        Array.Sort(sorted);
        double Us(long t) => t * 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency;
        double At(double q) => Us(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)]);
        var oneMs = System.Diagnostics.Stopwatch.Frequency / 1000;
        return new LatencySummary(
            name,
            sorted.Length,
            Math.Round(sorted.Average(t => Us(t)), 3),
            Math.Round(At(0.50), 3),
            Math.Round(At(0.90), 3),
            Math.Round(At(0.99), 3),
            Math.Round(At(0.999), 3),
            Math.Round(Us(sorted[^1]), 3),
            sorted.Count(t => t > oneMs));
    }

    public override string ToString() =>
        $"{Name,-48} calls={Calls,9} mean={MeanUs,9:F2}us p50={P50Us,9:F2}us p99={P99Us,9:F2}us p99.9={P999Us,9:F2}us max={MaxUs,10:F1}us >1ms={OverOneMs}";
}
