using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Peers;
using AkCache.Benchmarks.Subjects;
using Microsoft.Extensions.Caching.Hybrid;
using ZiggyCreatures.Caching.Fusion;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// Item 7: a cold stampede across processes. For each contender, 8 worker processes start, connect
/// and warm up on keys of their own, and say "ready". Then, each round, the coordinator notes the time
/// and tells every worker "go KEY" for a key nobody has: each worker calls the contender with
/// <see cref="CallersPerProcess"/> concurrent callers, the computation takes <see cref="ComputeMilliseconds"/>,
/// and each worker reports how many computations it ran and when its last caller had the result.
/// Without single flight in the runtime, every AkCache caller computes; docs/benchmarks.md says
/// which runtime a run measured.
/// </summary>
internal static class StampedeDriver
{
    public const int Processes = 8;
    public const int CallersPerProcess = 4;
    public const int ComputeMilliseconds = 200;

    private static readonly string[] Contenders = ["akcache", "fusion", "fusion-locker", "hybrid"];

    public static int Run(bool quick, string results)
    {
        // AKCACHE_BENCH_STAMPEDE_ROUNDS and AKCACHE_BENCH_STAMPEDE_CONTENDERS (comma-separated) narrow a run while investigating.
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("AKCACHE_BENCH_STAMPEDE_ROUNDS"), out var asked) && asked > 0 ? asked : quick ? 1 : 5;
        var contenders = Environment.GetEnvironmentVariable("AKCACHE_BENCH_STAMPEDE_CONTENDERS") is { Length: > 0 } only
            ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : Contenders;
        var runId = Guid.NewGuid().ToString("N").Substring(0, 8);
        var outcomes = new List<object>();
        foreach (var contender in contenders)
        {
            var prefix = $"bench-stampede-{runId}-{contender}";
            var workers = Enumerable.Range(0, Processes).Select(_ => StartWorker(contender, prefix)).ToList();
            try
            {
                foreach (var worker in workers)
                {
                    worker.Expect("ready");
                }

                // One uncounted round on a shared key first, so that every process has run (and
                // JIT-compiled) the waiting path as well as the computing path: the rounds measure a
                // cold key, not a cold process.
                foreach (var worker in workers)
                {
                    worker.Send("go warm-up");
                }

                foreach (var worker in workers)
                {
                    worker.Expect("done");
                }

                Thread.Sleep(300);
                var roundResults = new List<object>();
                for (var round = 1; round <= rounds; round++)
                {
                    var key = $"round-{round}";
                    var start = DateTime.UtcNow.Ticks;
                    foreach (var worker in workers)
                    {
                        worker.Send("go " + key);
                    }

                    var reports = workers.Select(w => w.Expect("done").Split(' ')).ToList();
                    var computations = reports.Sum(r => int.Parse(r[1], CultureInfo.InvariantCulture));
                    var lastMs = (reports.Max(r => long.Parse(r[2], CultureInfo.InvariantCulture)) - start) / (double)TimeSpan.TicksPerMillisecond;
                    var firstMs = (reports.Min(r => long.Parse(r[3], CultureInfo.InvariantCulture)) - start) / (double)TimeSpan.TicksPerMillisecond;
                    Console.WriteLine($"{contender,-14} round {round}: computations={computations,3} first caller done {firstMs,7:F1} ms, last caller done {lastMs,7:F1} ms");
                    roundResults.Add(new { Round = round, Computations = computations, FirstDoneMs = Math.Round(firstMs, 1), LastDoneMs = Math.Round(lastMs, 1) });
                    Thread.Sleep(300);
                }

                outcomes.Add(new { Contender = contender, Rounds = roundResults });
            }
            finally
            {
                foreach (var worker in workers)
                {
                    worker.Dispose();
                }
            }
        }

