using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace AkCache.Benchmarks.Infrastructure;

/// <summary>
/// A redis-server child process on a free loopback port, owned by this process and stopped by its
/// own pid. The same approach as Tests/Infrastructure/RedisTestServer.cs, without the Garnet fallback:
/// the benchmarks compare against redis-benchmark, so they need the real server.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly string _directory;
    private Process? _process;

    private RedisServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public int ProcessId => _process?.Id ?? 0;

    public static RedisServer Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(Directory.CreateTempSubdirectory("akcache-bench-redis-").FullName, FreePort());
            if (server.TryStart())
            {
                return server;
            }

            server.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException("redis-server found no free loopback port in 3 attempts.");
            }
        }
    }

    /// <summary>Stops the server; connections to it are refused from then on.</summary>
    public void Stop()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // SIGTERM to our own child: redis-server shuts down at once (nothing to save).
                Kill(process.Id);
                if (!process.WaitForExit(3000))
                {
                    process.Kill();
                }

                process.WaitForExit();
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Kill(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", pid.ToString(CultureInfo.InvariantCulture)) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private bool TryStart()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--daemonize", "no",
            "--save", "", "--appendonly", "no", "--dir", _directory, "--logfile", Path.Combine(_directory, "redis.log"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not on PATH: install it with apt-get install redis-server (bench/run.sh does).", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            // Only our own process id counts: another server may answer on this port.
            if (Info(Port)?.Contains($"\nprocess_id:{process.Id.ToString(CultureInfo.InvariantCulture)}\r", StringComparison.Ordinal) == true)
            {
                _process = process;
                return true;
            }

            if (process.HasExited)
            {
                process.Dispose();
                return false;
            }

            Thread.Sleep(10);
        }

        process.Kill();
        process.WaitForExit();
        process.Dispose();
        throw new TimeoutException($"redis-server did not answer on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s.");
    }

    private static string? Info(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 1000 };
            socket.Connect(IPAddress.Loopback, port);
            socket.Send(Encoding.ASCII.GetBytes("*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n"));
            var buffer = new byte[16384];
            var count = 0;
            while (count < buffer.Length)
            {
                var read = socket.Receive(buffer, count, buffer.Length - count, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }

                count += read;
                var text = Encoding.ASCII.GetString(buffer, 0, count);
                if (text.Contains("process_id:", StringComparison.Ordinal) && text.EndsWith("\r\n", StringComparison.Ordinal) && text.Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    return text;
                }
            }

            return Encoding.ASCII.GetString(buffer, 0, count);
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
