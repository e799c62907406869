using System.Threading;
using System.Threading.Tasks;
using AkCache.CompilerServices;

namespace AkCache.Internals.Local;

/// <summary>
/// One result held by <see cref="LocalLayer"/>: its envelope, its expiry, and for an immutable type
/// the value read from it; plus what the layer needs to bound itself (size, recency, trust).
/// </summary>
/// <remarks>
/// An entry is stored at most once: <see cref="LocalLayer.Set"/> claims it, and its bytes are charged
/// to the layer's counters from then until the removal that takes it out of the layer, which
/// discharges exactly what was charged. That is what keeps the counters exact under races.
/// </remarks>
internal sealed class LocalEntry
{
    /// <summary><see cref="_charge"/> before the entry is stored (until its claim has charged it).</summary>
    private const long Unstored = -1;

    /// <summary><see cref="_charge"/> once the entry has left the layer.</summary>
    private const long Retired = long.MinValue;

    private static readonly object NullValue = new();

    private object? _value;
    private object? _task;
    private long _charge = Unstored;
    private int _claimed;
    private int _valueCharged;
    private int _hit;
    private long _stamp;
    private long _epoch;

    public LocalEntry(byte[] envelope, long expiresAtUnixMs)
    {
        Envelope = envelope;
        ExpiresAtUnixMs = expiresAtUnixMs;
    }

    /// <summary>The stored bytes: AkCache's header, then MessagePack.</summary>
    public byte[] Envelope { get; }

    /// <summary>The expiry written in the envelope, in Unix milliseconds (shared with other processes).</summary>
    public long ExpiresAtUnixMs { get; }

    /// <summary>The same expiry on this process's monotonic clock; set by <see cref="LocalLayer.Set"/>.</summary>
    internal long Deadline { get; set; }

    /// <summary>The call's Redis key, kept by the first Redis read of this call, so that later reads do not build it again.</summary>
    internal string? RedisKey { get; set; }

    /// <summary>The method whose call this entry answers; set when stored.</summary>
    public MemoizedMethod Method => Slot.Method;

    /// <summary>The call this entry answers; set when stored.</summary>
    public MemoKey Key => Slot.Key;

    /// <summary>
    /// The bytes this entry is counted for: <see cref="LocalLayer.EntryOverhead"/> plus the envelope,
    /// plus the envelope's length again once a value is kept (the estimate of that value's size).
    /// </summary>
    public long Size => LocalLayer.EntryOverhead + Envelope.Length + (Volatile.Read(ref _value) is null ? 0 : Envelope.Length);

    /// <summary>The layer's <see cref="LocalLayer.Epoch"/> when this entry was stored or last confirmed.</summary>
    public long Epoch => Volatile.Read(ref _epoch);

    internal MethodKey Slot { get; private set; }

    /// <summary>The per-method counters this entry is charged to; set when stored.</summary>
    internal LocalLayer.MethodUsage? Usage { get; private set; }

    /// <summary>Recency order: the tick of the store, renewed when a sweep finds the entry hit.</summary>
    internal long Stamp
    {
        get => Volatile.Read(ref _stamp);
        set => Volatile.Write(ref _stamp, value);
    }

    /// <summary>True once a removal has taken the entry out of the layer.</summary>
    internal bool IsRetired => Volatile.Read(ref _charge) == Retired;

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

    /// <summary>The completed task kept by <see cref="KeepTask{T}"/>, if any.</summary>
    public bool TryGetTask<T>(out Task<T> task)
    {
        if (Volatile.Read(ref _task) is Task<T> kept)
        {
            task = kept;
            return true;
        }

        task = null!;
        return false;
    }

    /// <summary>
    /// A completed task of <paramref name="value"/>, the kept value, made once and returned by every
    /// later <see cref="TryGetTask{T}"/>: so that a Task hit of an immutable value allocates nothing.
    /// Only for immutable types, as <see cref="KeepValue{T}"/>. Not counted in <see cref="Size"/> (a
    /// completed task is a few dozen bytes besides the value it holds).
    /// </summary>
    public Task<T> KeepTask<T>(T value)
    {
        var made = Task.FromResult(value);

        // The first task kept stays, so that every hit returns the same instance.
        return Interlocked.CompareExchange(ref _task, made, null) as Task<T> ?? made;
    }

