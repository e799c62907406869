using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Messaging;
using AkCache.Internals.Observability;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

internal enum LockStatus
{
    /// <summary>The value was already stored: no lock was taken.</summary>
    Stored,
    Acquired,
    Held,
    Unavailable,

    /// <summary>Redis did not answer within the method's time (AkCacheOptions.ComputeOnSlowReads): the call computes without the lock; one taken when Redis answers is released.</summary>
    Late,
}

/// <summary>
/// The cross-process lock of one missing result, and the signal that wakes the processes waiting
/// for it. Taking the lock is one script: return the value if it is stored, else SET NX PX with a
/// random token (a caller that finds the lock held also marks the value as awaited). Storing is one
/// script too: SET the value PX, delete the lock if the token still owns it, and publish the value's
/// key, so waiters read the value the moment it is stored instead of after a fixed sleep. When the
/// value was awaited and is at most <see cref="MaxAnnouncedValueBytes"/> long, the announcement
/// carries the value itself, and woken waiters need no further round trip. A miss is three round
/// trips: the first GET, and these two scripts (Scripts/*.lua, read by <see cref="LuaScripts"/>).
/// </summary>
internal sealed partial class RedisAccessor
{
    /// <summary>The largest value an announcement carries; a longer one is announced by key, and waiters read it.</summary>
    internal const int MaxAnnouncedValueBytes = StoredAnnouncements.MaxAnnouncedValueBytes;

    /// <summary>
    /// Returns the value of <paramref name="valueKey"/> if it is stored (<see cref="LockStatus.Stored"/>,
    /// when <paramref name="readValue"/>), else tries to take its lock. The token is made only once
    /// Redis is known to be usable. <paramref name="traceParent"/>: the W3C trace context of the
    /// caller's miss span, if one is recorded; the lock's value carries it after the token, so that
    /// other processes' waits link to this computation.
    /// </summary>
    public LockAttempt TryAcquireLock(string valueKey, TimeSpan timeToLive, bool readValue, string? traceParent = null)
    {
        var database = Open();
        if (database is null)
        {
            return LockAttempt.Unavailable;
        }

        var attempt = new OwnedLock(this, valueKey, traceParent);
        var state = (Accessor: this, Keys: attempt.Keys, Arguments: attempt.AcquireArguments(timeToLive, readValue));
        if (!TryRun(database, state, static (db, s) => s.Accessor.AcquireOn(db, s.Keys, s.Arguments), out var result, out _, writes: true, valueKey))
        {
            return LockAttempt.Unavailable;
        }

        return IsLargeReply(result) ? LargeStored(valueKey, timeToLive) : Held(LockAttempt.From(result, attempt));
    }

    /// <inheritdoc cref="TryAcquireLock"/>
    public async ValueTask<LockAttempt> TryAcquireLockAsync(string valueKey, TimeSpan timeToLive, bool readValue, string? traceParent = null)
    {
        var database = await OpenAsync().ConfigureAwait(false);
        if (database is null)
        {
            return LockAttempt.Unavailable;
        }

        var attempt = new OwnedLock(this, valueKey, traceParent);
        var state = (Accessor: this, Keys: attempt.Keys, Arguments: attempt.AcquireArguments(timeToLive, readValue));
        var (ran, result, _) = await TryRunAsync(database, state, static (db, s) => s.Accessor.AcquireOnAsync(db, s.Keys, s.Arguments), default, writes: true, key: valueKey).ConfigureAwait(false);
        if (!ran)
        {
            return LockAttempt.Unavailable;
        }

        return IsLargeReply(result) ? await LargeStoredAsync(valueKey, timeToLive).ConfigureAwait(false) : Held(LockAttempt.From(result, attempt));
    }

    /// <summary>The locks this process holds now, from their taking to their release: what a graceful exit releases (<see cref="ReleaseHeldLocks"/>).</summary>
    private readonly ConcurrentDictionary<OwnedLock, byte> _held = new();

