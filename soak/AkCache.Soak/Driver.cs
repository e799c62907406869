using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using StackExchange.Redis;

namespace AkCache.Soak;

/// <summary>
/// Starts a master, its replica and a sentinel, runs the workers against them through the
/// sentinel URL, and meanwhile restarts the current master every <c>--restart-every</c> seconds
/// (empty, alternately SIGKILL and SIGTERM), flushes it once and promotes the replica once
/// (SENTINEL FAILOVER). Then it adds up the workers' reports into a Markdown report.
/// </summary>
internal sealed class Driver
{
    private const string Service = "soak";
    private const string Prefix = "soak";
    private readonly SoakArguments _arguments;
    private readonly List<EventRecord> _events = new();
    private readonly ConcurrentQueue<string> _warnings = new();
    private RedisNode? _master;
    private RedisNode? _replica;

    public Driver(SoakArguments arguments) => _arguments = arguments;

    public int Run()
    {
        var root = Directory.CreateTempSubdirectory("akcache-soak-").FullName;
        var workers = new List<(Process Process, StringBuilder Output)>();
        RedisNode? sentinel = null;
        try
        {
            _master = RedisNode.StartServer("node-a", root);
            _replica = RedisNode.StartServer("node-b", root, _master);
            sentinel = RedisNode.StartSentinel(root, Service, _master, downAfterMilliseconds: 3000);
            using var sentinelConnection = sentinel.Connect();
            var sentinelServer = sentinelConnection.GetServer(sentinel.Endpoint);
            WaitFor(() => sentinelServer.SentinelReplicas(Service).Length == 1 && InSync(_replica), "the sentinel to know the replica, in sync", TimeSpan.FromSeconds(60));

            var duration = TimeSpan.FromMinutes(_arguments.Minutes);
            var startedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var until = startedAt + (long)duration.TotalMilliseconds;
            Log($"{_arguments.Processes} processes x {_arguments.Threads} threads for {duration.TotalSeconds:0} s against redis+sentinel://{sentinel.Endpoint}/{Service} (nodes {_master.Endpoint} and {_replica.Endpoint})");
            for (var i = 0; i < _arguments.Processes; i++)
            {
                workers.Add(StartWorker(i, sentinel.Port, startedAt, until));
            }

            var schedule = Schedule(duration.TotalSeconds, _arguments.RestartEverySeconds);
            for (var i = 0; i < schedule.Count; i++)
            {
                var wait = startedAt + (long)(schedule[i].At * 1000) - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (wait > 0)
                {
                    Thread.Sleep((int)wait);
                }

                // The probe of sharing ends before the next event, and before the workers stop.
                var next = i + 1 < schedule.Count ? startedAt + (long)(schedule[i + 1].At * 1000) : until;
                Execute(schedule[i].Kind, sentinelServer, startedAt, Math.Min(next, until - 1000));
            }

            var reports = new List<WorkerReport>();
            foreach (var (process, output) in workers)
            {
                var deadline = Math.Max(60_000, until - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000);
                if (!process.WaitForExit((int)deadline))
                {
                    Log($"worker {process.Id} did not finish; killed");
                    process.Kill();
                }

                process.WaitForExit();
                string text;
                lock (output)
                {
                    text = output.ToString();
                }

                var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("REPORT ", StringComparison.Ordinal));
                if (line is null)
                {
                    Log($"worker {process.Id} exited with {process.ExitCode} and no report");
                    continue;
                }

                reports.Add(JsonSerializer.Deserialize<WorkerReport>(line.Substring("REPORT ".Length))!);
            }

            return WriteReport(reports, duration);
        }
        finally
        {
            foreach (var (process, _) in workers)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
            }

            sentinel?.Dispose();
            _replica?.Dispose();
            _master?.Dispose();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// Restarts at every multiple of the interval before the end; the flush and the promotion half
    /// way between two restarts, near 45 % and 65 % of the run, so that their effects can be told apart.
    /// </summary>
    internal static List<(double At, string Kind)> Schedule(double seconds, double interval)
    {
        var events = new List<(double At, string Kind)>();
        for (var at = interval; at < seconds - 5; at += interval)
        {
            events.Add((at, "restart"));
        }

        var flush = (Math.Floor(seconds * 0.45 / interval) + 0.5) * interval;
        var promote = Math.Max((Math.Floor(seconds * 0.65 / interval) + 0.5) * interval, flush + interval);
        events.Add((Math.Min(flush, seconds - 5), "flushall"));
        events.Add((Math.Min(promote, seconds - 3), "promotion"));
        return events.OrderBy(e => e.At).ToList();
    }

