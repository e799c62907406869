using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using AkCache.Benchmarks.Infrastructure;
using Garnet;

namespace AkCache.Benchmarks.Drivers;

/// <summary>
/// A child process running this benchmark executable in another mode, its standard output read line
/// by line in the background; a line starting with "error " fails whoever waits for it.
/// </summary>
internal sealed class BenchChild : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();

    private BenchChild(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Add(line);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"  [pid {_process.Id}] {line}");
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int ProcessId => _process.Id;

    /// <summary>Starts this executable (through dotnet when run as a dll) with <paramref name="arguments"/>.</summary>
    public static BenchChild Start(params string[] arguments)
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(BenchChild).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The local layer is what is measured: a setting inherited from the shell must not turn it off.
        start.Environment.Remove("AKCACHE_LOCAL_CACHE");
        start.Environment.Remove("AKCACHE_DISABLED");
        return new BenchChild(Process.Start(start) ?? throw new InvalidOperationException("Could not start " + string.Join(' ', arguments)));
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>The next line, split on spaces.</summary>
    public string[] Next(TimeSpan timeout)
    {
        if (!_lines.TryTake(out var line, timeout))
        {
            throw new TimeoutException($"process {_process.Id} printed nothing within {timeout.TotalSeconds} s{(_process.HasExited ? $" (exited with {_process.ExitCode})" : string.Empty)}.");
        }

        if (line.StartsWith("error ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"process {_process.Id}: {line}");
        }

        return line.Split(' ');
    }

    /// <summary>The next line, which must start with <paramref name="word"/>.</summary>
    public string[] Expect(string word, TimeSpan timeout)
    {
        var parts = Next(timeout);
        return parts[0] == word
            ? parts
            : throw new InvalidOperationException($"process {_process.Id} printed '{string.Join(' ', parts)}' where '{word} ...' was expected.");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Send("exit");
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit();
                }
            }
        }
        catch (IOException)
        {
            // Its standard input is already closed: it has exited.
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>
/// Garnet (Microsoft.Garnet, embedded) in a child process of its own,
/// <c>AkCache.Benchmarks garnet-server PORT DIRECTORY</c>, so that the server's threads and
/// collections run beside the worker processes as redis-server's do, not inside the driver.
/// Started with the tests' arguments (Tests/Infrastructure/RedisTestServer.cs); stopped by its own
/// process id when the driver is done.
/// </summary>
internal sealed class GarnetChild : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly BenchChild _child;
    private readonly string _directory;

    private GarnetChild(BenchChild child, string directory, int port)
    {
        _child = child;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public int ProcessId => _child.ProcessId;

    /// <summary>The package's version, as the embedded server reports it.</summary>
    public static string Version
    {
        get
        {
            var assembly = typeof(GarnetServer).Assembly;
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "unknown";
        }
    }

    public static GarnetChild Start()
    {
        var port = int.Parse(BenchRedis.ClosedPortUrl().Split(':').Last(), CultureInfo.InvariantCulture);
        var directory = Directory.CreateTempSubdirectory("akcache-bench-garnet-").FullName;
        var child = BenchChild.Start("garnet-server", port.ToString(CultureInfo.InvariantCulture), directory);
        try
        {
            child.Expect("ready", StartTimeout);
            return new GarnetChild(child, directory, port);
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>The child's side: serves until its standard input says exit or closes.</summary>
    public static int Serve(string[] args)
    {
        var port = args[0];
        var directory = args[1];
        string[] arguments =
        [
            "--port", port, "--bind", "127.0.0.1", "--memory", "64m", "--index", "1m", "--lua", "-q",
            "--disable-console-logger", "--logger-level", "Warning",
            "--file-logger", Path.Combine(directory, "garnet.log"),
            "--checkpointdir", Path.Combine(directory, "checkpoints"),
        ];
        using var server = new GarnetServer(arguments);
        server.Start();
        Console.WriteLine("ready");
        Console.Out.Flush();
        string? line;
        while ((line = Console.ReadLine()) is not null && line != "exit")
        {
        }

        return 0;
    }

    public void Dispose()
    {
        _child.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
