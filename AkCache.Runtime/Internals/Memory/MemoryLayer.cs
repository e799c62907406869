using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using AkCache.CompilerServices;
using AkCache.Internals.Timing;

namespace AkCache.Internals.Memory;

/// <summary>
/// The in-process layer: a bounded map of serialized results with their expiry. It answers while
/// Redis is unreachable. It keeps bytes, so that every caller gets its own copy exactly as on a
/// Redis hit; for immutable result types (<see cref="ImmutableResult{T}"/>) an entry also keeps the
/// value read from its bytes the first time, and later hits return that value without reading the
/// bytes again.
/// </summary>
internal sealed class MemoryLayer
{
    private readonly ConcurrentDictionary<MethodKey, Entry> _entries = new();
    private readonly int _maxEntries;
    private readonly int _trimFrom;
    private readonly int _trimTo;
    private readonly Clock _clock;
    private readonly Action<Action> _schedule;
    private readonly object _trimGate = new();
    private int _count;
    private int _trimScheduled;

    /// <param name="maxEntries">The bound, never exceeded after a store.</param>
    /// <param name="time">The clock of expiries.</param>
    /// <param name="schedule">Runs the background trim; the thread pool unless a test decides.</param>
    public MemoryLayer(int maxEntries, TimeProvider time, Action<Action>? schedule = null)
    {
        _maxEntries = maxEntries;
        _trimFrom = maxEntries - (maxEntries / 10);
        _trimTo = maxEntries - (maxEntries / 5);
        _clock = Clock.For(time);
        _schedule = schedule ?? (work => ThreadPool.UnsafeQueueUserWorkItem(static w => ((Action)w!)(), work));
    }

    public int Count => _entries.Count;

    public bool TryGet(MemoizedMethod method, MemoKey key, out Entry entry) => TryGet(method, key, _clock.Milliseconds(), out entry);