    /// <summary>How many locks this process holds now, for tests.</summary>
    internal int HeldLockCount => _held.Count;

    private LockAttempt Held(LockAttempt attempt)
    {
        if (attempt.Owned is { } owned)
        {
            _held.TryAdd(owned, 0);
        }

        return attempt;
    }

    /// <summary>
    /// Releases every lock this process holds, in one pipelined round of the release script, and
    /// wakes their waiters, so that another process takes each computation over at once instead of
    /// after LockTimeToLive: for a graceful exit (or a configuration replaced) during computations.
    /// Waits at most <paramref name="budget"/>; a computation that still finishes stores its result
    /// as usual. Returns how many were released.
    /// </summary>
    public int ReleaseHeldLocks(TimeSpan budget)
    {
        var database = _connection.Database;
        if (database is null || _held.IsEmpty)
        {
            return 0;
        }

        var releases = new List<Task<RedisResult>>();
        foreach (var owned in _held.Keys)
        {
            if (_held.TryRemove(owned, out _))
            {
                try
                {
                    releases.Add(database.ScriptEvaluateAsync(LuaScripts.StoreAndRelease, owned.Keys, owned.StoreArguments(_channels.StoredChannelName, null, default)));
                }
                catch (Exception ex) when (IsRedisFailure(ex))
                {
                    // Not released: it expires after LockTimeToLive, as a killed owner's does.
                }
            }
        }

        try
        {
            Task.WaitAll(releases.ToArray(), budget);
        }
        catch (AggregateException)
        {
            // Counted below: only the releases that ran count.
        }

        var released = 0;
        foreach (var release in releases)
        {
            if (release.Status == TaskStatus.RanToCompletion)
            {
                released++;
            }
        }

        return released;
    }

    /// <summary>
    /// <see cref="TryAcquireLock"/> or <see cref="TryAcquireLockAsync(string, TimeSpan, bool, string)"/>: the engine's one call for both forms;
    /// given up on after <paramref name="slowAfterMs"/> milliseconds when it is not 0 (<see cref="SlowReadWaitMs"/>), then <see cref="LockStatus.Late"/>.
    /// </summary>
    public ValueTask<LockAttempt> TryAcquireLockAsync(string valueKey, TimeSpan timeToLive, bool readValue, bool synchronous, int slowAfterMs, string? traceParent = null) =>
        slowAfterMs > 0 ? TryAcquireLockWithinAsync(valueKey, timeToLive, readValue, slowAfterMs, synchronous, traceParent)
        : synchronous ? new ValueTask<LockAttempt>(TryAcquireLock(valueKey, timeToLive, readValue, traceParent)) : TryAcquireLockAsync(valueKey, timeToLive, readValue, traceParent);

    private RedisResult AcquireOn(IDatabase database, RedisKey[] keys, RedisValue[] arguments)
    {
        _channels.EnsureSubscribed(database.Multiplexer);
        return database.ScriptEvaluate(LuaScripts.Acquire, keys, arguments);
    }

    private async Task<RedisResult> AcquireOnAsync(IDatabase database, RedisKey[] keys, RedisValue[] arguments)
    {
        await _channels.EnsureSubscribedAsync(database.Multiplexer).ConfigureAwait(false);
        return await database.ScriptEvaluateAsync(LuaScripts.Acquire, keys, arguments).ConfigureAwait(false);
    }

    /// <summary>
    /// The acquire script's task for a caller that may give it up (RedisAccessor.Late.cs): once subscribed, StackExchange.Redis's
    /// own, so that a synchronous caller blocking on it is released by the reply itself, not by a continuation that needs the
    /// thread pool; before, after subscribing.
    /// </summary>
    private Task<RedisResult> StartAcquire(IDatabase database, RedisKey[] keys, RedisValue[] arguments) =>
        _channels.IsSubscribed ? database.ScriptEvaluateAsync(LuaScripts.Acquire, keys, arguments) : AcquireOnAsync(database, keys, arguments);

