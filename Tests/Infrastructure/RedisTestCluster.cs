using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace AkCache.Tests.Infrastructure;

/// <summary>
/// A three-master Redis Cluster on free loopback ports: three redis-server child processes joined
/// with `redis-cli --cluster create`. Needs redis-server and redis-cli; each node is stopped by its
/// own process.
/// </summary>
public sealed class RedisTestCluster : IDisposable
{
    private readonly List<Process> _nodes = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("akcache-cluster-").FullName;

    private RedisTestCluster()
    {
        Ports = Enumerable.Range(0, 3).Select(_ => FreePort()).ToList();
        foreach (var port in Ports)
        {
            var folder = Path.Combine(_directory, port.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
            {
                "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                "--cluster-config-file", Path.Combine(folder, "nodes.conf"), "--save", "", "--appendonly", "no", "--dir", folder,
                "--logfile", Path.Combine(folder, "redis.log"),
            })
            {
                start.ArgumentList.Add(argument);
            }

            _nodes.Add(Process.Start(start)!);
        }

        WaitUntil(() => Ports.All(Accepts), "the cluster nodes to accept connections");
        var create = Run("redis-cli", new[] { "--cluster", "create" }.Concat(Ports.Select(p => "127.0.0.1:" + p)).Concat(new[] { "--cluster-replicas", "0", "--cluster-yes" }));
        if (create.ExitCode != 0)
        {
            throw new InvalidOperationException("redis-cli --cluster create failed:\n" + create.Output);
        }

        WaitUntil(() => Ports.All(p => Run("redis-cli", new[] { "-p", p.ToString(CultureInfo.InvariantCulture), "cluster", "info" }).Output.Contains("cluster_state:ok")), "cluster_state:ok on every node");
    }

    public IReadOnlyList<int> Ports { get; }

    /// <summary>One URL per master, comma-separated, as AKCACHE_REDIS_URL takes a cluster.</summary>
    public string Url => string.Join(",", Ports.Select(p => "redis://127.0.0.1:" + p));

    public static bool CanStart => RedisTestServer.FindRedisServer() is not null && File.Exists("/usr/bin/redis-cli");

    /// <summary>Skips the calling [SkippableFact] when redis-server or redis-cli is missing; under CI=true it fails instead.</summary>
    public static void SkipUnlessItCanStart()
    {
        if (!CanStart)
        {
            Xunit.Assert.False(RedisTestServer.RequireRealRedis, "CI=true requires redis-server and redis-cli for the cluster test; install them with apt-get install redis-server redis-tools");
            Xunit.Skip.If(true, "redis-server and redis-cli are not installed; the cluster test needs them (CI=true turns this into a failure).");
        }
    }

    public static RedisTestCluster Start() => new();

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            if (!node.HasExited)
            {
                node.Kill();
                node.WaitForExit();
            }

            node.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int ExitCode, string Output) Run(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            Thread.Sleep(100);
        }
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
