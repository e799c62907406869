using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals;
using AkCache.Internals.Distributed;
using AkCache.Internals.Locking;
using AkCache.Internals.Memory;

namespace AkCache.CompilerServices;

public sealed partial class MemoizedMethod
{
    /// <remarks>
    /// The usual call, a read on a connected Redis with the breaker closed, is awaited in this one
    /// frame (<see cref="RedisAccessor.TryBeginGet"/>): a Redis hit then costs one state machine, not
    /// three. Everything else (the first call, which connects; an open breaker) takes
    /// <see cref="TryGetAsync{T}"/>.
    /// </remarks>
    private async Task<TResult> InvokeCoreAsync<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, CancellationToken cancellationToken)
    {
        if (state.Redis is RedisAccessor { CanBeginGet: true } redis && redis.TryBeginGet(CachedRedisKey(state, key), out var read))
        {
            try
            {
                _ = cancellationToken.CanBeCanceled
                    ? await read.WithCancellation(cancellationToken).ConfigureAwait(false)
                    : await read.ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && read.IsCompleted)
            {
                // A failed read: EndGet reports it, and the memory layer answers below.
            }

            switch (redis.EndGet(read, out var stored))
            {
                case RedisReadStatus.Hit:
                    if (TryReadFromRedis(state, key, stored, out TResult value))
                    {
                        return value;
                    }

                    break;
                case RedisReadStatus.Unavailable:
                    if (TryGetFromMemory(state, key, state.Clock.Milliseconds(), out TResult fromMemory))
                    {
                        return fromMemory;
                    }

                    break;
            }
        }
        else
        {
            var (hit, cached) = await TryGetAsync<TResult>(state, key, cancellationToken).ConfigureAwait(false);
            if (hit)
            {
                return cached;
            }
        }

        return await ComputeOnceAsync(state, key, arguments, body, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TResult> ComputeOnceAsync<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, CancellationToken cancellationToken)
    {
        if (FlightScope.IsInside(this, key))
        {
            return (await ComputeAndStoreAsync(state, key, arguments, body).ConfigureAwait(false)).Value;
        }

        var flight = state.Flights.Join(this, key, out var owner);
        if (!owner)
        {
            FlightOutcome outcome;
            try
            {
                outcome = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The owner's own token cancelled its computation; this caller did not ask to stop.
                return await InvokeCoreAsync(state, key, arguments, body, cancellationToken).ConfigureAwait(false);
            }

            return outcome.Envelope is null
                ? await FromFlightWithoutBytesAsync<TResult>(state, key, outcome, cancellationToken).ConfigureAwait(false)
                : FromFlight<TResult>(state, key, outcome);
        }

        try
        {
            using (FlightScope.Enter(this, key))
            {
                var (value, envelope) = await ComputeAcrossProcessesAsync(state, key, arguments, body, cancellationToken).ConfigureAwait(false);
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

    private async Task<(TResult Value, byte[]? Envelope)> ComputeAcrossProcessesAsync<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, CancellationToken cancellationToken)
    {
        if (state.Redis is not RedisAccessor { IsSkipping: false } redis)
        {
            return await ComputeAndStoreAsync(state, key, arguments, body).ConfigureAwait(false);
        }

        // Built once per miss: the lock, the waits and the store all use it.
        var valueKey = RedisKey(state, key);
        var options = state.Options;
        var deadline = state.Time.GetUtcNow() + options.LockWaitTimeout;
        var (status, stored, owned) = await redis.TryAcquireLockAsync(valueKey, options.LockTimeToLive, readValue: true).ConfigureAwait(false);
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
                    (status, stored, owned) = await redis.TryAcquireLockAsync(valueKey, options.LockTimeToLive, readValue: false).ConfigureAwait(false);
                    continue;

                case LockStatus.Acquired:
                    return await ComputeStoreAndReleaseAsync(state, key, owned!, arguments, body).ConfigureAwait(false);

                case LockStatus.Unavailable:
                    return await ComputeAndStoreAsync(state, key, arguments, body, valueKey).ConfigureAwait(false);
            }

            using (var signal = redis.Listen(valueKey))
            {
                // Listening from here on, look again: the value may have been announced before.
                (status, stored, owned) = await redis.TryAcquireLockAsync(valueKey, options.LockTimeToLive, readValue: true).ConfigureAwait(false);
                if (status != LockStatus.Held)
                {
                    continue;
                }

                var remaining = deadline - state.Time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    WarnWaitedTooLong(state);
                    return await ComputeAndStoreAsync(state, key, arguments, body, valueKey).ConfigureAwait(false);
                }

                // An announcement that carries the value spares this process a round trip.
                if (await signal.WaitAsync(PollInterval(options, remaining), cancellationToken).ConfigureAwait(false) is byte[] announced
                    && TryReadFromRedis(state, key, announced, out TResult value))
                {
                    return (value, null);
                }
            }
        }
    }

    private async Task<(TResult Value, byte[]? Envelope)> ComputeAndStoreAsync<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, string? valueKey = null)
    {
        var value = await body(arguments).ConfigureAwait(false);
        return (value, await StoreAsync(state, key, value, valueKey).ConfigureAwait(false));
    }

    /// <summary>The lock's owner computes and stores; its lock is released, and the other processes woken, whatever happens.</summary>
    private async Task<(TResult Value, byte[]? Envelope)> ComputeStoreAndReleaseAsync<TArgs, TResult>(RuntimeState state, MemoKey key, OwnedLock owned, TArgs arguments, Func<TArgs, Task<TResult>> body)
    {
        var released = false;
        using (new LockWatchdog(owned, state.Options.LockTimeToLive))
        {
            try
            {
                var value = await body(arguments).ConfigureAwait(false);
                var envelope = await StoreAsync(state, key, value, owned.ValueKey, owned).ConfigureAwait(false);
                released = true;
                return (value, envelope);
            }
            finally
            {
                if (!released)
                {
                    await owned.Accessor.StoreAndReleaseAsync(owned, null, default).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<TResult> FromFlightWithoutBytesAsync<TResult>(RuntimeState state, MemoKey key, FlightOutcome outcome, CancellationToken cancellationToken)
    {
        var (hit, stored) = await TryGetAsync<TResult>(state, key, cancellationToken).ConfigureAwait(false);
        return hit ? stored : (TResult)outcome.Value!;
    }

    private async ValueTask<(bool Hit, T Value)> TryGetAsync<T>(RuntimeState state, MemoKey key, CancellationToken cancellationToken)
    {
        var now = state.Clock.Milliseconds();
        if (state.Redis is RedisAccessor redis && !redis.IsSkippingAt(now))
        {
            var (status, stored) = await redis.TryGetAsync(CachedRedisKey(state, key), cancellationToken).ConfigureAwait(false);
            switch (status)
            {
                case RedisReadStatus.Hit:
                    return TryReadFromRedis(state, key, stored, out T value) ? (true, value) : (false, default!);
                case RedisReadStatus.Miss:
                    return (false, default!);
            }

            // The failed attempt may have waited for the operation timeout: read the clock again.
            now = state.Clock.Milliseconds();
        }

        return TryGetFromMemory(state, key, now, out T fromMemory) ? (true, fromMemory) : (false, default!);
    }

    /// <summary>The asynchronous form of <see cref="Store{T}"/>.</summary>
    private async ValueTask<byte[]?> StoreAsync<T>(RuntimeState state, MemoKey key, T value, string? valueKey = null, OwnedLock? owned = null)
    {
        var envelope = Serialize(state, key, value, out var expiresAt);
        if (envelope is null)
        {
            if (owned is not null)
            {
                await owned.Accessor.StoreAndReleaseAsync(owned, null, default).ConfigureAwait(false);
            }

            return null;
        }

        state.Memory.Set(this, key, new MemoryLayer.Entry(envelope, expiresAt));
        if (owned is not null)
        {
            await owned.Accessor.StoreAndReleaseAsync(owned, envelope, MaxAge(state)).ConfigureAwait(false);
        }
        else if (state.Redis is RedisAccessor redis)
        {
            await redis.TrySetAsync(valueKey ?? RedisKey(state, key), envelope, MaxAge(state)).ConfigureAwait(false);
        }

        return envelope;
    }
}
