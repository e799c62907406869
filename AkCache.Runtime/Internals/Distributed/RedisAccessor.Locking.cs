using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

internal enum LockStatus
{
    /// <summary>The value was already stored: no lock was taken.</summary>
    Stored,
    Acquired,
    Held,
    Unavailable,
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
    internal const int MaxAnnouncedValueBytes = 64 * 1024;

    private readonly ConcurrentDictionary<string, List<TaskCompletionSource<byte[]?>>> _signals = new(StringComparer.Ordinal);
    private int _subscribed;

    /// <summary>
    /// Returns the value of <paramref name="valueKey"/> if it is stored (<see cref="LockStatus.Stored"/>,
    /// when <paramref name="readValue"/>), else tries to take its lock. The token is made only once
    /// Redis is known to be usable.
    /// </summary>
    public LockAttempt TryAcquireLock(string valueKey, TimeSpan timeToLive, bool readValue)
    {
        var database = Open();
        if (database is null)
        {
            return LockAttempt.Unavailable;
        }

        var attempt = new OwnedLock(this, valueKey);
        var state = (Accessor: this, Keys: attempt.Keys, Arguments: attempt.AcquireArguments(timeToLive, readValue));
        return TryRun(database, state, static (db, s) => s.Accessor.AcquireOn(db, s.Keys, s.Arguments), out var result)
            ? LockAttempt.From(result, attempt)
            : LockAttempt.Unavailable;
    }

    /// <inheritdoc cref="TryAcquireLock"/>
    public async ValueTask<LockAttempt> TryAcquireLockAsync(string valueKey, TimeSpan timeToLive, bool readValue)
    {
        var database = await OpenAsync().ConfigureAwait(false);
        if (database is null)
        {
            return LockAttempt.Unavailable;
        }

        var attempt = new OwnedLock(this, valueKey);
        var state = (Accessor: this, Keys: attempt.Keys, Arguments: attempt.AcquireArguments(timeToLive, readValue));
        var (ran, result) = await TryRunAsync(database, state, static (db, s) => s.Accessor.AcquireOnAsync(db, s.Keys, s.Arguments), default).ConfigureAwait(false);
        return ran ? LockAttempt.From(result, attempt) : LockAttempt.Unavailable;
    }

    /// <summary><see cref="TryAcquireLock"/> or <see cref="TryAcquireLockAsync(string, TimeSpan, bool)"/>: the engine's one call for both forms.</summary>
    public ValueTask<LockAttempt> TryAcquireLockAsync(string valueKey, TimeSpan timeToLive, bool readValue, bool synchronous) =>
        synchronous ? new ValueTask<LockAttempt>(TryAcquireLock(valueKey, timeToLive, readValue)) : TryAcquireLockAsync(valueKey, timeToLive, readValue);

    private RedisResult AcquireOn(IDatabase database, RedisKey[] keys, RedisValue[] arguments)
    {
        EnsureSubscribed(database.Multiplexer);
        return database.ScriptEvaluate(LuaScripts.Acquire, keys, arguments);
    }

