using System;
using System.Threading;
using AkCache.CompilerServices;

namespace AkCache.Internals.Local;

/// <summary>Storing, and what keeps the layer coherent with Redis: the trust epoch and the invalidation sequences.</summary>
internal sealed partial class LocalLayer
{
    /// <summary>
    /// The trust epoch. An entry is trusted (may be served without asking Redis) while its
    /// <see cref="LocalEntry.Epoch"/> equals this; <see cref="DistrustAll"/> moves it on.
    /// </summary>
    public long Epoch => Volatile.Read(ref _epoch);

    /// <summary>True when the entry was stored or confirmed since the last <see cref="DistrustAll"/>.</summary>
    public bool IsTrusted(LocalEntry entry) => entry.Epoch == Volatile.Read(ref _epoch);

    /// <summary>
    /// Makes every entry untrusted: for when the invalidation connection was lost, so that entries
    /// may have missed an invalidation and must be checked against Redis before being served
    /// first. Also an invalidation for <see cref="SetUnlessInvalidated"/>: a Redis read under way
    /// may have been made before an invalidation that was lost.
    /// </summary>
    public void DistrustAll() => Interlocked.Increment(ref _epoch);

    /// <summary>Marks the entry trusted again, at the current epoch: for a check against Redis that began after the last <see cref="DistrustAll"/>.</summary>
    public void Confirm(LocalEntry entry) => entry.RaiseEpoch(Volatile.Read(ref _epoch));

    /// <summary>
    /// Marks the entry trusted at <paramref name="epochReadBeforeTheCheck"/>, the <see cref="Epoch"/>
    /// read before the check against Redis began: if the layer was distrusted during the check the
    /// entry stays untrusted, since the check may predate a lost invalidation.
    /// </summary>
    public void Confirm(LocalEntry entry, long epochReadBeforeTheCheck) => entry.RaiseEpoch(epochReadBeforeTheCheck);

    /// <summary>
    /// Makes the call's entry, if any, untrusted without removing it: Redis said its key changed, but
    /// not to what. The next call checks Redis (and confirms, replaces or drops the entry); while
    /// Redis cannot be asked, the entry still answers. Counts as an invalidation for
    /// <see cref="Sequence"/> (before the entry is marked, as <see cref="Remove(MemoizedMethod, MemoKey)"/> does).
    /// </summary>
    public bool Distrust(MemoizedMethod method, MemoKey key)
    {
        var slot = new MethodKey(method, key);
        Interlocked.Increment(ref _stripes[StripeOf(slot) * StripeStride]);
        if (_entries.TryGetValue(slot, out var entry))
        {
            entry.Distrust();
            return true;
        }

        return false;
    }

    /// <summary>
    /// <see cref="Confirm(LocalEntry, long)"/>, unless an invalidation touched the call since
    /// <paramref name="sequenceReadBeforeTheCheck"/>. The sequence is checked before and after
    /// confirming: an invalidation between the two moved it (invalidations count before they mark),
    /// and the entry is made untrusted again here. False when not confirmed.
    /// </summary>
    public bool ConfirmUnlessInvalidated(MemoizedMethod method, MemoKey key, LocalEntry entry, long epochReadBeforeTheCheck, long sequenceReadBeforeTheCheck)
    {
        if (Sequence(method, key) != sequenceReadBeforeTheCheck)
        {
            return false;
        }

        Confirm(entry, epochReadBeforeTheCheck);
        Interlocked.MemoryBarrier();
        if (Sequence(method, key) == sequenceReadBeforeTheCheck)
        {
            return true;
        }

        entry.Distrust();
        return false;
    }

    /// <summary>
    /// A number that changes whenever an invalidation may have touched the call: a removal of any
    /// call in its stripe (<see cref="Stripes"/> stripes by key hash), of its whole method, a
    /// <see cref="Clear"/> or a <see cref="DistrustAll"/>. Read it before reading Redis and pass it to
    /// <see cref="SetUnlessInvalidated"/>.
    /// </summary>
    /// <remarks>
    /// The sum of four counters that only grow: it changes if and only if one of them did. Evictions
    /// and expiries do not count: they say nothing about the value in Redis.
    /// </remarks>
    public long Sequence(MemoizedMethod method, MemoKey key)
    {
        var slot = new MethodKey(method, key);
        return Volatile.Read(ref _stripes[StripeOf(slot) * StripeStride])
            + Volatile.Read(ref UsageOf(method).Generation)
            + Volatile.Read(ref _clearGeneration)
            + Volatile.Read(ref _epoch);
    }

