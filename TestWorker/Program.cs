using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache;

namespace TestWorker;

/// <summary>
/// Usage: TestWorker --key K --threads N --compute-ms M [--wait-for-go] [--start-at UNIX_MS] [--lock-ttl-ms T] [--fail-marker FILE] [--async]
/// With --wait-for-go the worker prints READY, then starts when a line arrives on standard input.
/// Redis comes from AKCACHE_REDIS_URL and AKCACHE_PREFIX. Prints one line per event, which the tests parse:
///   READY pid, COMPUTE-START pid at, COMPUTE-END pid at, RESULT thread value at elapsed, ERROR thread message at.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--arguments"))
        {
            return Arguments.Run();
        }

        if (args.Contains("--coherence"))
        {
            return Coherence.Run();
        }

        if (args.Contains("--results"))
        {
            if (args.Contains("--memory-only"))
            {
                // Nothing listens on port 1: every call is served by the memory layer.
                AkCacheRuntime.Configure(o => o.RedisUrl = "redis://127.0.0.1:1");
            }

            return Results.Run(twice: args.Contains("--twice"));
        }

        var key = Argument(args, "--key", "k");
        var threads = int.Parse(Argument(args, "--threads", "1"), CultureInfo.InvariantCulture);
        Slow.ComputeMilliseconds = int.Parse(Argument(args, "--compute-ms", "1000"), CultureInfo.InvariantCulture);
        Slow.FailMarker = args.Contains("--fail-marker") ? Argument(args, "--fail-marker", "") : null;
        var startAt = long.Parse(Argument(args, "--start-at", "0"), CultureInfo.InvariantCulture);
        var lockTtl = int.Parse(Argument(args, "--lock-ttl-ms", "10000"), CultureInfo.InvariantCulture);
        var useAsync = args.Contains("--async");
        AkCacheRuntime.Configure(o =>
        {
            o.LockTimeToLive = TimeSpan.FromMilliseconds(lockTtl);

            // Dozens of processes start at once on a small machine: a connection or a reply slower
            // than the defaults would open this process's breaker, and it would compute on its own.
            // These runs are about coordination; the timeouts have tests of their own.
            o.ConnectTimeout = TimeSpan.FromSeconds(10);
            o.OperationTimeout = TimeSpan.FromSeconds(5);
        });

        // Connects to Redis and compiles the paths before the start, so the race starts warm.
        Slow.Warm(Environment.ProcessId);
        Emit($"READY {Environment.ProcessId}");
        if (args.Contains("--wait-for-go"))
        {
            Console.In.ReadLine();
        }

        var wait = startAt - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (wait > 0)
        {
            Thread.Sleep((int)wait);
        }

        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() => Call(i, key, useAsync))).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        return 0;
    }

    private static void Call(int thread, string key, bool useAsync)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var value = useAsync ? Slow.ComputeAsync(key).GetAwaiter().GetResult() : Slow.Compute(key);
            Emit($"RESULT {thread} {value} {Now()} {clock.ElapsedMilliseconds}");
        }
        catch (Exception ex)
        {
            Emit($"ERROR {thread} {ex.GetType().Name}:{ex.Message.Replace(' ', '_')} {Now()} {clock.ElapsedMilliseconds}");
        }
    }

    internal static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    internal static void Emit(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    private static string Argument(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }
}

public static class Slow
{
    public static int ComputeMilliseconds { get; set; }

    public static string? FailMarker { get; set; }

    [Memoize]
    public static string Compute(string key)
    {
        Program.Emit($"COMPUTE-START {Environment.ProcessId} {Program.Now()}");
        Thread.Sleep(ComputeMilliseconds);
        FailOnce();
        Program.Emit($"COMPUTE-END {Environment.ProcessId} {Program.Now()}");
        return $"{key}-by-{Environment.ProcessId}";
    }

    [Memoize]
    public static async Task<string> ComputeAsync(string key)
    {
        Program.Emit($"COMPUTE-START {Environment.ProcessId} {Program.Now()}");
        await Task.Delay(ComputeMilliseconds);
        FailOnce();
        Program.Emit($"COMPUTE-END {Environment.ProcessId} {Program.Now()}");
        return $"{key}-by-{Environment.ProcessId}";
    }

    [Memoize]
    public static int Warm(int processId) => processId;

    /// <summary>The first computation across all processes throws: the marker file is created by exactly one of them.</summary>
    private static void FailOnce()
    {
        if (FailMarker is null)
        {
            return;
        }

        try
        {
            using (new FileStream(FailMarker, FileMode.CreateNew))
            {
            }
        }
        catch (IOException)
        {
            return;
        }

        Program.Emit($"COMPUTE-FAILED {Environment.ProcessId} {Program.Now()}");
        throw new InvalidOperationException("first computation fails");
    }
}
