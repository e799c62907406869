using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Faults;

/// <summary>
/// Error replies are classified per command and per key (issue 13): a key that holds another type
/// of value (WRONGTYPE) is a miss of that key alone, and its result repairs it; a refusal to store
/// (OOM under noeviction, a read-only replica, an ACL user without write) pauses the writes, not the
/// reads. Neither opens the breaker. Each test has a redis-server of its own, since it reconfigures
/// it (the embedded Garnet has no replicas, maxmemory or ACL to set: the tests skip on it and say
/// so; under CI they fail).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ErrorClassTests : IDisposable
{
    private const string ReadOnlyPassword = "R0-Pa55word-2718";

    private readonly ITestOutputHelper _output;
    private readonly RedisTestServer _server = RedisTestServer.Start();
    private readonly ConnectionMultiplexer _admin;
    private readonly ListLoggerFactory _log = new();
    private readonly ManualTimeProvider _time = new();
    private readonly string _prefix = "errc" + Guid.NewGuid().ToString("N").Substring(0, 8);
    private readonly Func<int, int, int> _add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
    private readonly Func<int, int, Task<int>> _addAsync = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");
    private RedisTestServer? _replica;

    public ErrorClassTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine($"server: {_server}");
        _admin = ConnectionMultiplexer.Connect(_server.Endpoint + ",allowAdmin=true");
        WovenAssembly.ResetCalls();
    }

    public void Dispose()
    {
        foreach (var entry in _log.Entries)
        {
            _output.WriteLine($"log {entry.Level}: {entry.Message}");
        }

        AkCacheRuntime.Reset();
        _admin.Dispose();
        _replica?.Dispose();
        _server.Dispose();
    }

    private void NeedsRedisServer() =>
        Skip.If(_server.Kind != RedisTestServer.RedisServerKind, $"needs redis-server (LIST values, maxmemory, replicas, ACL); this run has {_server}");

    private IDatabase Db => _admin.GetDatabase();

    private IServer Admin => _admin.GetServer(_server.Endpoint);

    private void Configure(string url) => AkCacheRuntime.ConfigureOnClock(
        o =>
        {
            o.RedisUrl = url;
            o.Prefix = _prefix;
            o.LoggerFactory = _log;

            // Every call asks Redis: what each one does with Redis's reply is what is tested.
            o.LocalCache = false;
        },
        _time);

    private string[] StoredKeys() => Admin.Keys(pattern: _prefix + ":*").Select(k => k.ToString()).Where(k => !k.EndsWith(":lock", StringComparison.Ordinal) && !k.EndsWith(":awaited", StringComparison.Ordinal)).ToArray();

    private int Warnings(string containing) => _log.Warnings.Count(w => w.Contains(containing));

    private long RedisHits() => AkCacheRuntime.GetCacheInfo(() => _add(0, 0)).RedisHits;

    private long RedisHitsAsync() => AkCacheRuntime.GetCacheInfo(() => _addAsync(0, 0)).RedisHits;

    [SkippableFact]
    public void A_key_of_another_type_is_recomputed_and_repaired_and_no_other_key_is_touched()
    {
        NeedsRedisServer();
        Configure(_server.Url);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i + 1, _add(i, 1));
        }

        Assert.Equal(50, StoredKeys().Length);
        var spoiled = StoredKeys().OrderBy(k => k, StringComparer.Ordinal).First();
        Db.KeyDelete(spoiled);
        Db.ListRightPush(spoiled, "written by another program");

        // Every call right; the spoiled key alone computed again; the others still read from Redis.
        var hits = RedisHits();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(i + 1, _add(i, 1));
            }
        }

        Assert.Equal(51, WovenAssembly.Calls("Add"));
        Assert.Equal((3 * 50) - 1, RedisHits() - hits);
        Assert.Equal(RedisType.String, Db.KeyType(spoiled));
        Assert.True(AkCacheRuntime.State.Redis!.Breaker.IsClosed, "a key of another type opened the breaker");
        Assert.Equal(0, Warnings("is unavailable"));
        var warning = Assert.Single(_log.Warnings, w => w.Contains("WRONGTYPE"));
        Assert.Contains(spoiled, warning);
        Assert.Contains("overwrites it", warning);
    }

    [SkippableFact]
    public async Task Async_a_key_of_another_type_is_recomputed_and_repaired()
    {
        NeedsRedisServer();
        Configure(_server.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        var spoiled = Assert.Single(StoredKeys());
        Assert.Equal(7, await _addAsync(3, 4));
        Db.KeyDelete(spoiled);
        Db.HashSet(spoiled, "field", "written by another program");

        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(7, await _addAsync(3, 4));
        Assert.Equal(3, WovenAssembly.Calls("AddAsync"));
        Assert.Equal(RedisType.String, Db.KeyType(spoiled));
        Assert.Equal(0, Warnings("is unavailable"));
        Assert.Single(_log.Warnings, w => w.Contains("WRONGTYPE") && w.Contains(spoiled));
    }

    /// <summary>A large value is stored on the connection of large values: its refusal is classified there as on the shared one.</summary>
    [SkippableFact]
    public void Out_of_memory_for_a_large_value_pauses_the_writes_and_leaves_the_breaker_closed()
    {
        NeedsRedisServer();
        Configure(_server.Url);
        var noise = WovenAssembly.Method<Func<int, int, byte[]>>("LargeValues.Noise");
        Assert.Equal(3, _add(1, 2));

        // Room for the lock, not for the value: 2 MiB in the bulk connection's query buffer count as used memory.
        var used = long.Parse(Admin.Info("memory").SelectMany(g => g).First(p => p.Key == "used_memory").Value, System.Globalization.CultureInfo.InvariantCulture);
        Admin.ConfigSet("maxmemory-policy", "noeviction");
        Admin.ConfigSet("maxmemory", (used + (512 * 1024)).ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2 * 1024 * 1024, noise(11, 2).Length);

        Assert.NotNull(AkCacheRuntime.State.Redis!.BulkConnection);
        Assert.Equal(1, WovenAssembly.Calls("Noise"));
        // Neither the value nor its lock: the lock was released on the shared connection.
        Assert.Empty(Admin.Keys(pattern: _prefix + ":*LargeValues.Noise(*"));
        var warning = Assert.Single(_log.Warnings, w => w.Contains("refuses to store"));
        Assert.Contains("OOM", warning);
        Assert.Equal(0, Warnings("is unavailable"));
        Assert.True(AkCacheRuntime.State.Redis!.Breaker.IsClosed);
        Assert.True(AkCacheRuntime.State.Redis!.WritesPaused);

        // Reads go on: the small value stored before is still read from Redis.
        var hits = RedisHits();
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, RedisHits() - hits);
        Admin.ConfigSet("maxmemory", "0");
    }

    [SkippableFact]
    public void Out_of_memory_pauses_the_writes_and_the_stored_values_are_still_read()
    {
        NeedsRedisServer();
        Configure(_server.Url);
        Assert.Equal(3, _add(1, 2));
        Admin.ConfigSet("maxmemory-policy", "noeviction");
        Admin.ConfigSet("maxmemory", "1");

        var hits = RedisHits();
        Assert.Equal(7, _add(3, 4));
        Assert.Equal(7, _add(3, 4));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));

        // (3, 4) computed once: the second call's miss is answered by what this process holds, as
        // no write can have stored it. (1, 2) read from Redis both times: the reads went on.
        Assert.Equal(2, WovenAssembly.Calls("Add"));
        Assert.Equal(2, RedisHits() - hits);
        Assert.Single(StoredKeys());
        Assert.Equal(0, Warnings("is unavailable"));
        var warning = Assert.Single(_log.Warnings, w => w.Contains("refuses to store"));
        Assert.Contains("OOM", warning);
        Assert.Contains("maxmemory", warning);
        Assert.True(AkCacheRuntime.State.Redis!.Breaker.IsClosed);

        // Once Redis accepts writes again, and the pause is over, results are stored again.
        Admin.ConfigSet("maxmemory", "0");
        _time.Advance(AkCacheRuntime.CurrentOptions.BreakDuration + TimeSpan.FromMilliseconds(1));
        Assert.Equal(11, _add(5, 6));
        Assert.Equal(2, StoredKeys().Length);
        Assert.Single(_log.Warnings, w => w.Contains("accepts writes again; results are stored"));
    }

    [SkippableFact]
    public async Task Async_out_of_memory_pauses_the_writes_and_the_stored_values_are_still_read()
    {
        NeedsRedisServer();
        Configure(_server.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        Admin.ConfigSet("maxmemory-policy", "noeviction");
        Admin.ConfigSet("maxmemory", "1");

        var hits = RedisHitsAsync();
        Assert.Equal(7, await _addAsync(3, 4));
        Assert.Equal(7, await _addAsync(3, 4));
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(2, WovenAssembly.Calls("AddAsync"));
        Assert.Equal(1, RedisHitsAsync() - hits);
        Assert.Single(StoredKeys());
        Assert.Equal(0, Warnings("is unavailable"));
        Assert.Contains("OOM", Assert.Single(_log.Warnings, w => w.Contains("refuses to store")));
    }

    [SkippableFact]
    public void A_read_only_replica_serves_what_is_stored_and_computes_each_missing_value_once()
    {
        NeedsRedisServer();
        _replica = RedisTestServer.StartRedisServer();
        using (var replica = ConnectionMultiplexer.Connect(_replica.Endpoint + ",allowAdmin=true"))
        {
            replica.GetServer(_replica.Endpoint).Execute("REPLICAOF", "127.0.0.1", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Configure(_server.Url);
        Assert.Equal(3, _add(1, 2));
        var stored = Assert.Single(StoredKeys());
        WaitUntil(() => ReplicaHas(stored), "the replica has the stored value");
        AkCacheRuntime.Reset();

        Configure(_replica.Url);
        var hits = RedisHits();
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(7, _add(3, 4));
        Assert.Equal(7, _add(3, 4));
        Assert.Equal(3, _add(1, 2));

        Assert.Equal(2, WovenAssembly.Calls("Add"));
        Assert.Equal(2, RedisHits() - hits);
        Assert.Equal(0, Warnings("is unavailable"));
        var warning = Assert.Single(_log.Warnings, w => w.Contains("refuses to store"));
        Assert.Contains("READONLY", warning);
        Assert.Contains("primary", warning);
    }

    [SkippableFact]
    public void An_ACL_user_without_write_reads_what_is_stored_and_never_falls_back_to_another_user()
    {
        NeedsRedisServer();
        Configure(_server.Url);
        Assert.Equal(3, _add(1, 2));
        AkCacheRuntime.Reset();
        Admin.Execute("ACL", "SETUSER", "reader", "on", ">" + ReadOnlyPassword, "~*", "&*", "+@all", "-@write");

        Configure($"redis://reader:{ReadOnlyPassword}@127.0.0.1:{_server.Port}");
        var hits = RedisHits();
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(7, _add(3, 4));
        Assert.Equal(7, _add(3, 4));

        Assert.Equal(2, WovenAssembly.Calls("Add"));
        Assert.Equal(1, RedisHits() - hits);
        Assert.Single(StoredKeys());
        Assert.Equal(0, Warnings("is unavailable"));
        var warning = Assert.Single(_log.Warnings, w => w.Contains("refuses to store"));
        // Redis 7 words an ACL refusal inside a script without the NOPERM code; the fix names the ACL.
        Assert.Contains("can't run this command", warning);
        Assert.Contains("ACL user may read but not write", warning);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains(ReadOnlyPassword));

        // The commands came from the user configured, not from the open default user.
        var clients = Admin.Execute("CLIENT", "LIST").ToString();
        Assert.Contains("user=reader", clients);
    }

    private bool ReplicaHas(string key)
    {
        using var replica = ConnectionMultiplexer.Connect(_replica!.Endpoint);
        return replica.GetDatabase().KeyExists(key);
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"not within 20 s: {what}");
            Thread.Sleep(20);
        }
    }
}