    private async Task<RedisResult> AcquireOnAsync(IDatabase database, RedisKey[] keys, RedisValue[] arguments)
    {
        await EnsureSubscribedAsync(database.Multiplexer).ConfigureAwait(false);
        return await database.ScriptEvaluateAsync(LuaScripts.Acquire, keys, arguments).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores <paramref name="envelope"/> (when not null) with its time to live, deletes the lock if
    /// this token still owns it, and wakes the waiters of the value, in one round trip. With a null
    /// envelope (the owner threw, or its result cannot be cached) it only releases and announces.
    /// </summary>
    public bool StoreAndRelease(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive)
    {
        var database = _connection.Database;
        return database is not null
            && TryRun(database, (owned.Keys, Arguments: owned.StoreArguments(_channelName, envelope, timeToLive)), static (db, s) => db.ScriptEvaluate(LuaScripts.StoreAndRelease, s.Keys, s.Arguments), out _);
    }

    /// <inheritdoc cref="StoreAndRelease"/>
    public async ValueTask<bool> StoreAndReleaseAsync(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive)
    {
        var database = _connection.Database;
        return database is not null
            && (await TryRunAsync(database, (owned.Keys, Arguments: owned.StoreArguments(_channelName, envelope, timeToLive)), static (db, s) => db.ScriptEvaluateAsync(LuaScripts.StoreAndRelease, s.Keys, s.Arguments), default).ConfigureAwait(false)).Ran;
    }

    /// <summary><see cref="StoreAndRelease"/> or <see cref="StoreAndReleaseAsync(OwnedLock, byte[], TimeSpan)"/>: the engine's one call for both forms.</summary>
    public ValueTask<bool> StoreAndReleaseAsync(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive, bool synchronous) =>
        synchronous ? new ValueTask<bool>(StoreAndRelease(owned, envelope, timeToLive)) : StoreAndReleaseAsync(owned, envelope, timeToLive);

    /// <summary>Renews the lock while its owner computes; false once the lock is no longer this token's, or Redis did not answer.</summary>
    public async Task<bool> ExtendLockAsync(OwnedLock owned, TimeSpan timeToLive)
    {
        var database = _connection.Database;
        if (database is null)
        {
            return false;
        }

        var (ran, renewed) = await TryRunAsync(database, (owned, timeToLive), static (db, s) => db.ScriptEvaluateAsync(LuaScripts.Extend, new RedisKey[] { s.owned.Keys[1] }, new RedisValue[] { s.owned.Token, (long)s.timeToLive.TotalMilliseconds }), default).ConfigureAwait(false);
        return ran && (long)renewed == 1;
    }

    /// <summary>Registers interest in <paramref name="valueKey"/> being stored; dispose the result to stop listening.</summary>
    public StoredSignal Listen(string valueKey)
    {
        var signal = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _signals.AddOrUpdate(
            valueKey,
            _ => new List<TaskCompletionSource<byte[]?>> { signal },
            (_, list) =>
            {
                lock (list)
                {
                    list.Add(signal);
                }

                return list;
            });
        return new StoredSignal(this, valueKey, signal);
    }

    private void Forget(string valueKey, TaskCompletionSource<byte[]?> signal)
    {
        if (_signals.TryGetValue(valueKey, out var list))
        {
            lock (list)
            {
                list.Remove(signal);
                if (list.Count == 0)
                {
                    ((ICollection<KeyValuePair<string, List<TaskCompletionSource<byte[]?>>>>)_signals).Remove(new KeyValuePair<string, List<TaskCompletionSource<byte[]?>>>(valueKey, list));
                }
            }
        }
    }

    private void OnStored(RedisChannel channel, RedisValue message)
    {
        // Every announcement reaches every process, this one's own included: most find nobody waiting.
        if (_signals.IsEmpty)
        {
            return;
        }

        // The value (up to 64 KB) is copied only for a key this process waits for.
        var bytes = (ReadOnlyMemory<byte>)message;
        if (_signals.TryGetValue(AnnouncedKey(bytes, out var valueStart), out var list))
        {
            var value = AnnouncedValue(bytes, valueStart);
            lock (list)
            {
                foreach (var signal in list)
                {
                    signal.TrySetResult(value);
                }
            }
        }
    }



    /// <summary>
    /// The key of an announcement: a value's key, optionally followed by a newline and the stored
    /// value (keys hold no newline). <paramref name="valueStart"/> is where the value begins, or -1.
    /// </summary>
    internal static string AnnouncedKey(ReadOnlyMemory<byte> message, out int valueStart)
    {
        var newline = message.Span.IndexOf((byte)'\n');
        valueStart = newline < 0 ? -1 : newline + 1;
        return Encoding.UTF8.GetString(message.Span.Slice(0, newline < 0 ? message.Length : newline).ToArray());
    }

    /// <summary>The value an announcement carries, copied; null when it carries none.</summary>
    internal static byte[]? AnnouncedValue(ReadOnlyMemory<byte> message, int valueStart) =>
        valueStart < 0 ? null : message.Span.Slice(valueStart).ToArray();

    /// <summary>
    /// Subscribes this process, once, to the channel on which owners announce stored values. If
    /// subscribing fails, waiters still find the value by polling.
    /// </summary>
    private void EnsureSubscribed(IConnectionMultiplexer connection)
    {
        if (Volatile.Read(ref _subscribed) == 0 && Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            try
            {
                connection.GetSubscriber().Subscribe(_channel, OnStored);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                Volatile.Write(ref _subscribed, 0);
            }
        }
    }

    private async ValueTask EnsureSubscribedAsync(IConnectionMultiplexer connection)
    {
        if (Volatile.Read(ref _subscribed) == 0 && Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            try
            {
                await connection.GetSubscriber().SubscribeAsync(_channel, OnStored).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                Volatile.Write(ref _subscribed, 0);
            }
        }
    }

    /// <summary>A registration for one stored value; waits return early when the value's owner announces it.</summary>
    internal readonly struct StoredSignal : IDisposable
    {
        private readonly RedisAccessor _accessor;
        private readonly string _valueKey;
        private readonly TaskCompletionSource<byte[]?> _signal;

        public StoredSignal(RedisAccessor accessor, string valueKey, TaskCompletionSource<byte[]?> signal)
        {
            _accessor = accessor;
            _valueKey = valueKey;
            _signal = signal;
        }

        /// <summary>
        /// Waits for the announcement, at most <paramref name="timeout"/>; cancelling stops the wait.
        /// Returns the announced value when the announcement carried it, else null (announced by key
        /// only, or not announced within the timeout): the caller then looks in Redis.
        /// </summary>
        public byte[]? Wait(TimeSpan timeout, CancellationToken cancellationToken) =>
            _signal.Task.Wait((int)Math.Ceiling(timeout.TotalMilliseconds), cancellationToken) ? _signal.Task.Result : null;

        /// <summary>The asynchronous form of <see cref="Wait"/>.</summary>
        public async Task<byte[]?> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var delay = Task.Delay(timeout, cancellationToken);
            await Task.WhenAny(_signal.Task, delay).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return _signal.Task.IsCompleted ? _signal.Task.Result : null;
        }

        /// <summary><see cref="Wait"/> or <see cref="WaitAsync(TimeSpan, CancellationToken)"/>: the engine's one call for both forms.</summary>
        public ValueTask<byte[]?> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken, bool synchronous) =>
            synchronous ? new ValueTask<byte[]?>(Wait(timeout, cancellationToken)) : new ValueTask<byte[]?>(WaitAsync(timeout, cancellationToken));

