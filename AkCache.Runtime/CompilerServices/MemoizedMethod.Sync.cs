using System;
using System.Threading;
using AkCache.Internals;
using AkCache.Internals.Distributed;
using AkCache.Internals.Locking;
using AkCache.Internals.Memory;

namespace AkCache.CompilerServices;

public sealed partial class MemoizedMethod
{
    /// <summary>
    /// A miss: one computation for the whole process (concurrent callers wait for it), and, through
    /// the Redis lock, for every process sharing the cache.
    /// </summary>
    private TResult ComputeOnce<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, TResult> body, CancellationToken cancellationToken)
    {
        if (FlightScope.IsInside(this, key))
        {
            return ComputeAndStore(state, key, arguments, body).Value;
        }

        var flight = state.Flights.Join(this, key, out var owner);
        if (!owner)
        {
            try
            {
                return FromFlight<TResult>(state, key, flight.Wait(cancellationToken));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The owner's own token cancelled its computation; this caller did not ask to stop.
                return TryGet(state, key, out TResult stored) ? stored : ComputeOnce(state, key, arguments, body, cancellationToken);
            }
        }

        try
        {
            using (FlightScope.Enter(this, key))
            {
                var (value, envelope) = ComputeAcrossProcesses(state, key, arguments, body, cancellationToken);
                flight.Succeed(envelope, value);
                return value;
            }
        }
        catch (Exception ex)
        {
            flight.Fail(ex);
            throw;
        }
        finally
        {
            state.Flights.Leave(this, key, flight);
        }
    }

    private (TResult Value, byte[]? Envelope) ComputeAcrossProcesses<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, TResult> body, CancellationToken cancellationToken)
    {
        if (state.Redis is not RedisAccessor { IsSkipping: false } redis)
        {
            return ComputeAndStore(state, key, arguments, body);
        }

        // Built once per miss: the lock, the waits and the store all use it.
        var valueKey = RedisKey(state, key);
        var options = state.Options;
        var deadline = state.Time.GetUtcNow() + options.LockWaitTimeout;
        var status = redis.TryAcquireLock(valueKey, options.LockTimeToLive, readValue: true, out var stored, out var owned);
        while (true)
        {
            switch (status)
            {
                case LockStatus.Stored:
                    // A previous owner stored it since this caller's first read (or since the last wait).
                    if (TryReadFromRedis(state, key, stored, out TResult found))
                    {
                        return (found, null);
                    }

                    // Unreadable: take the lock and overwrite the value, as after an unreadable first read.
                    status = redis.TryAcquireLock(valueKey, options.LockTimeToLive, readValue: false, out stored, out owned);
                    continue;

                case LockStatus.Acquired:
                    return ComputeStoreAndRelease(state, key, owned!, arguments, body);

                case LockStatus.Unavailable:
                    return ComputeAndStore(state, key, arguments, body, valueKey);
            }

            using (var signal = redis.Listen(valueKey))
            {
                // Listening from here on, look again: the value may have been announced before.
                status = redis.TryAcquireLock(valueKey, options.LockTimeToLive, readValue: true, out stored, out owned);
                if (status != LockStatus.Held)
                {
                    continue;
                }

                var remaining = deadline - state.Time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    WarnWaitedTooLong(state);
                    return ComputeAndStore(state, key, arguments, body, valueKey);
                }

                // An announcement that carries the value spares this process a round trip.
                if (signal.Wait(PollInterval(options, remaining), cancellationToken) is byte[] announced
                    && TryReadFromRedis(state, key, announced, out TResult value))
                {
                    return (value, null);
                }
            }
        }
    }

    private (TResult Value, byte[]? Envelope) ComputeAndStore<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, TResult> body, string? valueKey = null)
    {
        var value = body(arguments);
        return (value, Store(state, key, value, valueKey));
    }

    /// <summary>The lock's owner computes and stores; its lock is released, and the other processes woken, whatever happens.</summary>
    private (TResult Value, byte[]? Envelope) ComputeStoreAndRelease<TArgs, TResult>(RuntimeState state, MemoKey key, OwnedLock owned, TArgs arguments, Func<TArgs, TResult> body)
    {
        var released = false;
        using (new LockWatchdog(owned, state.Options.LockTimeToLive))
        {
            try
            {
                var value = body(arguments);
                var envelope = Store(state, key, value, owned.ValueKey, owned);
                released = true;
                return (value, envelope);
            }
            finally
            {
                if (!released)
                {
                    owned.Accessor.StoreAndRelease(owned, null, default);
                }
            }
        }
    }

    /// <summary>What a caller that waited on another caller's computation in this process returns: its own copy when there are bytes.</summary>
    private TResult FromFlight<TResult>(RuntimeState state, MemoKey key, FlightOutcome outcome)
    {
        if (outcome.Envelope is byte[] envelope && TryRead(state, key, envelope, out TResult copy, out _))
        {
            return copy;
        }

        return outcome.Envelope is null && TryGet(state, key, out TResult stored) ? stored : (TResult)outcome.Value!;
    }

    /// <summary>Redis first; the memory layer only when Redis is unavailable.</summary>
    private bool TryGet<T>(RuntimeState state, MemoKey key, out T value)
    {
        value = default!;
        var now = state.Clock.Milliseconds();
        if (state.Redis is RedisAccessor redis && !redis.IsSkippingAt(now))
        {
            switch (redis.TryGet(CachedRedisKey(state, key), out var stored))
            {
                case RedisReadStatus.Hit:
                    return TryReadFromRedis(state, key, stored, out value);
                case RedisReadStatus.Miss:
                    return false;
            }

            // The failed attempt may have waited for the operation timeout: read the clock again.
            now = state.Clock.Milliseconds();
        }

        return TryGetFromMemory(state, key, now, out value);
    }

    /// <summary>
    /// Stores a result in the memory layer and in Redis; returns the stored bytes, or null when the
    /// result cannot be cached. The owner of the lock stores, releases and announces in one round
    /// trip, and releases even what it cannot cache. Never throws.
    /// </summary>
    private byte[]? Store<T>(RuntimeState state, MemoKey key, T value, string? valueKey = null, OwnedLock? owned = null)
    {
        var envelope = Serialize(state, key, value, out var expiresAt);
        if (envelope is null)
        {
            owned?.Accessor.StoreAndRelease(owned, null, default);
            return null;
        }

        state.Memory.Set(this, key, new MemoryLayer.Entry(envelope, expiresAt));
        if (owned is not null)
        {
            owned.Accessor.StoreAndRelease(owned, envelope, MaxAge(state));
        }
        else
        {
            state.Redis?.TrySet(valueKey ?? RedisKey(state, key), envelope, MaxAge(state));
        }

        return envelope;
    }

    private bool TryReadFromRedis<T>(RuntimeState state, MemoKey key, StackExchange.Redis.RedisValue stored, out T value)
    {
        var bytes = (ReadOnlyMemory<byte>)stored;
        if (!TryRead(state, key, bytes, out value, out var expiresAt, fromRedis: true))
        {
            return false;
        }

        // Redis may keep a value past its expiry (PERSIST, a TTL changed by hand): the envelope decides.
        if (expiresAt <= state.Time.GetUtcNow().ToUnixTimeMilliseconds())
        {
            WarnOnce(WarningKind.Expired, state, new TimeoutException("it is past the expiry it was stored with, although Redis still holds it (PERSIST or a time to live changed by hand)"), "AkCache: a value stored for {Method} is not used: {Reason}. It is recomputed and overwritten.");
            value = default!;
            return false;
        }

        Remember(state, key, bytes, expiresAt);
        return true;
    }

    /// <summary>
    /// How long one wait lasts before looking again: waiters are woken at once when the value is
    /// announced; looking again regularly also notices a lock that expired because its owner died.
    /// </summary>
    private static TimeSpan PollInterval(AkCacheOptions options, TimeSpan remaining)
    {
        var poll = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMilliseconds(250).Ticks, options.LockTimeToLive.Ticks / 4));
        return poll < remaining ? poll : remaining;
    }
}
