using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// One process of <see cref="InvalidationLatencyDriver"/>: <c>AkCache.Benchmarks invalidation-worker REDIS_URL PREFIX</c>,
/// AkCache with its local layer on, driven from standard input one command a line. Times are
/// <see cref="Stopwatch.GetTimestamp"/> values, which the driver compares across processes (see the driver).
/// <list type="bullet">
/// <item><c>clock</c>: <c>clock TIMESTAMP</c>, for the driver's check that every process reads the same clock.</item>
/// <item><c>watch ARG TIMEOUT_MS</c>: calls <see cref="InvalidationSubject.Value"/> until the local layer
/// answers, prints <c>watching ARG VALUE</c>, then calls it every millisecond on a thread of its own
/// until it returns something else: <c>seen ARG FIRST_NEW_START FIRST_NEW_END LAST_OLD_START VALUE</c>
/// (the start and end of the first call that did not return the old value, and the start of the last
/// that did), or <c>stale ARG LAST_OLD_START</c> after TIMEOUT_MS.</item>
/// <item><c>invalidate ARG</c>, <c>clear-method</c>, <c>clear-all</c>: the call, timed:
/// <c>changed BEFORE AFTER RESULT</c>.</item>
/// <item><c>exit</c>.</item>
/// </list>
/// </summary>
internal static class InvalidationLatencyWorker
{
    private static readonly TimeSpan LocalTimeout = TimeSpan.FromSeconds(20);

    public static int Run(string[] args)
    {
        var redisUrl = args[0];
        var prefix = args[1];
        AkCacheRuntime.Configure(options =>
        {
            options.RedisUrl = redisUrl;
            options.Prefix = prefix;
            options.LocalCache = true;

            // Four processes connect at once on a small, shared machine: a slow first reply must not
            // open a worker's breaker (which would make its local layer answer untrusted entries).
            options.ConnectTimeout = TimeSpan.FromSeconds(10);
            options.OperationTimeout = TimeSpan.FromSeconds(5);
        });
        Emit($"ready {Environment.ProcessId}");

        string? line;
        while ((line = Console.ReadLine()) is not null)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            if (parts[0] == "exit")
            {
                break;
            }

            try
            {
                Execute(parts);
            }
            catch (Exception ex)
            {
                Emit($"error {parts[0]} {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }

        return 0;
    }

    private static void Execute(string[] parts)
    {
        switch (parts[0])
        {
            case "clock":
                Emit($"clock {Stopwatch.GetTimestamp()}");
                break;
            case "watch":
                Watch(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
                break;
            case "invalidate":
                var argument = parts[1];
                Timed(() => AkCacheRuntime.Invalidate(() => InvalidationSubject.Value(argument)) ? "1" : "0");
                break;
            case "clear-method":
                Timed(() => AkCacheRuntime.ClearMethod(() => InvalidationSubject.Value(string.Empty)).ToString(CultureInfo.InvariantCulture));
                break;
            case "clear-all":
                Timed(() => AkCacheRuntime.ClearAll().ToString(CultureInfo.InvariantCulture));
                break;
            default:
                Emit($"error {parts[0]} unknown command");
                break;
        }
    }

    private static void Timed(Func<string> change)
    {
        var before = Stopwatch.GetTimestamp();
        var result = change();
        var after = Stopwatch.GetTimestamp();
        Emit($"changed {before} {after} {result}");
    }

    /// <summary>Waits until the local layer serves <paramref name="argument"/>, then polls it on a thread of its own.</summary>
    private static void Watch(string argument, int timeoutMs)
    {
        var old = ServeLocally(argument);
        Emit($"watching {argument} {old}");
        new Thread(() => Poll(argument, old, timeoutMs)) { IsBackground = true, Name = "poll " + argument }.Start();
    }

    /// <summary>Calls until one call is answered by the local layer (read from the method's counters: this thread is the process's only caller now).</summary>
    private static string ServeLocally(string argument)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var before = AkCacheRuntime.GetCacheInfo(() => InvalidationSubject.Value(string.Empty)).LocalHits;
            var value = InvalidationSubject.Value(argument);
            if (AkCacheRuntime.GetCacheInfo(() => InvalidationSubject.Value(string.Empty)).LocalHits > before)
            {
                return value;
            }

            if (clock.Elapsed > LocalTimeout)
            {
                throw new TimeoutException($"the local layer did not answer {argument} within {LocalTimeout.TotalSeconds} s");
            }

            Thread.Sleep(2);
        }
    }

    /// <summary>
    /// A millisecond's sleep between calls rather than a spin: four processes spinning on two cores
    /// would starve the threads that receive the very invalidations being timed. The change reached
    /// this process between the start of the last call that returned the old value and the start
    /// of the first that did not: a window of about one sleep.
    /// </summary>
    private static void Poll(string argument, string old, int timeoutMs)
    {
        var started = Stopwatch.GetTimestamp();
        var lastOldStart = started;
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            var value = InvalidationSubject.Value(argument);
            if (value != old)
            {
                var end = Stopwatch.GetTimestamp();
                Emit($"seen {argument} {start} {end} {lastOldStart} {value}");
                return;
            }

            lastOldStart = start;
            if (Stopwatch.GetElapsedTime(started).TotalMilliseconds > timeoutMs)
            {
                Emit($"stale {argument} {lastOldStart}");
                return;
            }

            Thread.Sleep(1);
        }
    }

    private static void Emit(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}

/// <summary>The memoized method the invalidation workers poll: every computation gives a value of its own (process id, count).</summary>
public static class InvalidationSubject
{
    private static int s_computations;

    [Memoize]
    public static string Value(string argument) =>
        $"{argument}/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}/{Interlocked.Increment(ref s_computations).ToString(CultureInfo.InvariantCulture)}";
}
