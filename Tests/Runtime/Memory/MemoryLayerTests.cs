using System;
using System.Collections.Generic;
using System.Linq;
using AkCache.CompilerServices;
using AkCache.Internals.Memory;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Memory;

public sealed class MemoryLayerTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly List<Action> _scheduled = new();

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public void A_stored_entry_is_returned_until_its_expiry()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var envelope = new byte[] { 1, 2, 3 };
        layer.Set(method, Key(1), new MemoryLayer.Entry(envelope, Now + 1000));

        Assert.True(layer.TryGet(method, Key(1), out var entry));
        Assert.Same(envelope, entry.Envelope);
        Assert.Equal(Now + 1000, entry.ExpiresAtUnixMs);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(layer.TryGet(method, Key(1), out _));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(layer.TryGet(method, Key(1), out entry));
        Assert.Null(entry);
        Assert.Equal(0, layer.Count);
    }

    [Fact]
    public void An_entry_stored_already_expired_is_never_returned()
    {
        var layer = NewLayer(100);
        var method = NewMethod();

        layer.Set(method, Key(1), new MemoryLayer.Entry(new byte[] { 1 }, Now));

        Assert.False(layer.TryGet(method, Key(1), out _));
    }

    [Fact]
    public void An_unknown_key_is_a_miss()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        layer.Set(method, Key(1), new MemoryLayer.Entry(new byte[] { 1 }, Now + 1000));

        Assert.False(layer.TryGet(method, Key(2), out _));
        Assert.False(layer.TryGet(method, new MemoKey(1, 0), out _));
    }

    [Fact]
    public void Setting_a_key_again_replaces_its_entry()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        layer.Set(method, Key(1), new MemoryLayer.Entry(new byte[] { 1 }, Now + 1000));
        layer.Set(method, Key(1), new MemoryLayer.Entry(new byte[] { 2 }, Now + 2000));

        Assert.Equal(1, layer.Count);
        Assert.True(layer.TryGet(method, Key(1), out var entry));
        Assert.Equal(new byte[] { 2 }, entry.Envelope);
        Assert.Equal(Now + 2000, entry.ExpiresAtUnixMs);
    }

    [Fact]
    public void Two_methods_with_the_same_key_do_not_collide()
    {
        var layer = NewLayer(100);
        var first = NewMethod();
        var second = NewMethod();
        layer.Set(first, Key(7), new MemoryLayer.Entry(new byte[] { 1 }, Now + 1000));
        layer.Set(second, Key(7), new MemoryLayer.Entry(new byte[] { 2 }, Now + 1000));

        Assert.Equal(2, layer.Count);
        Assert.True(layer.TryGet(first, Key(7), out var firstEntry));
        Assert.True(layer.TryGet(second, Key(7), out var secondEntry));
        Assert.Equal(new byte[] { 1 }, firstEntry.Envelope);
        Assert.Equal(new byte[] { 2 }, secondEntry.Envelope);
        Assert.False(layer.TryGet(NewMethod(), Key(7), out _));
    }

    [Fact]
    public void The_layer_never_holds_more_than_its_bound_after_a_set()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        var random = new Random(1234);

        for (var i = 0; i < 500; i++)
        {
            layer.Set(method, Key((ulong)i), new MemoryLayer.Entry(new byte[] { 1 }, Now + random.Next(1, 100_000)));
            Assert.InRange(layer.Count, 1, bound);
            if (i % 50 == 0)
            {
                _time.Advance(TimeSpan.FromSeconds(10));
            }
        }
    }

    [Fact]
    public void Expired_entries_are_evicted_before_live_ones()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        for (ulong i = 0; i < 3; i++)
        {
            layer.Set(method, Key(i), new MemoryLayer.Entry(new byte[] { 1 }, Now + 10));
        }

        for (ulong i = 3; i < bound; i++)
        {
            layer.Set(method, Key(i), new MemoryLayer.Entry(new byte[] { 1 }, Now + 60_000));
        }

        _time.Advance(TimeSpan.FromMilliseconds(20));
        layer.Set(method, Key(100), new MemoryLayer.Entry(new byte[] { 1 }, Now + 60_000));

        Assert.Equal(8, layer.Count);
        for (ulong i = 3; i < bound; i++)
        {
            Assert.True(layer.TryGet(method, Key(i), out _), $"live entry {i} was evicted while expired ones were there");
        }

        Assert.True(layer.TryGet(method, Key(100), out _));
    }

    [Fact]
    public void When_every_entry_is_live_the_soonest_to_expire_are_evicted()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        var expiries = new Dictionary<ulong, long>();
        foreach (var i in new ulong[] { 4, 9, 0, 7, 2, 5, 1, 8, 3, 6 })
        {
            expiries[i] = Now + ((long)i + 1) * 1000;
            layer.Set(method, Key(i), new MemoryLayer.Entry(new byte[] { 1 }, expiries[i]));
        }

        expiries[100] = Now + 1_000_000;
        layer.Set(method, Key(100), new MemoryLayer.Entry(new byte[] { 1 }, expiries[100]));

        var kept = expiries.Keys.Where(k => layer.TryGet(method, Key(k), out _)).ToList();
        var evicted = expiries.Keys.Except(kept).ToList();
        Assert.InRange(kept.Count, 1, bound);
        Assert.NotEmpty(evicted);
        Assert.Contains(100UL, kept);
        Assert.DoesNotContain(0UL, kept);
        Assert.True(
            evicted.Max(k => expiries[k]) < kept.Min(k => expiries[k]),
            $"evicted {string.Join(",", evicted)} but kept {string.Join(",", kept)}");
    }

    [Fact]
    public void An_entry_keeps_no_value_until_one_is_given()
    {
        var entry = new MemoryLayer.Entry(new byte[] { 1 }, Now + 1000);
        Assert.False(entry.TryGetValue(out int _));

        entry.KeepValue(42);
        Assert.True(entry.TryGetValue(out int kept));
        Assert.Equal(42, kept);
        Assert.True(entry.TryGetValue(out int? nullable));
        Assert.Equal(42, nullable);
        Assert.False(entry.TryGetValue(out string _));
    }

    [Fact]
    public void An_entry_keeps_a_null_value_as_a_value()
    {
        var entry = new MemoryLayer.Entry(new byte[] { 1 }, Now + 1000);
        entry.KeepValue<string?>(null);

        Assert.True(entry.TryGetValue(out string? kept));
        Assert.Null(kept);
        Assert.True(entry.TryGetValue(out int? nullable));
        Assert.Null(nullable);
    }

    [Theory]
    [InlineData(typeof(int), true)]
    [InlineData(typeof(double), true)]
    [InlineData(typeof(string), true)]
    [InlineData(typeof(decimal), true)]
    [InlineData(typeof(DateTime), true)]
    [InlineData(typeof(DateTimeOffset), true)]
    [InlineData(typeof(TimeSpan), true)]
    [InlineData(typeof(Guid), true)]
    [InlineData(typeof(DayOfWeek), true)]
    [InlineData(typeof(int?), true)]
    [InlineData(typeof(DateTime?), true)]
    [InlineData(typeof(object), false)]
    [InlineData(typeof(int[]), false)]
    [InlineData(typeof(byte[]), false)]
    [InlineData(typeof(List<int>), false)]
    [InlineData(typeof(KeyValuePair<int, int>), false)]
    [InlineData(typeof(Version), false)]
    public void Only_immutable_result_types_are_shared(Type type, bool shared)
    {
        var field = typeof(ImmutableResult<>).MakeGenericType(type).GetField("Value")!;
        Assert.Equal(shared, (bool)field.GetValue(null)!);
    }

    [Fact]
    public void With_the_system_clock_an_entry_expires_at_its_wall_clock_expiry()
    {
        var layer = new MemoryLayer(100, TimeProvider.System);
        var method = NewMethod();
        var nowUnix = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        layer.Set(method, Key(1), new MemoryLayer.Entry(new byte[] { 1 }, nowUnix + 60_000));
        layer.Set(method, Key(2), new MemoryLayer.Entry(new byte[] { 1 }, nowUnix + 300));
        layer.Set(method, Key(3), new MemoryLayer.Entry(new byte[] { 1 }, nowUnix - 1));

        Assert.True(layer.TryGet(method, Key(1), out _));
        Assert.False(layer.TryGet(method, Key(3), out _));
        System.Threading.Thread.Sleep(350);
        Assert.False(layer.TryGet(method, Key(2), out _));
        Assert.True(layer.TryGet(method, Key(1), out _));
    }

    [Fact]
    public void Past_nine_tenths_of_the_bound_one_trim_is_scheduled_and_no_store_waits_for_it()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        for (ulong i = 0; i < 9; i++)
        {
            layer.Set(method, Key(i), new MemoryLayer.Entry(new byte[] { 1 }, Now + 1000 + (long)i));
        }

        Assert.Empty(_scheduled);
        layer.Set(method, Key(9), new MemoryLayer.Entry(new byte[] { 1 }, Now + 1009));
        layer.Set(method, Key(9), new MemoryLayer.Entry(new byte[] { 1 }, Now + 1009));
        Assert.Single(_scheduled);
        Assert.Equal(10, layer.Count);

        _scheduled[0]();
        _scheduled.Clear();
        Assert.Equal(8, layer.Count);
        Assert.False(layer.TryGet(method, Key(0), out _));
        Assert.False(layer.TryGet(method, Key(1), out _));
        Assert.True(layer.TryGet(method, Key(2), out _));

        // Once the scheduled trim has run, the next store past nine tenths schedules another.
        layer.Set(method, Key(20), new MemoryLayer.Entry(new byte[] { 1 }, Now + 5000));
        layer.Set(method, Key(21), new MemoryLayer.Entry(new byte[] { 1 }, Now + 5000));
        Assert.Single(_scheduled);
    }

    [Fact]
    public void Trimming_keeps_exactly_four_fifths_when_many_entries_share_a_deadline()
    {
        const int bound = 100;
        var layer = NewLayer(bound);
        var method = NewMethod();
        for (ulong i = 0; i <= bound; i++)
        {
            layer.Set(method, Key(i), new MemoryLayer.Entry(new byte[] { 1 }, Now + (i < 50 ? 1000 : 2000)));
        }

        Assert.Equal(80, layer.Count);
        Assert.Equal(51, Enumerable.Range(50, 51).Count(i => layer.TryGet(method, Key((ulong)i), out _)));
    }

    [Fact]
    public void On_the_thread_pool_a_scheduled_trim_brings_the_layer_under_nine_tenths()
    {
        const int bound = 100;
        var layer = new MemoryLayer(bound, _time);
        var method = NewMethod();
        for (ulong i = 0; i < bound; i++)
        {
            layer.Set(method, Key(i), new MemoryLayer.Entry(new byte[] { 1 }, Now + 1000 + (long)i));
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((layer.Count > 90 || layer.TryGet(method, Key(0), out _)) && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            System.Threading.Thread.Sleep(10);
        }

        // The trim runs when the pool gets to it: after the last store (80 left), or during the
        // last ten (80 plus the stores after it). Either way the soonest to expire went first.
        Assert.InRange(layer.Count, 80, 90);
        Assert.False(layer.TryGet(method, Key(0), out _));
        Assert.True(layer.TryGet(method, Key(bound - 1), out _));
    }

    [Fact]
    public void Peeking_finds_an_expired_entry_and_leaves_it_in_place()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        layer.Set(method, Key(1), new MemoryLayer.Entry(new byte[] { 1 }, Now + 10) { RedisKey = "p:k:{1}" });
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(layer.TryPeek(method, Key(1), out var peeked));
        Assert.Equal("p:k:{1}", peeked.RedisKey);
        Assert.Equal(1, layer.Count);
        Assert.False(layer.TryPeek(method, Key(2), out _));
        Assert.False(layer.TryGet(method, Key(1), out _));
        Assert.Equal(0, layer.Count);
    }

    private MemoryLayer NewLayer(int bound) => new(bound, _time, _scheduled.Add);

    private static MemoizedMethod NewMethod() => MemoizedMethod.Create("Test.Method" + Guid.NewGuid(), "", 0);

    private static MemoKey Key(ulong value) => new(0x0123_4567_89ab_cdef, value);
}
