using System;
using System.Diagnostics;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Fallback;

/// <summary>
/// Redis refused, stopped, slow or answering errors: every call still returns the right result,
/// one warning is logged per outage, calls stop waiting on Redis, and sharing resumes by itself.
/// Each test has a server of its own, since it stops it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisFailureTests : IDisposable
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A generous ceiling for one call, far above what the design allows (one operation timeout),
    /// so that a loaded machine does not fail the test while a call that waits on a dead Redis does.
    /// </summary>
    private static readonly TimeSpan CallCeiling = TimeSpan.FromSeconds(1.5);

    private readonly ITestOutputHelper _output;
    private readonly RedisTestServer _server = RedisTestServer.Start();
    private readonly ListLoggerFactory _log = new();
    private readonly Func<int, int, int> _add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
    private readonly Func<int, int, System.Threading.Tasks.Task<int>> _addAsync = WovenAssembly.Method<Func<int, int, System.Threading.Tasks.Task<int>>>("AsyncShapes.AddAsync");

    public RedisFailureTests(ITestOutputHelper output)
    {
        _output = output;
        WovenAssembly.ResetCalls();
    }

    public void Dispose()
    {
        AkCacheRuntime.Reset();
        _server.Dispose();
    }

    private void Configure(string url) => AkCacheRuntime.Configure(o =>
    {
        o.RedisUrl = url;
        o.Prefix = "fail" + Guid.NewGuid().ToString("N").Substring(0, 8);
        o.OperationTimeout = OperationTimeout;
        o.ConnectTimeout = ConnectTimeout;
        o.BreakDuration = TimeSpan.FromMilliseconds(500);
        o.LoggerFactory = _log;
    });

    private TimeSpan[] TimeCalls(int count, int firstArgument)
    {
        var durations = new TimeSpan[count];
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal(firstArgument + i + 1, _add(firstArgument + i, 1));
            durations[i] = clock.Elapsed;
        }

        return durations;
    }

    private void Report(string what, TimeSpan[] durations)
    {
        var sorted = durations.OrderBy(d => d).ToArray();
        _output.WriteLine($"{what}: {durations.Length} calls, first {durations[0].TotalMilliseconds:F2} ms, p50 {sorted[sorted.Length / 2].TotalMilliseconds:F3} ms, p99 {sorted[sorted.Length * 99 / 100].TotalMilliseconds:F3} ms, max {sorted[^1].TotalMilliseconds:F2} ms");
        Assert.All(durations, d => Assert.True(d < CallCeiling, $"{what}: a call took {d.TotalMilliseconds:F0} ms"));
    }

    private int UnavailableWarnings() => _log.Warnings.Count(w => w.Contains("is unavailable"));

    [Fact]
    public void Redis_stopped_mid_run_gives_right_results_without_waiting_on_it()
    {
        Configure(_server.Url);
        Assert.Equal(3, _add(1, 2));
        _server.Stop();

        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));

        var durations = TimeCalls(2000, 100);
        Report("Redis stopped", durations);
        Assert.Equal(1, UnavailableWarnings());

        var again = TimeCalls(2000, 100);
        Report("Redis stopped, same arguments again (memory hits)", again);
        Assert.Equal(2001, WovenAssembly.Calls("Add"));
    }

    [Fact]
    public void Redis_restarted_makes_sharing_resume_by_itself()
    {
        Configure(_server.Url);
        Assert.Equal(3, _add(1, 2));
        _server.Stop();
        Assert.Equal(5, _add(2, 3));
        _server.Restart();

        using var inspector = ConnectionMultiplexer.Connect(_server.Endpoint);
        var server = inspector.GetServer(_server.Endpoint);
        var clock = Stopwatch.StartNew();
        var n = 0;
        while (!server.Keys(pattern: "*Basic.Add*").Any())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "sharing did not resume within 20 s of the restart");
            Assert.Equal(1000 + n + 1, _add(1000 + n, 1));
            n++;
            System.Threading.Thread.Sleep(50);
        }

        _output.WriteLine($"sharing resumed {clock.ElapsedMilliseconds} ms after the restart");
        Assert.Contains(_log.Warnings, w => w.Contains("is reachable again"));
        Assert.Equal(1, UnavailableWarnings());
    }

    [Fact]
    public void Redis_refusing_connections_from_the_start_costs_one_connect_timeout_at_most()
    {
        _server.Stop();
        Configure(_server.Url);

        var first = Stopwatch.StartNew();
        Assert.Equal(3, _add(1, 2));
        first.Stop();
        _output.WriteLine($"first call with Redis refusing: {first.ElapsedMilliseconds} ms");
        Assert.True(first.Elapsed < ConnectTimeout + CallCeiling, $"first call took {first.ElapsedMilliseconds} ms");

        Report("Redis refusing", TimeCalls(2000, 10));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(2001, WovenAssembly.Calls("Add"));
        Assert.Equal(1, UnavailableWarnings());
    }

    [Fact]
    public void A_Redis_that_stops_answering_costs_one_operation_timeout_per_break()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url);
        Assert.Equal(3, _add(1, 2));
        proxy.Freeze();

        var durations = TimeCalls(300, 10);
        Report("Redis not answering", durations);
        Assert.Equal(1, UnavailableWarnings());
        Assert.Contains(_log.Warnings, w => w.Contains("Timeout"));
        Assert.True(durations.Count(d => d >= OperationTimeout / 2) <= 1 + (int)(durations.Sum(d => d.TotalMilliseconds) / 500), "calls kept waiting on the frozen Redis between breaks");

        proxy.Thaw();
    }

    [Fact]
    public void An_error_reply_falls_back_and_the_value_is_still_right()
    {
        Configure(_server.Url);
        Assert.Equal(3, _add(1, 2));
        using var inspector = ConnectionMultiplexer.Connect(_server.Endpoint);
        var keys = inspector.GetServer(_server.Endpoint).Keys(pattern: "*Basic.Add*").ToList();
        var key = Assert.Single(keys, k => true);
        Assert.True(keys.Count == 1, string.Join("\n", _log.Entries));
        var database = inspector.GetDatabase();
        database.KeyDelete(key);
        database.HashSet(key, "field", "a hash where a string should be");
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = _server.Url;
            o.Prefix = key.ToString().Split(':')[0];
            o.LoggerFactory = _log;
        });

        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));
        Assert.Contains(_log.Warnings, w => w.Contains("WRONGTYPE"));
    }

    [Fact]
    public async System.Threading.Tasks.Task Async_calls_with_Redis_stopped_mid_run_give_right_results_from_memory()
    {
        Configure(_server.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(3, await _addAsync(1, 2));
        _server.Stop();

        var durations = new TimeSpan[500];
        for (var i = 0; i < durations.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal(3, await _addAsync(1, 2));
            Assert.Equal(100 + i + 1, await _addAsync(100 + i, 1));
            durations[i] = clock.Elapsed;
        }

        Report("Redis stopped, async", durations);
        Assert.Equal(1 + durations.Length, WovenAssembly.Calls("AddAsync"));
        Assert.Equal(1, UnavailableWarnings());
    }

    [Fact]
    public async System.Threading.Tasks.Task An_async_call_to_a_Redis_that_stops_answering_waits_one_operation_timeout_then_uses_memory()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        proxy.Freeze();

        var first = Stopwatch.StartNew();
        Assert.Equal(3, await _addAsync(1, 2));
        first.Stop();
        Assert.True(first.Elapsed < CallCeiling, $"the first call after the freeze took {first.ElapsedMilliseconds} ms");
        Assert.Equal(1, WovenAssembly.Calls("AddAsync"));
        Assert.Equal(1, UnavailableWarnings());
        Assert.Contains(_log.Warnings, w => w.Contains("Timeout"));

        var again = Stopwatch.StartNew();
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.True(again.Elapsed < OperationTimeout / 2, $"a call during the break waited {again.ElapsedMilliseconds} ms on the frozen Redis");
        proxy.Thaw();
    }

    [Fact]
    public async System.Threading.Tasks.Task An_async_call_that_meets_an_error_reply_falls_back_and_is_right()
    {
        Configure(_server.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        using var inspector = ConnectionMultiplexer.Connect(_server.Endpoint);
        var key = Assert.Single(inspector.GetServer(_server.Endpoint).Keys(pattern: "*AddAsync*"));
        var database = inspector.GetDatabase();
        database.KeyDelete(key);
        database.HashSet(key, "field", "a hash where a string should be");

        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Contains(_log.Warnings, w => w.Contains("WRONGTYPE"));
        Assert.Equal(3, await _addAsync(1, 2));
    }

    [Fact]
    public void The_password_never_appears_in_logs()
    {
        _server.Stop();
        Configure($"redis://admin:Sup3rS3cret@127.0.0.1:{_server.Port}/0");
        Assert.Equal(3, _add(1, 2));
        Assert.NotEmpty(_log.Entries);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("Sup3rS3cret"));
    }
}
