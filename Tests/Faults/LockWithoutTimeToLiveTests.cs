using System;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Faults;

/// <summary>
/// A value's lock that has no time to live (an operator's PERSIST on the lock of an owner that then
/// died, or a key of another program at the lock's name), or one that would live longer than a
/// lease, is taken over within LockTimeToLive: the lock script gives it the lock's time to live. Without that, every caller of the value waited
/// LockWaitTimeout (10 minutes by default). LockWaitTimeout is set far above LockTimeToLive here, so
/// a caller that stopped waiting instead of taking the lock over shows in its warning.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LockWithoutTimeToLiveTests : MemoizeTestBase
{
    public LockWithoutTimeToLiveTests(RedisServerFixture fixture)
        : base(fixture) =>
        Configure(o =>
        {
            o.LockTimeToLive = TimeSpan.FromSeconds(1);
            o.LockWaitTimeout = TimeSpan.FromSeconds(60);
        });

    [Fact]
    public void A_persisted_lock_of_a_dead_owner_is_taken_over_and_the_value_computed_once()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        Assert.Equal(3, add(1, 2));
        var valueKey = Assert.Single(StoredKeys("*Basic.Add(*"));
        Redis.KeyDelete(valueKey);
        Redis.StringSet(valueKey + ":lock", "a token of a process that died");
        Assert.Equal(-1, (long)Redis.Execute("PTTL", valueKey + ":lock"));

        Assert.Equal(3, add(1, 2));

        TakenOver(valueKey, "Add", 2);
    }

    [Fact]
    public async Task A_lock_key_of_another_type_without_a_time_to_live_is_taken_over()
    {
        var add = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");
        Assert.Equal(3, await add(1, 2));
        var valueKey = Assert.Single(StoredKeys("*AsyncShapes.AddAsync(*"));
        Redis.KeyDelete(valueKey);
        Redis.ListRightPush(valueKey + ":lock", "not AkCache's");

        Assert.Equal(3, await add(1, 2));

        TakenOver(valueKey, "AddAsync", 2);
    }

    /// <summary>A lock that would outlive any lease (an hour, set by hand): cut to the lock's time to live and taken over within it.</summary>
    [Fact]
    public void A_lock_that_outlives_a_lease_is_cut_to_the_locks_time_to_live_and_taken_over()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        Assert.Equal(7, add(3, 4));
        var valueKey = Assert.Single(StoredKeys("*Basic.Add(*"));
        Redis.KeyDelete(valueKey);
        Redis.StringSet(valueKey + ":lock", "a token of a process that died", TimeSpan.FromHours(1));

        Assert.Equal(7, add(3, 4));

        TakenOver(valueKey, "Add", 2);
    }

    private void TakenOver(string valueKey, string body, int computations)
    {
        Assert.Equal(computations, WovenAssembly.Calls(body));
        Assert.DoesNotContain(Log.Warnings, w => w.Contains("stopped waiting"));

        // Computed under the lock taken over: stored, and the lock released.
        Assert.Equal(RedisType.String, Redis.KeyType(valueKey));
        Assert.False(Redis.KeyExists(valueKey + ":lock"), "the lock was not released by the caller that took it over");
    }
}
