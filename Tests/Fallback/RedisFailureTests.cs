using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Distributed;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Fallback;

/// <summary>
/// Redis refused, stopped, slow or answering errors: every call still returns the right result,
/// one warning is logged per outage, calls stop waiting on Redis, and sharing resumes by itself.
/// Each test has a server of its own, since it stops it, and a manual clock, so that a break ends
/// when the test says. What reaches Redis is counted (by a proxy in front of it, or by the
/// server's own statistics), never timed: the durations are printed for docs/failures.md only.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisFailureTests : IDisposable
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    /// <summary>Only to turn a hang into a failure: waits for the client library to notice a server that stopped or came back.</summary>
    private static readonly TimeSpan NoticeCeiling = TimeSpan.FromSeconds(20);

    /// <summary>The commands AkCache sends for its values and locks; the client library's own (PING, INFO, CLIENT...) are not counted.</summary>
    private static readonly string[] ValueCommands = { "GET", "GETRANGE", "SET", "EVAL", "EVALSHA", "SCRIPT" };

    /// <summary>
    /// <see cref="ValueCommands"/> but GET, for the server's own statistics: the client library reads
    /// its tie-breaker key with GET at every connect, and the server cannot tell that GET from ours.
    /// </summary>
    private static readonly string[] WriteCommands = { "SET", "EVAL", "EVALSHA", "SCRIPT" };

    private readonly ITestOutputHelper _output;
    private readonly RedisTestServer _server = RedisTestServer.Start();
    private readonly ListLoggerFactory _log = new();
    private readonly ManualTimeProvider _time = new();
    private readonly Func<int, int, int> _add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
    private readonly Func<int, int, Task<int>> _addAsync = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");

    public RedisFailureTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine($"server: {_server}");
        WovenAssembly.ResetCalls();
    }

    public void Dispose()
    {
        foreach (var entry in _log.Entries)
        {
            _output.WriteLine($"log {entry.Level}: {entry.Message}");
        }

        AkCacheRuntime.Reset();
        _server.Dispose();
    }

    private void Configure(string url, Action<AkCacheOptions>? more = null) => AkCacheRuntime.ConfigureOnClock(
        o =>
        {
            o.RedisUrl = url;
            o.Prefix = "fail" + Guid.NewGuid().ToString("N").Substring(0, 8);
            o.OperationTimeout = OperationTimeout;
            o.ConnectTimeout = ConnectTimeout;
            o.BreakDuration = BreakDuration;
            o.LoggerFactory = _log;

            // These tests are about what each call does with Redis failing: the local layer answers
            // only while Redis is unavailable, as with AKCACHE_LOCAL_CACHE=off (LocalCacheTests
            // cover it answering first).
            o.LocalCache = false;
            more?.Invoke(o);
        },
        _time);

    private static IConnectionMultiplexer AkCacheConnection => AkCacheRuntime.State.Redis!.Connection!;

    /// <summary>Waits until AkCache's own connection is up (or down): what the library notices by itself, in its own time.</summary>
    private static void WaitUntilConnected(bool connected)
    {
        var clock = Stopwatch.StartNew();
        while (AkCacheConnection.IsConnected != connected)
        {
            Assert.True(clock.Elapsed < NoticeCeiling, $"the connection was not {(connected ? "up" : "down")} within {NoticeCeiling.TotalSeconds} s");
            Thread.Sleep(10);
        }
    }

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

    private async Task<TimeSpan[]> TimeCallsAsync(int count, int firstArgument)
    {
        var durations = new TimeSpan[count];
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal(firstArgument + i + 1, await _addAsync(firstArgument + i, 1));
            durations[i] = clock.Elapsed;
        }

        return durations;
    }

    /// <summary>Prints what a run of calls took: a measurement of this run, quoted by docs/failures.md, not a check.</summary>
    private void Report(string what, TimeSpan[] durations)
    {
        var sorted = durations.OrderBy(d => d).ToArray();
        _output.WriteLine($"{what}: {durations.Length} calls, first {durations[0].TotalMilliseconds:F2} ms, p50 {sorted[sorted.Length / 2].TotalMilliseconds:F3} ms, p99 {sorted[sorted.Length * 99 / 100].TotalMilliseconds:F3} ms, max {sorted[^1].TotalMilliseconds:F2} ms");
    }

    private int UnavailableWarnings() => _log.Warnings.Count(w => w.Contains("is unavailable"));

    private int ReachableAgainWarnings() => _log.Warnings.Count(w => w.Contains("is reachable again"));

    /// <summary>How many <see cref="WriteCommands"/> the server itself has run since it started (INFO commandstats; a script's own calls included).</summary>
    private long WriteCommandsRunByServer()
    {
        using var inspector = ConnectionMultiplexer.Connect(_server.Endpoint + ",allowAdmin=true");
        var stats = inspector.GetServer(_server.Endpoint).InfoRaw("commandstats")!;
        return stats.Split('\n')
            .Select(line => line.Trim())
            .Where(line => WriteCommands.Any(c => line.StartsWith("cmdstat_" + c.ToLowerInvariant() + ":calls=", StringComparison.Ordinal)))
            .Sum(line => long.Parse(line.Split(new[] { "calls=" }, StringSplitOptions.None)[1].Split(',')[0]));
    }

    private static string[] ValueCommandsThrough(FreezableProxy proxy) =>
        proxy.Commands.Where(c => ValueCommands.Contains(c.Split(' ')[0]) && !c.Contains("__Booksleeve")).ToArray();

    private string[] StoredAddKeys() => KeysInRedis("*Basic.Add*");

    /// <summary>The keys the server itself holds that match <paramref name="pattern"/>, seen directly, not through a proxy.</summary>
    private string[] KeysInRedis(string pattern)
    {
        using var inspector = ConnectionMultiplexer.Connect(_server.Endpoint);
        return inspector.GetServer(_server.Endpoint).Keys(pattern: pattern).Select(k => k.ToString()).ToArray();
    }

    [Fact]
    public void Redis_stopped_mid_run_gives_right_results_without_waiting_on_it()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url);
        Assert.Equal(3, _add(1, 2));
        _server.Stop();
        WaitUntilConnected(false);
        var sent = proxy.Count(ValueCommands);

        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        Report("Redis stopped", TimeCalls(2000, 100));
        Report("Redis stopped, same arguments again (memory hits)", TimeCalls(2000, 100));
        Assert.Equal(2001, WovenAssembly.Calls("Add"));
        Assert.Equal(1, UnavailableWarnings());

        // The probe after the break finds Redis still down: the same outage, no second warning.
        _time.Advance(BreakDuration);
        TimeCalls(100, 5000);
        Assert.Equal(1, UnavailableWarnings());

        // Back up, but the break is not over: calls keep off Redis, so none of them can have waited on it.
        _server.Restart();
        WaitUntilConnected(true);
        TimeCalls(100, 6000);
        Assert.Equal(sent, proxy.Count(ValueCommands));
        Assert.Equal(2201, WovenAssembly.Calls("Add"));
        Assert.Equal(0, ReachableAgainWarnings());
        Assert.Equal(1, UnavailableWarnings());
    }

    [Fact]
    public void Redis_restarted_makes_sharing_resume_at_the_next_probe_and_a_second_outage_warns_again()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url);
        Assert.Equal(3, _add(1, 2));
        _server.Stop();
        WaitUntilConnected(false);
        Assert.Equal(5, _add(2, 3));
        _time.Advance(BreakDuration);
        Assert.Equal(7, _add(3, 4));
        _server.Restart();
        WaitUntilConnected(true);
        var sent = proxy.Count(ValueCommands);

        // The break is over: the next call probes, finds Redis, and stores its result there again.
        _time.Advance(BreakDuration);
        Assert.Equal(1001, _add(1000, 1));
        Assert.Equal(1, ReachableAgainWarnings());
        _output.WriteLine("after the probe: " + string.Join(", ", ValueCommandsThrough(proxy).Skip(sent)));
        Assert.StartsWith("GETRANGE ", ValueCommandsThrough(proxy).Skip(sent).First());
        Assert.Single(StoredAddKeys());
        Assert.Equal(1001, _add(1000, 1));
        Assert.Equal(4, WovenAssembly.Calls("Add"));
        Assert.Equal(1, UnavailableWarnings());

        // A new outage after the recovery is a new outage: one more warning, and later one more recovery.
        _server.Stop();
        WaitUntilConnected(false);
        Assert.Equal(2001, _add(2000, 1));
        Assert.Equal(2001, _add(2000, 1));
        Assert.Equal(2, UnavailableWarnings());
        _server.Restart();
        WaitUntilConnected(true);
        _time.Advance(BreakDuration);
        Assert.Equal(3001, _add(3000, 1));
        Assert.Equal(2, ReachableAgainWarnings());
        Assert.Equal(6, WovenAssembly.Calls("Add"));
    }

    [Fact]
    public void Redis_refusing_connections_from_the_start_is_tried_once_per_break()
    {
        _server.Stop();
        Configure(_server.Url);

        var first = Stopwatch.StartNew();
        Assert.Equal(3, _add(1, 2));
        _output.WriteLine($"first call with Redis refusing: {first.ElapsedMilliseconds} ms");
        Report("Redis refusing", TimeCalls(2000, 10));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(2001, WovenAssembly.Calls("Add"));
        Assert.Equal(1, UnavailableWarnings());

        _time.Advance(BreakDuration);
        TimeCalls(10, 5000);
        Assert.Equal(1, UnavailableWarnings());

        // The server comes up during a break: not one call reaches it until the break is over. Each
        // call is a miss, so one that went to Redis would have run the lock script there.
        _server.Restart();
        WaitUntilConnected(true);
        TimeCalls(100, 6000);
        Assert.Equal(0, WriteCommandsRunByServer());

        _time.Advance(BreakDuration);
        Assert.Equal(7001, _add(7000, 1));
        Assert.NotEqual(0, WriteCommandsRunByServer());
        Assert.Equal(1, ReachableAgainWarnings());
        Assert.Single(StoredAddKeys());
    }

    /// <summary>
    /// Eight callers calling without pause when Redis stops answering: each sends at most one command
    /// after the freeze (the one it then waits its OperationTimeout for), and once the breaker is open
    /// none sends another; every call is answered right, none throws. This is the bound of
    /// docs/reliability.md's known limit "a freeze costs more than one call": one wait per caller in
    /// flight, never more. (Counted at the proxy, not timed.)
    /// </summary>
    [Fact]
    public void A_freeze_costs_each_caller_in_flight_one_command_and_none_after_the_breaker_opens()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url);
        Assert.Equal(3, _add(1, 2));
        const int Callers = 8;
        var calls = 0;
        var wrong = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var stop = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, Callers).Select(caller => new Thread(() =>
        {
            try
            {
                for (var i = 0; !stop.IsSet; i++)
                {
                    // A new argument each call: a miss, so every call goes to Redis while it answers.
                    var a = (1_000_000 * (caller + 1)) + i;
                    if (_add(a, 1) != a + 1)
                    {
                        Interlocked.Increment(ref wrong);
                    }

                    Interlocked.Increment(ref calls);
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        try
        {
            Wait.Until(() => Volatile.Read(ref calls) >= 200, "200 calls through Redis before the freeze", NoticeCeiling);
            proxy.Freeze();
            var atFreeze = proxy.Count(ValueCommands);
            var callsAtFreeze = Volatile.Read(ref calls);

            // Every caller's one command times out; the breaker opens at the first, and then the calls go on from the method itself.
            Wait.Until(() => !AkCacheRuntime.State.Redis!.Breaker.IsClosed, "the breaker opens", NoticeCeiling);
            Wait.Until(() => Volatile.Read(ref calls) >= callsAtFreeze + (Callers * 200), "every caller goes on without Redis", NoticeCeiling);
            var afterFreeze = proxy.Count(ValueCommands) - atFreeze;
            _output.WriteLine($"commands sent after the freeze: {afterFreeze}, by {Callers} callers; calls since: {Volatile.Read(ref calls) - callsAtFreeze}");
            Assert.InRange(afterFreeze, 0, Callers);

            // Nothing more reaches Redis while the breaker is open (the test's clock does not move: no probe).
            var settled = proxy.Count(ValueCommands);
            var callsSettled = Volatile.Read(ref calls);
            Wait.Until(() => Volatile.Read(ref calls) >= callsSettled + (Callers * 200), "more calls with the breaker open", NoticeCeiling);
            Assert.Equal(settled, proxy.Count(ValueCommands));
        }
        finally
        {
            stop.Set();
            threads.ForEach(t => t.Join());
            proxy.Thaw();
        }

        Assert.Empty(failures);
        Assert.Equal(0, wrong);
        Assert.Equal(1, UnavailableWarnings());
    }

    /// <summary>
    /// With <see cref="AkCacheOptions.ComputeOnSlowReads"/>, a frozen Redis costs a caller about its method's own
    /// time, not the operation timeout: 8 callers reading stored values (every call a read, the local layer
    /// answering only while Redis is unavailable) go on computing while Redis is frozen, long before the 60 s
    /// operation timeout could have ended any of their reads (the breaker is still closed when they have made
    /// 200 calls each since the freeze); at most 8 commands reach the proxy after the freeze (the reads the
    /// callers were in), then none while those are unanswered. Thawed, the late reads are answered and calls read Redis again, without any outage
    /// logged. Without the option the callers stay in their reads until the ceiling: the test fails. With
    /// <paramref name="misses"/>, every call is of a new key (a read, a lock attempt, the computation, a store), so
    /// that the freeze finds callers at every step: without the limit on lock attempts and stores, the callers in
    /// them wait for the timeout.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_frozen_Redis_costs_a_caller_that_computes_on_slow_reads_its_method_s_time_not_the_operation_timeout(bool asynchronous, bool misses)
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url, o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(60);
            o.ComputeOnSlowReads = true;
        });

        // CacheInfo counts from the process's start: other tests' calls are in it.
        var atStart = asynchronous ? AkCacheRuntime.GetCacheInfo(() => _addAsync(0, 0)) : AkCacheRuntime.GetCacheInfo(() => _add(0, 0));
        const int Callers = 8;
        const int KeysPerCaller = 20;
        var calls = 0;
        var perCaller = new int[Callers];
        var wrong = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var stop = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, Callers).Select(caller => Task.Factory.StartNew(
            async () =>
            {
                try
                {
                    for (var i = 0; !stop.IsSet; i++)
                    {
                        // A few keys per caller, stored at their first call: then every call is one read. Or a new key each time.
                        var a = (1_000_000 * (caller + 1)) + (misses ? i : i % KeysPerCaller);
                        var result = asynchronous ? await _addAsync(a, 1) : _add(a, 1);
                        if (result != a + 1)
                        {
                            Interlocked.Increment(ref wrong);
                        }

                        Interlocked.Increment(ref calls);
                        Interlocked.Increment(ref perCaller[caller]);
                    }
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToList();
        try
        {
            Wait.Until(() => Volatile.Read(ref calls) >= Callers * KeysPerCaller * 5, "Redis hits before the freeze", NoticeCeiling);
            var info = AkCacheRuntime.GetCacheInfo().Single(i => i.Method.Contains(asynchronous ? "AddAsync" : ".Add("));
            Assert.True(misses ? info.Misses - atStart.Misses > 0 : info.RedisHits - atStart.RedisHits > 0, info.ToString());

            // CacheInfo counts from the process's start: other tests' calls are in it.
            var slowReadsAtFreeze = info.SlowReads;
            proxy.Freeze();
            var atFreeze = proxy.Count(ValueCommands);
            var callsAtFreeze = Volatile.Read(ref calls);
            var eachAtFreeze = perCaller.Select(c => Volatile.Read(ref c)).ToArray();

            Wait.Until(() => Enumerable.Range(0, Callers).All(c => Volatile.Read(ref perCaller[c]) >= eachAtFreeze[c] + 200), "every caller makes 200 calls while Redis is frozen", NoticeCeiling);
            var afterFreeze = proxy.Count(ValueCommands) - atFreeze;
            info = AkCacheRuntime.GetCacheInfo().Single(i => i.Method.Contains(asynchronous ? "AddAsync" : ".Add("));
            _output.WriteLine($"commands sent after the freeze: {afterFreeze}, by {Callers} callers; calls since: {Volatile.Read(ref calls) - callsAtFreeze}; {info}");

            // No read has reached its 60 s timeout: the callers went on because they stopped waiting, not because the breaker opened.
            Assert.True(AkCacheRuntime.State.Redis!.Breaker.IsClosed);
            Assert.InRange(afterFreeze, 0, Callers);
            Assert.True(info.SlowReads - slowReadsAtFreeze >= (Callers * 200) - Callers, info.ToString());
            Assert.True(AkCacheRuntime.State.Redis!.WaitsForLateReplies);

            proxy.Thaw();
            Wait.Until(() => !AkCacheRuntime.State.Redis!.WaitsForLateReplies, "the late reads answered once Redis is thawed", NoticeCeiling);
            var thawed = proxy.Count(ValueCommands);
            var callsThawed = Volatile.Read(ref calls);
            Wait.Until(() => Volatile.Read(ref calls) >= callsThawed + (Callers * 50), "calls after the thaw", NoticeCeiling);
            Assert.True(proxy.Count(ValueCommands) > thawed, "calls read Redis again after the thaw");
        }
        finally
        {
            stop.Set();
            await Task.WhenAll(tasks);
        }

        Assert.Empty(failures);
        Assert.Equal(0, wrong);
        Assert.Equal(0, UnavailableWarnings());
    }

    /// <summary>
    /// A result computed because its read was slower than the method is kept in this process untrusted: Redis may
    /// be up and hold another value, so once Redis answers, the next call asks it before the local layer answers
    /// (it fails if the result is kept trusted: the local layer, answering first, would send nothing).
    /// </summary>
    [Fact]
    public void A_result_computed_instead_of_a_slow_read_is_checked_with_Redis_before_the_local_layer_serves_it()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url, o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(60);
            o.ComputeOnSlowReads = true;
            o.LocalCache = true;
        });
        Assert.Equal(3, _add(1, 2));

        // A healthy read on a loaded machine must not be given up here: only the frozen one.
        AkCacheRuntime.State.Redis!.MinimumSlowReadWaitMs = 500;
        Wait.Until(() => AkCacheRuntime.State.Engine.Coherence.AllowsAnswerFirst, "the local layer answers first", NoticeCeiling);

        // Computed before the local layer could answer first (and its own store's invalidation may still be on its way):
        // confirmed with Redis, then served here without a command. What a trusted entry does, for the contrast below.
        Wait.Until(
            () =>
            {
                var sent = proxy.Count(ValueCommands);
                Assert.Equal(3, _add(1, 2));
                return proxy.Count(ValueCommands) == sent;
            },
            "a trusted entry served without a command",
            NoticeCeiling);

        // A short freeze (the tracking connection's PING would notice one of 2 s): the read of a new key gives way after 500 ms.
        // (CacheInfo counts from the process's start: other tests' calls of Add are in it.)
        var slowReads = AkCacheRuntime.GetCacheInfo(() => _add(1, 2)).SlowReads;
        proxy.Freeze();
        Assert.Equal(6, _add(5, 1));
        proxy.Thaw();
        Assert.Equal(slowReads + 1, AkCacheRuntime.GetCacheInfo(() => _add(1, 2)).SlowReads);
        Wait.Until(() => !AkCacheRuntime.State.Redis!.WaitsForLateReplies, "the late read answered", NoticeCeiling);
        Assert.True(AkCacheRuntime.State.Engine.Coherence.AllowsAnswerFirst);

        var before = proxy.Count(ValueCommands);
        Assert.Equal(6, _add(5, 1));
        Assert.True(proxy.Count(ValueCommands) > before, "the untrusted result was checked with Redis");

        // Redis never held it (a result computed instead of a slow read is not stored): computed again, and stored this time.
        Assert.Equal(3, WovenAssembly.Calls("Add"));
        Assert.Equal(0, UnavailableWarnings());
    }

    /// <summary>
    /// With <see cref="AkCacheOptions.ComputeOnSlowReads"/>, a lock attempt and a store are given up on as a read is:
    /// Redis freezes as the call's lock attempt (the first script after its read), or its store (the second, after
    /// the computation), reaches it. The call returns its right result while the breaker is still closed, so long
    /// before the 60 s operation timeout; it fails without the limit, after that timeout. The reply is handled when
    /// Redis answers: the lock taken late is released at once, long before its 60 s time to live (the call computed
    /// without it, and nothing is stored); the store given up on completes, and the value is in Redis.
    /// </summary>
    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    [InlineData(true, 1)]
    public async Task A_lock_attempt_or_a_store_slower_than_the_method_is_given_up_on_and_finished_when_Redis_answers(bool asynchronous, int scriptsBeforeTheFreeze)
    {
        var lockAttempt = scriptsBeforeTheFreeze == 0;
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url, o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(60);
            o.LockTimeToLive = TimeSpan.FromSeconds(60);
            o.ComputeOnSlowReads = true;
        });
        var name = asynchronous ? "AddAsync" : "Add";
        Task<int> Call(int a, int b) => asynchronous ? _addAsync(a, b) : Task.FromResult(_add(a, b));

        // A healthy command on a loaded machine must not be given up here, only the frozen one (the method's statistics
        // are the process's: other tests' computations are in them, so even the first call below may give one up).
        var redis = AkCacheRuntime.State.Redis!;
        redis.MinimumSlowReadWaitMs = 500;

        // A computation first, which also loads both scripts.
        Assert.Equal(3, await Call(1, 2));
        Wait.Until(() => !redis.WaitsForLateReplies, "no reply outstanding before the freeze", NoticeCeiling);
        var computations = WovenAssembly.Calls(name);
        var slowReads = AkCacheRuntime.GetCacheInfo().Single(i => i.Method.Contains(asynchronous ? "AddAsync" : ".Add(")).SlowReads;

        proxy.FreezeAt(scriptsBeforeTheFreeze, "EVAL", "EVALSHA");
        Assert.Equal(8, await Call(7, 1));
        Assert.True(proxy.IsFrozen, "Redis froze at the call's " + (lockAttempt ? "lock attempt" : "store"));
        Assert.True(redis.Breaker.IsClosed, "the call returned before its command timed out");
        Assert.True(redis.WaitsForLateReplies);
        Assert.Equal(computations + 1, WovenAssembly.Calls(name));
        var info = AkCacheRuntime.GetCacheInfo().Single(i => i.Method.Contains(asynchronous ? "AddAsync" : ".Add("));
        Assert.Equal(slowReads + (lockAttempt ? 1 : 0), info.SlowReads);

        // The server itself (seen directly, not through the proxy) ran the command whose reply is held: the lock was taken
        // (and is released only once the reply comes), or the value stored and the lock released.
        var prefix = AkCacheRuntime.State.Options.Prefix;
        Assert.Equal(lockAttempt ? 1 : 0, KeysInRedis(prefix + "*:lock").Length);

        // While that reply is outstanding, a lock attempt that may be given up is not even sent.
        var sent = proxy.Count(ValueCommands);
        var attempt = await redis.TryAcquireLockAsync(prefix + ":other", TimeSpan.FromSeconds(60), readValue: true, synchronous: !asynchronous, slowAfterMs: 500);
        Assert.Equal(LockStatus.Late, attempt.Status);
        Assert.Equal(sent, proxy.Count(ValueCommands));

        proxy.Thaw();
        Wait.Until(() => !redis.WaitsForLateReplies, "the late reply handled once Redis is thawed", NoticeCeiling);
        Wait.Until(() => KeysInRedis(prefix + "*:lock").Length == 0, "no lock left in Redis", NoticeCeiling);
        var stored = KeysInRedis(prefix + "*").Where(k => !k.EndsWith(":awaited", StringComparison.Ordinal)).ToArray();
        _output.WriteLine($"keys after the thaw: {string.Join(", ", stored)}; {info}");

        // Both results of the run are stored, or the first only when the call computed without the lock.
        Assert.Equal(lockAttempt ? 1 : 2, stored.Length);

        // The next call reads the stored value, or computes (once) and stores it.
        Assert.Equal(8, await Call(7, 1));
        Assert.Equal(computations + (lockAttempt ? 2 : 1), WovenAssembly.Calls(name));
        Assert.Equal(0, UnavailableWarnings());
    }

    /// <summary>
    /// A lock attempt given up on that then times out in the client library may still have taken the lock on the
    /// server (the freeze held only its reply): its token is released behind it on the same connection, so the lock is
    /// gone soon after Redis answers again, long before its 60 s time to live. Without that release it stays: the test fails.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_lock_attempt_given_up_on_and_then_timed_out_releases_the_lock_it_may_have_taken(bool asynchronous)
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url, o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(1);
            o.LockTimeToLive = TimeSpan.FromSeconds(60);
            o.ComputeOnSlowReads = true;
        });
        Task<int> Call(int a, int b) => asynchronous ? _addAsync(a, b) : Task.FromResult(_add(a, b));
        var redis = AkCacheRuntime.State.Redis!;
        redis.MinimumSlowReadWaitMs = 300;
        Assert.Equal(3, await Call(1, 2));
        Wait.Until(() => !redis.WaitsForLateReplies, "no reply outstanding before the freeze", NoticeCeiling);

        proxy.FreezeAt(0, "EVAL", "EVALSHA");
        Assert.Equal(8, await Call(7, 1));
        Assert.True(proxy.IsFrozen, "Redis froze at the call's lock attempt");
        var prefix = AkCacheRuntime.State.Options.Prefix;
        Assert.Single(KeysInRedis(prefix + "*:lock"));

        // The attempt's 1 s timeout: the breaker opens (one warning), and the release is sent behind the attempt.
        Wait.Until(() => !redis.WaitsForLateReplies, "the late attempt timed out", NoticeCeiling);
        Assert.False(redis.Breaker.IsClosed);
        proxy.Thaw();
        Wait.Until(() => KeysInRedis(prefix + "*:lock").Length == 0, "the lock released once Redis answers", NoticeCeiling);
        Assert.Equal(1, UnavailableWarnings());
    }

    /// <summary>
    /// A lock attempt given up on counts among the locks the process may hold until its reply is handled: a configuration
    /// replaced (or a graceful exit) before Redis answers releases the lock it took, which is gone soon after Redis
    /// answers, not after its 300 s time to live. It fails when only the locks of computations in progress are released.
    /// </summary>
    [Fact]
    public void A_lock_taken_by_an_attempt_given_up_on_is_released_when_the_configuration_is_replaced_before_its_reply()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url, o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(2);
            o.LockTimeToLive = TimeSpan.FromSeconds(300);
            o.ComputeOnSlowReads = true;
        });
        var redis = AkCacheRuntime.State.Redis!;
        redis.MinimumSlowReadWaitMs = 300;
        Assert.Equal(3, _add(1, 2));
        Wait.Until(() => !redis.WaitsForLateReplies, "no reply outstanding before the freeze", NoticeCeiling);

        proxy.FreezeAt(0, "EVAL", "EVALSHA");
        Assert.Equal(8, _add(7, 1));
        Assert.True(proxy.IsFrozen, "Redis froze at the call's lock attempt");
        Assert.Equal(1, redis.HeldLockCount);
        var prefix = AkCacheRuntime.State.Options.Prefix;
        Assert.Single(KeysInRedis(prefix + "*:lock"));

        AkCacheRuntime.Reset();
        proxy.Thaw();
        Wait.Until(() => KeysInRedis(prefix + "*:lock").Length == 0, "the lock released once Redis answers", NoticeCeiling);
    }

    [Fact]
    public void A_Redis_that_stops_answering_costs_one_operation_timeout_per_break()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url);
        Assert.Equal(3, _add(1, 2));
        var sent = proxy.Count(ValueCommands);
        proxy.Freeze();

        // One read waits for the timeout and opens the breaker; no other call of the break sends anything.
        Report("Redis not answering", TimeCalls(300, 10));
        Assert.Equal(sent + 1, proxy.Count(ValueCommands));
        Assert.Equal(301, WovenAssembly.Calls("Add"));
        Assert.Equal(1, UnavailableWarnings());
        Assert.Contains(_log.Warnings, w => w.Contains("is unavailable") && w.Contains("Timeout"));

        // Each later break costs its one probe, which times out too: the same outage, no new warning.
        for (var breaks = 1; breaks <= 2; breaks++)
        {
            // A fresh silence for each break: the client library gives up a connection that has read
            // nothing for four timeouts, and a probe on a given-up connection never reaches the proxy.
            proxy.Thaw();
            WaitUntilConnected(true);
            proxy.Freeze();
            _time.Advance(BreakDuration);
            TimeCalls(300, 1000 * breaks);
            Assert.Equal(sent + 1 + breaks, proxy.Count(ValueCommands));
            Assert.Equal(1, UnavailableWarnings());
        }

        // The client library may have given the silent connection up and be making a new one.
        proxy.Thaw();
        WaitUntilConnected(true);
        _time.Advance(BreakDuration);
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, ReachableAgainWarnings());
        Assert.Equal(901, WovenAssembly.Calls("Add"));

        proxy.Freeze();
        Assert.Equal(5, _add(2, 3));
        Assert.Equal(2, UnavailableWarnings());
        proxy.Thaw();
    }

    [Fact]
    public void An_error_reply_falls_back_and_the_value_is_still_right()
    {
        Configure(_server.Url);
        Assert.Equal(3, _add(1, 2));
        var key = Assert.Single(StoredAddKeys());
        using var inspector = ConnectionMultiplexer.Connect(_server.Endpoint);
        var database = inspector.GetDatabase();
        database.KeyDelete(key);
        database.HashSet(key, "field", "a hash where a string should be");

        // A fresh configuration: an empty memory cache, so the value can only come from running the method.
        AkCacheRuntime.ConfigureOnClock(
            o =>
            {
                o.RedisUrl = _server.Url;
                o.Prefix = key.Split(':')[0];
                o.BreakDuration = BreakDuration;
                o.LoggerFactory = _log;
            },
            _time);

        // Computed once, and the key repaired by its result (Tests/Faults/ErrorClassTests has more).
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
        Assert.Single(_log.Warnings, w => w.Contains("WRONGTYPE"));
        Assert.Equal(RedisType.String, database.KeyType(key));
        Assert.Equal(0, UnavailableWarnings());
    }

    [Fact]
    public async Task Async_calls_with_Redis_stopped_mid_run_give_right_results_from_memory()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        _server.Stop();
        WaitUntilConnected(false);
        var sent = proxy.Count(ValueCommands);

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

        _time.Advance(BreakDuration);
        await TimeCallsAsync(10, 5000);
        Assert.Equal(1, UnavailableWarnings());

        _server.Restart();
        WaitUntilConnected(true);
        await TimeCallsAsync(100, 6000);
        Assert.Equal(sent, proxy.Count(ValueCommands));

        _time.Advance(BreakDuration);
        Assert.Equal(7001, await _addAsync(7000, 1));
        Assert.Equal(1, ReachableAgainWarnings());
        _output.WriteLine("after the probe: " + string.Join(", ", ValueCommandsThrough(proxy).Skip(sent)));
        Assert.StartsWith("GETRANGE ", ValueCommandsThrough(proxy).Skip(sent).First());
        Assert.Equal(1 + durations.Length + 10 + 100 + 1, WovenAssembly.Calls("AddAsync"));
    }

    [Fact]
    public async Task An_async_call_to_a_Redis_that_stops_answering_waits_one_operation_timeout_then_uses_memory()
    {
        using var proxy = new FreezableProxy(_server.Port);
        Configure(proxy.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        var sent = proxy.Count(ValueCommands);
        proxy.Freeze();

        var first = Stopwatch.StartNew();
        Assert.Equal(3, await _addAsync(1, 2));
        _output.WriteLine($"first async call after the freeze: {first.ElapsedMilliseconds} ms");
        Assert.Equal(1, WovenAssembly.Calls("AddAsync"));
        Assert.Equal(1, UnavailableWarnings());
        Assert.Contains(_log.Warnings, w => w.Contains("is unavailable") && w.Contains("Timeout"));
        Assert.Equal(sent + 1, proxy.Count(ValueCommands));

        Report("Redis not answering, async", await TimeCallsAsync(300, 10));
        Assert.Equal(sent + 1, proxy.Count(ValueCommands));

        // A fresh silence for the next break, as in the synchronous test.
        proxy.Thaw();
        WaitUntilConnected(true);
        proxy.Freeze();
        _time.Advance(BreakDuration);
        await TimeCallsAsync(300, 1000);
        Assert.Equal(sent + 2, proxy.Count(ValueCommands));
        Assert.Equal(1, UnavailableWarnings());

        // The client library may have given the silent connection up and be making a new one.
        proxy.Thaw();
        WaitUntilConnected(true);
        _time.Advance(BreakDuration);
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(1, ReachableAgainWarnings());
        Assert.Equal(601, WovenAssembly.Calls("AddAsync"));
    }

    [Fact]
    public async Task An_async_call_that_meets_an_error_reply_falls_back_and_is_right()
    {
        Configure(_server.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        using var inspector = ConnectionMultiplexer.Connect(_server.Endpoint);
        var key = Assert.Single(inspector.GetServer(_server.Endpoint).Keys(pattern: "*AddAsync*"));
        var database = inspector.GetDatabase();
        database.KeyDelete(key);
        database.HashSet(key, "field", "a hash where a string should be");

        // The key is not AkCache's any more: a miss, computed once, and its result repairs the key.
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Single(_log.Warnings, w => w.Contains("WRONGTYPE"));
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(2, WovenAssembly.Calls("AddAsync"));
        Assert.Equal(RedisType.String, database.KeyType(key));
        Assert.Equal(0, UnavailableWarnings());
    }

    [Fact]
    public void The_password_never_appears_in_logs()
    {
        _server.Stop();
        Configure($"redis://admin:Sup3rS3cret@127.0.0.1:{_server.Port}/0");
        Assert.Equal(3, _add(1, 2));
        Assert.Contains(_log.Warnings, w => w.Contains("is unavailable") && w.Contains($"127.0.0.1:{_server.Port}"));
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("Sup3rS3cret"));
    }
}