    /// <summary>The entry of a call, if stored and not expired at <paramref name="now"/>, a reading of <see cref="Clock.Milliseconds"/> taken by the caller.</summary>
    public bool TryGet(MemoizedMethod method, MemoKey key, long now, out Entry entry)
    {
        if (_entries.TryGetValue(new MethodKey(method, key), out entry))
        {
            if (now < entry.Deadline)
            {
                return true;
            }

            if (Remove(new KeyValuePair<MethodKey, Entry>(new MethodKey(method, key), entry)))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        entry = null!;
        return false;
    }

    /// <summary>The entry of a call, expired or not, without removing it: for what an entry keeps besides the value.</summary>
    public bool TryPeek(MemoizedMethod method, MemoKey key, out Entry entry) => _entries.TryGetValue(new MethodKey(method, key), out entry);

    /// <remarks>
    /// The entry count is kept with Interlocked: ConcurrentDictionary.Count takes every lock of the
    /// dictionary, which would make each store wait on all readers. Past nine tenths of the bound a
    /// trim is scheduled in the background, so that no caller waits for it; only a caller whose
    /// store would pass the bound itself (stores faster than the trim) trims in place.
    /// </remarks>
    public void Set(MemoizedMethod method, MemoKey key, Entry entry)
    {
        entry.Deadline = _clock.ToDeadline(entry.ExpiresAtUnixMs);
        var slot = new MethodKey(method, key);
        if (!_entries.TryAdd(slot, entry))
        {
            _entries[slot] = entry;
            return;
        }

        var count = Interlocked.Increment(ref _count);
        if (count > _maxEntries)
        {
            Trim();
        }
        else if (count > _trimFrom && Interlocked.CompareExchange(ref _trimScheduled, 1, 0) == 0)
        {
            _schedule(TrimScheduled);
        }
    }

    private void TrimScheduled()
    {
        try
        {
            Trim();
        }
        finally
        {
            Volatile.Write(ref _trimScheduled, 0);
        }
    }

    /// <summary>Drops expired entries, then the ones closest to expiry, down to four fifths of the bound.</summary>
    private void Trim()
    {
        lock (_trimGate)
        {
            Volatile.Write(ref _count, _entries.Count);
            if (Volatile.Read(ref _count) <= _trimFrom)
            {
                return;
            }

            var now = _clock.Milliseconds();
            var live = new List<KeyValuePair<MethodKey, Entry>>(_entries.Count);
            foreach (var pair in _entries)
            {
                if (pair.Value.Deadline > now)
                {
                    live.Add(pair);
                }
                else
                {
                    Remove(pair);
                }
            }

            var excess = live.Count - _trimTo;
            if (excess > 0)
            {
                // The excess-th soonest deadline: everything before it goes, and at that deadline
                // as many as needed to reach the target.
                var deadlines = new long[live.Count];
                for (var i = 0; i < deadlines.Length; i++)
                {
                    deadlines[i] = live[i].Value.Deadline;
                }

                Array.Sort(deadlines);
                var cutoff = deadlines[excess - 1];
                var atCutoff = excess - Array.IndexOf(deadlines, cutoff);
                foreach (var pair in live)
                {
                    if (pair.Value.Deadline < cutoff || (pair.Value.Deadline == cutoff && atCutoff-- > 0))
                    {
                        Remove(pair);
                    }
                }
            }

            Volatile.Write(ref _count, _entries.Count);
        }
    }

    /// <summary>Removes exactly this entry: not a fresh one set for the same call in the meantime.</summary>
    private bool Remove(KeyValuePair<MethodKey, Entry> pair) =>
        ((ICollection<KeyValuePair<MethodKey, Entry>>)_entries).Remove(pair);

    /// <summary>One stored result: its envelope, its expiry, and for an immutable type the value read from it.</summary>
    internal sealed class Entry
    {
        private static readonly object NullValue = new();

        private object? _value;

        public Entry(byte[] envelope, long expiresAtUnixMs)
        {
            Envelope = envelope;
            ExpiresAtUnixMs = expiresAtUnixMs;
        }

        /// <summary>The stored bytes: AkCache's header, then MessagePack.</summary>
        public byte[] Envelope { get; }

        /// <summary>The expiry written in the envelope, in Unix milliseconds (shared with other processes).</summary>
        public long ExpiresAtUnixMs { get; }

        /// <summary>The same expiry on this process's monotonic clock; set by <see cref="Set"/>.</summary>
        internal long Deadline { get; set; }

        /// <summary>The call's Redis key, kept by the first Redis read that finds this entry, so that later reads do not build it again.</summary>
        internal string? RedisKey { get; set; }

        /// <summary>The value kept by <see cref="KeepValue{T}"/>, if any.</summary>
        public bool TryGetValue<T>(out T value)
        {
            switch (Volatile.Read(ref _value))
            {
                case T kept:
                    value = kept;
                    return true;
                case object marker when ReferenceEquals(marker, NullValue):
                    value = default!;
                    return true;
                default:
                    value = default!;
                    return false;
            }
        }

        /// <summary>
        /// Keeps the value read from <see cref="Envelope"/>, so that later hits need not read it
        /// again. Only for immutable types: every caller then shares this one value.
        /// </summary>
        public void KeepValue<T>(T value) => Volatile.Write(ref _value, (object?)value ?? NullValue);
    }
}

/// <summary>
/// Result types whose values cannot be changed by whoever holds them, so that one value read from
/// the cache can be returned to every caller: the primitives, enums, string, decimal, the date and
/// time types, Guid, and Nullable of any of these.
/// </summary>
internal static class ImmutableResult<T>
{
    public static readonly bool Value = Compute(typeof(T));

    private static bool Compute(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive
            || type.IsEnum
            || type == typeof(string)
            || type == typeof(decimal)
            || type == typeof(DateTime)
            || type == typeof(DateTimeOffset)
            || type == typeof(TimeSpan)
            || type == typeof(Guid);
    }
}
