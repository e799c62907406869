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
    private async Task<TResult> InvokeCoreAsync<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, CancellationToken cancellationToken)
    {
        var (hit, cached) = await TryGetAsync<TResult>(state, key, cancellationToken).ConfigureAwait(false);
        return hit ? cached : await ComputeOnceAsync(state, key, arguments, body, cancellationToken).ConfigureAwait(false);
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
        if (state.Redis is not RedisAccessor redis)
        {
            return await ComputeAndStoreAsync(state, key, arguments, body).ConfigureAwait(false);
        }

        var valueKey = RedisKey(state, key);
        var lockKey = valueKey + ":lock";
        var token = NewLockToken();
        var options = state.Options;
        var deadline = state.Time.GetUtcNow() + options.LockWaitTimeout;
        while (true)
        {
            switch (await redis.TryAcquireLockAsync(lockKey, token, options.LockTimeToLive).ConfigureAwait(false))
            {
                case LockStatus.Acquired:
                    using (new LockWatchdog(redis, lockKey, token, options.LockTimeToLive))
                    {
                        try
                        {
                            // The previous owner may have stored the value and released the lock
                            // between this caller's first read and its lock: read again first.
                            var (hit, stored) = await TryGetAsync<TResult>(state, key, cancellationToken).ConfigureAwait(false);
                            return hit ? (stored, null) : await ComputeAndStoreAsync(state, key, arguments, body).ConfigureAwait(false);
                        }
                        finally
                        {
                            await redis.ReleaseLockAsync(lockKey, token, valueKey).ConfigureAwait(false);
                        }
                    }

                case LockStatus.Unavailable:
                    return await ComputeAndStoreAsync(state, key, arguments, body).ConfigureAwait(false);
            }

            using (var stored = redis.Listen(valueKey))
            {
                var (hit, value) = await TryGetAsync<TResult>(state, key, cancellationToken).ConfigureAwait(false);
                if (hit)
                {
                    return (value, null);
                }

                var remaining = deadline - state.Time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    WarnWaitedTooLong(state);
                    return await ComputeAndStoreAsync(state, key, arguments, body).ConfigureAwait(false);
                }

                await stored.WaitAsync(PollInterval(options, remaining), cancellationToken).ConfigureAwait(false);
            }

            var (found, foundValue) = await TryGetAsync<TResult>(state, key, cancellationToken).ConfigureAwait(false);
            if (found)
            {
                return (foundValue, null);
            }
        }
    }

    private async Task<(TResult Value, byte[]? Envelope)> ComputeAndStoreAsync<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body)
    {
        var value = await body(arguments).ConfigureAwait(false);
        return (value, await StoreAsync(state, key, value).ConfigureAwait(false));
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
            var (status, stored) = await redis.TryGetAsync(RedisKey(state, key), cancellationToken).ConfigureAwait(false);
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

        return state.Memory.TryGet(this, key, now, out var entry) && TryRead(state, entry, out T fromMemory)
            ? (true, fromMemory)
            : (false, default!);
    }

    private async ValueTask<byte[]?> StoreAsync<T>(RuntimeState state, MemoKey key, T value)
    {
        var envelope = Serialize(state, value, out var expiresAt);
        if (envelope is null)
        {
            return null;
        }

        state.Memory.Set(this, key, new MemoryLayer.Entry(envelope, expiresAt));
        if (state.Redis is RedisAccessor redis)
        {
            await redis.TrySetAsync(RedisKey(state, key), envelope, MaxAge(state)).ConfigureAwait(false);
        }

        return envelope;
    }
}