    /// <summary>
    /// Keeps the value read from <see cref="Envelope"/>, so that later hits need not read it again.
    /// Only for immutable types: every caller then shares this one value. A stored entry's
    /// <see cref="Size"/> grows by the envelope's length, charged to its layer once.
    /// </summary>
    public void KeepValue<T>(T value)
    {
        // Interlocked (a full fence), so that this write and the read of _charge in ChargeValue are
        // not reordered against Claim's write of _charge and its read of _value: one of the two sees
        // the other and the value's estimate is charged once, whichever comes first.
        Interlocked.Exchange(ref _value, (object?)value ?? NullValue);
        ChargeValue();
    }

    /// <summary>The hit path's recency mark: written only when not set, so that hot entries read by many cores do not bounce their cache line.</summary>
    internal void MarkHit()
    {
        if (Volatile.Read(ref _hit) == 0)
        {
            Volatile.Write(ref _hit, 1);
        }
    }

    /// <summary>Reads and clears the recency mark: a sweep's second chance.</summary>
    internal bool TakeHit()
    {
        if (Volatile.Read(ref _hit) == 0)
        {
            return false;
        }

        Volatile.Write(ref _hit, 0);
        return true;
    }

    /// <summary>Makes this entry untrusted whatever the layer's epoch: an invalidation named it. A later confirmation can trust it again.</summary>
    internal void Distrust() => Volatile.Write(ref _epoch, long.MinValue);

    /// <summary>Raises <see cref="Epoch"/> to <paramref name="epoch"/>; never lowers it, so that a late confirmation cannot undo a later one.</summary>
    internal void RaiseEpoch(long epoch)
    {
        var current = Volatile.Read(ref _epoch);
        while (current < epoch)
        {
            var seen = Interlocked.CompareExchange(ref _epoch, epoch, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Claims the entry for one store: false if it was ever claimed. Its fields are written before
    /// its charge (a full fence) and before the store publishes it, so that they are set for whoever
    /// finds the entry, in the layer or through <see cref="ChargeValue"/>.
    /// </summary>
    internal bool Claim(MethodKey slot, LocalLayer.MethodUsage usage, long deadline, long stamp, long epoch)
    {
        // Claimed apart from the charge, so that a second store of the same entry (a caller's bug)
        // fails before writing anything the first store's readers rely on.
        if (Interlocked.CompareExchange(ref _claimed, 1, 0) != 0)
        {
            return false;
        }

        Slot = slot;
        Usage = usage;
        Deadline = deadline;
        _stamp = stamp;
        _epoch = epoch;

        // A new entry counts as hit: it survives the first sweep after its store, so that the result
        // just computed is not the first to go when older entries were read once.
        _hit = 1;
        Interlocked.Exchange(ref _charge, LocalLayer.EntryOverhead + Envelope.Length);
        return true;
    }

    /// <summary>Charges the value's estimate, once, to the layer this entry is stored in (none yet: the claim charges it).</summary>
    internal void ChargeValue()
    {
        if (Volatile.Read(ref _charge) < 0 || Volatile.Read(ref _value) is null || Interlocked.CompareExchange(ref _valueCharged, 1, 0) != 0)
        {
            return;
        }

        long extra = Envelope.Length;
        while (true)
        {
            var charged = Volatile.Read(ref _charge);
            if (charged < 0)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _charge, charged + extra, charged) == charged)
            {
                Usage!.Layer.AddBytes(Usage, extra);
                return;
            }
        }
    }

    /// <summary>Marks the entry removed and returns the bytes to discharge; called once, by the removal that took it out.</summary>
    internal long Retire() => Interlocked.Exchange(ref _charge, Retired);
}
