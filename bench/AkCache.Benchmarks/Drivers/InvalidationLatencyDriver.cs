using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using AkCache.Benchmarks.Infrastructure;
using StackExchange.Redis;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 12: how long after a change the local layers of 4 processes stop serving the old value.
/// On a redis-server and on a Garnet of its own (FLUSHALL touches nothing else), 4 worker processes
/// (<see cref="InvalidationLatencyWorker"/>) each serve the same call from their local layer and
/// poll it every millisecond; then the change is made, and each worker reports the start of its first
/// call that did not return the old value. Kinds of change: AkCache's own Invalidate, ClearMethod and
/// ClearAll made by one of the 4 (a different one each round, and it polls too), and, on redis-server
/// only, an external DEL, SET of another valid value, and FLUSHALL made on a connection of the
/// driver's (Garnet has no key tracking: external changes are not seen there, docs/local-cache.md).
/// <para>
/// Clock: every timestamp is <see cref="Stopwatch.GetTimestamp"/>, which on Linux is
/// clock_gettime(CLOCK_MONOTONIC) in nanoseconds: one clock for the whole machine, so timestamps
/// taken in different processes can be subtracted. <see cref="CheckClock"/> checks this before
/// measuring: each worker's timestamp must fall between the driver's before and after it asked.
/// </para>
/// </summary>
internal static class InvalidationLatencyDriver
{
    public const int Processes = 4;
    public const int TargetMs = 100;
    private const int WarmUpRounds = 2;
    private const int PollTimeoutMs = 3000;
    private const string Argument = "x";
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(30);

    private static readonly Kind[] Kinds =
    [
        new("invalidate", "AkCache Invalidate, from one of the 4 processes", External: false, OnGarnet: true),
        new("clear-method", "AkCache ClearMethod, from one of the 4 processes", External: false, OnGarnet: true),
        new("clear-all", "AkCache ClearAll, from one of the 4 processes", External: false, OnGarnet: true),
        new("del", "external DEL of the key", External: true, OnGarnet: false),
        new("set", "external SET of another valid value", External: true, OnGarnet: false),
        new("flushall", "external FLUSHALL", External: true, OnGarnet: false),
    ];

    public static int Run(bool quick, string results)
    {
        // AKCACHE_BENCH_INVALIDATION_ROUNDS narrows a run while investigating.
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("AKCACHE_BENCH_INVALIDATION_ROUNDS"), out var asked) && asked > 0 ? asked : quick ? 10 : 200;
        var runId = Guid.NewGuid().ToString("N").Substring(0, 8);
        var loadBefore = LoadAverage();
        var servers = new List<ServerOutcome>();
        using (var redis = RedisServer.Start())
        {
            Console.WriteLine($"Started redis-server (pid {redis.ProcessId}) at {redis.Endpoint}.");
            servers.Add(Measure("redis-server", redis.Endpoint, Kinds, rounds, $"bench-invalidation-{runId}-redis"));
        }

        using (var garnet = GarnetChild.Start())
        {
            Console.WriteLine($"Started Garnet {GarnetChild.Version} (pid {garnet.ProcessId}) at {garnet.Endpoint}.");
            servers.Add(Measure("Garnet", garnet.Endpoint, Kinds.Where(k => k.OnGarnet).ToArray(), rounds, $"bench-invalidation-{runId}-garnet"));
        }