    /// <summary>The store-and-release script's keys and arguments: <paramref name="envelope"/> stored (when not null) and the lock released.</summary>
    private (RedisKey[] Keys, RedisValue[] Arguments) StoreAndReleaseState(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive) =>
        (owned.Keys, owned.StoreArguments(_channels.StoredChannelName, envelope, timeToLive));

    /// <summary>
    /// Stores <paramref name="envelope"/> (when not null) with its time to live, deletes the lock if
    /// this token still owns it, and wakes the waiters of the value, in one round trip. With a null
    /// envelope (the owner threw, or its result cannot be cached) it only releases and announces.
    /// </summary>
    public bool StoreAndRelease(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive)
    {
        if (IsLarge(envelope))
        {
            // Held while its chunks are written, so that a graceful exit meanwhile releases it (the
            // store's script then finds the lock gone, and drops the staged bytes).
            try
            {
                return StoreLargeAndRelease(owned, envelope!, timeToLive);
            }
            finally
            {
                _held.TryRemove(owned, out _);
            }
        }

        _held.TryRemove(owned, out _);

        Forget(owned.ValueKey);

        var database = _connection.Database;
        return database is not null
            && TryRun(database, StoreAndReleaseState(owned, envelope, timeToLive), static (db, s) => db.ScriptEvaluate(LuaScripts.StoreAndRelease, s.Keys, s.Arguments), out _, out _, writes: true, owned.ValueKey);
    }

    /// <inheritdoc cref="StoreAndRelease"/>
    public async ValueTask<bool> StoreAndReleaseAsync(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive)
    {
        if (IsLarge(envelope))
        {
            try
            {
                return await StoreLargeAndReleaseAsync(owned, envelope!, timeToLive).ConfigureAwait(false);
            }
            finally
            {
                _held.TryRemove(owned, out _);
            }
        }

        _held.TryRemove(owned, out _);

        Forget(owned.ValueKey);

        var database = _connection.Database;
        return database is not null
            && (await TryRunAsync(database, StoreAndReleaseState(owned, envelope, timeToLive), static (db, s) => db.ScriptEvaluateAsync(LuaScripts.StoreAndRelease, s.Keys, s.Arguments), default, writes: true, key: owned.ValueKey).ConfigureAwait(false)).Ran;
    }

    /// <summary>
    /// <see cref="StoreAndRelease"/> or <see cref="StoreAndReleaseAsync(OwnedLock, byte[], TimeSpan)"/>: the engine's one call for both forms;
    /// a small value's store (or a release) is given up on after <paramref name="slowAfterMs"/> milliseconds when it is not 0
    /// (<see cref="SlowReadWaitMs"/>), and goes on; a large value's is never cut short.
    /// </summary>
    public ValueTask<bool> StoreAndReleaseAsync(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive, bool synchronous, int slowAfterMs) =>
        slowAfterMs > 0 && !IsLarge(envelope) ? StoreAndReleaseWithinAsync(owned, envelope, timeToLive, slowAfterMs, synchronous)
        : synchronous ? new ValueTask<bool>(StoreAndRelease(owned, envelope, timeToLive)) : StoreAndReleaseAsync(owned, envelope, timeToLive);

    /// <summary>
    /// Renews the lock while its owner computes. A renewal's failure is reported like any other
    /// command's, but its success does not close the breaker: the watchdog runs on a timer, outside
    /// the rule that one caller probes Redis once a break is over.
    /// </summary>
    public async Task<LockRenewal> ExtendLockAsync(OwnedLock owned, TimeSpan timeToLive)
    {
        var database = _connection.Database;
        if (database is null)
        {
            return LockRenewal.NoAnswer;
        }

        var (ran, renewed, _) = await TryRunAsync(database, (owned, timeToLive), static (db, s) => db.ScriptEvaluateAsync(LuaScripts.Extend, new RedisKey[] { s.owned.Keys[1] }, new RedisValue[] { s.owned.Token, (long)s.timeToLive.TotalMilliseconds }), default, successClosesTheBreaker: false, writes: true, key: owned.ValueKey).ConfigureAwait(false);
        return !ran ? LockRenewal.NoAnswer : (long)renewed == 1 ? LockRenewal.Renewed : LockRenewal.Lost;
    }