        public void Dispose() => _accessor.Forget(_valueKey, _signal);
    }
}

/// <summary>What one attempt at a lock found: the stored value, the lock taken, the lock held by another, or no answer.</summary>
internal readonly struct LockAttempt
{
    public static readonly LockAttempt Unavailable = new(LockStatus.Unavailable, RedisValue.Null, null);

    private LockAttempt(LockStatus status, RedisValue stored, OwnedLock? owned)
    {
        Status = status;
        Stored = stored;
        Owned = owned;
    }

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

    /// <summary>Reads the acquire script's reply: the value, 1 (taken) or 0 (held by another token).</summary>
    public static LockAttempt From(RedisResult result, OwnedLock attempt)
    {
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

    public OwnedLock(RedisAccessor accessor, string valueKey)
    {
        Accessor = accessor;
        ValueKey = valueKey;
        Keys = new RedisKey[] { valueKey, valueKey + ":lock", valueKey + ":awaited" };
        Token = Guid.NewGuid().ToString("N");
    }

    public RedisAccessor Accessor { get; }

    public string ValueKey { get; }

    /// <summary>The value's key, the lock's, and the marker that someone awaits the value (all in one cluster slot).</summary>
    public RedisKey[] Keys { get; }

    public RedisValue Token { get; }

    public RedisValue[] AcquireArguments(TimeSpan timeToLive, bool readValue) =>
        new RedisValue[] { Token, (long)timeToLive.TotalMilliseconds, readValue ? ReadFlag : SkipFlag };

    public RedisValue[] StoreArguments(RedisValue channel, byte[]? envelope, TimeSpan timeToLive) =>
        envelope is null
            ? new RedisValue[] { Token, channel }
            : new RedisValue[] { Token, channel, envelope, (long)timeToLive.TotalMilliseconds, RedisAccessor.MaxAnnouncedValueBytes };
}

/// <summary>Keeps an owned lock alive while its owner computes, however long that takes.</summary>
internal sealed class LockWatchdog : IDisposable
{
    private readonly Timer _timer;

    public LockWatchdog(OwnedLock owned, TimeSpan timeToLive)
    {
        var period = TimeSpan.FromTicks(Math.Max(timeToLive.Ticks / 3, TimeSpan.FromMilliseconds(50).Ticks));
        _timer = new Timer(_ => _ = owned.Accessor.ExtendLockAsync(owned, timeToLive), null, period, period);
    }

    public void Dispose() => _timer.Dispose();
}