        BenchResults.Write(results, "invalidation", new
        {
            Processes,
            Rounds = rounds,
            WarmUpRounds,
            PollTimeoutMs,
            PollSleepMs = 1,
            TargetMs,
            StopwatchFrequency = Stopwatch.Frequency,
            LoadBefore = loadBefore,
            LoadAfter = LoadAverage(),
            Servers = servers,
        });
        return 0;
    }

    private static ServerOutcome Measure(string server, string endpoint, IReadOnlyList<Kind> kinds, int rounds, string prefix)
    {
        using var admin = ConnectionMultiplexer.Connect(endpoint + ",allowAdmin=true,connectTimeout=10000,syncTimeout=10000");
        var version = server == "Garnet" ? GarnetChild.Version : admin.GetServer(endpoint).Info("server").SelectMany(g => g).First(p => p.Key == "redis_version").Value;
        var workers = Enumerable.Range(0, Processes).Select(_ => BenchChild.Start("invalidation-worker", "redis://" + endpoint, prefix)).ToList();
        try
        {
            foreach (var worker in workers)
            {
                worker.Expect("ready", LineTimeout);
            }

            var clock = CheckClock(workers);
            Console.WriteLine($"{server} {version}: clock check: {clock.Samples} samples, every worker's timestamp within the driver's bracket (widest {clock.WidestBracketMs:F3} ms)");
            var state = new ExternalState(admin, endpoint, prefix);
            var outcomes = new List<KindOutcome>();
            foreach (var kind in kinds)
            {
                for (var i = 0; i < WarmUpRounds; i++)
                {
                    _ = Round(kind, i, workers, state);
                }

                var measured = Enumerable.Range(0, rounds).Select(i => Round(kind, i, workers, state)).ToList();
                var outcome = KindOutcome.From(kind, measured);
                Console.WriteLine($"{server,-12} {kind.Name,-12} {outcome}");
                outcomes.Add(outcome);
            }

            return new ServerOutcome(server, version, clock, LoadAverage(), outcomes);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    /// <summary>
    /// One change: every worker serves <see cref="Argument"/> from its local layer and starts polling;
    /// the change is made; each worker says when it stopped serving the old value.
    /// </summary>
    private static RoundOutcome Round(Kind kind, int round, IReadOnlyList<BenchChild> workers, ExternalState state)
    {
        foreach (var worker in workers)
        {
            worker.Send($"watch {Argument} {PollTimeoutMs.ToString(CultureInfo.InvariantCulture)}");
        }

        var served = workers.Select(w => w.Expect("watching", LineTimeout)[2]).ToList();
        var originatorIndex = round % workers.Count;
        var originator = workers[originatorIndex];
        long before, after;
        // The first SET has no other value to put back yet: an (unmeasured, warm-up) Invalidate makes one.
        var noOtherValue = kind.Name == "set" && !state.RecordEnvelope(served[0]);
        var command = kind.Name switch
        {
            "invalidate" => "invalidate " + Argument,
            "set" when noOtherValue => "invalidate " + Argument,
            "clear-method" or "clear-all" => kind.Name,
            _ => null,
        };
        if (command is not null)
        {
            originator.Send(command);
            (before, after) = (0, 0);
        }
        else
        {
            (before, after) = state.Change(kind.Name, served[0]);
        }

        var stopped = new double?[workers.Count];
        var inHand = new double?[workers.Count];
        var windows = new double?[workers.Count];
        var pending = new List<(int Worker, long FirstNewStart, long FirstNewEnd, long LastOldStart)>();
        for (var i = 0; i < workers.Count; i++)
        {
            var awaitingChanged = command is not null && ReferenceEquals(workers[i], originator);
            var awaitingPoll = true;
            while (awaitingChanged || awaitingPoll)
            {
                var line = workers[i].Next(TimeSpan.FromMilliseconds(PollTimeoutMs) + LineTimeout);
                switch (line[0])
                {
                    case "changed":
                        before = long.Parse(line[1], CultureInfo.InvariantCulture);
                        after = long.Parse(line[2], CultureInfo.InvariantCulture);
                        awaitingChanged = false;
                        break;
                    case "seen":
                        pending.Add((i, long.Parse(line[2], CultureInfo.InvariantCulture), long.Parse(line[3], CultureInfo.InvariantCulture), long.Parse(line[4], CultureInfo.InvariantCulture)));
                        awaitingPoll = false;
                        break;
                    case "stale":
                        awaitingPoll = false;
                        break;
                    default:
                        throw new InvalidOperationException($"worker {i + 1}: unexpected line '{string.Join(' ', line)}'");
                }
            }
        }

        foreach (var (worker, firstNewStart, firstNewEnd, lastOldStart) in pending)
        {
            stopped[worker] = Milliseconds(firstNewStart - before);
            inHand[worker] = Milliseconds(firstNewEnd - before);
            windows[worker] = Milliseconds(firstNewStart - lastOldStart);
        }

        return new RoundOutcome(originatorIndex + 1, Milliseconds(after - before), stopped, inHand, windows);
    }

    /// <summary>
    /// Checks that the workers' <see cref="Stopwatch.GetTimestamp"/> is the driver's clock: each
    /// answer must fall between the driver's timestamps taken just before asking and just after reading it.
    /// </summary>
    private static ClockCheck CheckClock(IReadOnlyList<BenchChild> workers)
    {
        const int PerWorker = 50;
        var widest = 0L;
        foreach (var worker in workers)
        {
            for (var i = 0; i < PerWorker; i++)
            {
                var asked = Stopwatch.GetTimestamp();
                worker.Send("clock");
                var answer = long.Parse(worker.Expect("clock", LineTimeout)[1], CultureInfo.InvariantCulture);
                var read = Stopwatch.GetTimestamp();
                if (answer < asked || answer > read)
                {
                    throw new InvalidOperationException(
                        $"worker pid {worker.ProcessId} answered Stopwatch timestamp {answer}, outside the driver's [{asked}, {read}]: the processes do not share one monotonic clock, and cross-process latencies cannot be computed this way.");
                }

                widest = Math.Max(widest, read - asked);
            }
        }

        return new ClockCheck(Stopwatch.IsHighResolution, Stopwatch.Frequency, PerWorker * workers.Count, Math.Round(Milliseconds(widest), 3));
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    internal sealed record Kind(string Name, string Label, bool External, bool OnGarnet);

    internal sealed record RoundOutcome(int Originator, double ChangeCallMs, double?[] StoppedMs, double?[] InHandMs, double?[] WindowMs);

    internal sealed record ClockCheck(bool HighResolution, long Frequency, int Samples, double WidestBracketMs);

    internal sealed record ServerOutcome(string Server, string Version, ClockCheck Clock, string LoadAfter, IReadOnlyList<KindOutcome> Kinds);

    /// <summary>
    /// One kind of change: "stopped" is the time from the start of the change to the start of a
    /// worker's first call that did not return the old value (every worker, every round); "slowest"
    /// is the same for the last of the 4 each round, which is what "every process" waits for.
    /// </summary>
    internal sealed record KindOutcome(
        string Kind,
        string Label,
        bool External,
        int Rounds,
        int Samples,
        int Stale,
        int StaleRounds,
        double StoppedMinMs,
        double StoppedP50Ms,
        double StoppedP99Ms,
        double StoppedMaxMs,
        double SlowestP50Ms,
        double SlowestP99Ms,
        double SlowestMaxMs,
        double InHandP50Ms,
        double InHandP99Ms,
        double PollWindowP50Ms,
        double ChangeCallP50Ms,
        bool MeetsTarget,
        IReadOnlyList<double?[]> StoppedPerRound)
    {
        public static KindOutcome From(Kind kind, IReadOnlyList<RoundOutcome> rounds)
        {
            var stopped = rounds.SelectMany(r => r.StoppedMs).OfType<double>().ToList();
            var slowest = rounds.Where(r => r.StoppedMs.All(s => s is not null)).Select(r => r.StoppedMs.Max(s => s!.Value)).ToList();
            var stale = rounds.Sum(r => r.StoppedMs.Count(s => s is null));
            var staleRounds = rounds.Count(r => r.StoppedMs.Any(s => s is null));
            var slowestP99 = Percentile(slowest, 0.99);
            return new KindOutcome(
                kind.Name,
                kind.Label,
                kind.External,
                rounds.Count,
                stopped.Count,
                stale,
                staleRounds,
                Math.Round(stopped.DefaultIfEmpty(double.NaN).Min(), 3),
                Percentile(stopped, 0.50),
                Percentile(stopped, 0.99),
                Math.Round(stopped.DefaultIfEmpty(double.NaN).Max(), 3),
                Percentile(slowest, 0.50),
                slowestP99,
                Math.Round(slowest.DefaultIfEmpty(double.NaN).Max(), 3),
                Percentile(rounds.SelectMany(r => r.InHandMs).OfType<double>().ToList(), 0.50),
                Percentile(rounds.SelectMany(r => r.InHandMs).OfType<double>().ToList(), 0.99),
                Percentile(rounds.SelectMany(r => r.WindowMs).OfType<double>().ToList(), 0.50),
                Percentile(rounds.Select(r => r.ChangeCallMs).ToList(), 0.50),
                stale == 0 && slowestP99 <= TargetMs,
                rounds.Select(r => r.StoppedMs.Select(s => s is { } v ? Math.Round(v, 3) : (double?)null).ToArray()).ToList());
        }

        public override string ToString() =>
            FormattableString.Invariant($"stopped p50 {StoppedP50Ms,7:F2} ms p99 {StoppedP99Ms,7:F2} ms max {StoppedMaxMs,7:F2} ms; slowest of 4 p50 {SlowestP50Ms,7:F2} ms p99 {SlowestP99Ms,7:F2} ms; stale {Stale} in {Rounds} rounds");

        /// <summary>Nearest rank, as <see cref="LatencySummary"/> does.</summary>
        private static double Percentile(List<double> values, double q)
        {
            if (values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = values.OrderBy(v => v).ToList();
            return Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)], 3);
        }
    }

    /// <summary>The driver's own connection, for the external changes, and the two envelopes an external SET alternates between.</summary>
    private sealed class ExternalState
    {
        private readonly ConnectionMultiplexer _admin;
        private readonly string _endpoint;
        private readonly string _prefix;
        private readonly Dictionary<string, byte[]> _envelopes = new(StringComparer.Ordinal);
        private RedisKey? _key;

        public ExternalState(ConnectionMultiplexer admin, string endpoint, string prefix)
        {
            _admin = admin;
            _endpoint = endpoint;
            _prefix = prefix;
        }

        /// <summary>Records the envelope of <paramref name="served"/> (the one in Redis now); true when one of another value is known too.</summary>
        public bool RecordEnvelope(string served)
        {
            _envelopes[served] = (byte[])_admin.GetDatabase().StringGet(Key())!;
            return _envelopes.Keys.Any(v => v != served);
        }

        /// <summary>Makes the change; returns the driver's timestamps just before and just after its command.</summary>
        public (long Before, long After) Change(string kind, string served)
        {
            var database = _admin.GetDatabase();
            var key = Key();
            switch (kind)
            {
                case "del":
                {
                    var before = Stopwatch.GetTimestamp();
                    var deleted = database.KeyDelete(key);
                    var after = Stopwatch.GetTimestamp();
                    return deleted ? (before, after) : throw new InvalidOperationException($"DEL {key} found no key.");
                }

                case "set":
                {
                    // A stored value is bound to its key (docs/values.md): the other valid value is an
                    // earlier envelope of the same key, as an operator restoring a value would write it.
                    var other = _envelopes.First(e => e.Key != served).Value;
                    var before = Stopwatch.GetTimestamp();
                    database.StringSet(key, other, expiry: null, keepTtl: true);
                    var after = Stopwatch.GetTimestamp();
                    return (before, after);
                }

                case "flushall":
                {
                    var server = _admin.GetServer(_endpoint);
                    var before = Stopwatch.GetTimestamp();
                    server.FlushAllDatabases();
                    var after = Stopwatch.GetTimestamp();
                    return (before, after);
                }

                default:
                    throw new ArgumentException($"Unknown external change '{kind}'.");
            }
        }

        /// <summary>The one value key of <see cref="InvalidationSubject.Value"/> under the run's prefix (its lock and awaited keys left out).</summary>
        private RedisKey Key()
        {
            if (_key is { } known)
            {
                return known;
            }

            var keys = _admin.GetServer(_endpoint).Keys(pattern: _prefix + ":*InvalidationSubject.Value*")
                .Where(k => !k.ToString().EndsWith(":lock", StringComparison.Ordinal) && !k.ToString().EndsWith(":awaited", StringComparison.Ordinal))
                .ToList();
            _key = keys.Count == 1 ? keys[0] : throw new InvalidOperationException($"expected one value key under {_prefix}, found {keys.Count}: {string.Join(", ", keys)}");
            return _key.Value;
        }
    }
}