    /// <summary>Registers interest in <paramref name="valueKey"/> being stored; dispose the result to stop listening.</summary>
    public StoredAnnouncements.StoredSignal Listen(string valueKey) => _channels.Announcements.Listen(valueKey);

    /// <inheritdoc cref="StoredAnnouncements.AnnouncedKey"/>
    internal static string AnnouncedKey(ReadOnlyMemory<byte> message, out int valueStart) => StoredAnnouncements.AnnouncedKey(message, out valueStart);

    /// <inheritdoc cref="StoredAnnouncements.AnnouncedValue"/>
    internal static byte[]? AnnouncedValue(ReadOnlyMemory<byte> message, int valueStart) => StoredAnnouncements.AnnouncedValue(message, valueStart);
}

/// <summary>What one attempt at a lock found: the stored value, the lock taken, the lock held by another, or no answer.</summary>
internal readonly struct LockAttempt
{
    public static readonly LockAttempt Unavailable = new(LockStatus.Unavailable, RedisValue.Null, null);

    public static readonly LockAttempt Late = new(LockStatus.Late, RedisValue.Null, null);

    /// <summary>A stored value read otherwise than by the acquire script (a large one, on the bulk connection).</summary>
    public static LockAttempt StoredValue(RedisValue stored) => new(LockStatus.Stored, stored, null);

    private LockAttempt(LockStatus status, RedisValue stored, OwnedLock? owned, string? holder = null)
    {
        Status = status;
        Stored = stored;
        Owned = owned;
        Holder = holder;
    }

    /// <summary>The lock's value, when <see cref="Status"/> is <see cref="LockStatus.Held"/>: its owner's token, and its trace context if it has one.</summary>
    public string? Holder { get; }

    public LockStatus Status { get; }

    /// <summary>The value, when <see cref="Status"/> is <see cref="LockStatus.Stored"/>.</summary>
    public RedisValue Stored { get; }

    /// <summary>The lock, when <see cref="Status"/> is <see cref="LockStatus.Acquired"/>.</summary>
    public OwnedLock? Owned { get; }

    public void Deconstruct(out LockStatus status, out RedisValue stored, out OwnedLock? owned)
    {
        status = Status;
        stored = Stored;
        owned = Owned;
    }

    /// <summary>Reads the acquire script's reply: the value, 1 (taken) or { 0, the lock's value } (held by another token).</summary>
    public static LockAttempt From(RedisResult result, OwnedLock attempt)
    {
        if (result.Resp2Type == ResultType.Array)
        {
            return new LockAttempt(LockStatus.Held, RedisValue.Null, null, (string?)result[1]);
        }

        if (result.Resp2Type != ResultType.Integer)
        {
            return new LockAttempt(LockStatus.Stored, (RedisValue)result, null);
        }

        return (long)result == 1
            ? new LockAttempt(LockStatus.Acquired, RedisValue.Null, attempt)
            : new LockAttempt(LockStatus.Held, RedisValue.Null, null);
    }
}

/// <summary>
/// One attempt at the lock of one value: its keys (the value and its lock, in one cluster slot) and
/// a random token; kept by the caller when the attempt took the lock.
/// </summary>
internal sealed class OwnedLock
{
    private static readonly RedisValue ReadFlag = "1";
    private static readonly RedisValue SkipFlag = "0";

    public OwnedLock(RedisAccessor accessor, string valueKey, string? traceParent = null)
    {
        Accessor = accessor;
        ValueKey = valueKey;
        Keys = new RedisKey[] { valueKey, LockKeyOf(valueKey), valueKey + ":awaited" };
        Id = Guid.NewGuid().ToString("N");

        // The lock's value: the token, and the trace context of the miss span taking it, if one is
        // recorded, so that the spans of other processes' waits link to this computation.
        Token = traceParent is null ? Id : Id + AkCacheTracing.ContextSeparator + traceParent;
    }

