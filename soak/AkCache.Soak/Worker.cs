using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Soak;

/// <summary>
/// One worker process: <c>--threads</c> callers (half of them async loops) call the helpers of
/// <see cref="Workload"/> with random keys until <c>--until</c>, check every result against
/// <see cref="Expected"/>, and print one <c>REPORT</c> line of JSON at the end. Redis comes from
/// AKCACHE_REDIS_URL and AKCACHE_PREFIX, as for any application.
/// </summary>
internal static class Worker
{
    private const int Regions = 12;

    public static int Run(SoakArguments arguments)
    {
        Workload.StartedAt = arguments.StartedAt;
        Workload.Sabotage = arguments.Sabotage;
        var report = new WorkerReport { ProcessId = Environment.ProcessId };
        var histogram = new LatencyHistogram();
        var perSecond = new ConcurrentDictionary<long, SecondCounts>();
        var samples = new ConcurrentQueue<string>();
        var until = arguments.Until;
        long clears = 0;
        long refused = 0;
        long invalidations = 0;

        void Record(long startedTicks, string? problem, bool wrong)
        {
            var elapsed = Stopwatch.GetElapsedTime(startedTicks);
            histogram.Add(elapsed);
            var second = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - arguments.StartedAt) / 1000;
            var counts = perSecond.GetOrAdd(second, _ => new SecondCounts());
            Interlocked.Increment(ref counts.Calls);
            if (elapsed > TimeSpan.FromSeconds(1))
            {
                Interlocked.Increment(ref counts.SlowCalls);
            }

            if (problem is null)
            {
                return;
            }

            if (wrong)
            {
                Interlocked.Increment(ref report.WrongResults);
            }
            else
            {
                Interlocked.Increment(ref report.Exceptions);
            }

            Interlocked.Increment(ref counts.Problems);
            if (samples.Count < 20)
            {
                samples.Enqueue($"{second} s: {problem}");
            }
        }

        async Task CallOnce(Random random, bool clearer)
        {
            var pick = random.Next(1000);
            var id = random.Next(arguments.Keys);
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (pick < 450)
                {
                    var quote = Workload.Quote(id);
                    Record(started, Expected.IsQuote(quote, id) ? null : $"Quote({id}) returned {Describe(quote)}", wrong: true);
                }
                else if (pick < 750)
                {
                    var length = Expected.SeriesLength(id);
                    var series = await Workload.Series(id, length).ConfigureAwait(false);
                    Record(started, Expected.IsSeries(series, id, length) ? null : $"Series({id}, {length}) returned {series?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"} values, not the expected ones", wrong: true);
                }
                else if (pick < 900)
                {
                    var region = "r" + (id % Regions).ToString(CultureInfo.InvariantCulture);
                    var sectors = Workload.Sectors(region);
                    Record(started, Expected.IsSectors(sectors, region) ? null : $"Sectors({region}) returned {sectors?.Count.ToString(CultureInfo.InvariantCulture) ?? "null"} entries, not the expected ones", wrong: true);
                }
                else if (pick < 995)
                {
                    var note = Workload.Note(id);
                    Record(started, note == Expected.Note(id) ? null : $"Note({id}) returned '{note ?? "null"}'", wrong: true);
                }
                else
                {
                    Interlocked.Increment(ref invalidations);
                    Manage(() => AkCacheRuntime.Invalidate(() => Workload.Quote(id)));
                    Record(started, null, wrong: false);
                }

                if (clearer && random.Next(20_000) == 0)
                {
                    Manage(() => AkCacheRuntime.ClearMethod(() => Workload.Sectors(string.Empty)));
                    Interlocked.Increment(ref clears);
                }
            }
            catch (Exception ex)
            {
                Record(started, $"{ex.GetType().FullName}: {ex.Message}", wrong: false);
            }
        }

        // Invalidations and clears travel to the other processes' local layers while Redis comes and
        // goes. When Redis cannot be reached they throw InvalidOperationException, as documented
        // (other processes could not be told): counted apart, not as a caller's exception.
        void Manage<T>(Func<T> call)
        {
            try
            {
                call();
            }
            catch (InvalidOperationException ex) when (ex.Message.StartsWith("AkCache: ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref refused);
            }
        }

        bool Running() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < until;

        var callers = new List<Task>();
        for (var i = 0; i < arguments.Threads; i++)
        {
            var seed = HashCode.Combine(arguments.Seed, i);
            var clearer = i == 0;
            if (i % 2 == 0)
            {
                callers.Add(Task.Factory.StartNew(
                    () =>
                    {
                        var random = new Random(seed);
                        while (Running())
                        {
                            // Series completes on this thread when it is a hit, so this waits for a finished task.
                            CallOnce(random, clearer).GetAwaiter().GetResult();
                            Thread.Sleep(1);
                        }
                    },
                    TaskCreationOptions.LongRunning));
            }
            else
            {
                callers.Add(Task.Run(async () =>
                {
                    var random = new Random(seed);
                    while (Running())
                    {
                        await CallOnce(random, clearer: false).ConfigureAwait(false);
                        await Task.Delay(1).ConfigureAwait(false);
                    }
                }));
            }
        }

        Task.WaitAll(callers.ToArray());
        report.Calls = histogram.Count;
        report.Clears = clears;
        report.ManagementRefused = refused;
        report.Invalidations = invalidations;
        report.Latency = histogram.Buckets();
        report.Samples = samples.ToList();
        report.ComputationsByKey = new Dictionary<string, int>(Workload.Computations, StringComparer.Ordinal);
        report.PerSecond = perSecond.OrderBy(p => p.Key).Select(p => new[] { p.Key, p.Value.Calls, p.Value.SlowCalls, p.Value.Problems, Workload.ComputationsPerSecond.GetValueOrDefault(p.Key) }).ToList();
        report.Methods = AkCacheRuntime.GetCacheInfo()
            .Select(i => new MethodCounts
            {
                Method = i.Method,
                LocalHits = i.LocalHits,
                RedisHits = i.RedisHits,
                FallbackHits = i.FallbackHits,
                Computations = i.Computations,
                WaitsForOtherProcesses = i.WaitsForOtherProcesses,
                Errors = i.Errors,
                SlowReads = i.SlowReads,
            })
            .ToList();
        Console.Out.WriteLine("REPORT " + JsonSerializer.Serialize(report));
        Console.Out.Flush();
        return 0;
    }

    private static string Describe(Quote? quote) =>
        quote is null ? "null" : $"Id={quote.Id} Symbol={quote.Symbol} Price={quote.Price} At={quote.At:O} Tags=[{string.Join(",", quote.Tags)}] Venue={quote.Venue?.Name}/{quote.Venue?.Lot}";

    private sealed class SecondCounts
    {
        public long Calls;
        public long SlowCalls;
        public long Problems;
    }
}

