using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Configuration;
using AkCache.Internals.Distributed;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Local;

/// <summary>
/// An invalidation that arrives while the call's result is being computed: the result was computed
/// from what the user asked to remove, so its caller gets it but it is stored nowhere, and the next
/// call computes again. The invalidation comes from this process, or from another one (its Redis
/// side: the value and the lock deleted, the message published).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class InvalidationDuringComputationTests : MemoizeTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Func<int, Action, Task, CancellationToken, int> _gated = WovenAssembly.Method<Func<int, Action, Task, CancellationToken, int>>("GatedShapes.Gated");
    private readonly Func<int, Action, Task, CancellationToken, Task<int>> _gatedAsync = WovenAssembly.Method<Func<int, Action, Task, CancellationToken, Task<int>>>("GatedShapes.GatedAsync");

    public InvalidationDuringComputationTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task A_synchronous_result_computed_before_an_Invalidate_of_this_process_is_returned_but_not_stored()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = Task.Factory.StartNew(() => _gated(5, () => started.TrySetResult(), gate.Task, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await started.Task.WaitAsync(Patience);

        Assert.False(AkCacheRuntime.Invalidate(() => _gated(5, () => { }, Task.CompletedTask, CancellationToken.None)));
        gate.SetResult();

        Assert.Equal(5, await owner.WaitAsync(Patience));
        Assert.Empty(ValueKeys());
        Assert.Equal(5, _gated(5, () => { }, Task.CompletedTask, CancellationToken.None));
        Assert.Equal(2, WovenAssembly.Calls("Gated"));
        Assert.Single(ValueKeys());
        Assert.Equal(5, _gated(5, () => { }, Task.CompletedTask, CancellationToken.None));
        Assert.Equal(2, WovenAssembly.Calls("Gated"));
    }

    [Fact]
    public async Task An_asynchronous_result_computed_before_an_Invalidate_of_another_process_is_returned_but_not_stored()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = _gatedAsync(6, () => started.TrySetResult(), gate.Task, CancellationToken.None);
        await started.Task.WaitAsync(Patience);
        var lockKey = Assert.Single(StoredKeys("*:lock"));
        var applied = AkCacheRuntime.State.Engine.Coherence.Applied;

        // What AkCacheRuntime.Invalidate does in Redis from another process: the value and the lock go, every process is told.
        using (var otherProcess = new RedisAccessor(RedisUrl.Parse(Server.Url), new AkCacheOptions { Prefix = Prefix }, new ListLoggerFactory(), TimeProvider.System))
        {
            Assert.False(otherProcess.DeleteAndAnnounce(lockKey[..^":lock".Length]));
        }

        Assert.Empty(StoredKeys("*:lock"));
        WaitUntil(() => AkCacheRuntime.State.Engine.Coherence.Applied > applied, "the invalidation reached this process");
        gate.SetResult();

        Assert.Equal(6, await owner.WaitAsync(Patience));
        Assert.Empty(ValueKeys());
        Assert.Equal(6, await _gatedAsync(6, () => { }, Task.CompletedTask, CancellationToken.None));
        Assert.Equal(2, WovenAssembly.Calls("GatedAsync"));
        Assert.Single(ValueKeys());
    }

    [Fact]
    public async Task A_result_whose_lock_was_taken_over_is_not_written_over_the_new_owners()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = _gatedAsync(7, () => started.TrySetResult(), gate.Task, CancellationToken.None);
        await started.Task.WaitAsync(Patience);
        var lockKey = Assert.Single(StoredKeys("*:lock"));

        // The lock expired while this process computed, and another process took it.
        Redis.StringSet(lockKey, "another process", TimeSpan.FromSeconds(30));
        gate.SetResult();

        Assert.Equal(7, await owner.WaitAsync(Patience));
        Assert.Empty(ValueKeys());
        Assert.Equal("another process", Redis.StringGet(lockKey));
    }

    private string[] ValueKeys() => StoredKeys("*Gated*").Where(k => !k.EndsWith(":lock", StringComparison.Ordinal) && !k.EndsWith(":awaited", StringComparison.Ordinal)).ToArray();

    private static void WaitUntil(Func<bool> condition, string what) => Wait.Until(condition, what, Patience);
}
