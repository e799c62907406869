using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Distributed;

/// <summary>
/// LockWaitTimeout bounds how long a caller waits for a lock that another process holds: then it
/// computes the result itself, once, and one warning per method says so. The lock is held straight
/// from the test's own connection, for far longer than the test, and the wait runs on a manual
/// clock: the caller is seen waiting (it looks at the lock again and again without computing) until
/// the test moves the clock past the bound.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LockWaitTimeoutTests : MemoizeTestBase
{
    private static readonly TimeSpan LockWaitTimeout = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan HeldFor = TimeSpan.FromMinutes(2);

    /// <summary>Only to turn a hang into a failure; the bound itself runs on the manual clock.</summary>
    private static readonly TimeSpan HangCeiling = TimeSpan.FromSeconds(20);

    private readonly ManualTimeProvider _time = new();

    public LockWaitTimeoutTests(RedisServerFixture fixture)
        : base(fixture) =>
        AkCacheRuntime.ConfigureOnClock(
            o =>
            {
                o.RedisUrl = Server.Url;
                o.Prefix = Prefix;
                o.LoggerFactory = Log;
                o.LockWaitTimeout = LockWaitTimeout;
            },
            _time);

    [Fact]
    public void A_caller_stops_waiting_for_a_lock_held_elsewhere_after_LockWaitTimeout_and_computes_once()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        StopsWaitingAfterTheBound(() => Task.Run(() => add(1, 2)), "Basic.Add", "Add");
    }

    [Fact]
    public void An_async_caller_stops_waiting_for_a_lock_held_elsewhere_after_LockWaitTimeout_and_computes_once()
    {
        var add = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");
        StopsWaitingAfterTheBound(() => add(1, 2), "AsyncShapes.AddAsync", "AddAsync");
    }

    private void StopsWaitingAfterTheBound(Func<Task<int>> call, string method, string body)
    {
        Assert.Equal(3, call().GetAwaiter().GetResult());
        var valueKey = Assert.Single(StoredKeys("*" + method + "(*"));
        Redis.StringSet(valueKey + ":lock", "another process", HeldFor);

        // Twice: the second call waits and computes the same way, and the warning is not repeated.
        for (var round = 1; round <= 2; round++)
        {
            Redis.KeyDelete(valueKey);
            var waiting = call();
            // Three looks: the first two can come before the caller's first wait; the third comes after one.
            SeesTheCallerLookAtTheLock(valueKey, waiting);
            SeesTheCallerLookAtTheLock(valueKey, waiting);
            SeesTheCallerLookAtTheLock(valueKey, waiting);
            Assert.False(waiting.IsCompleted, "the caller stopped waiting before LockWaitTimeout had passed");
            Assert.Equal(round, WovenAssembly.Calls(body));

            // One tick short of the bound it still waits, and looks again: a bound cut short fails here.
            _time.Advance(LockWaitTimeout - TimeSpan.FromTicks(1));
            SeesTheCallerLookAtTheLock(valueKey, waiting);
            SeesTheCallerLookAtTheLock(valueKey, waiting);
            Assert.False(waiting.IsCompleted, "the caller stopped waiting before LockWaitTimeout had passed");
            Assert.Equal(round, WovenAssembly.Calls(body));

            _time.Advance(TimeSpan.FromTicks(1));
            Assert.True(waiting.Wait(HangCeiling), $"the caller still waited {HangCeiling.TotalSeconds} s after LockWaitTimeout had passed");
            Assert.Equal(3, waiting.Result);
            Assert.Equal(round + 1, WovenAssembly.Calls(body));

            // It never took the other process's lock, and shared its result all the same.
            Assert.Equal("another process", (string?)Redis.StringGet(valueKey + ":lock"));
            Assert.True(Redis.KeyExists(valueKey));
        }

        var warning = Assert.Single(Log.Warnings, w => w.Contains("stopped waiting"));
        Assert.Contains("AssemblyToProcess." + method, warning);
        Assert.Contains(LockWaitTimeout.ToString(), warning);
    }

    /// <summary>
    /// Waits until the caller has found the lock held once more: the lock script marks the value as
    /// awaited each time it finds the lock taken. The marker is removed, so the next sighting is a new look.
    /// </summary>
    private void SeesTheCallerLookAtTheLock(string valueKey, Task<int> waiting)
    {
        var clock = Stopwatch.StartNew();
        while (!Redis.KeyDelete(valueKey + ":awaited"))
        {
            Assert.False(waiting.IsCompleted, "the caller stopped waiting before LockWaitTimeout had passed");
            Assert.True(clock.Elapsed < HangCeiling, $"the caller did not look at the lock within {HangCeiling.TotalSeconds} s");
            Thread.Sleep(5);
        }
    }
}
