using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using AkCache.CompilerServices;
using AkCache.Internals.Timing;

namespace AkCache.Internals.Local;

/// <summary>
/// The in-process first layer (L1): a map of serialized results (envelopes) that answers before
/// Redis on every call, bounded by entry count, by bytes and per method.
/// </summary>
/// <remarks>
/// <para>The hit path (<see cref="TryGet(MemoizedMethod, MemoKey, long, out LocalEntry)"/>) is one
/// lock-free dictionary lookup, a deadline check and a recency mark, and allocates nothing.</para>
/// <para>Bounds: an entry's size is <see cref="EntryOverhead"/> plus its envelope's length, plus that
/// length again once an immutable value is kept (<see cref="LocalEntry.KeepValue{T}"/>), as an
/// estimate of the value. An entry larger than <see cref="AdmissionDivisor"/>th of the byte bound
/// is not admitted. Past nine tenths of a bound (the high-water mark) a trim is scheduled in the
/// background; a store that passes the bound itself trims in place. Trims go down to four fifths
/// of each bound (the low-water mark), so that one trim serves the next fifth of stores. A store
/// that passes a bound trims before it returns: after every <see cref="Set"/> the entry and byte
/// bounds hold, and so does the method's own bound (<see cref="SetMethodLimit"/>), but for stores
/// still under way on other threads, each of which trims in turn. Keeping a value between stores
/// can pass the byte bound until the scheduled trim or the next store (a read does not trim in
/// place).</para>
/// <para>Eviction is second-chance (CLOCK) in store order: a sweep removes expired entries first,
/// then the oldest entries not hit since the previous sweep; an entry hit since then (or stored
/// since then) survives the sweep, with its recency renewed, unless nothing else is left to evict.</para>
/// <para>Coherence: see <see cref="Epoch"/> (trust after a lost invalidation connection) and
/// <see cref="Sequence"/> (a Redis read racing an invalidation).</para>
/// </remarks>
internal sealed partial class LocalLayer
{
    /// <summary>
    /// Bytes counted for each entry besides its envelope: the entry object (about 90 bytes on 64-bit
    /// with its fields), its dictionary node and key (about 50), rounded down to a round figure
    /// because the envelope's array header is not counted elsewhere either. An estimate, documented
    /// so that byte bounds can be chosen knowingly.
    /// </summary>
    public const int EntryOverhead = 96;

    /// <summary>An entry is admitted only if its size is at most the byte bound divided by this: one result cannot push out more than an eighth of the layer.</summary>
    public const int AdmissionDivisor = 8;

    /// <summary>Invalidation counters, by key hash: a power of two.</summary>
    internal const int Stripes = 256;

    /// <summary>Longs between two stripes' counters: one cache line each, so that invalidations of different stripes do not contend.</summary>
    private const int StripeStride = 8;

    private readonly ConcurrentDictionary<MethodKey, LocalEntry> _entries = new();
    private readonly ConcurrentDictionary<MemoizedMethod, MethodUsage> _methods = new();
    private readonly Func<MemoizedMethod, MethodUsage> _newUsage;
    private readonly long[] _stripes = new long[Stripes * StripeStride];
    private readonly Clock _clock;
    private long _count;
    private long _bytes;
    private long _evictions;
    private long _expirations;
    private long _tick;
    private long _epoch;
    private long _clearGeneration;

    /// <summary>Every removal a user asked for (an entry, a method, everything), in any method: see <see cref="InvalidationSequence"/>.</summary>
    private long _removals;

    /// <param name="maxEntries">The entry bound, never exceeded after a <see cref="Set"/>.</param>
    /// <param name="maxBytes">The byte bound (sizes as in <see cref="LocalEntry.Size"/>), never exceeded after a <see cref="Set"/>.</param>
    /// <param name="time">The clock of expiries.</param>
    /// <param name="schedule">Runs the background trim; the thread pool unless a test decides.</param>
    public LocalLayer(int maxEntries, long maxBytes, TimeProvider time, Action<Action>? schedule = null)
    {
        if (maxEntries <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, "The entry bound must be positive.");
        }

