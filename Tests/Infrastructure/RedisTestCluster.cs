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
/// with `redis-cli --cluster create`. Needs redis-server on PATH and redis-cli next to it or on PATH;
/// each node is stopped by its own process.
/// </summary>
public sealed class RedisTestCluster : IDisposable
{
    // Every node also listens on its port + 10000, the cluster bus.
    private const int BusPortOffset = 10000;
    private const int NodeCount = 3;
    private const int PortCandidates = 100;

    private readonly List<Process> _nodes = new();
    private readonly Dictionary<int, Process> _nodesByPort = new();
    private readonly int _nodeTimeoutMilliseconds;
    private readonly string _directory = Directory.CreateTempSubdirectory("akcache-cluster-").FullName;

    private readonly string _redisServer;
    private readonly string _redisCli;
    private readonly List<int> _addedPorts = new();

    private RedisTestCluster(string redisServer, string redisCli, int nodeTimeoutMilliseconds)
    {
        _redisServer = redisServer;
        _redisCli = redisCli;
        _nodeTimeoutMilliseconds = nodeTimeoutMilliseconds;
        Ports = ChooseFreePorts(NodeCount, CandidatePort, CanBind);
        foreach (var port in Ports)
        {
            StartNode(port);
        }

        WaitUntil(() => Ports.All(Accepts), "the cluster nodes to accept connections");
        var create = Run(redisCli, new[] { "--cluster", "create" }.Concat(Ports.Select(p => "127.0.0.1:" + p)).Concat(new[] { "--cluster-replicas", "0", "--cluster-yes" }));
        if (create.ExitCode != 0)
        {
            throw new InvalidOperationException("redis-cli --cluster create failed:\n" + create.Output);
        }

        WaitUntil(() => Ports.All(p => Run(redisCli, new[] { "-p", p.ToString(CultureInfo.InvariantCulture), "cluster", "info" }).Output.Contains("cluster_state:ok")), "cluster_state:ok on every node");
    }

    /// <summary>The three masters the cluster was created with.</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>Masters added since (<see cref="AddMaster"/>).</summary>
    public IReadOnlyList<int> AddedPorts => _addedPorts;

    /// <summary>
    /// Starts one more node and joins it to the cluster as a master without slots
    /// (redis-cli --cluster add-node); returns its port.
    /// </summary>
    public int AddMaster()
    {
        var port = ChooseFreePorts(1, CandidatePort, p => !Ports.Contains(p) && !_addedPorts.Contains(p) && CanBind(p)).Single();
        StartNode(port);
        WaitUntil(() => Accepts(port), "the new node to accept connections");
        var add = Run(_redisCli, new[] { "--cluster", "add-node", "127.0.0.1:" + port, "127.0.0.1:" + Ports[0] });
        if (add.ExitCode != 0)
        {
            throw new InvalidOperationException("redis-cli --cluster add-node failed:\n" + add.Output);
        }

        _addedPorts.Add(port);
        var id = NodeId(port);
        WaitUntil(() => Ports.All(p => Cli(p, "cluster", "nodes").Contains(id, StringComparison.Ordinal)), "every node to know the new one");
        return port;
    }

    /// <summary>
    /// Starts one more node and joins it as a replica of the master on <paramref name="masterPort"/>
    /// (redis-cli --cluster add-node --cluster-slave); returns its port once it is in sync.
    /// </summary>
    public int AddReplicaOf(int masterPort)
    {
        var port = ChooseFreePorts(1, CandidatePort, p => !Ports.Contains(p) && !_addedPorts.Contains(p) && CanBind(p)).Single();
        StartNode(port);
        WaitUntil(() => Accepts(port), "the new node to accept connections");
        var add = Run(_redisCli, new[] { "--cluster", "add-node", "127.0.0.1:" + port, "127.0.0.1:" + masterPort, "--cluster-slave", "--cluster-master-id", NodeId(masterPort) });
        if (add.ExitCode != 0)
        {
            throw new InvalidOperationException("redis-cli --cluster add-node --cluster-slave failed:\n" + add.Output);
        }

        _addedPorts.Add(port);
        WaitUntil(() => Cli(port, "info", "replication").Contains("master_link_status:up", StringComparison.Ordinal), "the replica to be in sync");
        return port;
    }

    /// <summary>Kills the node on <paramref name="port"/> (SIGKILL), as a crash would.</summary>
    public void Kill(int port)
    {
        var node = _nodesByPort[port];
        node.Kill();
        node.WaitForExit();
    }

    /// <summary>What the node on <paramref name="port"/> says of its replication (INFO replication).</summary>
    public string Replication(int port) => Cli(port, "info", "replication");

    /// <summary>
    /// Gives one slot that holds no keys to the master on <paramref name="targetPort"/>, as a
    /// resharding does (IMPORTING, MIGRATING, then NODE on every master), and waits until every
    /// master agrees.
    /// </summary>
    public void MoveEmptySlot(int slot, int targetPort)
    {
        var all = Ports.Concat(_addedPorts).ToList();
        var text = slot.ToString(CultureInfo.InvariantCulture);
        var sourcePort = OwnerPort(Ports[0], slot);
        if (Cli(sourcePort, "cluster", "countkeysinslot", text).Trim() != "0")
        {
            throw new InvalidOperationException($"Slot {slot} holds keys; only an empty slot is moved here.");
        }

        var targetId = NodeId(targetPort);
        Cli(targetPort, "cluster", "setslot", text, "importing", NodeId(sourcePort));
        Cli(sourcePort, "cluster", "setslot", text, "migrating", targetId);
        foreach (var port in all)
        {
            Cli(port, "cluster", "setslot", text, "node", targetId);
        }

        WaitUntil(() => all.All(p => OwnerPort(p, slot) == targetPort), $"every node to give slot {slot} to {targetPort}");
        WaitUntil(() => all.All(p => Cli(p, "cluster", "info").Contains("cluster_state:ok", StringComparison.Ordinal)), "cluster_state:ok on every node");
    }

