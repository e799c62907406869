using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using StackExchange.Redis;

namespace AkCache.Soak;

/// <summary>
/// A redis-server (or a sentinel) child process on a loopback port of its own, which keeps its port
/// across restarts so that clients and the sentinel find it again. Stopped by its own pid only.
/// </summary>
internal sealed class RedisNode : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly string _directory;
    private readonly string _name;
    private readonly string? _configuration;
    private Process? _process;

    private RedisNode(string name, string directory, int port, string? configuration)
    {
        _name = name;
        _directory = directory;
        Port = port;
        _configuration = configuration;
    }

    public int Port { get; }

    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>A server without persistence, so that a restart starts empty; a replica of <paramref name="master"/> if given.</summary>
    public static RedisNode StartServer(string name, string root, RedisNode? master = null)
    {
        var directory = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        var node = new RedisNode(name, directory, FreePort(), configuration: null);
        node.Start(master?.Port);
        return node;
    }

    /// <summary>One sentinel (quorum 1) watching <paramref name="master"/> under <paramref name="service"/>.</summary>
    public static RedisNode StartSentinel(string root, string service, RedisNode master, int downAfterMilliseconds)
    {
        var directory = Directory.CreateDirectory(Path.Combine(root, "sentinel")).FullName;
        var port = FreePort();
        var configuration = Path.Combine(directory, "sentinel.conf");
        File.WriteAllText(configuration, string.Join("\n", new[]
        {
            $"port {port}",
            "bind 127.0.0.1",
            $"dir {directory}",
            $"sentinel monitor {service} 127.0.0.1 {master.Port} 1",
            $"sentinel down-after-milliseconds {service} {downAfterMilliseconds}",
            $"sentinel failover-timeout {service} 10000",
            $"sentinel parallel-syncs {service} 1",
        }) + "\n");
        var node = new RedisNode("sentinel", directory, port, configuration);
        node.Start(replicaOf: null);
        return node;
    }

    /// <summary>Stops the server: SIGKILL when <paramref name="kill"/>, else SHUTDOWN NOSAVE (SIGTERM with nothing to save).</summary>
    public void Stop(bool kill)
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        using (process)
        {
            if (process.HasExited)
            {
                return;
            }

            if (kill)
            {
                process.Kill();
            }
            else
            {
                using var term = Process.Start(new ProcessStartInfo("kill", process.Id.ToString(CultureInfo.InvariantCulture)) { UseShellExecute = false });
                term?.WaitForExit();
                if (!process.WaitForExit(5000))
                {
                    process.Kill();
                }
            }

            process.WaitForExit();
        }
    }

    /// <summary>Stops the server and starts it again empty, on the same port, as a master.</summary>
    public void Restart(bool kill)
    {
        Stop(kill);
        Start(replicaOf: null);
    }

    public void Dispose() => Stop(kill: true);

    public ConnectionMultiplexer Connect() =>
        ConnectionMultiplexer.Connect(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", Port } },
            AllowAdmin = true,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            AbortOnConnectFail = false,
            CommandMap = _configuration is null ? CommandMap.Default : CommandMap.Sentinel,
        });

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

    private void Start(int? replicaOf)
    {
        var arguments = new List<string>();
        if (_configuration is not null)
        {
            arguments.Add(_configuration);
            arguments.Add("--sentinel");
        }
        else
        {
            arguments.AddRange(new[]
            {
                "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--daemonize", "no",
                "--save", "", "--appendonly", "no", "--dir", _directory,
            });
            if (replicaOf is { } masterPort)
            {
                arguments.AddRange(new[] { "--replicaof", "127.0.0.1", masterPort.ToString(CultureInfo.InvariantCulture) });
            }
        }

        arguments.AddRange(new[] { "--logfile", Path.Combine(_directory, "redis.log") });
        var start = new ProcessStartInfo(RedisServerPath.Value) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ForEach(start.ArgumentList.Add);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!Answers(Port))
        {
            if (process.HasExited || clock.Elapsed > StartTimeout)
            {
                var log = Path.Combine(_directory, "redis.log");
                var tail = File.Exists(log) ? string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(5)) : "(no log)";
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
                throw new InvalidOperationException($"{_name} did not start on {Endpoint}: {tail}");
            }

            Thread.Sleep(10);
        }

        _process = process;
    }

    private static bool Answers(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 1000 };
            socket.Connect(IPAddress.Loopback, port);
            socket.Send("PING\r\n"u8);
            var buffer = new byte[16];
            return socket.Receive(buffer) > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>redis-server from PATH; the soak needs the real server and its sentinel mode.</summary>
    public static readonly Lazy<string> RedisServerPath = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "redis-server"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server is not on PATH: the soak run needs it and its --sentinel mode (apt-get install redis-server)."));
}
