using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

internal enum LockStatus
{
    Acquired,
    Held,
    Unavailable,
}

/// <summary>
/// The cross-process lock of one missing result, and the signal that wakes the processes waiting
/// for it. The lock is SET NX PX with a random token; only its owner can extend or release it
/// (compare-and-delete in one script). Releasing publishes the value's key, so waiters read the
/// value the moment it is stored instead of after a fixed sleep.
/// </summary>
internal sealed partial class RedisAccessor
{
    private const string ReleaseScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end redis.call('publish', ARGV[2], ARGV[3]) return 1";

    private const string ExtendScript =
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

    private readonly ConcurrentDictionary<string, List<TaskCompletionSource<bool>>> _signals = new(StringComparer.Ordinal);
    private int _subscribed;

    public LockStatus TryAcquireLock(string lockKey, string token, TimeSpan timeToLive)
    {
        var database = Enter();
        if (database is null)
        {
            return LockStatus.Unavailable;
        }

        try
        {
            EnsureSubscribed(database.Multiplexer);
            var acquired = database.StringSet(lockKey, token, timeToLive, When.NotExists);
            RecordSuccess();
            return acquired ? LockStatus.Acquired : LockStatus.Held;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
            return LockStatus.Unavailable;
        }
    }

    public async ValueTask<LockStatus> TryAcquireLockAsync(string lockKey, string token, TimeSpan timeToLive)
    {
        var database = await EnterAsync().ConfigureAwait(false);
        if (database is null)
        {
            return LockStatus.Unavailable;
        }

        try
        {
            await EnsureSubscribedAsync(database.Multiplexer).ConfigureAwait(false);
            var acquired = await database.StringSetAsync(lockKey, token, timeToLive, When.NotExists).ConfigureAwait(false);
            RecordSuccess();
            return acquired ? LockStatus.Acquired : LockStatus.Held;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
            return LockStatus.Unavailable;
        }
    }

    /// <summary>Deletes the lock if this token still owns it, and wakes the waiters of <paramref name="valueKey"/>.</summary>
    public void ReleaseLock(string lockKey, string token, string valueKey)
    {
        var database = Volatile.Read(ref _database);
        if (database is null)
        {
            return;
        }

        try
        {
            database.ScriptEvaluate(ReleaseScript, new RedisKey[] { lockKey }, new RedisValue[] { token, (RedisValue)_channel.ToString(), valueKey });
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
        }
    }

    public async ValueTask ReleaseLockAsync(string lockKey, string token, string valueKey)
    {
        var database = Volatile.Read(ref _database);
        if (database is null)
        {
            return;
        }

        try
        {
            await database.ScriptEvaluateAsync(ReleaseScript, new RedisKey[] { lockKey }, new RedisValue[] { token, (RedisValue)_channel.ToString(), valueKey }).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
        }
    }

    /// <summary>Renews the lock while its owner computes; false once the lock is no longer this token's.</summary>
    public async Task<bool> ExtendLockAsync(string lockKey, string token, TimeSpan timeToLive)
    {
        var database = Volatile.Read(ref _database);
        if (database is null)
        {
            return false;
        }

        try
        {
            var renewed = await database.ScriptEvaluateAsync(ExtendScript, new RedisKey[] { lockKey }, new RedisValue[] { token, (long)timeToLive.TotalMilliseconds }).ConfigureAwait(false);
            return (long)renewed == 1;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return false;
        }
    }

    /// <summary>Registers interest in <paramref name="valueKey"/> being stored; dispose the result to stop listening.</summary>
    public StoredSignal Listen(string valueKey)
    {
        var signal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _signals.AddOrUpdate(
            valueKey,
            _ => new List<TaskCompletionSource<bool>> { signal },
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

    private void Forget(string valueKey, TaskCompletionSource<bool> signal)
    {
        if (_signals.TryGetValue(valueKey, out var list))
        {
            lock (list)
            {
                list.Remove(signal);
                if (list.Count == 0)
                {
                    ((ICollection<KeyValuePair<string, List<TaskCompletionSource<bool>>>>)_signals).Remove(new KeyValuePair<string, List<TaskCompletionSource<bool>>>(valueKey, list));
                }
            }
        }
    }

    private void OnStored(RedisChannel channel, RedisValue message)
    {
        if (_signals.TryGetValue(message.ToString(), out var list))
        {
            lock (list)
            {
                foreach (var signal in list)
                {
                    signal.TrySetResult(true);
                }
            }
        }
    }

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
        private readonly TaskCompletionSource<bool> _signal;

        public StoredSignal(RedisAccessor accessor, string valueKey, TaskCompletionSource<bool> signal)
        {
            _accessor = accessor;
            _valueKey = valueKey;
            _signal = signal;
        }

        /// <summary>Waits for the announcement, at most <paramref name="timeout"/>; cancelling stops the wait.</summary>
        public void Wait(TimeSpan timeout, CancellationToken cancellationToken) => _signal.Task.Wait((int)Math.Ceiling(timeout.TotalMilliseconds), cancellationToken);

        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var delay = Task.Delay(timeout, cancellationToken);
            await Task.WhenAny(_signal.Task, delay).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        public void Dispose() => _accessor.Forget(_valueKey, _signal);
    }
}

/// <summary>Keeps an owned lock alive while its owner computes, however long that takes.</summary>
internal sealed class LockWatchdog : IDisposable
{
    private readonly Timer _timer;

    public LockWatchdog(RedisAccessor redis, string lockKey, string token, TimeSpan timeToLive)
    {
        var period = TimeSpan.FromTicks(Math.Max(timeToLive.Ticks / 3, TimeSpan.FromMilliseconds(50).Ticks));
        _timer = new Timer(_ => _ = redis.ExtendLockAsync(lockKey, token, timeToLive), null, period, period);
    }

    public void Dispose() => _timer.Dispose();
}
