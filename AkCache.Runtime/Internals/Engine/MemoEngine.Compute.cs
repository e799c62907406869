using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using AkCache.CompilerServices;
using AkCache.Internals.Distributed;
using AkCache.Internals.Local;
using AkCache.Internals.Locking;
using AkCache.Internals.Observability;

namespace AkCache.Internals.Engine;

internal sealed partial class MemoEngine
{
    /// <summary>
    /// A miss: one computation for the whole process (concurrent callers wait for it), and, through
    /// the Redis lock, for every process sharing the cache.
    /// </summary>
    private async ValueTask<TResult> ComputeOnceAsync<TArgs, TResult, TBody>(MemoizedMethod method, MemoKey key, TArgs arguments, TBody body, CallContext call, CancellationToken cancellationToken)
        where TBody : struct, IBody<TArgs, TResult>
    {
        if (!call.RedisTooSlow)
        {
            // A call that did not wait for a slow Redis found nothing stored only in the sense that it did not look.
            method.Statistics.CountMiss();
        }

        if (FlightScope.IsInside(method, key))
        {
            // A method that calls itself with the same key must not wait for its own flight.
            return (await ComputeAndStoreAsync<TArgs, TResult, TBody>(method, key, arguments, body, call.RedisKey, trusted: !call.RedisTooSlow).ConfigureAwait(false)).Value;
        }

        var flight = _state.Flights.Join(method, key, out var owner);
        if (!owner)
        {
            FlightOutcome outcome;
            try
            {
                using var wait = AkCacheTracing.StartWait(method, flight.Owner?.Context ?? default, otherProcess: false);
                try
                {
                    outcome = await flight.WaitAsync(cancellationToken, body.Synchronous).ConfigureAwait(false);
                }
                finally
                {
                    // Joined before the owner's span started: linked now.
                    AkCacheTracing.Link(wait, flight.Owner);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The owner's own token cancelled its computation; this caller did not ask to stop.
                if (TryAnswerLocally(method, key, out var entry, out var now, out TResult held))
                {
                    return held;
                }

                return await CallAsync<TArgs, TResult, TBody>(method, key, arguments, body, entry, now, cancellationToken).ConfigureAwait(false);
            }

            return FromFlight<TResult>(method, key, outcome);
        }

        var miss = default(AkCacheTracing.Span);
        try
        {
            // Started inside the try: whatever a listener does, the flight is completed and left.
            miss = AkCacheTracing.StartMiss(method);
            flight.Owner = miss.Activity;
            using (FlightScope.Enter(method, key))
            {
                var computed = await ComputeAcrossProcessesAsync<TArgs, TResult, TBody>(method, key, arguments, body, call, miss, cancellationToken).ConfigureAwait(false);
                flight.Succeed(computed.Envelope, computed.Value);
                return computed.Value;
            }
        }
        catch (Exception ex)
        {
            flight.Fail(ex);
            throw;
        }
        finally
        {
            miss.Dispose();
            _state.Flights.Leave(method, key, flight);
        }
    }

    /// <summary>
    /// Takes the Redis lock and computes, or waits for the process that holds it: its announcement
    /// wakes this caller (carrying the value when it is small), and looking again regularly notices
    /// a lock whose owner died.
    /// </summary>
    private async ValueTask<Computed<TResult>> ComputeAcrossProcessesAsync<TArgs, TResult, TBody>(MemoizedMethod method, MemoKey key, TArgs arguments, TBody body, CallContext call, AkCacheTracing.Span miss, CancellationToken cancellationToken)
        where TBody : struct, IBody<TArgs, TResult>
    {
        var redis = _state.Redis;
        var redisKey = call.RedisKey;
        if (redisKey is null || redis is null)
        {
            AkCacheTracing.Outcome(miss, "computed");
            return await ComputeAndStoreAsync<TArgs, TResult, TBody>(method, key, arguments, body, null, trusted: !call.RedisTooSlow).ConfigureAwait(false);
        }

        var wait = default(AkCacheTracing.Span);
        try
        {
            var synchronous = body.Synchronous;
            var options = _state.Options;
            var deadline = _state.Time.GetUtcNow() + options.LockWaitTimeout;
            var slowAfter = redis.SlowReadWaitMs(method.Statistics);
            var attempt = await redis.TryAcquireLockAsync(redisKey, options.LockTimeToLive, readValue: true, synchronous, slowAfter, AkCacheTracing.LockContext(miss)).ConfigureAwait(false);
            var waited = false;
            while (true)
            {
                switch (attempt.Status)
                {
                    case LockStatus.Stored:
                        // A previous owner stored it since this caller's first read (or since the last wait).
                        if (TryReadFromRedis(method, key, attempt.Stored, call, out TResult found, out var foundBytes))
                        {
                            if (waited)
                            {
                                method.Statistics.CountWaitForOtherProcess();
                                AkCacheTracing.Outcome(miss, "waited");
                            }
                            else
                            {
                                method.Statistics.CountRedisHit();
                                AkCacheTracing.Outcome(miss, "redis_hit");
                            }

                            return new Computed<TResult>(found, foundBytes);
                        }

                        // Unreadable: take the lock and overwrite the value, as after an unreadable first read.
                        attempt = await redis.TryAcquireLockAsync(redisKey, options.LockTimeToLive, readValue: false, synchronous, slowAfter, AkCacheTracing.LockContext(miss)).ConfigureAwait(false);
                        continue;

                    case LockStatus.Acquired:
                        // The computation's span is not the wait's child: a wait that ends in taking the lock (its owner died) ends here.
                        EndWait(ref wait);
                        AkCacheTracing.Outcome(miss, "computed");
                        return await ComputeStoreAndReleaseAsync<TArgs, TResult, TBody>(method, key, attempt.Owned!, arguments, body).ConfigureAwait(false);

                    case LockStatus.Unavailable:
                        // Redis failed this call (logged, breaker open): compute and keep the result here only.
                        method.Statistics.CountError();
                        EndWait(ref wait);
                        AkCacheTracing.Outcome(miss, "computed");
                        return await ComputeAndStoreAsync<TArgs, TResult, TBody>(method, key, arguments, body, null).ConfigureAwait(false);

                    case LockStatus.Late:
                        // Slower than the method (ComputeOnSlowReads): computed here without the lock, kept untrusted as after a
                        // read given up on; a lock the attempt takes when Redis answers is released then.
                        method.Statistics.CountSlowRead();
                        EndWait(ref wait);
                        AkCacheTracing.Outcome(miss, "computed");
                        return await ComputeAndStoreAsync<TArgs, TResult, TBody>(method, key, arguments, body, null, trusted: false).ConfigureAwait(false);
                }

                using (var signal = redis.Listen(redisKey))
                {
                    // Listening from here on, look again: the value may have been announced before.
                    attempt = await redis.TryAcquireLockAsync(redisKey, options.LockTimeToLive, readValue: true, synchronous, slowAfter, AkCacheTracing.LockContext(miss)).ConfigureAwait(false);
                    if (attempt.Status != LockStatus.Held)
                    {
                        continue;
                    }

                    if (!waited)
                    {
                        wait = AkCacheTracing.StartWait(method, AkCacheTracing.FromLock(attempt.Holder), otherProcess: true);
                    }

                    waited = true;

                    var remaining = deadline - _state.Time.GetUtcNow();
                    if (remaining <= TimeSpan.Zero)
                    {
                        WarnWaitedTooLong(method);
                        EndWait(ref wait);
                        AkCacheTracing.Outcome(miss, "computed");
                        return await ComputeAndStoreAsync<TArgs, TResult, TBody>(method, key, arguments, body, redisKey).ConfigureAwait(false);
                    }

                    // An announcement that carries the value spares this process a round trip.
                    if (await signal.WaitAsync(PollInterval(options, remaining), cancellationToken, synchronous).ConfigureAwait(false) is byte[] announced
                        && TryReadFromRedis(method, key, announced, call, out TResult value, out var announcedBytes))
                    {
                        method.Statistics.CountWaitForOtherProcess();
                        AkCacheTracing.Outcome(miss, "waited");
                        return new Computed<TResult>(value, announcedBytes);
                    }
                }
            }
        }
        finally
        {
            wait.Dispose();
        }
    }

    /// <summary>Ends a wait's span, if there is one, before the caller computes.</summary>
    private static void EndWait(ref AkCacheTracing.Span wait)
    {
        wait.Dispose();
        wait = default;
    }

    /// <summary>Computes and stores, in Redis too at the call's Redis key; with a null key, in this process only.</summary>
    private async ValueTask<Computed<TResult>> ComputeAndStoreAsync<TArgs, TResult, TBody>(MemoizedMethod method, MemoKey key, TArgs arguments, TBody body, string? redisKey, bool trusted = true)
        where TBody : struct, IBody<TArgs, TResult>
    {
        method.Statistics.CountComputation();
        using var compute = AkCacheTracing.StartCompute(method, locked: false);
        var before = new Sequences(_local, method, key);
        var started = AkCacheMetrics.StartComputation();
        var timed = _state.Options.ComputeOnSlowReads ? Stopwatch.GetTimestamp() : 0;
        TResult value;
        try
        {
            value = await body.Run(arguments).ConfigureAwait(false);
        }
        catch (Exception ex) when (AkCacheTracing.Failed(compute, ex))
        {
            throw;
        }

        if (timed != 0)
        {
            method.Statistics.RecordComputation(Stopwatch.GetTimestamp() - timed);
        }
        AkCacheMetrics.EndComputation(method, started);
        return new Computed<TResult>(value, await StoreAsync(method, key, value, redisKey, null, before, body.Synchronous, trusted).ConfigureAwait(false));
    }

    /// <summary>The lock's owner computes and stores; its lock is released, and the other processes woken, whatever happens.</summary>
    private async ValueTask<Computed<TResult>> ComputeStoreAndReleaseAsync<TArgs, TResult, TBody>(MemoizedMethod method, MemoKey key, OwnedLock owned, TArgs arguments, TBody body)
        where TBody : struct, IBody<TArgs, TResult>
    {
        var released = false;
        using (new LockWatchdog(owned, _state.Options.LockTimeToLive))
        {
            try
            {
                method.Statistics.CountComputation();
                using var compute = AkCacheTracing.StartCompute(method, locked: true);
                var before = new Sequences(_local, method, key);
                var started = AkCacheMetrics.StartComputation();
                var timed = _state.Options.ComputeOnSlowReads ? Stopwatch.GetTimestamp() : 0;
                TResult value;
                try
                {
                    value = await body.Run(arguments).ConfigureAwait(false);
                }
                catch (Exception ex) when (AkCacheTracing.Failed(compute, ex))
                {
                    throw;
                }

                if (timed != 0)
                {
                    method.Statistics.RecordComputation(Stopwatch.GetTimestamp() - timed);
                }
                AkCacheMetrics.EndComputation(method, started);
                var envelope = await StoreAsync(method, key, value, owned.ValueKey, owned, before, body.Synchronous).ConfigureAwait(false);
                released = true;
                return new Computed<TResult>(value, envelope);
            }
            finally
            {
                if (!released)
                {
                    await owned.Accessor.StoreAndReleaseAsync(owned, null, default, body.Synchronous, owned.Accessor.SlowReadWaitMs(method.Statistics)).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// What a caller that waited on another caller's computation in this process returns: a copy of
    /// its own, read from the bytes. A result that cannot be cached has no bytes: the waiters then
    /// get the owner's object, as they would by calling a method that is not memoized at that moment.
    /// </summary>
    private TResult FromFlight<TResult>(MemoizedMethod method, MemoKey key, FlightOutcome outcome)
    {
        if (outcome.Envelope is byte[] envelope && TryReadEnvelope(method, key, envelope, out TResult copy, out _))
        {
            return copy;
        }

        return (TResult)outcome.Value!;
    }

    /// <summary>
    /// Stores a result in the local layer and, when <paramref name="redisKey"/> is set, in Redis;
    /// returns the stored bytes, or null when the result cannot be cached. The owner of the lock
    /// stores, releases and announces in one round trip, and releases even what it cannot cache.
    /// Never throws.
    /// </summary>
    /// <remarks>
    /// <paramref name="before"/>: the call's sequences read before the body ran. The result is kept
    /// here unless a user's invalidation reached this process since; if something else that
    /// concerns trust happened (a change tracking reported in its stripe, a loss or start of
    /// trust), it is kept untrusted: the next call with Redis up asks Redis, and it answers while
    /// Redis is unavailable. In Redis,
    /// the lock's owner stores only if it still owns the lock, which an invalidation deletes (the
    /// script checks); a caller without the lock writes only if no user's invalidation reached this
    /// process since (one from another process that is still on its way is not seen), asked again
    /// before a large value written in chunks is moved into place.
    /// </remarks>
    private async ValueTask<byte[]?> StoreAsync<T>(MemoizedMethod method, MemoKey key, T value, string? redisKey, OwnedLock? owned, Sequences before, bool synchronous, bool trusted = true)
    {
        var envelope = Serialize(method, key, value, out var expiresAt);

        // A store slower than the method (ComputeOnSlowReads) is given up on: it goes on, and the call returns.
        var redis = _state.Redis;
        var slowAfter = redis is null ? 0 : redis.SlowReadWaitMs(method.Statistics);
        if (envelope is null)
        {
            if (owned is not null)
            {
                await owned.Accessor.StoreAndReleaseAsync(owned, null, default, synchronous, slowAfter).ConfigureAwait(false);
            }

            return null;
        }

        if (_local.InvalidationSequence() == before.Invalidations)
        {
            var entry = new LocalEntry(envelope, expiresAt) { RedisKey = redisKey };
            if (!trusted)
            {
                // Computed because Redis was slower than the method, while it may be up: asked first next time.
                _local.SetUntrusted(method, key, entry);
            }
            else if (!_local.SetUnlessInvalidated(method, key, entry, before.Full) && _local.InvalidationSequence() == before.Invalidations)
            {
                // Kept all the same, untrusted: while Redis is unavailable it is the only answer there is.
                _local.SetUntrusted(method, key, entry.Usage is null ? entry : new LocalEntry(envelope, expiresAt) { RedisKey = redisKey });
            }
        }

        if (owned is not null)
        {
            // The script stores only if this token still owns the lock, which an invalidation deletes.
            await owned.Accessor.StoreAndReleaseAsync(owned, envelope, TimeToLive(expiresAt), synchronous, slowAfter).ConfigureAwait(false);
        }
        else if (_local.InvalidationSequence() == before.Invalidations && redisKey is not null && redis is not null)
        {
            // A large value takes a while to write: it is moved into place only if no invalidation reached this process meanwhile.
            var local = _local;
            var invalidations = before.Invalidations;
            await redis.TrySetAsync(redisKey, envelope, TimeToLive(expiresAt), () => local.InvalidationSequence() == invalidations, synchronous, slowAfter).ConfigureAwait(false);
        }

        return envelope;
    }

    /// <summary>
    /// The time to live of a value whose envelope expires at <paramref name="expiresAt"/> (Unix
    /// milliseconds), from now: Redis drops it when the envelope says it is over, not a full
    /// lifetime after a store that a loaded machine sent seconds after the serialization.
    /// </summary>
    private TimeSpan TimeToLive(long expiresAt) =>
        TimeSpan.FromMilliseconds(Math.Max(1, expiresAt - _state.Time.GetUtcNow().ToUnixTimeMilliseconds()));

    /// <summary>
    /// How long one wait lasts before looking again: waiters are woken at once when the value is
    /// announced; looking again regularly also notices a lock that expired because its owner died.
    /// </summary>
    private static TimeSpan PollInterval(AkCacheOptions options, TimeSpan remaining)
    {
        var poll = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMilliseconds(250).Ticks, options.LockTimeToLive.Ticks / 4));
        return poll < remaining ? poll : remaining;
    }

    /// <summary>The two sequences (<see cref="LocalLayer.Sequence"/>, <see cref="LocalLayer.InvalidationSequence"/>) read before a computation.</summary>
    private readonly struct Sequences
    {
        public Sequences(LocalLayer local, MemoizedMethod method, MemoKey key)
        {
            Invalidations = local.InvalidationSequence();
            Full = local.Sequence(method, key);
        }

        /// <summary>Decides whether the result is kept in the local layer.</summary>
        public long Full { get; }

        /// <summary>Decides whether a caller without the lock writes the result to Redis.</summary>
        public long Invalidations { get; }
    }
}