    /// <summary>CLUSTER KEYSLOT of a key, asked of the first node.</summary>
    public int KeySlot(string key) => int.Parse(Cli(Ports[0], "cluster", "keyslot", key).Trim(), CultureInfo.InvariantCulture);

    /// <summary>One URL per master, comma-separated, as AKCACHE_REDIS_URL takes a cluster.</summary>
    public string Url => string.Join(",", Ports.Select(p => "redis://127.0.0.1:" + p));

    public static bool CanStart => RedisTestServer.FindRedisServer() is { } redisServer && FindRedisCli(redisServer, Environment.GetEnvironmentVariable("PATH")) is not null;

    /// <summary>Skips the calling [SkippableFact] when redis-server or redis-cli is missing; when CI is set it fails instead.</summary>
    public static void SkipUnlessItCanStart()
    {
        if (!CanStart)
        {
            Xunit.Assert.False(RedisTestServer.RequireRealRedis, "CI is set, which requires redis-server and redis-cli for the cluster test; install them with apt-get install redis-server redis-tools");
            Xunit.Skip.If(true, "redis-server and redis-cli are not installed; the cluster test needs them (any CI value turns this into a failure).");
        }
    }

    /// <param name="nodeTimeoutMilliseconds">cluster-node-timeout: how long a node may not answer before a replica takes over (Redis's default, 15 s, unless a failover test shortens it).</param>
    public static RedisTestCluster Start(int nodeTimeoutMilliseconds = 15_000)
    {
        var redisServer = RedisTestServer.FindRedisServer() ?? throw new InvalidOperationException("redis-server is not on PATH; install it with apt-get install redis-server");
        var redisCli = FindRedisCli(redisServer, Environment.GetEnvironmentVariable("PATH"))
            ?? throw new InvalidOperationException("redis-cli is neither next to " + redisServer + " nor on PATH; install it with apt-get install redis-tools");
        return new RedisTestCluster(redisServer, redisCli, nodeTimeoutMilliseconds);
    }

    /// <returns>The redis-cli in the folder of <paramref name="redisServer"/>, so both come from one install; else the first on <paramref name="searchPath"/>; else null.</returns>
    internal static string? FindRedisCli(string redisServer, string? searchPath) =>
        RedisTestServer.FindOnPath("redis-cli", Path.GetDirectoryName(redisServer)) ?? RedisTestServer.FindOnPath("redis-cli", searchPath);

    /// <summary>
    /// Takes candidates until <paramref name="count"/> distinct ones have both the port and its bus port
    /// free: a port the OS calls free may still have its bus port bound, or be above 55535 with no bus port at all.
    /// </summary>
    internal static IReadOnlyList<int> ChooseFreePorts(int count, Func<int> candidate, Func<int, bool> canBind)
    {
        var chosen = new List<int>();
        for (var tried = 0; chosen.Count < count; tried++)
        {
            if (tried == PortCandidates)
            {
                throw new InvalidOperationException($"Found only {chosen.Count} of {count} loopback ports with a free cluster bus port in {PortCandidates} candidates.");
            }

            var port = candidate();
            if (port + BusPortOffset <= IPEndPoint.MaxPort && !chosen.Contains(port) && canBind(port) && canBind(port + BusPortOffset))
            {
                chosen.Add(port);
            }
        }

        return chosen;
    }

    internal static bool CanBind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

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

    private void StartNode(int port)
    {
        var folder = Path.Combine(_directory, port.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo(_redisServer) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
            "--cluster-config-file", Path.Combine(folder, "nodes.conf"), "--save", "", "--appendonly", "no", "--dir", folder,
            "--logfile", Path.Combine(folder, "redis.log"), "--cluster-node-timeout", _nodeTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var node = Process.Start(start)!;
        _nodes.Add(node);
        _nodesByPort[port] = node;
    }

    private string Cli(int port, params string[] command) =>
        Run(_redisCli, new[] { "-p", port.ToString(CultureInfo.InvariantCulture) }.Concat(command)).Output;

    private string NodeId(int port) => Cli(port, "cluster", "myid").Trim();

    /// <summary>The port of the master that the node on <paramref name="askedPort"/> says owns <paramref name="slot"/>, or 0.</summary>
    private int OwnerPort(int askedPort, int slot)
    {
        foreach (var line in Cli(askedPort, "cluster", "nodes").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 9 || !fields[2].Contains("master", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var range in fields.Skip(8).Where(r => !r.StartsWith('[')))
            {
                var bounds = range.Split('-');
                var low = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                var high = bounds.Length > 1 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : low;
                if (slot >= low && slot <= high)
                {
                    var address = fields[1].Split('@')[0];
                    return int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
                }
            }
        }

        return 0;
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

    /// <summary>Whether a loopback TCP connection to <paramref name="port"/> is accepted now.</summary>
    internal static bool Accepts(int port)
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

    /// <summary>
    /// A port below Linux's ephemeral range (32768 and up by default), and its bus port too: a port
    /// the system hands out to outgoing connections could be taken between this check and the
    /// node's bind, which ports chosen from below the range avoid.
    /// </summary>
    private static int CandidatePort() => Random.Shared.Next(10000, 32768 - BusPortOffset);
}
