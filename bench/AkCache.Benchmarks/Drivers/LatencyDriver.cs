using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Subjects;
using AkCache.Benchmarks.Suites;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 2's percentiles: the same contenders as <see cref="RedisHit"/>, one caller, each call timed
/// with a plain Stopwatch. The contenders take turns in blocks so that a noisy moment of the machine
/// is shared. Then item 3's throughput, interleaved the same way. redis-benchmark -c 1 on the same
/// server gives the round-trip floor three times (before, between and after), since a single-client
/// loop on an idle virtual machine depends on how fast a sleeping core wakes up. Item 3's rounds are
/// <see cref="ThroughputDriver.Measure"/>'s.
/// </summary>
internal static class LatencyDriver
{
    public static int Run(bool quick, string results)
    {
        var calls = quick ? 2_000 : 30_000;
        const int Blocks = 10;
        var suite = new RedisHit();
        suite.Setup();
        try
        {
            var contenders = new (string Name, Func<ValueTask> Call)[]
            {
                ("AkCache, Redis hit", () => { _ = suite.AkCache(); return default; }),
                ("AkCache async, Redis hit", async () => _ = await suite.AkCacheAsync().ConfigureAwait(false)),
                ("raw StringGet + MessagePack", () => { _ = suite.RawRedis(); return default; }),
                ("raw StringGetAsync + MessagePack", async () => _ = await suite.RawRedisAsync().ConfigureAwait(false)),
                ("FusionCache GetOrSet, L2 (Redis) hit", () => { _ = suite.FusionCacheL2(); return default; }),
                ("HybridCache GetOrCreateAsync, L2 (Redis) hit", async () => _ = await suite.HybridCacheL2().ConfigureAwait(false)),
            };
            var floors = new List<RedisBenchmarkResult> { RedisBenchmarkFloor(quick ? 5_000 : 20_000) };
            var ticks = contenders.Select(_ => new List<long>(calls)).ToArray();
            for (var warm = 0; warm < calls / 10; warm++)
            {
                foreach (var contender in contenders)
                {
                    contender.Call().AsTask().GetAwaiter().GetResult();
                }
            }

            for (var block = 0; block < Blocks; block++)
            {
                for (var c = 0; c < contenders.Length; c++)
                {
                    Measure(contenders[c].Call, calls / Blocks, ticks[c]).GetAwaiter().GetResult();
                }
            }

            var summaries = contenders.Select((c, i) => LatencySummary.From(c.Name, ticks[i])).ToList();
            foreach (var summary in summaries)
            {
                Console.WriteLine(summary);
            }

            floors.Add(RedisBenchmarkFloor(quick ? 5_000 : 20_000));
            suite.Cleanup();
            var throughput = ThroughputDriver.Measure(quick ? 3 : 21);
            floors.Add(RedisBenchmarkFloor(quick ? 5_000 : 20_000));
            foreach (var floor in floors)
            {
                Console.WriteLine($"redis-benchmark -c 1 GET 1 KB: {floor}");
            }

            BenchResults.Write(results, "latency", new { Contenders = summaries, RedisBenchmarks = floors, Throughput = throughput });
            return 0;
        }
        finally
        {
            suite.Cleanup();
        }
    }

    private static async Task Measure(Func<ValueTask> call, int count, List<long> ticks)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call().ConfigureAwait(false);
            ticks.Add(Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>redis-benchmark with one client, no pipelining, GET of a 1,024-byte value (its SET test writes it first).</summary>
    private static RedisBenchmarkResult RedisBenchmarkFloor(int requests)
    {
        var endpoint = BenchRedis.Endpoint.Split(':');
        var start = new ProcessStartInfo("redis-benchmark")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-h", endpoint[0], "-p", endpoint[1], "-c", "1", "-P", "1", "-n", requests.ToString(CultureInfo.InvariantCulture), "-d", "1024", "-t", "set,get", "--csv" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-benchmark.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var command = "redis-benchmark " + string.Join(' ', start.ArgumentList);
        var header = output.Split('\n').First(l => l.StartsWith("\"test\"", StringComparison.Ordinal)).Trim().Split(',').Select(Unquote).ToList();
        var get = output.Split('\n').First(l => l.StartsWith("\"GET\"", StringComparison.Ordinal)).Trim().Split(',').Select(Unquote).ToList();
        double Column(string name) => double.Parse(get[header.IndexOf(name)], CultureInfo.InvariantCulture);
        return new RedisBenchmarkResult(
            command,
            Column("rps"),
            Column("avg_latency_ms") * 1000,
            Column("p50_latency_ms") * 1000,
            Column("p99_latency_ms") * 1000,
            Column("max_latency_ms") * 1000);
    }

    private static string Unquote(string value) => value.Trim().Trim('"');

    internal sealed record RedisBenchmarkResult(string Command, double RequestsPerSecond, double MeanUs, double P50Us, double P99Us, double MaxUs);
}