        BenchResults.Write(results, "stampede", new
        {
            Processes,
            CallersPerProcess,
            ComputeMilliseconds,
            Contenders = outcomes,
        });
        return 0;
    }

    /// <summary>One worker process: warms up, says "ready", then answers each "go KEY" with "done COMPUTATIONS LAST_TICKS FIRST_TICKS".</summary>
    public static int Worker(string[] args)
    {
        var contender = args[0];
        var prefix = args[1];
        var get = CreateContender(contender, prefix);

        Plain.ComputeMilliseconds = 0;
        var warmKey = "warm-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        get(warmKey).GetAwaiter().GetResult();
        get(warmKey).GetAwaiter().GetResult();
        Plain.ComputeMilliseconds = ComputeMilliseconds;
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, CallersPerProcess * 2), io);
        Console.WriteLine("ready");

        string? line;
        while ((line = Console.ReadLine()) is not null && line.StartsWith("go ", StringComparison.Ordinal))
        {
            var key = line.Substring(3);
            var before = Volatile.Read(ref Plain.Computations);
            var callers = Enumerable.Range(0, CallersPerProcess)
                .Select(_ => Task.Run(async () =>
                {
                    await get(key).ConfigureAwait(false);
                    return DateTime.UtcNow.Ticks;
                }))
                .ToArray();
            var done = Task.WhenAll(callers).GetAwaiter().GetResult();
            var computations = Volatile.Read(ref Plain.Computations) - before;
            Console.WriteLine($"done {computations} {done.Max()} {done.Min()}");
        }

        return 0;
    }

    private static Func<string, Task> CreateContender(string contender, string prefix)
    {
        switch (contender)
        {
            case "akcache":
                AkCacheSetup.UseRedis(prefix);
                return key => Memoized.SlowQuoteAsync(key);
            case "fusion":
            case "fusion-locker":
                var fusion = PeerCaches.FusionWithRedis(BenchRedis.Endpoint, prefix + ":", distributedLocker: contender == "fusion-locker");
                return key => fusion.GetOrSetAsync<Quote>(key, (_, _) => SlowQuoteAsync(key)).AsTask();
            case "hybrid":
                var hybrid = PeerCaches.CreateHybrid(BenchRedis.Endpoint, prefix + ":");
                return key => hybrid.Cache.GetOrCreateAsync(key, _ => new ValueTask<Quote>(SlowQuoteAsync(key))).AsTask();
            default:
                throw new ArgumentException($"Unknown contender '{contender}'.");
        }
    }

    /// <summary>The peers' factory: the same work as the body of <see cref="Memoized.SlowQuoteAsync"/>.</summary>
    private static async Task<Quote> SlowQuoteAsync(string round)
    {
        Interlocked.Increment(ref Plain.Computations);
        await Task.Delay(Plain.ComputeMilliseconds).ConfigureAwait(false);
        return Quote.Create(round.Length);
    }

    private static WorkerProcess StartWorker(string contender, string prefix)
    {
        var self = typeof(StampedeDriver).Assembly.Location;
        var host = Environment.ProcessPath!;
        var viaDotnet = Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        if (viaDotnet)
        {
            start.ArgumentList.Add(self);
        }

        foreach (var argument in new[] { "stampede-worker", contender, prefix })
        {
            start.ArgumentList.Add(argument);
        }

        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start a worker."));
    }

    private sealed class WorkerProcess : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
        private readonly Process _process;

        public WorkerProcess(Process process) => _process = process;

        public void Send(string line)
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }

        /// <summary>The next line that starts with <paramref name="word"/>; other output is passed through.</summary>
        public string Expect(string word)
        {
            while (true)
            {
                var read = _process.StandardOutput.ReadLineAsync();
                if (!read.Wait(Timeout))
                {
                    throw new TimeoutException($"Worker {_process.Id} did not say '{word}' within {Timeout.TotalSeconds} s.");
                }

                var line = read.Result ?? throw new InvalidOperationException($"Worker {_process.Id} exited before saying '{word}'.");
                if (line.StartsWith(word, StringComparison.Ordinal))
                {
                    return line;
                }

                Console.WriteLine($"  worker {_process.Id}: {line}");
            }
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.WriteLine("exit");
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }
            }
            catch (IOException)
            {
            }
            finally
            {
                _process.Dispose();
            }
        }
    }
}
