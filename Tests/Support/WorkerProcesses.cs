using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace AkCache.Tests.Support;

/// <summary>
/// TestWorker processes started together: each prints READY, waits for "go" on standard input, then
/// calls one memoized method from several threads and prints what happened (see TestWorker/Program.cs).
/// </summary>
public sealed class WorkerProcesses : IDisposable
{
    private readonly List<Worker> _workers = new();

    public WorkerProcesses(int count, IEnumerable<string> arguments, string redisUrl, string prefix)
    {
        var dll = Path.Combine(ProcessRunner.RepositoryRoot(), "TestWorker", "bin", Configuration, "net10.0", "TestWorker.dll");
        for (var i = 0; i < count; i++)
        {
            _workers.Add(new Worker(dll, arguments.Concat(new[] { "--wait-for-go" }), redisUrl, prefix));
        }
    }

    /// <summary>Runs one TestWorker to its end against <paramref name="redisUrl"/>, with <paramref name="prefix"/>; a non-zero exit fails the test.</summary>
    public static ProcessRunner.Result RunToEnd(string redisUrl, string prefix, params string[] arguments)
    {
        var dll = Path.Combine(ProcessRunner.RepositoryRoot(), "TestWorker", "bin", Configuration, "net10.0", "TestWorker.dll");
        var result = ProcessRunner.Run(
            "dotnet",
            new[] { dll }.Concat(arguments),
            ProcessRunner.RepositoryRoot(),
            new Dictionary<string, string?> { ["AKCACHE_REDIS_URL"] = redisUrl, ["AKCACHE_PREFIX"] = prefix, ["REDIS_URL"] = null },
            TimeSpan.FromMinutes(2));
        Xunit.Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>The configuration the tests were built in; TestWorker is built in the same one.</summary>
    public static string Configuration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public IReadOnlyList<Worker> Workers => _workers;

    public IEnumerable<string> Lines => _workers.SelectMany(w => w.Lines);

    /// <summary>Waits until every worker is READY, then releases them all at once.</summary>
    public void Go(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!_workers.All(w => w.Lines.Any(l => l.StartsWith("READY ", StringComparison.Ordinal))))
        {
            if (clock.Elapsed > timeout || _workers.Any(w => w.HasExited))
            {
                throw new TimeoutException("Workers did not all get ready:\n" + string.Join("\n", _workers.Select(w => w.Describe())));
            }

            Thread.Sleep(20);
        }

        foreach (var worker in _workers)
        {
            worker.Go();
        }
    }

    public Worker WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var found = _workers.FirstOrDefault(w => w.Lines.Any(match));
            if (found is not null)
            {
                return found;
            }

            Thread.Sleep(5);
        }

        throw new TimeoutException("No worker printed the expected line:\n" + string.Join("\n", _workers.Select(w => w.Describe())));
    }

    /// <summary>Waits for every worker to exit; a worker still running after <paramref name="timeout"/> fails the test (a hang).</summary>
    public void WaitForExit(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        foreach (var worker in _workers)
        {
            var left = timeout - clock.Elapsed;
            if (!worker.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                throw new TimeoutException($"A worker did not exit within {timeout.TotalSeconds} s:\n" + string.Join("\n", _workers.Select(w => w.Describe())));
            }
        }
    }

    public void Dispose()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }
    }

    public sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<string> _errors = new();

        public Worker(string dll, IEnumerable<string> arguments, string redisUrl, string prefix)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(dll);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["AKCACHE_REDIS_URL"] = redisUrl;
            start.Environment["AKCACHE_PREFIX"] = prefix;
            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    _lines.Enqueue(e.Data);
                    SuiteLog.Add(e.Data);
                }
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    _errors.Enqueue(e.Data);
                    SuiteLog.Add(e.Data);
                }
            };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            Id = _process.Id;
        }

        public int Id { get; }

        public IReadOnlyList<string> Lines => _lines.ToList();

        public IReadOnlyList<string> Errors => _errors.ToList();

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public bool Killed { get; private set; }

        public void Go()
        {
            _process.StandardInput.WriteLine("go");
            _process.StandardInput.Flush();
        }

        /// <summary>Kills the worker at once, as kill -9 would: no cleanup, no lock release.</summary>
        public void Kill()
        {
            Killed = true;
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        /// <summary>Asks the worker to stop, as a service manager does (SIGTERM): .NET runs its ProcessExit handlers, then exits.</summary>
        public void Terminate()
        {
            using var kill = Process.Start("kill", new[] { "-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                ?? throw new InvalidOperationException("could not run kill");
            kill.WaitForExit();
        }

        public bool WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                return false;
            }

            _process.WaitForExit();
            return true;
        }

        public string Describe() =>
            $"--- worker {Id} ({(_process.HasExited ? "exited " + _process.ExitCode : "running")})\n{string.Join("\n", _lines)}\n{string.Join("\n", _errors)}";

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
