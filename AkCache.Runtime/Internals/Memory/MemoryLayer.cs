using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AkCache.CompilerServices;

namespace AkCache.Internals.Memory;

/// <summary>
/// The in-process layer: a bounded map of serialized results with their absolute expiry. It answers
/// while Redis is unreachable. It keeps bytes, not objects, so that every caller gets its own copy,
/// exactly as on a Redis hit.
/// </summary>
internal sealed class MemoryLayer
{
    private readonly ConcurrentDictionary<MethodKey, Entry> _entries = new();
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private readonly object _trimGate = new();
    private int _count;

    public MemoryLayer(int maxEntries, TimeProvider time)
    {
        _maxEntries = maxEntries;
        _time = time;
    }

    public int Count => _entries.Count;

    public bool TryGet(MemoizedMethod method, MemoKey key, out Entry entry)
    {
        if (_entries.TryGetValue(new MethodKey(method, key), out entry))
        {
            if (entry.ExpiresAtUnixMs > Now())
            {
                return true;
            }

            // Removes this expired entry only, not a fresh one that another thread has just set.
            if (((ICollection<KeyValuePair<MethodKey, Entry>>)_entries).Remove(new KeyValuePair<MethodKey, Entry>(new MethodKey(method, key), entry)))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        entry = default;
        return false;
    }

    /// <remarks>
    /// The entry count is kept with Interlocked: ConcurrentDictionary.Count takes every lock of the
    /// dictionary, which would make each store wait on all readers.
    /// </remarks>
    public void Set(MemoizedMethod method, MemoKey key, Entry entry)
    {
        var slot = new MethodKey(method, key);
        if (!_entries.TryAdd(slot, entry))
        {
            _entries[slot] = entry;
            return;
        }

        if (Interlocked.Increment(ref _count) > _maxEntries)
        {
            Trim();
        }
    }

    /// <summary>Drops expired entries, then the ones closest to expiry, down to nine tenths of the bound.</summary>
    private void Trim()
    {
        lock (_trimGate)
        {
            Volatile.Write(ref _count, _entries.Count);
            if (Volatile.Read(ref _count) <= _maxEntries)
            {
                return;
            }

            var now = Now();
            foreach (var expired in _entries.Where(e => e.Value.ExpiresAtUnixMs <= now).Select(e => e.Key).ToList())
            {
                _entries.TryRemove(expired, out _);
            }

            var target = _maxEntries - (_maxEntries / 10);
            var excess = _entries.Count - target;
            if (excess > 0)
            {
                foreach (var victim in _entries.OrderBy(e => e.Value.ExpiresAtUnixMs).Take(excess).Select(e => e.Key).ToList())
                {
                    _entries.TryRemove(victim, out _);
                }
            }

            Volatile.Write(ref _count, _entries.Count);
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal readonly struct Entry : IEquatable<Entry>
    {
        public Entry(byte[] envelope, long expiresAtUnixMs)
        {
            Envelope = envelope;
            ExpiresAtUnixMs = expiresAtUnixMs;
        }

        public byte[] Envelope { get; }

        public long ExpiresAtUnixMs { get; }

        public bool Equals(Entry other) => ReferenceEquals(Envelope, other.Envelope) && ExpiresAtUnixMs == other.ExpiresAtUnixMs;

        public override bool Equals(object? obj) => obj is Entry other && Equals(other);

        public override int GetHashCode() => ExpiresAtUnixMs.GetHashCode();
    }
}
