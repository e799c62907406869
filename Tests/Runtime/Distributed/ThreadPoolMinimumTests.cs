using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Distributed;

/// <summary>
/// MinimumThreadPoolWorkers: when AkCache first connects, the pool's minimum of worker threads is
/// raised to it if below, never lowered, and left alone for 0. The pool is the process's own, so
/// each test puts its minimum back.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ThreadPoolMinimumTests : MemoizeTestBase
{
    private readonly int _workers;
    private readonly int _completionPorts;
    private readonly int _low = Environment.ProcessorCount;

    public ThreadPoolMinimumTests(RedisServerFixture fixture)
        : base(fixture) => ThreadPool.GetMinThreads(out _workers, out _completionPorts);

    public override void Dispose()
    {
        ThreadPool.SetMinThreads(_workers, _completionPorts);
        base.Dispose();
    }

    private static int MinimumWorkers()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        return workers;
    }

    private static int MinimumCompletionPorts()
    {
        ThreadPool.GetMinThreads(out _, out var ports);
        return ports;
    }

    private void SetMinimum(int workers) => Assert.True(ThreadPool.SetMinThreads(workers, _completionPorts), $"the pool refused a minimum of {workers}");

    [Fact]
    public void A_minimum_below_the_setting_is_raised_when_AkCache_first_connects()
    {
        SetMinimum(_low);
        Configure(o => o.MinimumThreadPoolWorkers = _low + 40);
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        // Configuring connects nothing; the first memoized call does.
        Assert.Equal(_low, MinimumWorkers());
        Assert.Equal(3, add(1, 2));
        Assert.True(AkCacheRuntime.State.Redis!.HasConnected);
        Assert.Equal(_low + 40, MinimumWorkers());
        Assert.Equal(_completionPorts, MinimumCompletionPorts());
    }

    [Fact]
    public async Task A_minimum_below_the_setting_is_raised_when_an_async_call_first_connects()
    {
        SetMinimum(_low);
        Configure(o => o.MinimumThreadPoolWorkers = _low + 41);
        var add = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");

        Assert.Equal(3, await add(1, 2));
        Assert.True(AkCacheRuntime.State.Redis!.HasConnected);
        Assert.Equal(_low + 41, MinimumWorkers());
        Assert.Equal(_completionPorts, MinimumCompletionPorts());
    }

    [Fact]
    public void A_minimum_above_the_setting_is_never_lowered()
    {
        SetMinimum(_low + 60);
        Configure(o => o.MinimumThreadPoolWorkers = _low + 10);
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        Assert.Equal(3, add(1, 2));
        Assert.True(AkCacheRuntime.State.Redis!.HasConnected);
        Assert.Equal(_low + 60, MinimumWorkers());
    }

    [Fact]
    public void Zero_leaves_the_pool_alone()
    {
        SetMinimum(_low + 3);
        Configure(o => o.MinimumThreadPoolWorkers = 0);
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        Assert.Equal(3, add(1, 2));
        Assert.True(AkCacheRuntime.State.Redis!.HasConnected);
        Assert.Equal(_low + 3, MinimumWorkers());
    }
}
