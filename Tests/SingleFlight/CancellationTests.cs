using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.SingleFlight;

/// <summary>
/// A caller's token bounds its own waiting, wherever it waits: on a computation of its own process
/// (synchronous callers here; the asynchronous ones in AsyncShapeTests) or on another process's lock.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CancellationTests : MemoizeTestBase
{
    private const string TheirToken = "held-by-another-process";

    public CancellationTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    private static Task<T> OnThreadOfItsOwn<T>(Func<T> call) => Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task Cancelling_a_synchronous_caller_waiting_in_this_process_stops_its_wait_not_the_computation(string configuration)
    {
        var woven = Woven.For(configuration);
        var gated = woven.Method<Func<int, Action, Task, CancellationToken, int>>("GatedShapes.Gated");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ownerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = OnThreadOfItsOwn(() => gated(3, () => ownerStarted.TrySetResult(), gate.Task, CancellationToken.None));
        await ownerStarted.Task.WaitAsync(Gates.HangTimeout);

        using var impatient = new CancellationTokenSource();
        var waiter = await Gates.JoinedAsWaiterAsync(() => OnThreadOfItsOwn(() => gated(3, () => { }, gate.Task, impatient.Token)));
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(Gates.HangTimeout));
        Assert.False(owner.IsCompleted);
        gate.SetResult();

        Assert.Equal(3, await owner.WaitAsync(Gates.HangTimeout));
        Assert.Equal(1, woven.Calls("Gated"));
        Assert.Equal(3, gated(3, () => { }, gate.Task, CancellationToken.None));
        Assert.Equal(1, woven.Calls("Gated"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task When_a_synchronous_computing_caller_is_cancelled_its_waiter_computes_instead_of_failing(string configuration)
    {
        var woven = Woven.For(configuration);
        var gated = woven.Method<Func<int, Action, Task, CancellationToken, int>>("GatedShapes.Gated");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ownerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();
        var cancelledOwner = OnThreadOfItsOwn(() => gated(4, () => ownerStarted.TrySetResult(), gate.Task, impatient.Token));
        await ownerStarted.Task.WaitAsync(Gates.HangTimeout);

        var patient = await Gates.JoinedAsWaiterAsync(() => OnThreadOfItsOwn(() => gated(4, () => { }, gate.Task, CancellationToken.None)));
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledOwner.WaitAsync(Gates.HangTimeout));
        await Gates.UntilAsync(() => woven.Calls("Gated") == 2 || patient.IsCompleted);
        Assert.True(!patient.IsCompleted, "The waiting caller did not compute: " + patient.Exception);
        gate.SetResult();

        Assert.Equal(4, await patient.WaitAsync(Gates.HangTimeout));
        Assert.Equal(2, woven.Calls("Gated"));
    }

    /// <summary>
    /// The test holds the value's lock as another process would, for a minute: a caller that did
    /// not heed its token would wait that minute out and then compute.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancelling_a_caller_that_waits_for_another_process_stops_it_at_once_without_computing(bool asynchronous)
    {
        var gatedAsync = WovenAssembly.Method<Func<int, Action, Task, CancellationToken, Task<int>>>("GatedShapes.GatedAsync");
        var gated = WovenAssembly.Method<Func<int, Action, Task, CancellationToken, int>>("GatedShapes.Gated");
        var name = asynchronous ? "GatedAsync" : "Gated";
        Func<CancellationToken, Task<int>> call = asynchronous
            ? token => gatedAsync(6, () => { }, Task.CompletedTask, token)
            : token => OnThreadOfItsOwn(() => gated(6, () => { }, Task.CompletedTask, token));

        // A first call names the key; then the value goes and another process holds its lock.
        Assert.Equal(6, await call(CancellationToken.None));
        var valueKey = Assert.Single(StoredKeys("*" + name + "(*"));
        Assert.True(Redis.KeyDelete(valueKey));
        Assert.True(Redis.StringSet(valueKey + ":lock", TheirToken, TimeSpan.FromMinutes(1)));

        using var cancellation = new CancellationTokenSource();
        var waiting = call(cancellation.Token);

        // The awaited mark is written by a look that found the lock held: the caller is waiting on it.
        await Gates.UntilAsync(() => Redis.KeyExists(valueKey + ":awaited"));
        Assert.False(waiting.IsCompleted);
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, WovenAssembly.Calls(name));
        Assert.False(Redis.KeyExists(valueKey));
        Assert.Equal(TheirToken, (string?)Redis.StringGet(valueKey + ":lock"));
    }
}