    private static void WaitFor(Func<bool> condition, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (RedisException)
            {
            }

            if (clock.Elapsed > timeout)
            {
                throw new InvalidOperationException($"gave up waiting for {what} after {timeout.TotalSeconds:0} s");
            }

            Thread.Sleep(20);
        }
    }

    private static string Info(RedisNode node, string section)
    {
        using var connection = node.Connect();
        return connection.GetServer(node.Endpoint).InfoRaw(section) ?? string.Empty;
    }

    private static bool InSync(RedisNode replica) => Info(replica, "replication").Contains("master_link_status:up", StringComparison.Ordinal);

    private static HashSet<string> Keys(RedisNode node)
    {
        using var connection = node.Connect();
        return connection.GetServer(node.Endpoint).Keys(pattern: Prefix + ":*", pageSize: 1000).Select(k => k.ToString()).ToHashSet(StringComparer.Ordinal);
    }

    private static void Log(string message) =>
        Console.Error.WriteLine($"[soak {DateTime.UtcNow:HH:mm:ss}] {message}");

    private (Process, StringBuilder) StartWorker(int index, int sentinelPort, long startedAt, long until)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Driver).Assembly.Location);
        }

        foreach (var argument in new[]
        {
            "--worker",
            "--threads", _arguments.Threads.ToString(CultureInfo.InvariantCulture),
            "--keys", _arguments.Keys.ToString(CultureInfo.InvariantCulture),
            "--started-at", startedAt.ToString(CultureInfo.InvariantCulture),
            "--until", until.ToString(CultureInfo.InvariantCulture),
            "--seed", (index * 7919).ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (_arguments.Sabotage)
        {
            start.ArgumentList.Add("--sabotage");
        }

        start.Environment["AKCACHE_REDIS_URL"] = $"redis+sentinel://127.0.0.1:{sentinelPort.ToString(CultureInfo.InvariantCulture)}/{Service}";
        start.Environment["AKCACHE_PREFIX"] = Prefix;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a worker");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Append(e.Data).Append('\n');
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _warnings.Enqueue(((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - startedAt) / 1000.0).ToString("0.0", CultureInfo.InvariantCulture) + "\t" + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    private RedisNode CurrentMaster(IServer sentinel)
    {
        var address = sentinel.SentinelGetMasterAddressByName(Service);
        var port = address is System.Net.IPEndPoint ip ? ip.Port : -1;
        return _master!.Port == port ? _master : _replica!.Port == port ? _replica : throw new InvalidOperationException($"the sentinel names an unknown master {address}");
    }

    private void Execute(string kind, IServer sentinel, long startedAt, long probeUntil)
    {
        var at = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - startedAt) / 1000.0;
        var master = CurrentMaster(sentinel);
        var clock = Stopwatch.StartNew();
        string detail;
        switch (kind)
        {
            case "restart":
                var kill = _events.Count(e => e.Kind.StartsWith("restart", StringComparison.Ordinal)) % 2 == 0;
                master.Restart(kill);
                kind = kill ? "restart (SIGKILL)" : "restart (SIGTERM)";
                detail = $"{master.Endpoint} back, empty";
                break;
            case "flushall":
                using (var connection = master.Connect())
                {
                    connection.GetServer(master.Endpoint).FlushAllDatabases();
                }

                detail = $"{master.Endpoint} flushed";
                break;
            default:
                var replica = master == _master ? _replica! : _master!;
                WaitFor(() => InSync(replica), "the replica to be in sync before the promotion", TimeSpan.FromSeconds(30));
                WaitFor(
                    () =>
                    {
                        sentinel.Execute("SENTINEL", "FAILOVER", Service);
                        return true;
                    },
                    "the sentinel to accept SENTINEL FAILOVER",
                    TimeSpan.FromSeconds(30));
                WaitFor(() => CurrentMaster(sentinel) == replica && Info(replica, "replication").Contains("role:master", StringComparison.Ordinal), "the replica to be promoted", TimeSpan.FromSeconds(60));
                detail = $"{replica.Endpoint} promoted, {master.Endpoint} its replica";
                master = replica;
                break;
        }

        var took = clock.Elapsed;

        // Sharing is back when a key that the node did not hold right after the event is stored there.
        var before = Keys(master);
        var stored = (double?)null;
        var probe = Stopwatch.StartNew();
        var limit = TimeSpan.FromMilliseconds(Math.Min(30_000, Math.Max(500, probeUntil - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 500)));
        while (probe.Elapsed < limit)
        {
            try
            {
                if (Keys(master).Except(before).Any())
                {
                    stored = (took + probe.Elapsed).TotalMilliseconds;
                    break;
                }
            }
            catch (RedisException)
            {
            }

            Thread.Sleep(20);
        }

        var record = new EventRecord(at, kind, detail, took.TotalMilliseconds, stored, (took + limit).TotalMilliseconds);
        _events.Add(record);
        Log($"{at:0.0} s: {kind}, {detail}, took {took.TotalMilliseconds:0} ms; first new key stored {record.FirstStore} after it");
    }

    private int WriteReport(List<WorkerReport> reports, TimeSpan duration)
    {
        var text = new StringBuilder();
        var calls = reports.Sum(r => r.Calls);
        var wrong = reports.Sum(r => r.WrongResults);
        var exceptions = reports.Sum(r => r.Exceptions);
        var missing = _arguments.Processes - reports.Count;
        var methods = reports.SelectMany(r => r.Methods).GroupBy(m => m.Method).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var redisHits = methods.Sum(g => g.Sum(m => m.RedisHits));
        var latency = new Dictionary<int, long>();
        foreach (var bucket in reports.SelectMany(r => r.Latency))
        {
            latency[bucket.Key] = latency.GetValueOrDefault(bucket.Key) + bucket.Value;
        }

        double Percentile(double p)
        {
            var target = (long)Math.Ceiling(calls * p);
            long seen = 0;
            foreach (var bucket in latency.OrderBy(b => b.Key))
            {
                seen += bucket.Value;
                if (seen >= target)
                {
                    return LatencyHistogram.UpperMilliseconds(bucket.Key);
                }
            }

            return 0;
        }

        var passed = wrong == 0 && exceptions == 0 && missing == 0 && redisHits > 0;
        text.AppendLine(CultureInfo.InvariantCulture, $"Soak run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {_arguments.Processes} processes x {_arguments.Threads} threads, {duration.TotalSeconds:0} s, {_arguments.Keys} ids, redis-server {RedisVersion()} behind one sentinel, {Environment.ProcessorCount} cores.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `bash soak/run.sh --minutes {_arguments.Minutes.ToString(CultureInfo.InvariantCulture)} --processes {_arguments.Processes} --threads {_arguments.Threads} --keys {_arguments.Keys} --restart-every {_arguments.RestartEverySeconds.ToString(CultureInfo.InvariantCulture)}`. Result: **{(passed ? "passed" : "FAILED")}**.");
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("|---|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| calls | {calls:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| wrong results | {wrong} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| exceptions reaching a caller | {exceptions} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| workers without a report | {missing} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| call latency p50 / p99 / p99.9 / max | {Percentile(0.5):0.###} / {Percentile(0.99):0.###} / {Percentile(0.999):0.###} / {Percentile(1):0.###} ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| invalidations and clears refused while Redis was unreachable (they throw, as documented) | {reports.Sum(r => r.ManagementRefused):N0} of {reports.Sum(r => r.Invalidations):N0} invalidations and {reports.Sum(r => r.Clears):N0} clears |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| warning lines logged (all workers) | {_warnings.Count(IsWarning):N0} |");
        text.AppendLine();
        text.AppendLine("Where the calls were answered, and the computations per key (all processes added up):");
        text.AppendLine();
        text.AppendLine("| method | local hits | Redis hits | served while Redis was down | waited for another process | did not wait for a slow Redis | computations | keys | per key min / median / max |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        var computed = reports.SelectMany(r => r.ComputationsByKey)
            .GroupBy(k => k.Key, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Count: g.Sum(x => x.Value)))
            .ToList();
        foreach (var method in methods)
        {
            var name = method.Key.Split('(')[0].Split('.').Last();
            var perKey = computed.Where(c => c.Key.StartsWith(name + "(", StringComparison.Ordinal)).Select(c => c.Count).OrderBy(c => c).ToList();
            var spread = perKey.Count == 0 ? "-" : $"{perKey[0]} / {perKey[perKey.Count / 2]} / {perKey[^1]}";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {method.Sum(m => m.LocalHits):N0} | {method.Sum(m => m.RedisHits):N0} | {method.Sum(m => m.FallbackHits):N0} | {method.Sum(m => m.WaitsForOtherProcesses):N0} | {method.Sum(m => m.SlowReads):N0} | {perKey.Sum():N0} | {perKey.Count} | {spread} |");
        }

        text.AppendLine();
        text.AppendLine("The events (the first new key is the first result stored on the master after the event: sharing is back):");
        text.AppendLine();
        text.AppendLine("| at | event | what | took | first new key after |");
        text.AppendLine("|---:|---|---|---:|---:|");
        foreach (var e in _events)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {e.At:0.0} s | {e.Kind} | {e.Detail} | {e.TookMilliseconds:0} ms | {e.FirstStore} |");
        }

        var window = Math.Max(5, (int)(_arguments.RestartEverySeconds / 4));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Per {window} s of the run (all processes):");
        text.AppendLine();
        text.AppendLine("| from | calls | computations | calls over 1 s | wrong or exceptions | events |");
        text.AppendLine("|---:|---:|---:|---:|---:|---|");
        var seconds = reports.SelectMany(r => r.PerSecond).GroupBy(p => p[0] / window).OrderBy(g => g.Key);
        foreach (var slot in seconds)
        {
            var from = slot.Key * window;
            var events = string.Join(", ", _events.Where(e => e.At >= from && e.At < from + window).Select(e => e.Kind));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {from} s | {slot.Sum(p => p[1]):N0} | {slot.Sum(p => p[4]):N0} | {slot.Sum(p => p[2]):N0} | {slot.Sum(p => p[3])} | {events} |");
        }

        var kinds = _warnings.Where(IsWarning)
            .GroupBy(w => Regex.Replace(Text(w), @"[0-9]+(\.[0-9]+)?", "N"), StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .Take(12)
            .ToList();
        text.AppendLine();
        text.AppendLine("The warnings, by kind (numbers replaced by N):");
        text.AppendLine();
        text.AppendLine("| lines | first at | last at | warning |");
        text.AppendLine("|---:|---:|---:|---|");
        foreach (var kind in kinds)
        {
            var at = kind.Select(w => double.Parse(w.Substring(0, w.IndexOf('\t', StringComparison.Ordinal)), CultureInfo.InvariantCulture)).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {kind.Count()} | {at.Min():0.0} s | {at.Max():0.0} s | {kind.Key.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        var samples = reports.SelectMany(r => r.Samples.Select(s => $"pid {r.ProcessId}, {s}")).Take(20).ToList();
        if (samples.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Wrong results and exceptions seen (first 20):");
            text.AppendLine();
            samples.ForEach(s => text.AppendLine("- " + s));
        }

        Console.Out.Write(text.ToString());
        if (_arguments.Report is { } path)
        {
            File.WriteAllText(path, text.ToString());
        }

        if (!passed)
        {
            Log(redisHits == 0 ? "FAILED: no call was answered from Redis, so nothing was shared" : "FAILED: see the report");
        }

        return passed ? 0 : 1;
    }

    private static bool IsWarning(string line) => Text(line).StartsWith("warn", StringComparison.Ordinal) || Text(line).StartsWith("fail", StringComparison.Ordinal);

    /// <summary>A captured line without the second of the run it arrived at.</summary>
    private static string Text(string line) => line.Substring(line.IndexOf('\t', StringComparison.Ordinal) + 1);

    private string RedisVersion()
    {
        var info = Info(CurrentMasterNode(), "server");
        var line = info.Split('\n').FirstOrDefault(l => l.StartsWith("redis_version:", StringComparison.Ordinal));
        return line?.Substring("redis_version:".Length).Trim() ?? "?";
    }

    private RedisNode CurrentMasterNode() => Info(_master!, "replication").Contains("role:master", StringComparison.Ordinal) ? _master! : _replica!;

    private sealed record EventRecord(double At, string Kind, string Detail, double TookMilliseconds, double? FirstStoreMilliseconds, double WatchedMilliseconds)
    {
        public string FirstStore => FirstStoreMilliseconds is { } s
            ? s.ToString("0", CultureInfo.InvariantCulture) + " ms"
            : "not within " + WatchedMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
    }
}