    /// <summary>
    /// A number that changes whenever a user's invalidation, clear of a method or clear of
    /// everything reaches this layer, whichever call it names; not when tracking reports a change
    /// (this process's own writes included) or trust is lost. Read before a computation that holds
    /// no Redis lock: if it moved by the time the result is ready, the result may have been computed
    /// from what the user asked to remove, and is not written to Redis. Invalidations are rare, so
    /// one number for all calls costs little; tracking's reports are frequent, and counting them
    /// would skip writes of unrelated results.
    /// </summary>
    public long InvalidationSequence() => Volatile.Read(ref _removals);

    /// <summary>
    /// <see cref="Set"/>, unless an invalidation touched the call since <paramref name="sequenceReadBeforeTheRedisRead"/>
    /// was read (<see cref="Sequence"/>): a value read from Redis before an invalidation arrived is
    /// never left stored after it. False when not stored.
    /// </summary>
    /// <remarks>
    /// The sequence is checked before storing and again after: an invalidation between the two
    /// either came after the store, and its removal takes the entry out, or moved the sequence
    /// before the second check (invalidations count before they remove), and the entry is taken
    /// out here. Only this entry: a fresher one stored meanwhile stays.
    /// </remarks>
    public bool SetUnlessInvalidated(MemoizedMethod method, MemoKey key, LocalEntry entry, long sequenceReadBeforeTheRedisRead)
    {
        if (Sequence(method, key) != sequenceReadBeforeTheRedisRead || !Set(method, key, entry))
        {
            return false;
        }

        Interlocked.MemoryBarrier();
        if (Sequence(method, key) == sequenceReadBeforeTheRedisRead)
        {
            return true;
        }

        RemoveExact(entry);
        return false;
    }

    /// <summary>
    /// <see cref="Set"/>, but the entry is stored untrusted: it answers while Redis is unavailable,
    /// and is checked against Redis before it is served first. For a result computed while
    /// something that concerns trust happened (tracking reported a change in its stripe, trust was
    /// lost or regained): it is this process's best answer, but Redis may hold another.
    /// </summary>
    public bool SetUntrusted(MemoizedMethod method, MemoKey key, LocalEntry entry) => Store(new MethodKey(method, key), entry, trusted: false);

    private bool Store(MethodKey slot, LocalEntry entry, bool trusted = true)
    {
        if (entry is null)
        {
            throw new ArgumentNullException(nameof(entry));
        }

        var usage = UsageOf(slot.Method);
        var deadline = _clock.ToDeadline(entry.ExpiresAtUnixMs);
        if (entry.Size > _maxBytes / AdmissionDivisor || deadline <= _clock.Milliseconds())
        {
            RemoveSlot(slot);
            return false;
        }

        if (!entry.Claim(slot, usage, deadline, Interlocked.Increment(ref _tick), trusted ? Volatile.Read(ref _epoch) : long.MinValue))
        {
            throw new ArgumentException("This entry was stored before; an entry is stored once.", nameof(entry));
        }

        // Charged before it can be found, so that any removal finds its charge to take off.
        Interlocked.Increment(ref _count);
        Interlocked.Increment(ref usage.Entries);
        var size = EntryOverhead + entry.Envelope.Length;
        Interlocked.Add(ref _bytes, size);
        Interlocked.Add(ref usage.Bytes, size);
        entry.ChargeValue();
        Insert(slot, entry);

        // Read after the insert (a full fence between): see SetMethodLimit.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref usage.Limit) > 0)
        {
            Enqueue(usage, entry);
        }

        AfterStore(usage);
        return true;
    }

    /// <summary>Puts the entry in its slot, taking out (and discharging) the one it replaces.</summary>
    private void Insert(MethodKey slot, LocalEntry entry)
    {
        while (true)
        {
            if (_entries.TryAdd(slot, entry))
            {
                return;
            }

            if (_entries.TryGetValue(slot, out var previous) && _entries.TryUpdate(slot, entry, previous))
            {
                Discharge(previous);
                return;
            }
        }
    }
}