    /// <summary>The random part of the token, unique to this attempt.</summary>
    public string Id { get; }

    public RedisAccessor Accessor { get; }

    public string ValueKey { get; }

    /// <summary>The lock's key for a value's key: the same hash tag, so the same cluster slot.</summary>
    public static string LockKeyOf(string valueKey) => valueKey + ":lock";

    /// <summary>The value's key, the lock's, and the marker that someone awaits the value (all in one cluster slot).</summary>
    public RedisKey[] Keys { get; }

    public RedisValue Token { get; }

    /// <summary>
    /// The key a large value is written to before the lock's script moves it into place (a value
    /// passed to a script is copied into Lua and out: 60 MiB held the server for over 100 ms); it
    /// carries the value's hash tag, so it lives in the same cluster slot, and the token, so that two
    /// owners of a lock, one after the other, never share it.
    /// </summary>
    public string StagingKey => ValueKey + ":staged:" + Id;

    /// <summary><see cref="Keys"/> and the <see cref="StagingKey"/>, for the staged store's script.</summary>
    public RedisKey[] StagedKeys => new RedisKey[] { Keys[0], Keys[1], Keys[2], StagingKey };

    public RedisValue[] AcquireArguments(TimeSpan timeToLive, bool readValue) =>
        new RedisValue[] { Token, (long)timeToLive.TotalMilliseconds, readValue ? ReadFlag : SkipFlag, RedisAccessor.LargeValueBytes };

    /// <summary>The staged store's arguments: the token, the channel, and the length the staged bytes must have to be moved into place.</summary>
    public RedisValue[] StagedArguments(RedisValue channel, long length) => new RedisValue[] { Token, channel, length };

    public RedisValue[] StoreArguments(RedisValue channel, byte[]? envelope, TimeSpan timeToLive) =>
        envelope is null
            ? new RedisValue[] { Token, channel }
            : new RedisValue[] { Token, channel, envelope, (long)timeToLive.TotalMilliseconds, RedisAccessor.MaxAnnouncedValueBytes };
}

/// <summary>What one renewal of a lock found.</summary>
internal enum LockRenewal
{
    Renewed,

    /// <summary>The lock is no longer this token's: it expired, was taken over, or was deleted by an invalidation.</summary>
    Lost,

    /// <summary>Redis did not answer (reported as a failure); the next renewal tries again.</summary>
    NoAnswer,
}

/// <summary>
/// Keeps an owned lock alive while its owner computes, however long that takes; stops renewing
/// once the lock is lost (another process may hold it by then, and renewing would do nothing).
/// </summary>
internal sealed class LockWatchdog : IDisposable
{
    private readonly Timer _timer;
    private readonly OwnedLock _owned;
    private readonly TimeSpan _timeToLive;
    private int _stopped;
    private int _lost;

    public LockWatchdog(OwnedLock owned, TimeSpan timeToLive)
    {
        _owned = owned;
        _timeToLive = timeToLive;
        var period = TimeSpan.FromTicks(Math.Max(timeToLive.Ticks / 3, TimeSpan.FromMilliseconds(50).Ticks));
        _timer = new Timer(static state => _ = ((LockWatchdog)state!).RenewAsync(), this, period, period);
    }

    /// <summary>True once a renewal found the lock no longer this token's.</summary>
    public bool LockLost => Volatile.Read(ref _lost) == 1;

    public void Dispose()
    {
        Volatile.Write(ref _stopped, 1);
        _timer.Dispose();
    }

    private async Task RenewAsync()
    {
        if (Volatile.Read(ref _stopped) == 1)
        {
            return;
        }

        if (await _owned.Accessor.ExtendLockAsync(_owned, _timeToLive).ConfigureAwait(false) == LockRenewal.Lost)
        {
            Volatile.Write(ref _lost, 1);
            Dispose();
        }
    }
}
