using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.SingleFlight;
using AkCache.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Local;

/// <summary>
/// The local layer (L1) answering first, against a real redis-server: what it costs (no round trip),
/// what it shares and copies, its bounds, and how Redis's tracking and AkCache's own invalidations
/// keep it right. Cross-process coherence is in CrossProcessCoherenceTests.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LocalCacheTests : MemoizeTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly string[] ValueCommands = { "GET", "GETRANGE", "SET", "EVALSHA", "EVAL", "DEL", "UNLINK" };
    private readonly ITestOutputHelper _output;
    private readonly Func<string, string> _greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");

    public LocalCacheTests(RedisServerFixture fixture, ITestOutputHelper output)
        : base(fixture)
    {
        _output = output;
    }

    private static Internals.Engine.LocalCoherence Coherence => AkCacheRuntime.State.Engine.Coherence;

    [Fact]
    public void A_loop_of_100000_calls_sends_a_handful_of_commands()
    {
        using var log = new CommandLog(Server.Port);
        Assert.Equal("Hello, Ada", _greet("Ada"));
        WaitUntil(() => Coherence.IsTracking, "tracking is on");
        var before = Info();

        for (var i = 0; i < 100_000; i++)
        {
            Assert.Equal("Hello, Ada", _greet("Ada"));
        }

        var sent = ValueCommandsOfThisTest(log);
        _output.WriteLine($"{sent.Count} commands for 100,001 calls: {CommandLog.Describe(sent)}");
        Assert.InRange(sent.Count, 3, 6);
        Assert.Equal(1, WovenAssembly.Calls("Greet"));
        Assert.True(Info().LocalHits - before.LocalHits >= 99_990, Info().ToString());
    }

    [Fact]
    public void An_external_overwrite_is_seen_by_the_next_calls()
    {
        var key = CachedAndServedLocally("Ada");

        Assert.True(Redis.StringSet(key, ReplaceOnce((byte[])Redis.StringGet(key)!, "Hello, Ada", "Hello, Eve")));

        var seen = WaitUntil(() => _greet("Ada") == "Hello, Eve", "the overwrite is seen");
        _output.WriteLine($"the overwrite was seen after {seen.TotalMilliseconds:F1} ms");
        Assert.Equal(1, WovenAssembly.Calls("Greet"));
    }

    [Fact]
    public void An_external_DEL_makes_the_next_calls_compute_again()
    {
        var key = CachedAndServedLocally("Ada");

        Assert.True(Redis.KeyDelete(key));

        var seen = WaitUntil(() => _greet("Ada") == "Hello, Ada" && WovenAssembly.Calls("Greet") == 2, "the deletion is seen");
        _output.WriteLine($"the deletion was seen after {seen.TotalMilliseconds:F1} ms");
        Assert.True(Redis.KeyExists(key));
    }

    [Fact]
    public void A_FLUSHALL_makes_the_next_calls_compute_again()
    {
        CachedAndServedLocally("Ada");

        Redis.Execute("FLUSHALL");

        WaitUntil(() => _greet("Ada") == "Hello, Ada" && WovenAssembly.Calls("Greet") == 2, "the flush is seen");
        Assert.Single(StoredKeys());
    }

    [Fact]
    public void An_invalidation_missed_while_tracking_was_down_is_not_served()
    {
        var key = CachedAndServedLocally("Ada");
        var tracking = Coherence.Listener!;

        // Killed, the tracking connection cannot deliver the overwrite that follows: Redis has no one to tell.
        foreach (var id in TrackingClientIds())
        {
            Redis.Execute("CLIENT", "KILL", "ID", id);
        }

        Assert.True(Redis.StringSet(key, ReplaceOnce((byte[])Redis.StringGet(key)!, "Hello, Ada", "Hello, Eve")));
        WaitUntil(() => tracking.State != Internals.Messaging.Tracking.TrackingState.Tracking || !Coherence.IsTracking, "the loss is noticed");
        WaitUntil(() => Coherence.IsTracking, "tracking is back");

        // Every entry was distrusted when tracking came back: the first call checks Redis.
        Assert.Equal("Hello, Eve", _greet("Ada"));
        Assert.Equal(1, WovenAssembly.Calls("Greet"));
    }

    [Fact]
    public void A_mutated_result_is_not_seen_by_the_next_caller()
    {
        var numbers = WovenAssembly.Method<Func<int, List<int>>>("LocalShapes.Numbers");
        var first = numbers(3);
        first.Add(99);
        WaitUntil(() => Coherence.IsTracking, "tracking is on");

        var seen = new List<List<int>>();
        for (var i = 0; i < 20; i++)
        {
            var hit = numbers(3);
            Assert.Equal(new[] { 0, 1, 2 }, hit);
            hit.Clear();
            seen.Add(hit);
        }

        Assert.Equal(1, WovenAssembly.Calls("Numbers"));
        Assert.True(InfoOf(() => numbers(0)).LocalHits > 0);
        Assert.Equal(seen.Count, seen.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    [Fact]
    public void An_immutable_result_is_one_shared_value()
    {
        CachedAndServedLocally("Ada");

        Assert.Same(_greet("Ada"), _greet("Ada"));
    }

    [Fact]
    public void Sixty_results_of_5_MB_stay_within_the_byte_bound()
    {
        const long bound = 100L * 1024 * 1024;
        Configure(o => o.MemoryCacheMaxBytes = bound);
        // Incompressible bytes: each result is stored (and kept) at its full 5 MB.
        var block = WovenAssembly.Method<Func<int, int, byte[]>>("LargeValues.Noise");
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        for (var i = 0; i < 60; i++)
        {
            Assert.Equal(5 * 1024 * 1024, block(i, 5).Length);
        }

        var layer = AkCacheRuntime.State.Local;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        _output.WriteLine($"local layer: {layer.Count} entries, {layer.Bytes / 1048576.0:F1} MB; managed heap grew by {(heapAfter - heapBefore) / 1048576.0:F1} MB");
        Assert.InRange(layer.Bytes, 1, bound);
        Assert.InRange(layer.Count, 1, 20);
        Assert.InRange(heapAfter - heapBefore, long.MinValue, bound + (50L * 1024 * 1024));
        Assert.Equal(layer.Bytes, InfoOf(() => block(0, 0)).LocalBytes);

        // The latest results are the ones kept; and Redis still has all sixty.
        Assert.Equal(5 * 1024 * 1024, block(59, 5).Length);
        Assert.Equal(60, WovenAssembly.Calls("Noise"));
        Assert.Equal(60, AkCacheRuntime.ClearMethod(() => block(0, 0)));
    }

    [Fact]
    public void A_method_marked_LocalCache_false_reads_Redis_on_every_call()
    {
        using var log = new CommandLog(Server.Port);
        var always = WovenAssembly.Method<Func<string, string>>("LocalShapes.AlwaysFromRedis");
        Assert.Equal("fresh x", always("x"));
        WaitUntil(() => Coherence.IsTracking, "tracking is on");
        var before = ValueCommandsOfThisTest(log).Count;

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("fresh x", always("x"));
        }

        Assert.Equal(50, ValueCommandsOfThisTest(log).Skip(before).Count(c => c.Name == "GETRANGE"));
        Assert.Equal(1, WovenAssembly.Calls("AlwaysFromRedis"));
        Assert.Equal(0, InfoOf(() => always("")).LocalHits);
    }

    [Fact]
    public void With_the_local_cache_off_for_the_process_every_call_reads_Redis()
    {
        Configure(o => o.LocalCache = false);
        using var log = new CommandLog(Server.Port);
        Assert.Equal("Hello, Ada", _greet("Ada"));
        WaitUntil(() => Coherence.IsTracking, "tracking is on");
        var before = ValueCommandsOfThisTest(log).Count;

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("Hello, Ada", _greet("Ada"));
        }

        Assert.Equal(20, ValueCommandsOfThisTest(log).Skip(before).Count(c => c.Name == "GETRANGE"));
    }

    [Fact]
    public void LocalMaxEntries_bounds_the_entries_of_one_method()
    {
        var bounded = WovenAssembly.Method<Func<int, int>>("LocalShapes.Bounded");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i * 10, bounded(i));
        }

        Assert.InRange(InfoOf(() => bounded(0)).LocalEntries, 1, 2);
        Assert.Equal(10, StoredKeys("*Bounded*").Length);
    }

    [Fact]
    public void Invalidate_removes_one_entry_here_and_in_Redis()
    {
        Assert.Equal("Hello, Ada", _greet("Ada"));
        var adaKey = Assert.Single(StoredKeys());
        Assert.Equal("Hello, Bob", _greet("Bob"));
        var bobKey = Assert.Single(StoredKeys(), k => k != adaKey);

        Assert.True(AkCacheRuntime.Invalidate(() => _greet("Ada")));

        Assert.Equal(new[] { bobKey }, StoredKeys());
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal("Hello, Bob", _greet("Bob"));
        Assert.Equal(3, WovenAssembly.Calls("Greet"));
        Assert.False(AkCacheRuntime.Invalidate(() => _greet("Carol")));
    }

    [Fact]
    public void Invalidate_refuses_a_lambda_that_calls_no_memoized_method_or_two()
    {
        var none = Assert.Throws<ArgumentException>(() => AkCacheRuntime.Invalidate(() => "Hello, " + "Ada"));
        Assert.Contains("calls no memoized method", none.Message);

        var two = Assert.Throws<ArgumentException>(() => AkCacheRuntime.Invalidate(() => _greet(_greet("Ada"))));
        Assert.Contains("calls 2 memoized methods", two.Message);
        Assert.Contains("Basic.Greet", two.Message);
        Assert.Equal(0, WovenAssembly.Calls("Greet"));
    }

    [Fact]
    public void ClearMethod_removes_every_entry_of_the_method_and_nothing_else()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal("Hello, Bob", _greet("Bob"));
        Assert.Equal(3, add(1, 2));

        Assert.Equal(2, AkCacheRuntime.ClearMethod(() => _greet("")));

        Assert.Single(StoredKeys());
        Assert.Single(StoredKeys("*Add*"));
        Assert.Equal(0, InfoOf(() => _greet("")).LocalEntries);
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal(3, WovenAssembly.Calls("Greet"));
        Assert.Equal(3, add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
    }

    [Fact]
    public void ClearAll_removes_everything_under_the_prefix_and_no_other_prefix()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal(3, add(1, 2));
        var stranger = "other" + Prefix + ":keep";
        Redis.StringSet(stranger, "1");

        Assert.Equal(2, AkCacheRuntime.ClearAll());

        Assert.Empty(StoredKeys());
        Assert.True(Redis.KeyDelete(stranger));
        Assert.Equal(0, AkCacheRuntime.State.Local.Count);
        Assert.Equal(3, add(1, 2));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
    }

    [Fact]
    public void GetCacheInfo_counts_where_each_call_was_answered()
    {
        var before = Info();
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Configure(_ => { });
        Assert.Equal("Hello, Ada", _greet("Ada"));
        WaitUntil(() => Coherence.IsTracking, "tracking is on");
        WaitUntil(() => _greet("Ada") == "Hello, Ada" && Info().LocalHits - before.LocalHits >= 2, "two local hits");

        var after = Info();
        _output.WriteLine(after.ToString());
        Assert.Equal(1, after.Misses - before.Misses);
        Assert.Equal(1, after.Computations - before.Computations);
        Assert.InRange(after.RedisHits - before.RedisHits, 1, 3);
        Assert.Equal(0, after.WaitsForOtherProcesses - before.WaitsForOtherProcesses);
        Assert.Equal(0, after.Errors - before.Errors);
        Assert.Equal(1, after.LocalEntries);
        Assert.InRange(after.LocalBytes, 97, 1000);
        Assert.Contains(AkCacheRuntime.GetCacheInfo(), info => info.Method == after.Method);
    }

    [Fact]
    public void A_message_on_the_invalidation_channel_that_is_not_AkCaches_is_ignored_and_counted()
    {
        CachedAndServedLocally("Ada");
        var channels = AkCacheRuntime.State.Redis!.Channels;
        var ignored = channels.MessagesIgnored;

        foreach (var foreign in new[] { "hello", "akcache/2 all", "akcache/1 entry ", "akcache/1 nonsense x", "\u00ff\u00fe" })
        {
            Redis.Publish(StackExchange.Redis.RedisChannel.Literal(Prefix + ":akcache:invalidate"), foreign);
        }

        WaitUntil(() => channels.MessagesIgnored - ignored == 5, "five foreign messages counted");
        Assert.Equal("Hello, Ada", _greet("Ada"));
        Assert.Equal(1, WovenAssembly.Calls("Greet"));
        Assert.Equal(1, AkCacheRuntime.State.Local.Count);
    }

    /// <summary>Caches Greet(name), then waits until the local layer answers it without Redis; returns its key.</summary>
    private string CachedAndServedLocally(string name)
    {
        Assert.Equal("Hello, " + name, _greet(name));
        var key = Assert.Single(StoredKeys());
        WaitUntil(() => Coherence.IsTracking, "tracking is on");
        var hits = Info().LocalHits;
        WaitUntil(() => _greet(name) == "Hello, " + name && Info().LocalHits > hits, "a local hit");
        return key;
    }

    private CacheInfo Info() => InfoOf(() => _greet(""));

    private static CacheInfo InfoOf<T>(Func<T> call) => AkCacheRuntime.GetCacheInfo(call);

    private List<CommandLog.Command> ValueCommandsOfThisTest(CommandLog log) =>
        log.AllSoFar().Where(c => !c.FromScript && ValueCommands.Contains(c.Name) && c.Arguments.Any(a => a.StartsWith(Prefix + ":", StringComparison.Ordinal))).ToList();

    private IEnumerable<string> TrackingClientIds() =>
        ((string)Redis.Execute("CLIENT", "LIST")!)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains(" name=akcache-tracking ", StringComparison.Ordinal))
            .Select(line => line.Split(' ')[0].Substring("id=".Length));

    private static TimeSpan WaitUntil(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, $"timed out waiting until {what}");
            Thread.Sleep(1);
        }

        return waited.Elapsed;
    }

    private static byte[] ReplaceOnce(byte[] bytes, string find, string replacement)
    {
        var from = Encoding.UTF8.GetBytes(find);
        var to = Encoding.UTF8.GetBytes(replacement);
        Assert.Equal(from.Length, to.Length);
        var at = bytes.AsSpan().IndexOf(from);
        Assert.True(at >= 0, $"'{find}' is not in the stored value");
        var copy = (byte[])bytes.Clone();
        to.CopyTo(copy, at);
        return copy;
    }
}