/// <summary>What one worker saw, printed as JSON on its REPORT line.</summary>
internal sealed class WorkerReport
{
    // Fields, counted with Interlocked by the callers.
    [JsonInclude]
    public long WrongResults;

    [JsonInclude]
    public long Exceptions;

    public int ProcessId { get; set; }

    public long Calls { get; set; }

    public long Clears { get; set; }

    public long Invalidations { get; set; }

    /// <summary>Invalidations and clears that threw because Redis could not be reached (documented).</summary>
    public long ManagementRefused { get; set; }

    /// <summary>Calls per latency bucket: <see cref="LatencyHistogram"/>'s bucket index and count.</summary>
    public Dictionary<int, long> Latency { get; set; } = new();

    public List<string> Samples { get; set; } = new();

    public Dictionary<string, int> ComputationsByKey { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per second of the run: second, calls, calls over 1 s, wrong results or exceptions, computations.</summary>
    public List<long[]> PerSecond { get; set; } = new();

    public List<MethodCounts> Methods { get; set; } = new();
}

internal sealed class MethodCounts
{
    public string Method { get; set; } = string.Empty;

    public long LocalHits { get; set; }

    public long RedisHits { get; set; }

    public long FallbackHits { get; set; }

    public long Computations { get; set; }

    public long WaitsForOtherProcesses { get; set; }

    public long Errors { get; set; }

    /// <summary>Calls that did not wait for a Redis slower than the method (with AKCACHE_COMPUTE_ON_SLOW_READS on; 0 without).</summary>
    public long SlowReads { get; set; }
}

/// <summary>Latencies in buckets of 5 % width from 1 µs: enough for percentiles to within 5 %.</summary>
internal sealed class LatencyHistogram
{
    private const double Base = 1.05;
    private readonly long[] _counts = new long[600];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public static int Bucket(TimeSpan elapsed)
    {
        var microseconds = Math.Max(1.0, elapsed.TotalMilliseconds * 1000);
        return Math.Min(599, (int)(Math.Log(microseconds) / Math.Log(Base)));
    }

    /// <summary>The upper bound of a bucket, in milliseconds.</summary>
    public static double UpperMilliseconds(int bucket) => Math.Pow(Base, bucket + 1) / 1000;

    public void Add(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _counts[Bucket(elapsed)]);
        Interlocked.Increment(ref _count);
    }

    public Dictionary<int, long> Buckets() =>
        _counts.Select((c, i) => (c, i)).Where(b => b.c > 0).ToDictionary(b => b.i, b => b.c);
}
