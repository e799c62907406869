using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Local;

/// <summary>
/// The Task and ValueTask entry points answered by the local layer: an immutable value's hit is the
/// one completed task kept with its entry (no allocation per hit), a mutable value's hit a task and
/// a copy of its own.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LocalTaskHitTests : MemoizeTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Func<string, Task<string>> _notAsync = WovenAssembly.Method<Func<string, Task<string>>>("AsyncShapes.NotAsync");
    private readonly Func<int, int, Task<int>> _addAsync = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");
    private readonly Func<int, ValueTask<int>> _completedValueTask = WovenAssembly.Method<Func<int, ValueTask<int>>>("AsyncShapes.CompletedValueTask");
    private readonly Func<string, int, Task<List<string>>> _repeatAsync = Woven.Referenced.Method<Func<string, int, Task<List<string>>>>("GenericShapes.RepeatAsync", typeof(string));

    public LocalTaskHitTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task Two_Task_hits_of_an_immutable_value_return_the_same_completed_task()
    {
        await UntilServedLocally(() => _notAsync("Ada"));

        var first = _notAsync("Ada");
        var second = _notAsync("Ada");

        Assert.True(first.IsCompletedSuccessfully);
        Assert.Same(first, second);
        Assert.Equal("hi Ada", await second);
        Assert.Equal(1, WovenAssembly.Calls("NotAsync"));
    }

    [Fact]
    public async Task Each_call_keeps_its_own_task_and_value()
    {
        await UntilServedLocally(() => _notAsync("Ada"));
        await UntilServedLocally(() => _notAsync("Eve"));

        Assert.NotSame(_notAsync("Ada"), _notAsync("Eve"));
        Assert.Equal("hi Eve", await _notAsync("Eve"));
        Assert.Equal("hi Ada", await _notAsync("Ada"));
    }

    [Fact]
    public async Task Task_and_ValueTask_hits_of_an_int_allocate_nothing()
    {
        // 42 is past the small results whose tasks .NET itself caches: a task per hit would show.
        await UntilServedLocally(() => _addAsync(20, 22));
        await UntilServedLocally(() => _completedValueTask(41).AsTask());

        Assert.Equal(0, AllocatedBy(() => _addAsync(20, 22).IsCompletedSuccessfully));
        Assert.Equal(0, AllocatedBy(() => _completedValueTask(41).IsCompletedSuccessfully));
        Assert.Equal(42, await _addAsync(20, 22));
        Assert.Equal(42, await _completedValueTask(41));
    }

    [Fact]
    public async Task Task_hits_of_a_mutable_value_are_tasks_and_copies_of_their_own()
    {
        await UntilServedLocally(() => _repeatAsync("x", 2));

        var first = _repeatAsync("x", 2);
        var second = _repeatAsync("x", 2);

        Assert.NotSame(first, second);
        var (firstList, secondList) = (await first, await second);
        Assert.NotSame(firstList, secondList);
        firstList.Add("changed by the first caller");
        Assert.Equal(new[] { "x", "x" }, secondList);
        Assert.Equal(new[] { "x", "x" }, await _repeatAsync("x", 2));
    }

    /// <summary>Calls until the local layer answers (tracking starts with the first connection), as seen in the method's statistics.</summary>
    private static async Task UntilServedLocally<T>(Func<Task<T>> call)
    {
        _ = await call();
        var before = AkCacheRuntime.GetCacheInfo(call).LocalHits;
        var waited = Stopwatch.StartNew();
        while (AkCacheRuntime.GetCacheInfo(call).LocalHits - before < 3)
        {
            Assert.True(waited.Elapsed < Patience, "the local layer did not answer within " + Patience);
            _ = await call();
            await Task.Delay(1);
        }
    }

    private static long AllocatedBy(Func<bool> call)
    {
        for (var i = 0; i < 100; i++)
        {
            Assert.True(call());
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            call();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
