using System;
using System.Collections.Generic;
using System.Threading;

namespace AkCache.Internals.Local;

/// <summary>The bounds: when trims run, and the second-chance sweep they share.</summary>
internal sealed partial class LocalLayer
{
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private readonly int _highEntries;
    private readonly long _highBytes;
    private readonly int _lowEntries;
    private readonly long _lowBytes;
    private readonly Action<Action> _schedule;
    private readonly Action _runScheduledTrim;
    private readonly object _trimGate = new();
    private int _trimPending;

    /// <summary>After a store: the method's bound, then the layer's, in place if passed, else a background trim past the high-water mark.</summary>
    private void AfterStore(MethodUsage usage)
    {
        var limit = Volatile.Read(ref usage.Limit);
        if (limit > 0 && (Volatile.Read(ref usage.Entries) > limit || Volatile.Read(ref usage.Queued) > QueueBound(limit)))
        {
            TrimMethod(usage);
        }

        var count = Volatile.Read(ref _count);
        var bytes = Volatile.Read(ref _bytes);
        if (count > _maxEntries || bytes > _maxBytes)
        {
            Trim();
        }
        else if (count > _highEntries || bytes > _highBytes)
        {
            ScheduleTrim();
        }
    }

    /// <summary>
    /// A method's queue holds its entries and, until its next trim, some that left the layer by
    /// other ways (removals, replacements, the layer's trims): past this length it is compacted.
    /// </summary>
    private static int QueueBound(int limit) => (2 * limit) + 16;

    /// <summary>Schedules one background trim; none while one is pending.</summary>
    private void ScheduleTrim()
    {
        if (Interlocked.CompareExchange(ref _trimPending, 1, 0) == 0)
        {
            _schedule(_runScheduledTrim);
        }
    }

    private void RunScheduledTrim()
    {
        try
        {
            Trim();
        }
        finally
        {
            Volatile.Write(ref _trimPending, 0);
        }
    }

    /// <summary>Sweeps the whole layer down to the low-water marks, if it is still past a high-water mark (another trim may have come first).</summary>
    private void Trim()
    {
        lock (_trimGate)
        {
            if (Volatile.Read(ref _count) <= _highEntries && Volatile.Read(ref _bytes) <= _highBytes)
            {
                return;
            }

            var entries = new List<LocalEntry>((int)Math.Min(Volatile.Read(ref _count), int.MaxValue));
            foreach (var pair in _entries)
            {
                entries.Add(pair.Value);
            }

            Sweep(entries, null, 0);
        }
    }

    /// <summary>
    /// Sweeps one method's queue: down to four fifths of its bound when past the bound, and drops
    /// from the queue the entries no longer stored.
    /// </summary>
    private void TrimMethod(MethodUsage usage)
    {
        lock (usage)
        {
            var limit = Volatile.Read(ref usage.Limit);
            if (limit == 0)
            {
                return;
            }

            var entries = DrainQueue(usage);
            var target = Volatile.Read(ref usage.Entries) > limit ? LowWater(limit) : limit;
            Sweep(entries, usage, target);
            foreach (var entry in entries)
            {
                if (!entry.IsRetired)
                {
                    Enqueue(usage, entry);
                }
            }
        }
    }

    private static void Enqueue(MethodUsage usage, LocalEntry entry)
    {
        usage.Queue.Enqueue(entry);
        Interlocked.Increment(ref usage.Queued);
    }

    /// <summary>Empties a method's queue; returns the entries still stored, each once.</summary>
    private static List<LocalEntry> DrainQueue(MethodUsage usage)
    {
        var seen = new HashSet<LocalEntry>();
        var entries = new List<LocalEntry>();
        while (usage.Queue.TryDequeue(out var entry))
        {
            Interlocked.Decrement(ref usage.Queued);
            if (!entry.IsRetired && seen.Add(entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>
    /// The second-chance sweep over <paramref name="entries"/>: expired entries go, whatever the
    /// target; then the oldest not hit since the last sweep, until the target is met (the layer's
    /// low-water marks, or <paramref name="methodTarget"/> entries of <paramref name="usage"/>); then,
    /// only if still needed, the oldest of the hit ones. Hit entries that stay lose their mark and
    /// are renewed: younger than every entry stored before this sweep, in their previous order.
    /// </summary>
    private void Sweep(List<LocalEntry> entries, MethodUsage? usage, int methodTarget)
    {
        var now = _clock.Milliseconds();
        var hit = new List<LocalEntry>();
        var unhit = new List<LocalEntry>();
        foreach (var entry in entries)
        {
            if (entry.IsRetired)
            {
                continue;
            }

            if (entry.Deadline <= now)
            {
                if (RemoveExact(entry))
                {
                    Interlocked.Increment(ref _expirations);
                }
            }
            else
            {
                (entry.TakeHit() ? hit : unhit).Add(entry);
            }
        }

        var unhitOldestFirst = OldestFirst(unhit);
        var hitOldestFirst = OldestFirst(hit);
        EvictOldest(unhitOldestFirst, usage, methodTarget);
        EvictOldest(hitOldestFirst, usage, methodTarget);

        var renewed = Interlocked.Add(ref _tick, hitOldestFirst.Length) - hitOldestFirst.Length;
        foreach (var entry in hitOldestFirst)
        {
            entry.Stamp = ++renewed;
        }
    }

    private static LocalEntry[] OldestFirst(List<LocalEntry> entries)
    {
        var sorted = entries.ToArray();
        var stamps = new long[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            stamps[i] = sorted[i].Stamp;
        }

        Array.Sort(stamps, sorted);
        return sorted;
    }

    private void EvictOldest(LocalEntry[] oldestFirst, MethodUsage? usage, int methodTarget)
    {
        foreach (var entry in oldestFirst)
        {
            if (usage is null
                ? Volatile.Read(ref _count) <= _lowEntries && Volatile.Read(ref _bytes) <= _lowBytes
                : Volatile.Read(ref usage.Entries) <= methodTarget)
            {
                return;
            }

            if (RemoveExact(entry))
            {
                Interlocked.Increment(ref _evictions);
            }
        }
    }
}
