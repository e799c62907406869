using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace MarketPipeline;

/// <summary>
/// The Redis the tasks share: AKCACHE_REDIS_URL or REDIS_URL when set; else a redis-server of its
/// own when one is installed (the real thing, with the key tracking that keeps the local layers
/// coherent); else an embedded Garnet server. What this class starts, it stops.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Garnet.GarnetServer? _embedded;
    private readonly Process? _started;
    private readonly int _port;
    private readonly string? _dataDirectory;

    private RedisServer(string url, string description, Garnet.GarnetServer? embedded, Process? started, int port, string? dataDirectory)
    {
        Url = url;
        Description = description;
        _embedded = embedded;
        _started = started;
        _port = port;
        _dataDirectory = dataDirectory;
    }

    public string Url { get; }

    public string Description { get; }

    public static RedisServer FromEnvironmentOrStarted()
    {
        foreach (var variable in new[] { "AKCACHE_REDIS_URL", "REDIS_URL" })
        {
            var url = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(url))
            {
                // The URL may hold a password: say where it came from, not what it is.
                return new RedisServer(url, "from " + variable, null, null, 0, null);
            }
        }

        return FindOnPath("redis-server") is { } executable ? StartRedisServer(executable) : StartGarnet();
    }

    public void Dispose()
    {
        _embedded?.Dispose();
        if (_started is not null)
        {
            Stop(_started, _port);
        }

        if (_dataDirectory is not null)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        }
    }

    private static RedisServer StartRedisServer(string executable)
    {
        var port = LoopbackPort.Free();
        var data = Directory.CreateTempSubdirectory("akcache-marketpipeline-redis-").FullName;
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no",
            "--daemonize", "no", "--dir", data, "--logfile", Path.Combine(data, "redis.log"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        try
        {
            var version = WaitUntilServing(process, port);
            var url = $"redis://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
            return new RedisServer(url, $"redis-server {version} started for this run at {url}, pid {process.Id.ToString(CultureInfo.InvariantCulture)} (set AKCACHE_REDIS_URL to use your own)", null, process, port, data);
        }
        catch
        {
            Stop(process, port);
            throw;
        }
    }

    /// <summary>Waits for the server to answer, and returns its version.</summary>
    private static string WaitUntilServing(Process process, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode.ToString(CultureInfo.InvariantCulture)} before it answered on port {port.ToString(CultureInfo.InvariantCulture)}.");
            }

            try
            {
                var info = Command(port, "INFO", "server");
                var line = info.Split('\n').FirstOrDefault(l => l.StartsWith("redis_version:", StringComparison.Ordinal));
                return line?["redis_version:".Length..].Trim() ?? "(version unknown)";
            }
            catch (Exception e) when (e is SocketException or IOException && deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Asks the server this demo started to shut down, and ends that process, by its own handle, if it does not.</summary>
    private static void Stop(Process process, int port)
    {
        try
        {
            if (!process.HasExited)
            {
                try
                {
                    Command(port, "SHUTDOWN", "NOSAVE");
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    // It closes the connection as it exits; or it is not answering: killed below.
                }

                if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    process.Kill();
                    process.WaitForExit();
                }
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    private static RedisServer StartGarnet()
    {
        var port = LoopbackPort.Free();
        var data = Directory.CreateTempSubdirectory("akcache-marketpipeline-garnet-").FullName;
        var server = new Garnet.GarnetServer(new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--memory", "64m", "--index", "1m",
            // AkCache releases its single-flight lock with a Lua script; Garnet runs scripts only when asked to.
            "--lua",
            "-q", "--disable-console-logger", "--checkpointdir", Path.Combine(data, "checkpoints"),
        });

        // Garnet adds a console trace listener that would interleave its traces with the table.
        Trace.Listeners.Clear();
        server.Start();
        LoadLuaEngine(port);
        var embeddedUrl = $"redis://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        return new RedisServer(
            embeddedUrl,
            $"embedded Garnet at {embeddedUrl}: no redis-server on PATH (set AKCACHE_REDIS_URL to use your own). Garnet has no key tracking: each task warns once",
            server,
            null,
            port,
            data);
    }

    /// <summary>
    /// Runs a first script. Garnet loads its Lua engine then, which takes a few hundred milliseconds
    /// on a busy machine: done during a task's first lock release instead, it can exceed AkCache's
    /// 500 ms operation timeout, and that task would fall back to computing results itself.
    /// </summary>
    private static void LoadLuaEngine(int port)
    {
        var reply = Command(port, "EVAL", "return 1", "0");
        if (!reply.StartsWith(':'))
        {
            throw new InvalidOperationException("The embedded Garnet server did not run a Lua script: " + reply.Trim());
        }
    }

    /// <summary>Sends one command in RESP and returns the start of the reply (enough for the short replies used here).</summary>
    private static string Command(int port, params string[] arguments)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, port);
        using var stream = client.GetStream();
        stream.ReadTimeout = 30_000;
        var request = new StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        stream.Write(Encoding.UTF8.GetBytes(request.ToString()));
        var reply = new byte[8192];
        var length = stream.Read(reply);
        if (length == 0)
        {
            throw new IOException("The server closed the connection without a reply.");
        }

        return Encoding.UTF8.GetString(reply, 0, length);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