        if (maxBytes < AdmissionDivisor * (long)(EntryOverhead + 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "The byte bound must admit at least a one-byte envelope.");
        }

        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _highEntries = HighWater(maxEntries);
        _highBytes = HighWater(maxBytes);
        _lowEntries = LowWater(maxEntries);
        _lowBytes = LowWater(maxBytes);
        _clock = Clock.For(time);
        _newUsage = method => new MethodUsage(this);
        _schedule = schedule ?? (work => ThreadPool.UnsafeQueueUserWorkItem(static w => ((Action)w!)(), work));
        _runScheduledTrim = RunScheduledTrim;
    }

    /// <summary>Entries stored, kept with Interlocked (exact once stores and removals are done).</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The sum of the stored entries' <see cref="LocalEntry.Size"/>.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Entries removed by trims to keep the bounds (not expired ones, not removals, not replacements).</summary>
    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>Entries removed because their expiry had passed, on a hit or by a sweep.</summary>
    public long Expirations => Volatile.Read(ref _expirations);

    /// <summary>The entry count and bytes of one method's entries.</summary>
    public (int Entries, long Bytes) Usage(MemoizedMethod method) =>
        _methods.TryGetValue(method, out var usage) ? (Volatile.Read(ref usage.Entries), Volatile.Read(ref usage.Bytes)) : (0, 0);

    /// <summary><see cref="TryGet(MemoizedMethod, MemoKey, long, out LocalEntry)"/> at the layer's own clock reading.</summary>
    public bool TryGet(MemoizedMethod method, MemoKey key, out LocalEntry entry) => TryGet(method, key, _clock.Milliseconds(), out entry);

    /// <summary>
    /// The entry of a call, if stored and not expired at <paramref name="now"/>, a reading of
    /// <see cref="Clock.Milliseconds"/> taken by the caller. Lock-free and allocation-free; marks the
    /// entry as hit for the next sweep. An expired entry is removed and not returned. Whether the
    /// entry may be served without asking Redis is <see cref="IsTrusted"/>'s to say.
    /// </summary>
    public bool TryGet(MemoizedMethod method, MemoKey key, long now, out LocalEntry entry)
    {
        if (_entries.TryGetValue(new MethodKey(method, key), out entry!))
        {
            if (now < entry.Deadline)
            {
                entry.MarkHit();
                return true;
            }

            if (RemoveExact(entry))
            {
                Interlocked.Increment(ref _expirations);
            }
        }

        entry = null!;
        return false;
    }

    /// <summary>
    /// The entry of a call, expired or not, without removing it or marking it hit: for what an
    /// entry keeps besides the value (its <see cref="LocalEntry.RedisKey"/>).
    /// </summary>
    public bool TryPeek(MemoizedMethod method, MemoKey key, out LocalEntry entry) => _entries.TryGetValue(new MethodKey(method, key), out entry!);

    /// <summary>
    /// Stores <paramref name="entry"/> for the call, replacing any entry it has, and trims so that
    /// the bounds hold. False, and nothing stored, when the entry is larger than the admission
    /// limit or already expired: then the call's previous entry, older than this result, is
    /// removed too, so that it is not served in its place.
    /// </summary>
    /// <exception cref="ArgumentException">The entry was stored before: an entry is stored once.</exception>
    public bool Set(MemoizedMethod method, MemoKey key, LocalEntry entry) => Store(new MethodKey(method, key), entry);

    /// <summary>
    /// Removes the call's entry, if any, and counts an invalidation on its stripe (<see cref="Sequence"/>),
    /// also when there was no entry: a Redis read of that call under way must not be stored after it.
    /// </summary>
    public bool Remove(MemoizedMethod method, MemoKey key)
    {
        var slot = new MethodKey(method, key);

        // The counts go up before the entry goes: a store that reads them after the removal
        // then sees it (see SetUnlessInvalidated).
        Interlocked.Increment(ref _removals);
        Interlocked.Increment(ref _stripes[StripeOf(slot) * StripeStride]);
        return RemoveSlot(slot);
    }

    /// <summary>
    /// Removes exactly this entry, if still stored: never a fresher one stored for the same call in
    /// the meantime. Not an invalidation (<see cref="Sequence"/> does not move): for an entry found
    /// outdated, whose newer value may already be stored.
    /// </summary>
    public bool Remove(LocalEntry entry) => entry.Usage is not null && RemoveExact(entry);

    /// <summary>
    /// Removes every entry of <paramref name="method"/> and returns how many. Counts an invalidation
    /// for the whole method, so that a Redis read of any of its calls under way is not stored after
    /// it; other methods' reads are unaffected.
    /// </summary>
    public int RemoveMethod(MemoizedMethod method)
    {
        Interlocked.Increment(ref _removals);
        Interlocked.Increment(ref UsageOf(method).Generation);
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (ReferenceEquals(pair.Key.Method, method) && RemoveExact(pair.Value))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Removes every entry and returns how many; counts an invalidation for every call of every method.</summary>
    public int Clear()
    {
        Interlocked.Increment(ref _removals);
        Interlocked.Increment(ref _clearGeneration);
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (RemoveExact(pair.Value))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// Bounds <paramref name="method"/> to <paramref name="maxEntries"/> entries (0: no bound of its
    /// own), as lru_cache's maxsize does; its entries beyond the bound are trimmed now, and after
    /// every later <see cref="Set"/> of the method it holds. Trims go down to four fifths of it.
    /// </summary>
    public void SetMethodLimit(MemoizedMethod method, int maxEntries)
    {
        if (maxEntries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, "A method's bound must not be negative.");
        }

        var usage = UsageOf(method);
        lock (usage)
        {
            var wasBounded = usage.Limit > 0;
            Interlocked.Exchange(ref usage.Limit, maxEntries);
            if (maxEntries == 0)
            {
                DrainQueue(usage);
            }
            else if (!wasBounded)
            {
                // Entries stored before the method had a bound are not in its queue yet. The bound
                // is written (a full fence) before this scan and a store reads it after inserting:
                // an entry stored meanwhile is found by one or the other (perhaps both: sweeps skip
                // duplicates).
                foreach (var pair in _entries)
                {
                    if (ReferenceEquals(pair.Key.Method, method))
                    {
                        Enqueue(usage, pair.Value);
                    }
                }
            }
        }

        TrimMethod(usage);
    }

    /// <summary>The stored entries, as ConcurrentDictionary enumerates them: for diagnostics and for tests that recount.</summary>
    public IEnumerable<LocalEntry> Entries()
    {
        foreach (var pair in _entries)
        {
            yield return pair.Value;
        }
    }

    /// <summary>The stripe of a call's invalidation counter.</summary>
    internal static int Stripe(MemoizedMethod method, MemoKey key) => StripeOf(new MethodKey(method, key));

    private static int StripeOf(MethodKey slot) => (int)(unchecked((uint)slot.GetHashCode() * 0x9E3779B9u) >> 24);

    private static int HighWater(int bound) => bound - (bound / 10);

    private static long HighWater(long bound) => bound - (bound / 10);

    private static int LowWater(int bound) => bound - (bound / 5);

    private static long LowWater(long bound) => bound - (bound / 5);

    /// <summary>This layer's bookkeeping of <paramref name="method"/>: kept on the method for the layer that asked last, else looked up (and kept).</summary>
    private MethodUsage UsageOf(MemoizedMethod method)
    {
        var kept = Volatile.Read(ref method.LocalUsage);
        return kept is not null && ReferenceEquals(kept.Layer, this) ? kept : LookUpUsage(method);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private MethodUsage LookUpUsage(MemoizedMethod method)
    {
        var usage = _methods.GetOrAdd(method, _newUsage);
        Volatile.Write(ref method.LocalUsage, usage);
        return usage;
    }

    /// <summary>Removes whatever entry the slot holds, if any.</summary>
    private bool RemoveSlot(MethodKey slot)
    {
        if (_entries.TryRemove(slot, out var removed))
        {
            Discharge(removed);
            return true;
        }

        return false;
    }

    /// <summary>Removes exactly this entry (compared by reference), if stored.</summary>
    private bool RemoveExact(LocalEntry entry)
    {
        if (((ICollection<KeyValuePair<MethodKey, LocalEntry>>)_entries).Remove(new KeyValuePair<MethodKey, LocalEntry>(entry.Slot, entry)))
        {
            Discharge(entry);
            return true;
        }

        return false;
    }

    /// <summary>Takes a removed entry's charge off the counters: only the removal that took it out of the dictionary calls this.</summary>
    private void Discharge(LocalEntry entry)
    {
        var charged = entry.Retire();
        if (charged < 0)
        {
            return;
        }

        var usage = entry.Usage!;
        Interlocked.Decrement(ref _count);
        Interlocked.Add(ref _bytes, -charged);
        Interlocked.Decrement(ref usage.Entries);
        Interlocked.Add(ref usage.Bytes, -charged);
    }

    /// <summary>Adds a kept value's estimate to the counters; past the high-water mark, schedules a trim (a read does not trim in place).</summary>
    internal void AddBytes(MethodUsage usage, long bytes)
    {
        Interlocked.Add(ref usage.Bytes, bytes);
        if (Interlocked.Add(ref _bytes, bytes) > _highBytes)
        {
            ScheduleTrim();
        }
    }

    /// <summary>One method's counters, its bound, its invalidation count and, while it has a bound, the queue its trims sweep.</summary>
    internal sealed class MethodUsage
    {
        public readonly ConcurrentQueue<LocalEntry> Queue = new();
        public int Entries;
        public long Bytes;
        public int Limit;
        public int Queued;
        public long Generation;

        public MethodUsage(LocalLayer layer) => Layer = layer;

        public LocalLayer Layer { get; }
    }
}
