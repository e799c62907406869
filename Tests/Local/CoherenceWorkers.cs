using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using AkCache.Tests.Support;

namespace AkCache.Tests.Local;

/// <summary>
/// TestWorker processes in <c>--coherence</c> mode (TestWorker/Coherence.cs), driven one command a
/// line: each keeps its own local layer, so what one of them serves after a change made elsewhere
/// shows whether the change reached it.
/// </summary>
internal sealed class CoherenceWorkers : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    public CoherenceWorkers(int count, string redisUrl, string prefix)
    {
        var dll = Path.Combine(ProcessRunner.RepositoryRoot(), "TestWorker", "bin", WorkerProcesses.Configuration, "net10.0", "TestWorker.dll");
        All = Enumerable.Range(1, count).Select(i => new CoherenceWorker(i, dll, redisUrl, prefix)).ToList();
        foreach (var worker in All)
        {
            worker.Expect("READY", ReadyTimeout);
        }
    }

    public IReadOnlyList<CoherenceWorker> All { get; }

    /// <summary>Fractional Unix milliseconds, read as the workers read them (TestWorker's Coherence.NowMs).</summary>
    public static double NowMs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;

    public string Describe() => string.Join("\n", All.Select(w => w.Describe()));

    public void Dispose()
    {
        foreach (var worker in All)
        {
            worker.Dispose();
        }
    }
}

/// <summary>One <c>TestWorker --coherence</c> process; a line starting with ERROR fails what waits for it.</summary>
internal sealed class CoherenceWorker : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _unread = new();
    private readonly ConcurrentQueue<string> _log = new();

    public CoherenceWorker(int number, string dll, string redisUrl, string prefix)
    {
        Number = number;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--coherence");
        start.Environment["AKCACHE_REDIS_URL"] = redisUrl;
        start.Environment["AKCACHE_PREFIX"] = prefix;
        start.Environment.Remove("AKCACHE_LOCAL_CACHE");
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Received(e.Data, stdout: true);
        _process.ErrorDataReceived += (_, e) => Received(e.Data, stdout: false);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>1 to N, as the tests name the workers.</summary>
    public int Number { get; }

    public void Send(string line)
    {
        _log.Enqueue("> " + line);
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>The next unread line starting with <paramref name="word"/> and a space, the lines before it passed over.</summary>
    public string[] Expect(string word, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || !_unread.TryTake(out var line, left))
            {
                throw new TimeoutException($"worker {Number} printed no {word} line within {timeout.TotalSeconds} s:\n{Describe()}");
            }

            if (line.StartsWith("ERROR ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"worker {Number}: {line}\n{Describe()}");
            }

            if (line.StartsWith(word + " ", StringComparison.Ordinal))
            {
                return line.Split(' ');
            }
        }
    }

    /// <summary><c>call ARG</c>: the value and where it came from (local, redis, computed, waited).</summary>
    public (string Value, string Source) Call(string argument)
    {
        Send("call " + argument);
        var line = Expect("VALUE", TimeSpan.FromSeconds(30));
        return (line[2], line[4]);
    }

    /// <summary>Calls until the local layer answers (its tracking or subscription may still be starting), and returns that value.</summary>
    public string ServeLocally(string argument, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (value, source) = Call(argument);
            if (source == "local")
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"worker {Number}'s local layer did not answer {argument} within {timeout.TotalSeconds} s:\n{Describe()}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Starts a poll of <paramref name="argument"/> and waits until it made its first call, which the local layer must answer.</summary>
    public void ArmPoll(string argument, TimeSpan timeout)
    {
        Send($"poll {argument} {((int)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}");
        var polling = Expect("POLLING", TimeSpan.FromSeconds(30));
        if (polling[2] != "local")
        {
            throw new InvalidOperationException($"worker {Number}'s poll of {argument} started with a call answered by {polling[2]}, not the local layer, so it would measure nothing:\n{Describe()}");
        }
    }

    /// <summary>The end of a poll: the latency and new value when it saw a change, else null and the value it kept serving.</summary>
    public (double? LatencyMs, string Value) PollOutcome(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || !_unread.TryTake(out var line, left))
            {
                throw new TimeoutException($"worker {Number}'s poll ended neither SEEN nor STALE within {timeout.TotalSeconds} s:\n{Describe()}");
            }

            var parts = line.Split(' ');
            if (parts[0] == "SEEN")
            {
                return (double.Parse(parts[2], CultureInfo.InvariantCulture), parts[3]);
            }

            if (parts[0] == "STALE")
            {
                return (null, parts[2]);
            }

            if (parts[0] == "ERROR")
            {
                throw new InvalidOperationException($"worker {Number}: {line}\n{Describe()}");
            }
        }
    }

    public string Describe() => $"--- worker {Number} (pid {_process.Id}, {(_process.HasExited ? "exited " + _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "running")})\n{string.Join("\n", _log)}";

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Send("exit");
                if (!_process.WaitForExit(5000))
                {
                    _process.Kill(entireProcessTree: true);
                }

                _process.WaitForExit();
            }
        }
        catch (IOException)
        {
            // Its standard input is already closed: it exited.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Received(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(stdout ? line : "stderr: " + line);
        if (stdout)
        {
            _unread.Add(line);
        }
    }
}
