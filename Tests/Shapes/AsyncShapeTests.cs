using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.SingleFlight;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Shapes;

[Collection(RedisCollection.Name)]
public sealed class AsyncShapeTests : MemoizeTestBase
{
    public AsyncShapeTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task Async_Task_method_caches_the_result_not_the_task(string configuration)
    {
        var woven = Woven.For(configuration);
        var addAsync = woven.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");
        Assert.Equal(5, await addAsync(2, 3));
        Configure(_ => { });
        var hit = addAsync(2, 3);
        Assert.Equal(5, await hit);
        Assert.Equal(1, woven.Calls("AddAsync"));
        Assert.Equal(7, await addAsync(3, 4));
        Assert.Equal(2, woven.Calls("AddAsync"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task Task_and_ValueTask_methods_with_or_without_async_are_memoized(string configuration)
    {
        var woven = Woven.For(configuration);
        var notAsync = woven.Method<Func<string, Task<string>>>("AsyncShapes.NotAsync");
        var valueTask = woven.Method<Func<long, ValueTask<long>>>("AsyncShapes.ValueTaskAsync");
        var completed = woven.Method<Func<int, ValueTask<int>>>("AsyncShapes.CompletedValueTask");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("hi ann", await notAsync("ann"));
            Assert.Equal(42L, await valueTask(21L));
            Assert.Equal(10, await completed(9));
        }

        Assert.Equal(1, woven.Calls("NotAsync"));
        Assert.Equal(1, woven.Calls("ValueTaskAsync"));
        Assert.Equal(1, woven.Calls("CompletedValueTask"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task An_async_null_result_is_cached_and_an_async_exception_is_not(string configuration)
    {
        var woven = Woven.For(configuration);
        var nothing = woven.Type("AsyncShapes").GetMethod("NothingAsync")!;
        for (var i = 0; i < 2; i++)
        {
            var task = (Task)nothing.Invoke(null, new object[] { "X" })!;
            await task;
            Assert.Null(task.GetType().GetProperty("Result")!.GetValue(task));
        }

        Assert.Equal(1, woven.Calls("NothingAsync"));

        var throws = woven.Method<Func<int, Task<int>>>("AsyncShapes.ThrowsAsync");
        var first = await Assert.ThrowsAsync<InvalidOperationException>(() => throws(3));
        Assert.Equal("async failure 3", first.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => throws(3));
        Assert.Equal(2, woven.Calls("ThrowsAsync"));
        Assert.Empty(StoredKeys("*ThrowsAsync*"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task The_cancellation_token_is_not_part_of_the_key_and_reaches_the_body(string configuration)
    {
        var woven = Woven.For(configuration);
        var waits = woven.Method<Func<int, CancellationToken, Task<int>>>("AsyncShapes.WaitsAsync");
        using var first = new CancellationTokenSource();
        Assert.Equal(20, await waits(20, first.Token));
        using var second = new CancellationTokenSource();
        Assert.Equal(20, await waits(20, second.Token));
        Assert.Equal(1, woven.Calls("WaitsAsync"));

        // The body waits forever unless the token it was handed is cancelled: once it runs, only
        // the caller's token can end it.
        var untilCancelled = woven.Method<Func<int, Action, CancellationToken, Task<int>>>("GatedShapes.UntilCancelledAsync");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancelled = new CancellationTokenSource();
        var call = untilCancelled(7, () => started.TrySetResult(), cancelled.Token);
        await started.Task.WaitAsync(Gates.HangTimeout);
        Assert.False(call.IsCompleted);
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Gates.HangTimeout));
        Assert.Equal(1, woven.Calls("UntilCancelledAsync"));
        Assert.Empty(StoredKeys("*UntilCancelledAsync*"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task Many_concurrent_async_callers_get_the_right_result(string configuration)
    {
        var woven = Woven.For(configuration);
        var addAsync = woven.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");
        var calls = new Task<int>[64];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = addAsync(i % 4, 100);
        }

        var results = await Task.WhenAll(calls);
        for (var i = 0; i < calls.Length; i++)
        {
            Assert.Equal((i % 4) + 100, results[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task Cancelling_a_waiting_caller_stops_its_wait_not_the_shared_computation(string configuration)
    {
        var woven = Woven.For(configuration);
        var gated = woven.Method<Func<int, Action, Task, CancellationToken, Task<int>>>("GatedShapes.GatedAsync");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ownerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = gated(1500, () => ownerStarted.TrySetResult(), gate.Task, CancellationToken.None);
        await ownerStarted.Task.WaitAsync(Gates.HangTimeout);

        using var impatient = new CancellationTokenSource();
        var waiter = await Gates.JoinedAsWaiterAsync(() => gated(1500, () => { }, gate.Task, impatient.Token));
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(Gates.HangTimeout));

        // The gate is still closed: the waiter gave up while the computation it waited for ran on.
        Assert.False(owner.IsCompleted);
        gate.SetResult();

        Assert.Equal(1500, await owner.WaitAsync(Gates.HangTimeout));
        Assert.Equal(1, woven.Calls("GatedAsync"));
        Assert.Equal(1500, await gated(1500, () => { }, gate.Task, CancellationToken.None));
        Assert.Equal(1, woven.Calls("GatedAsync"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task When_the_computing_caller_is_cancelled_a_waiting_caller_computes_instead_of_failing(string configuration)
    {
        var woven = Woven.For(configuration);
        var gated = woven.Method<Func<int, Action, Task, CancellationToken, Task<int>>>("GatedShapes.GatedAsync");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ownerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();
        var cancelledOwner = gated(800, () => ownerStarted.TrySetResult(), gate.Task, impatient.Token);
        await ownerStarted.Task.WaitAsync(Gates.HangTimeout);

        // Cancelled only once the patient caller waits on the owner's flight, so that its
        // recomputation is the path taken every time, not just when the race goes that way.
        var patient = await Gates.JoinedAsWaiterAsync(() => gated(800, () => { }, gate.Task, CancellationToken.None));
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledOwner.WaitAsync(Gates.HangTimeout));
        await Gates.UntilAsync(() => woven.Calls("GatedAsync") == 2 || patient.IsCompleted);
        Assert.True(!patient.IsCompleted, "The waiting caller did not compute: " + patient.Exception);
        gate.SetResult();

        Assert.Equal(800, await patient.WaitAsync(Gates.HangTimeout));
        Assert.Equal(2, woven.Calls("GatedAsync"));
        Assert.Single(StoredKeys("*GatedAsync*"));
    }
}
