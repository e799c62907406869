using System;
using System.Collections.Generic;
using System.Linq;
using AkCache.CompilerServices;
using AkCache.Internals.Local;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Local;

/// <summary>The in-process first layer: expiry, bounds, recency, coherence (epoch, sequences) and exact counters.</summary>
public sealed class LocalLayerTests
{
    private const long Unbounded = 1L << 40;

    private readonly ManualTimeProvider _time = new();
    private readonly List<Action> _scheduled = new();

    /// <summary>With a manual clock, the layer's monotonic reading and the Unix reading are the same.</summary>
    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public void A_stored_entry_is_returned_until_its_expiry_and_then_removed()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var envelope = new byte[] { 1, 2, 3 };
        Assert.True(layer.Set(method, Key(1), new LocalEntry(envelope, Now + 1000)));

        Assert.True(layer.TryGet(method, Key(1), Now, out var entry));
        Assert.Same(envelope, entry.Envelope);
        Assert.Equal(Now + 1000, entry.ExpiresAtUnixMs);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(layer.TryGet(method, Key(1), Now, out _));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(layer.TryGet(method, Key(1), Now, out entry));
        Assert.Null(entry);
        Assert.Equal(0, layer.Count);
        Assert.Equal(0, layer.Bytes);
        Assert.Equal((0, 0L), layer.Usage(method));
        Assert.Equal(1, layer.Expirations);
        Assert.Empty(layer.Entries());
    }

    [Fact]
    public void An_entry_already_expired_is_refused()
    {
        var layer = NewLayer(100);
        var method = NewMethod();

        Assert.False(layer.Set(method, Key(1), new LocalEntry(new byte[] { 1 }, Now)));
        Assert.False(layer.TryGet(method, Key(1), Now, out _));
        Assert.Equal(0, layer.Count);
    }

    [Fact]
    public void Setting_a_key_again_replaces_its_entry_and_its_charge()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        layer.Set(method, Key(1), new LocalEntry(new byte[10], Now + 1000));
        layer.Set(method, Key(1), new LocalEntry(new byte[20], Now + 2000));

        Assert.Equal(1, layer.Count);
        Assert.Equal(LocalLayer.EntryOverhead + 20, layer.Bytes);
        Assert.Equal((1, (long)LocalLayer.EntryOverhead + 20), layer.Usage(method));
        Assert.True(layer.TryGet(method, Key(1), Now, out var entry));
        Assert.Equal(20, entry.Envelope.Length);
        Assert.Equal(0, layer.Evictions);
    }

    [Fact]
    public void Two_methods_with_the_same_key_do_not_collide()
    {
        var layer = NewLayer(100);
        var first = NewMethod();
        var second = NewMethod();
        layer.Set(first, Key(7), new LocalEntry(new byte[] { 1 }, Now + 1000));
        layer.Set(second, Key(7), new LocalEntry(new byte[] { 2 }, Now + 1000));

        Assert.True(layer.TryGet(first, Key(7), Now, out var firstEntry));
        Assert.True(layer.TryGet(second, Key(7), Now, out var secondEntry));
        Assert.Equal(new byte[] { 1 }, firstEntry.Envelope);
        Assert.Equal(new byte[] { 2 }, secondEntry.Envelope);
        Assert.False(layer.TryGet(NewMethod(), Key(7), Now, out _));
    }

    [Fact]
    public void An_entry_is_stored_once()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var entry = NewEntry();
        layer.Set(method, Key(1), entry);

        Assert.Throws<ArgumentException>(() => layer.Set(method, Key(2), entry));
        Assert.Equal(1, layer.Count);
        Assert.Equal(Key(1), entry.Key);
    }

    [Fact]
    public void The_layer_never_holds_more_entries_than_its_bound_after_a_set()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        var random = new Random(1234);

        for (var i = 0; i < 500; i++)
        {
            layer.Set(method, Key((ulong)i), new LocalEntry(new byte[random.Next(0, 50)], Now + random.Next(1, 100_000)));
            Assert.InRange(layer.Count, 1, bound);
            AssertCountersMatchRecount(layer, method);
            if (i % 50 == 0)
            {
                _time.Advance(TimeSpan.FromSeconds(10));
            }
        }

        Assert.True(layer.Evictions > 0);
    }

    [Fact]
    public void Sixty_entries_of_five_megabytes_stay_under_a_hundred_megabytes_and_the_latest_survive()
    {
        const int size = 5 * 1024 * 1024;
        const long bound = 100L * 1024 * 1024;
        var layer = new LocalLayer(1_000, bound, _time, _scheduled.Add);
        var method = NewMethod();

        for (ulong i = 0; i < 60; i++)
        {
            Assert.True(layer.Set(method, Key(i), new LocalEntry(new byte[size], Now + 60_000)));
            Assert.InRange(layer.Bytes, size, bound);
            AssertCountersMatchRecount(layer, method);
        }

        // Trims go down to four fifths of the bound: at least 15 entries of 5 MB + overhead stay.
        var kept = StoredKeys(layer, method);
        Assert.InRange(kept.Count, 15, 19);
        Assert.Equal(Enumerable.Range(60 - kept.Count, kept.Count).Select(i => (ulong)i), kept.OrderBy(k => k));
        Assert.Equal(60 - kept.Count, layer.Evictions);
    }

    [Fact]
    public void An_entry_hit_between_sweeps_survives_the_next_sweep_while_a_newer_unhit_one_goes()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        for (ulong i = 0; i <= 10; i++)
        {
            layer.Set(method, Key(i), NewEntry());
        }

        // The eleventh store swept in place: every entry was new (new entries count as hit), so the
        // oldest went, down to four fifths of the bound, and the rest lost their marks.
        Assert.Equal(Keys(3, 4, 5, 6, 7, 8, 9, 10), StoredKeys(layer, method).OrderBy(k => k));

        Assert.True(layer.TryGet(method, Key(5), Now, out _));
        layer.Set(method, Key(11), NewEntry());
        layer.Set(method, Key(12), NewEntry());
        layer.Set(method, Key(13), NewEntry());

        // First-in-first-out would have dropped 3, 4 and 5; 5 was hit, so 6 (younger, unhit) went.
        Assert.Equal(Keys(5, 7, 8, 9, 10, 11, 12, 13), StoredKeys(layer, method).OrderBy(k => k));
        Assert.Equal(6, layer.Evictions);
    }

    [Fact]
    public void Expired_entries_go_before_live_ones()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        for (ulong i = 0; i < 3; i++)
        {
            layer.Set(method, Key(i), NewEntry(ttl: 10));
        }

        for (ulong i = 3; i < bound; i++)
        {
            layer.Set(method, Key(i), NewEntry());
        }

        _time.Advance(TimeSpan.FromMilliseconds(20));
        layer.Set(method, Key(100), NewEntry());

        Assert.Equal(Keys(3, 4, 5, 6, 7, 8, 9, 100), StoredKeys(layer, method).OrderBy(k => k));
        Assert.Equal(3, layer.Expirations);
        Assert.Equal(0, layer.Evictions);
    }

    [Fact]
    public void Past_nine_tenths_of_the_bound_one_trim_is_scheduled_and_brings_the_layer_to_four_fifths()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        for (ulong i = 0; i < 9; i++)
        {
            layer.Set(method, Key(i), NewEntry());
        }

        Assert.Empty(_scheduled);
        layer.Set(method, Key(9), NewEntry());
        layer.Set(method, Key(9), NewEntry());
        Assert.Single(_scheduled);
        Assert.Equal(10, layer.Count);

        RunScheduled();
        Assert.Equal(8, layer.Count);
        Assert.Equal(Keys(2, 3, 4, 5, 6, 7, 8, 9), StoredKeys(layer, method).OrderBy(k => k));

        // Once the scheduled trim has run, the next store past nine tenths schedules another.
        layer.Set(method, Key(20), NewEntry());
        layer.Set(method, Key(21), NewEntry());
        Assert.Single(_scheduled);
    }

    [Fact]
    public void Past_nine_tenths_of_the_byte_bound_a_trim_is_scheduled()
    {
        var layer = NewLayer(1_000, maxBytes: 10_000);
        var method = NewMethod();
        for (ulong i = 0; i < 8; i++)
        {
            layer.Set(method, Key(i), NewEntry(size: 1_000 - LocalLayer.EntryOverhead));
        }

        Assert.Empty(_scheduled);
        layer.Set(method, Key(8), NewEntry(size: 1_100 - LocalLayer.EntryOverhead));
        Assert.Single(_scheduled);
        Assert.Equal(9_100, layer.Bytes);

        RunScheduled();
        Assert.InRange(layer.Bytes, 0, 8_000);
        Assert.Contains(8UL, StoredKeys(layer, method));
    }

    [Fact]
    public void A_method_bound_holds_after_every_set_and_leaves_other_methods_alone()
    {
        var layer = NewLayer(1_000);
        var bounded = NewMethod();
        var other = NewMethod();
        layer.SetMethodLimit(bounded, 10);

        for (ulong i = 0; i < 30; i++)
        {
            layer.Set(bounded, Key(i), NewEntry());
            layer.Set(other, Key(i), NewEntry());
            Assert.InRange(layer.Usage(bounded).Entries, 1, 10);
        }

        Assert.Equal(30, layer.Usage(other).Entries);
        var kept = StoredKeys(layer, bounded);
        Assert.InRange(kept.Count, 8, 10);
        Assert.Equal(Enumerable.Range(30 - kept.Count, kept.Count).Select(i => (ulong)i), kept.OrderBy(k => k));
        AssertCountersMatchRecount(layer, bounded, other);
    }

    [Fact]
    public void A_method_bound_set_later_trims_the_method_at_once_and_zero_lifts_it()
    {
        var layer = NewLayer(1_000);
        var method = NewMethod();
        for (ulong i = 0; i < 20; i++)
        {
            layer.Set(method, Key(i), NewEntry());
        }

        layer.SetMethodLimit(method, 5);
        Assert.Equal(Keys(16, 17, 18, 19), StoredKeys(layer, method).OrderBy(k => k));

        layer.SetMethodLimit(method, 0);
        for (ulong i = 100; i < 110; i++)
        {
            layer.Set(method, Key(i), NewEntry());
        }

        Assert.Equal(14, layer.Usage(method).Entries);
        AssertCountersMatchRecount(layer, method);
    }

    [Fact]
    public void A_method_bound_of_one_keeps_the_latest_result_even_when_the_older_was_hit()
    {
        var layer = NewLayer(1_000);
        var method = NewMethod();
        layer.SetMethodLimit(method, 1);
        layer.Set(method, Key(1), NewEntry());
        Assert.True(layer.TryGet(method, Key(1), Now, out _));

        layer.Set(method, Key(2), NewEntry());

        Assert.Equal(Keys(2), StoredKeys(layer, method));
    }

    [Fact]
    public void An_entry_larger_than_an_eighth_of_the_byte_bound_is_refused_and_takes_the_older_entry_out()
    {
        var layer = NewLayer(100, maxBytes: 8_000);
        var method = NewMethod();
        var largest = (8_000 / LocalLayer.AdmissionDivisor) - LocalLayer.EntryOverhead;

        Assert.True(layer.Set(method, Key(1), NewEntry(size: largest)));
        Assert.False(layer.Set(method, Key(2), NewEntry(size: largest + 1)));
        Assert.False(layer.TryGet(method, Key(2), Now, out _));
        Assert.Equal(1, layer.Count);

        // The refused result is newer than the stored one: the stored one must not answer instead.
        Assert.False(layer.Set(method, Key(1), NewEntry(size: largest + 1)));
        Assert.False(layer.TryGet(method, Key(1), Now, out _));
        Assert.Equal(0, layer.Count);
        Assert.Equal(0, layer.Bytes);
    }

    [Fact]
    public void A_kept_value_counts_its_envelope_again_once()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var entry = NewEntry(size: 100);
        layer.Set(method, Key(1), entry);
        Assert.Equal(LocalLayer.EntryOverhead + 100, layer.Bytes);

        entry.KeepValue(42);
        entry.KeepValue(42);
        Assert.Equal(LocalLayer.EntryOverhead + 200, layer.Bytes);
        Assert.Equal((1, (long)LocalLayer.EntryOverhead + 200), layer.Usage(method));
        Assert.Equal(LocalLayer.EntryOverhead + 200, entry.Size);
        Assert.True(entry.TryGetValue(out int kept));
        Assert.Equal(42, kept);

        var keptFirst = NewEntry(size: 50);
        keptFirst.KeepValue<string?>(null);
        layer.Set(method, Key(2), keptFirst);
        Assert.Equal(LocalLayer.EntryOverhead + 200 + LocalLayer.EntryOverhead + 100, layer.Bytes);
        Assert.True(keptFirst.TryGetValue(out string? nothing));
        Assert.Null(nothing);

        layer.Remove(method, Key(1));
        layer.Remove(method, Key(2));
        Assert.Equal(0, layer.Bytes);
        Assert.Equal((0, 0L), layer.Usage(method));
    }

    [Fact]
    public void Distrusting_untrusts_every_entry_until_confirmed()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var entry = NewEntry();
        layer.Set(method, Key(1), entry);
        Assert.True(layer.IsTrusted(entry));

        var epoch = layer.Epoch;
        layer.DistrustAll();
        Assert.Equal(epoch + 1, layer.Epoch);
        Assert.False(layer.IsTrusted(entry));
        Assert.True(layer.TryGet(method, Key(1), Now, out var found));
        Assert.Same(entry, found);

        layer.Confirm(entry);
        Assert.True(layer.IsTrusted(entry));

        var later = NewEntry();
        layer.Set(method, Key(2), later);
        Assert.True(layer.IsTrusted(later));
    }

    [Fact]
    public void A_confirmation_from_a_check_begun_before_a_distrust_leaves_the_entry_untrusted()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var entry = NewEntry();
        layer.Set(method, Key(1), entry);
        layer.DistrustAll();

        var epochBeforeCheck = layer.Epoch;
        layer.DistrustAll();
        layer.Confirm(entry, epochBeforeCheck);
        Assert.False(layer.IsTrusted(entry));

        layer.Confirm(entry, layer.Epoch);
        layer.Confirm(entry, epochBeforeCheck);
        Assert.True(layer.IsTrusted(entry));
    }

    [Fact]
    public void A_value_read_before_a_removal_of_its_call_is_not_stored_after_it()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var sequence = layer.Sequence(method, Key(1));

        // The invalidation comes while the call's value is being read from Redis (nothing stored yet).
        Assert.False(layer.Remove(method, Key(1)));

        Assert.False(layer.SetUnlessInvalidated(method, Key(1), NewEntry(), sequence));
        Assert.False(layer.TryGet(method, Key(1), Now, out _));
        Assert.Equal(0, layer.Count);

        Assert.True(layer.SetUnlessInvalidated(method, Key(1), NewEntry(), layer.Sequence(method, Key(1))));
        Assert.True(layer.TryGet(method, Key(1), Now, out _));
    }

    [Fact]
    public void A_removal_in_another_stripe_does_not_refuse_a_store_and_one_in_the_same_stripe_does()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var stripe = LocalLayer.Stripe(method, Key(1));
        var otherStripe = FirstKey(k => LocalLayer.Stripe(method, Key(k)) != stripe);
        var sameStripe = FirstKey(k => k != 1 && LocalLayer.Stripe(method, Key(k)) == stripe);

        var sequence = layer.Sequence(method, Key(1));
        layer.Remove(method, Key(otherStripe));
        Assert.Equal(sequence, layer.Sequence(method, Key(1)));
        Assert.True(layer.SetUnlessInvalidated(method, Key(1), NewEntry(), sequence));

        sequence = layer.Sequence(method, Key(1));
        layer.Remove(method, Key(sameStripe));
        Assert.False(layer.SetUnlessInvalidated(method, Key(1), NewEntry(), sequence));

        // The refused store left the entry stored before it alone.
        Assert.True(layer.TryGet(method, Key(1), Now, out _));
    }

    [Fact]
    public void Removing_a_method_clearing_or_distrusting_refuses_stores_read_before_and_an_expiry_does_not()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var other = NewMethod();

        var sequence = layer.Sequence(method, Key(1));
        layer.RemoveMethod(other);
        Assert.True(layer.SetUnlessInvalidated(method, Key(1), NewEntry(), sequence));

        foreach (var invalidate in new Action[] { () => layer.RemoveMethod(method), () => layer.Clear(), layer.DistrustAll })
        {
            sequence = layer.Sequence(method, Key(2));
            invalidate();
            Assert.False(layer.SetUnlessInvalidated(method, Key(2), NewEntry(), sequence));
        }

        // Expiry says nothing about Redis: it does not move the sequence.
        layer.Set(method, Key(3), NewEntry(ttl: 10));
        sequence = layer.Sequence(method, Key(3));
        _time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.False(layer.TryGet(method, Key(3), Now, out _));
        Assert.Equal(sequence, layer.Sequence(method, Key(3)));
        Assert.True(layer.SetUnlessInvalidated(method, Key(3), NewEntry(), sequence));
    }

    [Fact]
    public void Removing_an_entry_object_leaves_a_fresher_entry_of_the_same_call()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        var stale = NewEntry();
        var fresh = NewEntry();
        layer.Set(method, Key(1), stale);
        layer.Set(method, Key(1), fresh);
        var sequence = layer.Sequence(method, Key(1));

        Assert.False(layer.Remove(stale));
        Assert.True(layer.TryGet(method, Key(1), Now, out var found));
        Assert.Same(fresh, found);
        Assert.False(layer.Remove(NewEntry()));

        Assert.True(layer.Remove(fresh));
        Assert.False(layer.TryGet(method, Key(1), Now, out _));
        Assert.Equal(0, layer.Count);
        Assert.Equal(sequence, layer.Sequence(method, Key(1)));
    }

    [Fact]
    public void Removing_a_method_leaves_the_other_methods()
    {
        var layer = NewLayer(100);
        var removed = NewMethod();
        var other = NewMethod();
        for (ulong i = 0; i < 5; i++)
        {
            layer.Set(removed, Key(i), NewEntry());
        }

        for (ulong i = 0; i < 7; i++)
        {
            layer.Set(other, Key(i), NewEntry());
        }

        Assert.Equal(5, layer.RemoveMethod(removed));
        Assert.Equal((0, 0L), layer.Usage(removed));
        Assert.Equal((7, 7L * (LocalLayer.EntryOverhead + 1)), layer.Usage(other));
        Assert.Equal(7, layer.Count);
        Assert.Empty(StoredKeys(layer, removed));
        Assert.Equal(Keys(0, 1, 2, 3, 4, 5, 6), StoredKeys(layer, other).OrderBy(k => k));
    }

    [Fact]
    public void Clearing_removes_everything_and_the_layer_works_after()
    {
        var layer = NewLayer(100);
        var first = NewMethod();
        var second = NewMethod();
        for (ulong i = 0; i < 6; i++)
        {
            layer.Set(first, Key(i), NewEntry());
            layer.Set(second, Key(i), NewEntry());
        }

        Assert.Equal(12, layer.Clear());
        Assert.Equal(0, layer.Count);
        Assert.Equal(0, layer.Bytes);
        Assert.Equal((0, 0L), layer.Usage(first));
        Assert.Equal((0, 0L), layer.Usage(second));
        Assert.Equal(0, layer.Clear());

        layer.Set(first, Key(1), NewEntry());
        Assert.True(layer.TryGet(first, Key(1), Now, out _));
        AssertCountersMatchRecount(layer, first, second);
    }

    [Fact]
    public void Peeking_finds_an_expired_entry_leaves_it_in_place_and_does_not_mark_it_hit()
    {
        const int bound = 10;
        var layer = NewLayer(bound);
        var method = NewMethod();
        layer.Set(method, Key(1), new LocalEntry(new byte[] { 1 }, Now + 10) { RedisKey = "p:k:{1}" });
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(layer.TryPeek(method, Key(1), out var peeked));
        Assert.Equal("p:k:{1}", peeked.RedisKey);
        Assert.Equal(1, layer.Count);
        Assert.False(layer.TryPeek(method, Key(2), out _));
        Assert.False(layer.TryGet(method, Key(1), Now, out _));
        Assert.Equal(0, layer.Count);

        // A sweep (the eleventh store) clears the new entries' marks; a peek then does not set one,
        // so the peeked entry goes first at the next sweep.
        for (ulong i = 0; i <= bound; i++)
        {
            layer.Set(method, Key(100 + i), NewEntry());
        }

        Assert.Equal(8, layer.Count);
        var peekedKey = StoredKeys(layer, method).Min();
        Assert.True(layer.TryPeek(method, Key(peekedKey), out _));
        for (ulong i = 0; i < 3; i++)
        {
            layer.Set(method, Key(200 + i), NewEntry());
        }

        Assert.DoesNotContain(peekedKey, StoredKeys(layer, method));
    }

    [Fact]
    public void A_hit_allocates_nothing()
    {
        var layer = NewLayer(100);
        var method = NewMethod();
        layer.Set(method, Key(1), NewEntry());
        var now = Now;

        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(layer.TryGet(method, Key(1), now, out _));
            Assert.False(layer.TryGet(method, Key(2), now, out _));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var hits = 0;
        for (var i = 0; i < 1_000; i++)
        {
            hits += layer.TryGet(method, Key(1), now, out _) ? 1 : 0;
            hits += layer.TryGet(method, Key(2), now, out _) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1_000, hits);
    }

    private LocalLayer NewLayer(int maxEntries, long maxBytes = Unbounded) => new(maxEntries, maxBytes, _time, _scheduled.Add);

    private LocalEntry NewEntry(int size = 1, long ttl = 60_000) => new(new byte[size], Now + ttl);

    private void RunScheduled()
    {
        var work = _scheduled.ToList();
        _scheduled.Clear();
        foreach (var action in work)
        {
            action();
        }
    }

    internal static MemoizedMethod NewMethod() => MemoizedMethod.Create("Test.Local" + Guid.NewGuid(), "", 0);

    internal static MemoKey Key(ulong value) => new(0x0123_4567_89ab_cdef, value);

    private static IEnumerable<ulong> Keys(params ulong[] keys) => keys;

    private static ulong FirstKey(Func<ulong, bool> accept)
    {
        for (ulong k = 0; ; k++)
        {
            if (accept(k))
            {
                return k;
            }
        }
    }

    /// <summary>The keys of a method's stored entries, read without marking them hit (as TryGet would).</summary>
    internal static List<ulong> StoredKeys(LocalLayer layer, MemoizedMethod method) =>
        layer.Entries().Where(e => ReferenceEquals(e.Method, method)).Select(e => e.Key.Low).ToList();

    /// <summary>The counters equal a recount of the entries themselves.</summary>
    internal static void AssertCountersMatchRecount(LocalLayer layer, params MemoizedMethod[] methods)
    {
        var entries = layer.Entries().ToList();
        Assert.Equal(entries.Count, layer.Count);
        Assert.Equal(entries.Sum(e => e.Size), layer.Bytes);
        foreach (var method in methods)
        {
            var own = entries.Where(e => ReferenceEquals(e.Method, method)).ToList();
            Assert.Equal((own.Count, own.Sum(e => e.Size)), layer.Usage(method));
        }
    }
}
