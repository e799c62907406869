using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Observability;

/// <summary>
/// The "AkCache" ActivitySource seen by an ActivityListener, against a real Redis (issue 14): a miss
/// is an <c>akcache.miss</c> span with an <c>akcache.compute</c> child; a hit (local or from Redis) makes no span; a caller
/// that waits for another caller's computation in this process has an <c>akcache.wait</c> span linked to
/// that computation's miss span; the lock a recorded miss takes carries its trace context, and a
/// caller that waits on a lock carrying one (another process's) links its wait span to it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class TracingTests : MemoizeTestBase
{
    private const string Method = "AssemblyToProcess.Basic.Add(System.Int32,System.Int32)";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Func<int, int, int> _add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
    private readonly Func<int, Action, Task, CancellationToken, int> _gated = WovenAssembly.Method<Func<int, Action, Task, CancellationToken, int>>("GatedShapes.Gated");

    public TracingTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public void A_miss_is_a_miss_span_with_a_compute_child_and_a_hit_makes_no_span()
    {
        using var spans = new AkCacheSpans();
        Assert.Equal(121, _add(110, 11));
        Assert.Equal(121, _add(110, 11));

        var miss = Assert.Single(spans.Named("akcache.miss"));
        Assert.Equal(Method, miss.GetTagItem("akcache.method"));
        Assert.Equal("computed", miss.GetTagItem("akcache.outcome"));
        var compute = Assert.Single(spans.Named("akcache.compute"));
        Assert.Equal(miss.SpanId, compute.ParentSpanId);
        Assert.Equal(miss.TraceId, compute.TraceId);
        Assert.Equal(true, compute.GetTagItem("akcache.locked"));
        Assert.Empty(spans.Named("akcache.wait"));
        Assert.Equal(2, spans.All.Count);

        // Another process's view (an empty local layer): a Redis hit makes no span either.
        Configure(_ => { });
        Assert.Equal(121, _add(110, 11));
        Assert.Equal(2, spans.All.Count);
        Assert.Equal(1, WovenAssembly.Calls("Add"));
    }

    [Fact]
    public async Task A_caller_waiting_for_a_computation_of_this_process_has_a_wait_span_linked_to_its_miss_span_and_the_lock_carries_its_context()
    {
        using var spans = new AkCacheSpans();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = Task.Factory.StartNew(() => _gated(31, () => started.TrySetResult(), gate.Task, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await started.Task.WaitAsync(Patience);

        // The owner's lock: its token, then the trace context of its miss span.
        var lockValue = (string)Redis.StringGet(Assert.Single(StoredKeys("*GatedShapes.Gated(*:lock")))!;
        var joiner = Task.Factory.StartNew(() => _gated(31, () => { }, Task.CompletedTask, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Wait.Until(() => spans.Started("akcache.wait") > 0, "the second caller waits for the first", Patience);
        gate.SetResult();
        Assert.Equal(31, await owner.WaitAsync(Patience));
        Assert.Equal(31, await joiner.WaitAsync(Patience));
        Assert.Equal(1, WovenAssembly.Calls("Gated"));

        var miss = Assert.Single(spans.Named("akcache.miss"));
        Assert.Equal("computed", miss.GetTagItem("akcache.outcome"));
        Assert.EndsWith(";" + miss.Id, lockValue, StringComparison.Ordinal);
        var wait = Assert.Single(spans.Named("akcache.wait"));
        Assert.Equal("process", wait.GetTagItem("akcache.wait.scope"));
        var link = Assert.Single(wait.Links);
        Assert.Equal(miss.TraceId, link.Context.TraceId);
        Assert.Equal(miss.SpanId, link.Context.SpanId);
    }

    [Fact]
    public void A_caller_waiting_on_another_processs_lock_links_its_wait_span_to_the_context_the_lock_carries()
    {
        // The first call finds the key's name; then another process holds its lock, with its miss span's context, and never stores.
        Assert.Equal(144, _add(130, 14));
        var key = Assert.Single(StoredKeys("*Basic.Add(*"));
        Redis.KeyDelete(key);
        var remote = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var traceparent = $"00-{remote.TraceId}-{remote.SpanId}-01";
        Redis.StringSet(key + ":lock", "0123456789abcdef0123456789abcdef;" + traceparent, TimeSpan.FromMinutes(1));
        Configure(o => o.LockWaitTimeout = TimeSpan.FromMilliseconds(400));

        using var spans = new AkCacheSpans();
        Assert.Equal(144, _add(130, 14));
        Assert.Equal(2, WovenAssembly.Calls("Add"));

        var miss = Assert.Single(spans.Named("akcache.miss"));
        Assert.Equal("computed", miss.GetTagItem("akcache.outcome"));
        var wait = Assert.Single(spans.Named("akcache.wait"));
        Assert.Equal("processes", wait.GetTagItem("akcache.wait.scope"));
        Assert.Equal(miss.SpanId, wait.ParentSpanId);
        var link = Assert.Single(wait.Links);
        Assert.Equal(remote.TraceId, link.Context.TraceId);
        Assert.Equal(remote.SpanId, link.Context.SpanId);

        // The computation after the wait gave up is the miss span's child, not the wait's, and ran without the lock.
        var compute = Assert.Single(spans.Named("akcache.compute"));
        Assert.Equal(miss.SpanId, compute.ParentSpanId);
        Assert.Equal(false, compute.GetTagItem("akcache.locked"));

        // A lock whose value carries no context (an older AkCache, or nobody tracing there): a wait span without a link.
        Redis.KeyDelete(key);
        Redis.StringSet(key + ":lock", "a token of another process", TimeSpan.FromMinutes(1));
        Configure(o => o.LockWaitTimeout = TimeSpan.FromMilliseconds(400));
        Assert.Equal(144, _add(130, 14));
        Assert.Empty(spans.Named("akcache.wait").Last().Links);
    }

    [Fact]
    public async Task Without_a_listener_the_lock_carries_the_token_alone()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = Task.Factory.StartNew(() => _gated(37, () => started.TrySetResult(), gate.Task, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await started.Task.WaitAsync(Patience);
        var lockValue = (string)Redis.StringGet(Assert.Single(StoredKeys("*GatedShapes.Gated(*:lock")))!;
        gate.SetResult();
        Assert.Equal(37, await owner.WaitAsync(Patience));
        Assert.Matches("^[0-9a-f]{32}$", lockValue);
    }

    [Fact]
    public async Task A_listener_that_throws_costs_the_calls_nothing_and_leaves_no_flight_behind()
    {
        using var throwing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "AkCache",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _ => throw new InvalidOperationException("a listener's bug"),
            ActivityStopped = _ => throw new InvalidOperationException("another listener's bug"),
        };
        ActivitySource.AddActivityListener(throwing);

        Assert.Equal(165, _add(150, 15));
        Assert.Equal(165, await Task.Run(() => _add(150, 15)).WaitAsync(Patience));
        Assert.Equal(1, WovenAssembly.Calls("Add"));

        // Another process's view: a miss again, through the same listener, answered from Redis.
        Configure(_ => { });
        Assert.Equal(165, await Task.Run(() => _add(150, 15)).WaitAsync(Patience));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        Assert.Equal(180, await Task.Run(() => _add(160, 20)).WaitAsync(Patience));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
    }

    /// <summary>Listens to the "AkCache" source, every span recorded; keeps the spans that ended.</summary>
    private sealed class AkCacheSpans : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ConcurrentDictionary<string, int> _started = new();

        public AkCacheSpans()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "AkCache",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStarted = a => _started.AddOrUpdate(a.OperationName, 1, (_, n) => n + 1),
                ActivityStopped = a => _stopped.Enqueue(a),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public System.Collections.Generic.IReadOnlyList<Activity> All => _stopped.ToList();

        public Activity[] Named(string name) => _stopped.Where(a => a.OperationName == name).ToArray();

        public int Started(string name) => _started.TryGetValue(name, out var n) ? n : 0;

        public void Dispose() => _listener.Dispose();
    }
}
