using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using AkCache.Internals.Distributed;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Faults;

/// <summary>
/// The sentinel URL form, redis+sentinel://host:26379/service, against real processes: a master, its
/// replica and a sentinel (redis-server --sentinel) that the test starts. The master is stopped
/// mid-run; the sentinel promotes the replica; every call returns the right result meanwhile, none
/// throws, a warning names the outage with its reason, each computation is counted, and sharing
/// resumes on the new master (measured: about 2 s after the stop, with a down-after of 1 s).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SentinelFailoverTests : IDisposable
{
    private const string Service = "akmaster";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);
    private readonly ITestOutputHelper _output;
    private readonly ListLoggerFactory _log = new();
    private readonly string _prefix = "sentinel" + Guid.NewGuid().ToString("N").Substring(0, 8);
    private RedisTestServer? _master;
    private RedisTestServer? _replica;
    private Process? _sentinel;
    private string? _sentinelDirectory;

    public SentinelFailoverTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        AkCacheRuntime.Reset();
        if (_sentinel is { HasExited: false } sentinel)
        {
            sentinel.Kill();
            sentinel.WaitForExit();
        }

        _sentinel?.Dispose();
        _replica?.Dispose();
        _master?.Dispose();
        if (_sentinelDirectory is not null)
        {
            Directory.Delete(_sentinelDirectory, recursive: true);
        }
    }

    [SkippableFact]
    public void A_master_stopped_and_its_replica_promoted_by_the_sentinel_keeps_every_result_right_and_sharing_resumes()
    {
        RequireSentinelMode();

        _master = RedisTestServer.StartRedisServer();
        _replica = RedisTestServer.StartRedisServer("--replicaof", "127.0.0.1", _master.Port.ToString(CultureInfo.InvariantCulture));
        var sentinelPort = StartSentinel(_master.Port);
        using var sentinel = ConnectionMultiplexer.Connect(new ConfigurationOptions { EndPoints = { { "127.0.0.1", sentinelPort } }, CommandMap = CommandMap.Sentinel, AllowAdmin = true });
        var sentinelServer = sentinel.GetServer("127.0.0.1", sentinelPort);
        Wait.Until(() => sentinelServer.SentinelReplicas(Service).Length == 1 && ReplicaInSync(), "the sentinel knows the replica, which is in sync", Patience);

        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = $"redis+sentinel://127.0.0.1:{sentinelPort}/{Service}";
            o.Prefix = _prefix;
            o.LoggerFactory = _log;
        });
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        WovenAssembly.ResetCalls();
        Assert.Equal(3, add(1, 2));
        Assert.Single(KeysOn(_master));
        Wait.Until(() => KeysOn(_replica).Length == 1, "the value reached the replica", Patience);

        _master.Stop();
        var clock = Stopwatch.StartNew();
        var calls = 0;
        Wait.Until(
            () =>
            {
                // A new argument each time: a result stored on the new master shows that sharing resumed.
                calls++;
                Assert.Equal(1000 + calls, add(1000, calls));
                Thread.Sleep(50);
                // The replica held the first value only; a second key is a result stored there once it is the master.
                return KeysOn(_replica).Length >= 2;
            },
            "a result was stored on the promoted replica",
            Patience);
        _output.WriteLine($"sharing resumed on the promoted replica after {clock.ElapsedMilliseconds} ms and {calls} calls");

        Assert.Contains("role:master", InfoOf(_replica), StringComparison.Ordinal);
        Assert.Equal(3, add(1, 2));
        Assert.Equal(1 + calls, WovenAssembly.Calls("Add"));
        foreach (var line in _log.Entries)
        {
            _output.WriteLine($"{line.Level}: {line.Message}");
        }

        // The outage is named with its reason, once per kind: the client library sends commands to the
        // replica until the sentinel promotes it (READONLY: writes pause, reads of what it holds go
        // on), and, where it has no connection for a moment, the outage; its end is logged.
        var outages = _log.Warnings.Where(w => w.Contains("refuses to store", StringComparison.Ordinal) || w.Contains("is unavailable", StringComparison.Ordinal)).ToArray();
        Assert.InRange(outages.Length, 1, 2);
        Assert.All(outages, w => Assert.Matches("READONLY|refused|closed|timeout|no answer|failover", w));
        Assert.Contains(_log.Warnings, w => w.Contains("accepts writes again", StringComparison.Ordinal) || w.Contains("reachable again", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Sentinels_with_a_password_of_their_own_take_it_from_SentinelPassword_and_a_missing_one_is_named()
    {
        RequireSentinelMode();

        _master = StartMasterWithPassword();

        var sentinelPort = StartSentinel(_master.Port, $"requirepass {SentinelOwnPassword}", $"sentinel auth-pass {Service} {MasterPassword}");
        using (var sentinel = ConnectionMultiplexer.Connect(new ConfigurationOptions { EndPoints = { { "127.0.0.1", sentinelPort } }, CommandMap = CommandMap.Sentinel, Password = SentinelOwnPassword }))
        {
            var sentinelServer = sentinel.GetServer("127.0.0.1", sentinelPort);
            Wait.Until(() => sentinelServer.SentinelMaster(Service).Any(p => p.Key == "flags" && p.Value == "master"), "the sentinel sees the master, with its password", Patience);
        }

        var url = $"redis+sentinel://:{MasterPassword}@127.0.0.1:{sentinelPort}/{Service}";
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = url;
            o.SentinelPassword = SentinelOwnPassword;
            o.Prefix = _prefix;
            o.LoggerFactory = _log;
        });
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        WovenAssembly.ResetCalls();
        Assert.Equal(3, add(1, 2));
        Assert.Single(KeysOn(_master, MasterPassword));
        Assert.Empty(_log.Warnings);

        // Without the sentinels' password: the result is still right, and the warning says which setting to check.
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = url;
            o.Prefix = _prefix;
            o.LoggerFactory = _log;
        });
        Assert.Equal(7, add(3, 4));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
        var warning = Assert.Single(_log.Warnings);
        _output.WriteLine(warning);
        Assert.Contains("authentication failed", warning, StringComparison.Ordinal);
        Assert.Contains("SentinelPassword", warning, StringComparison.Ordinal);
        Assert.Single(KeysOn(_master, MasterPassword));
    }

    [SkippableFact]
    public void A_master_with_a_password_behind_sentinels_without_one_is_shared()
    {
        RequireSentinelMode();

        _master = StartMasterWithPassword();

        var sentinelPort = StartSentinel(_master.Port, $"sentinel auth-pass {Service} {MasterPassword}");
        using (var sentinel = ConnectionMultiplexer.Connect(new ConfigurationOptions { EndPoints = { { "127.0.0.1", sentinelPort } }, CommandMap = CommandMap.Sentinel }))
        {
            var sentinelServer = sentinel.GetServer("127.0.0.1", sentinelPort);
            Wait.Until(() => sentinelServer.SentinelMaster(Service).Any(p => p.Key == "flags" && p.Value == "master"), "the sentinel sees the master, with its password", Patience);
        }

        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = $"redis+sentinel://:{MasterPassword}@127.0.0.1:{sentinelPort}/{Service}";
            o.Prefix = _prefix;
            o.LoggerFactory = _log;
        });
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        WovenAssembly.ResetCalls();
        Assert.Equal(3, add(1, 2));
        foreach (var warning in _log.Warnings)
        {
            _output.WriteLine(warning);
        }

        Assert.Empty(_log.Warnings);
        Assert.Single(KeysOn(_master, MasterPassword));

        // A service the sentinel does not know: the warning says so, asked of the sentinel itself.
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = $"redis+sentinel://:{MasterPassword}@127.0.0.1:{sentinelPort}/elsewhere";
            o.Prefix = _prefix;
            o.LoggerFactory = _log;
        });
        Assert.Equal(7, add(3, 4));
        var unknown = Assert.Single(_log.Warnings);
        _output.WriteLine(unknown);
        Assert.Contains($"the sentinel at 127.0.0.1:{sentinelPort} knows no service 'elsewhere'", unknown, StringComparison.Ordinal);
    }

    /// <summary>
    /// What AkCache tells of a master that the sentinels name but that cannot be used, asked of a
    /// real sentinel (without a replica, so that nothing is promoted meanwhile): a master turned
    /// replica is "still a replica", one turned back a master "is a master and answers", a stopped
    /// one "refused the connection"; each with the sentinel, the service and the master's address.
    /// </summary>
    [SkippableFact]
    public void The_diagnosis_of_a_named_master_says_whether_it_is_a_replica_a_master_or_refuses_connections()
    {
        RequireSentinelMode();
        _master = RedisTestServer.StartRedisServer();
        _replica = RedisTestServer.StartRedisServer();
        var sentinelPort = StartSentinel(_master.Port, $"sentinel down-after-milliseconds {Service} 60000");
        var configuration = new ConfigurationOptions { EndPoints = { { "127.0.0.1", sentinelPort } }, ServiceName = Service, ConnectTimeout = 2000 };
        var named = $"the sentinel at 127.0.0.1:{sentinelPort} names 127.0.0.1:{_master.Port} as the master of '{Service}'";
        using var admin = ConnectionMultiplexer.Connect(_master.Endpoint + ",allowAdmin=true");
        var server = admin.GetServer(_master.Endpoint);

        server.Execute("REPLICAOF", "127.0.0.1", _replica.Port.ToString(CultureInfo.InvariantCulture));
        var replica = SentinelDiagnosis.Diagnose(configuration);
        Assert.NotNull(replica);
        Assert.Equal(ConnectionFailureKind.Other, replica.Value.Kind);
        Assert.Equal($"{named}, which is still a replica: a failover is under way (the sentinels name the replica they promote before it becomes a master)", replica.Value.Reason);

        server.Execute("REPLICAOF", "NO", "ONE");
        var master = SentinelDiagnosis.Diagnose(configuration);
        Assert.NotNull(master);
        Assert.StartsWith($"{named}, which is a master and answers", master.Value.Reason, StringComparison.Ordinal);

        _master.Stop();
        var refused = SentinelDiagnosis.Diagnose(configuration);
        Assert.NotNull(refused);
        Assert.Equal(ConnectionFailureKind.Refused, refused.Value.Kind);
        Assert.StartsWith($"{named}, which refused the connection: it is down or restarting", refused.Value.Reason, StringComparison.Ordinal);
        Assert.Contains("AkCache follows the promoted replica", refused.Value.Fix, StringComparison.Ordinal);
    }

    private const string MasterPassword = "master-Password-7Hq2";
    private const string SentinelOwnPassword = "sentinel-Password-Kd93";

    /// <summary>Skips where redis-server is not installed, and fails instead under CI, which requires it.</summary>
    private static void RequireSentinelMode()
    {
        if (RedisTestServer.FindRedisServer() is null)
        {
            Assert.False(RedisTestServer.RequireRealRedis, "CI is set, which requires redis-server (and its --sentinel mode)");
            Skip.If(true, "needs redis-server and its --sentinel mode; it is not on PATH");
        }
    }

    /// <summary>A redis-server that requires <see cref="MasterPassword"/>, set once it answers: the test server's start probe speaks without one.</summary>
    private static RedisTestServer StartMasterWithPassword()
    {
        var master = RedisTestServer.StartRedisServer();
        try
        {
            using var admin = ConnectionMultiplexer.Connect(master.Endpoint + ",allowAdmin=true");
            admin.GetServer(master.Endpoint).ConfigSet("requirepass", MasterPassword);
            return master;
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    private bool ReplicaInSync() => InfoOf(_replica!).Contains("master_link_status:up", StringComparison.Ordinal);

    private static string InfoOf(RedisTestServer server)
    {
        using var connection = ConnectionMultiplexer.Connect(server.Endpoint + ",allowAdmin=true");
        return connection.GetServer(server.Endpoint).InfoRaw("replication") ?? string.Empty;
    }

    private string[] KeysOn(RedisTestServer server, string? password = null)
    {
        using var connection = ConnectionMultiplexer.Connect(server.Endpoint + ",allowAdmin=true,connectTimeout=10000" + (password is null ? "" : ",password=" + password));
        return connection.GetServer(server.Endpoint).Keys(pattern: _prefix + ":*").Select(k => k.ToString()).ToArray();
    }

    /// <summary>One sentinel (quorum 1) watching the master, with more sentinel.conf lines from <paramref name="settings"/>; it fails over one second after the master stops answering.</summary>
    private int StartSentinel(int masterPort, params string[] settings)
    {
        _sentinelDirectory = Directory.CreateTempSubdirectory("akcache-sentinel-").FullName;
        var port = RedisTestServer.FreePort();
        var configuration = Path.Combine(_sentinelDirectory, "sentinel.conf");
        File.WriteAllText(configuration, string.Join("\n", new[]
        {
            $"port {port}",
            "bind 127.0.0.1",
            $"dir {_sentinelDirectory}",
            $"sentinel monitor {Service} 127.0.0.1 {masterPort} 1",
            $"sentinel down-after-milliseconds {Service} 1000",
            $"sentinel failover-timeout {Service} 5000",
            $"sentinel parallel-syncs {Service} 1",
        }.Concat(settings)) + "\n");
        var start = new ProcessStartInfo(RedisTestServer.FindRedisServer()!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(configuration);
        start.ArgumentList.Add("--sentinel");
        _sentinel = Process.Start(start)!;
        _sentinel.OutputDataReceived += (_, e) => { if (e.Data is not null) { SuiteLog.Add(e.Data); } };
        _sentinel.ErrorDataReceived += (_, e) => { if (e.Data is not null) { SuiteLog.Add(e.Data); } };
        _sentinel.BeginOutputReadLine();
        _sentinel.BeginErrorReadLine();
        Wait.Until(() => RedisTestCluster.Accepts(port), "the sentinel accepts connections", Patience);
        return port;
    }
}
