using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using AkCache;

namespace TestWorker;

/// <summary>
/// <c>TestWorker --coherence</c>: one memoized method whose every computation gives a value of its
/// own (argument, process id, count), driven from standard input, one command a line, so that a test
/// or a benchmark sees when this process's local layer stops serving a value:
/// <list type="bullet">
/// <item><c>call ARG</c>: prints <c>VALUE ARG value computations source</c>, source being where the
/// call was answered (local, redis, computed, waited, other).</item>
/// <item><c>poll ARG TIMEOUT_MS [UNIX_MS]</c>: on a thread of its own, calls the method every millisecond until it
/// returns something other than the last value <c>call ARG</c> printed; prints <c>POLLING ARG source</c>
/// after its first call, then, once the change is seen and an <c>at</c> line has come,
/// <c>SEEN ARG latency_ms value computations</c>, or <c>STALE ARG value elapsed_ms</c> at the timeout.</item>
/// <item><c>at UNIX_MS</c>: for polls started before the change (the line's optional UNIX_MS is for a change already made), the moment (fractional Unix milliseconds) the change was made, which the
/// pending polls measure their latency from.</item>
/// <item><c>invalidate ARG</c>, <c>clear</c>, <c>info</c>, <c>exit</c>.</item>
/// </list>
/// Redis comes from AKCACHE_REDIS_URL and AKCACHE_PREFIX.
/// </summary>
public static class Coherence
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, string> LastValues = new(StringComparer.Ordinal);
    private static readonly List<Poll> Polls = new();

    public static int Run()
    {
        AkCacheRuntime.Configure(o =>
        {
            // Several processes start at once on a small machine: see Program.Main.
            o.ConnectTimeout = TimeSpan.FromSeconds(10);
            o.OperationTimeout = TimeSpan.FromSeconds(5);
        });
        Program.Emit($"READY {Environment.ProcessId}");
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            if (parts[0] == "exit")
            {
                return 0;
            }

            try
            {
                Execute(parts);
            }
            catch (Exception ex)
            {
                Program.Emit($"ERROR {parts[0]} {ex.GetType().Name}:{ex.Message.Replace(' ', '_')}");
            }
        }

        return 0;
    }

    /// <summary>Fractional Unix milliseconds: the 100 ns ticks of the wall clock, as the same machine's other processes read it.</summary>
    public static double NowMs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;

    private static void Execute(string[] parts)
    {
        switch (parts[0])
        {
            case "call":
                var (value, source) = CallAndSee(parts[1]);
                lock (Gate)
                {
                    LastValues[parts[1]] = value;
                }

                Program.Emit($"VALUE {parts[1]} {value} {Coherent.Computations} {source}");
                break;
            case "poll":
                StartPoll(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture), parts.Length > 3 ? double.Parse(parts[3], CultureInfo.InvariantCulture) : null);
                break;
            case "at":
                MarkChange(double.Parse(parts[1], CultureInfo.InvariantCulture));
                break;
            case "invalidate":
                var found = AkCacheRuntime.Invalidate(() => Coherent.Value(parts[1]));
                Program.Emit($"INVALIDATED {parts[1]} {found}");
                break;
            case "clear":
                Program.Emit($"CLEARED {AkCacheRuntime.ClearMethod(() => Coherent.Value(string.Empty))}");
                break;
            case "info":
                Program.Emit($"INFO {AkCacheRuntime.GetCacheInfo(() => Coherent.Value(string.Empty))}");
                break;
            default:
                Program.Emit($"ERROR {parts[0]} unknown_command");
                break;
        }
    }

    /// <summary>One call, and where it was answered, read from the method's counters (one caller at a time in this process).</summary>
    private static (string Value, string Source) CallAndSee(string argument)
    {
        var before = AkCacheRuntime.GetCacheInfo(() => Coherent.Value(string.Empty));
        var value = Coherent.Value(argument);
        var after = AkCacheRuntime.GetCacheInfo(() => Coherent.Value(string.Empty));
        var source =
            after.LocalHits > before.LocalHits ? "local" :
            after.Computations > before.Computations ? "computed" :
            after.WaitsForOtherProcesses > before.WaitsForOtherProcesses ? "waited" :
            after.RedisHits > before.RedisHits ? "redis" :
            "other";
        return (value, source);
    }

    private static void StartPoll(string argument, int timeoutMs, double? changedAt)
    {
        string old;
        lock (Gate)
        {
            old = LastValues.TryGetValue(argument, out var last) ? last : throw new InvalidOperationException("poll before call of " + argument);
        }

        var poll = new Poll(argument, old);
        if (changedAt is { } at)
        {
            poll.ChangedAt(at);
        }

        lock (Gate)
        {
            Polls.Add(poll);
        }

        new Thread(() => poll.Run(timeoutMs)) { IsBackground = true, Name = "poll " + argument }.Start();
    }

    private static void MarkChange(double atMs)
    {
        List<Poll> pending;
        lock (Gate)
        {
            pending = new List<Poll>(Polls);
        }

        foreach (var poll in pending)
        {
            poll.ChangedAt(atMs);
        }
    }

    /// <summary>The poll's value is the one later polls compare with; a poll whose change is seen stays pending until its <c>at</c> line.</summary>
    private static void Finished(Poll poll, bool pending)
    {
        lock (Gate)
        {
            LastValues[poll.Argument] = poll.NewValue!;
            if (!pending)
            {
                Polls.Remove(poll);
            }
        }
    }

    /// <summary>One poll: its result is printed once both the change is seen and its moment is known, in whichever order they come.</summary>
    private sealed class Poll
    {
        private readonly object _gate = new();
        private readonly string _old;
        private double? _changedAt;
        private double? _seenAt;
        private bool _printed;

        public Poll(string argument, string old)
        {
            Argument = argument;
            _old = old;
        }

        public string Argument { get; }

        public string? NewValue { get; private set; }

        public void Run(int timeoutMs)
        {
            var started = NowMs();
            var (value, source) = CallAndSee(Argument);
            Program.Emit($"POLLING {Argument} {source}");

            // A millisecond's sleep between calls, not a spin: four pollers spinning on two cores
            // would starve the threads that receive the invalidations being measured.
            while (value == _old)
            {
                if (NowMs() - started > timeoutMs)
                {
                    Finished(value, pending: false);
                    Program.Emit($"STALE {Argument} {value} {(NowMs() - started).ToString("F1", CultureInfo.InvariantCulture)}");
                    return;
                }

                Thread.Sleep(1);
                value = Coherent.Value(Argument);
            }

            // The new value and the moment it was seen are set together: an "at" line read meanwhile
            // (ChangedAt, on another thread) prints as soon as both moments are known, and printed an
            // empty value when the moment was set before the value.
            Finished(value, pending: true, seenAt: NowMs());
            TryPrint();
        }

        public void ChangedAt(double atMs)
        {
            lock (_gate)
            {
                _changedAt = atMs;
            }

            TryPrint();
        }

        private void Finished(string value, bool pending, double? seenAt = null)
        {
            lock (_gate)
            {
                NewValue = value;
                _seenAt ??= seenAt;
            }

            Coherence.Finished(this, pending);
        }

        private void TryPrint()
        {
            lock (_gate)
            {
                if (_printed || _seenAt is not { } seen || _changedAt is not { } changed)
                {
                    return;
                }

                _printed = true;
                Program.Emit($"SEEN {Argument} {(seen - changed).ToString("F3", CultureInfo.InvariantCulture)} {NewValue} {Coherent.Computations}");
            }

            Coherence.Finished(this, pending: false);
        }
    }
}

/// <summary>The memoized method of <see cref="Coherence"/>: every computation gives a new value, recognisable by its process and count.</summary>
public static class Coherent
{
    private static int s_computations;

    public static int Computations => Volatile.Read(ref s_computations);

    [Memoize]
    public static string Value(string argument)
    {
        var count = Interlocked.Increment(ref s_computations);
        return $"{argument}/{Environment.ProcessId}/{count}";
    }
}
