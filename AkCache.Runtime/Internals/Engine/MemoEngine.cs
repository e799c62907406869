using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AkCache.CompilerServices;
using AkCache.Internals.Distributed;
using AkCache.Internals.Local;
using AkCache.Internals.Serialization;
using AkCache.Internals.Timing;

namespace AkCache.Internals.Engine;

/// <summary>
/// The pipeline of a memoized call, written once for the synchronous, Task and ValueTask entry
/// points of <see cref="MemoizedMethod"/>: the local layer (L1) answers first when it may; else
/// Redis; else the call is computed once for this process (the flights) and for every process
/// (the Redis lock), and stored. Only the I/O has two forms, chosen by
/// <see cref="IBody{TArgs, TResult}.Synchronous"/>: a synchronous call runs this core to completion
/// without ever awaiting an incomplete task.
/// </summary>
/// <remarks>
/// Per call, the configuration is read once (by the entry point), the local layer looked up once
/// (<see cref="TryHit{TResult}"/>), the breaker asked once (<see cref="RedisAccessor.TryEnterAt(long, string)"/>:
/// a call told to skip Redis sends no command at all), and the Redis key built at most once.
/// </remarks>
internal sealed partial class MemoEngine
{
    private readonly RuntimeState _state;
    private readonly LocalLayer _local;
    private readonly Clock _clock;
    private readonly bool _localFirst;

    public MemoEngine(RuntimeState state, LocalLayer local)
    {
        _state = state;
        _local = local;
        _clock = state.Clock;
        _localFirst = state.Options.LocalCache;
        Methods = new MethodDirectory();
        Coherence = new LocalCoherence(local, Methods, withoutRedis: state.Redis is null);
    }

    public MethodDirectory Methods { get; }

    public LocalCoherence Coherence { get; }

    /// <summary>The result of a synchronous call, which the core always completes before returning.</summary>
    public static TResult Completed<TResult>(ValueTask<TResult> call)
    {
        Debug.Assert(call.IsCompleted, "a synchronous call awaited an incomplete task");
        return call.IsCompleted ? call.GetAwaiter().GetResult() : call.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Makes a method known under this configuration, on its first call: its bound in the local layer, its keys' start for invalidations.</summary>
    public void Register(MemoizedMethod method, string keyStart)
    {
        Methods.Register(keyStart, method);
        if (method.LocalMaxEntries > 0)
        {
            _local.SetMethodLimit(method, method.LocalMaxEntries);
        }
    }

    /// <summary>
    /// The local layer's whole answer, for the paths out of line (a retry, a configuration not keyed
    /// under yet): <see cref="TryHit{TResult}"/>, then, for an entry found that is not such a hit,
    /// <see cref="AnswerFromEntry{TResult}"/>. Otherwise <paramref name="entry"/> is what the layer
    /// holds (or null), for <see cref="CallAsync"/>, and <paramref name="now"/> the clock reading of this call.
    /// </summary>
    public bool TryAnswerLocally<TResult>(MemoizedMethod method, MemoKey key, out LocalEntry? entry, out long now, out TResult value) =>
        TryHit(method, key, out entry, out now, out value) || (entry is not null && AnswerFromEntry(method, key, ref entry, out value));

    /// <summary>
    /// The hot path: a hit of an immutable value already read from its entry, which may answer
    /// without asking Redis. Otherwise <paramref name="entry"/> is the unexpired entry found (or
    /// null), which <see cref="AnswerFromEntry{TResult}"/> may still answer (the first read of an
    /// entry, a mutable type read per hit), and <paramref name="now"/> the clock reading of this call.
    /// </summary>
    /// <remarks>
    /// Inlined into the entry points: the clock, one lookup, the trust checks and a count, with no
    /// call. It takes no address and calls nothing out of line, so that the entry points' frames
    /// hold no address-taken local (each of which the JIT zeroes on entry): the rest of an entry's
    /// answer is for the out-of-line call that follows a miss here.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryHit<TResult>(MemoizedMethod method, MemoKey key, out LocalEntry? entry, out long now, out TResult value)
    {
        now = _clock.Milliseconds();
        if (!_local.TryGet(method, key, now, out var found))
        {
            entry = null;
            value = default!;
            return false;
        }

        entry = found;
        if (Shareable<TResult>.Value && found.TryGetValue(out value) && MayAnswerFirst(method, found))
        {
            method.Statistics.CountLocalHit();
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary><see cref="TryHit{TResult}"/> for the Task entry point: on a hit of an immutable value, the completed task kept beside it (made on the first such hit), so that a hit allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryHitAsTask<TResult>(MemoizedMethod method, MemoKey key, out LocalEntry? entry, out long now, out Task<TResult> task)
    {
        now = _clock.Milliseconds();
        if (!_local.TryGet(method, key, now, out var found))
        {
            entry = null;
            task = null!;
            return false;
        }

        entry = found;
        if (Shareable<TResult>.Value && found.TryGetTask(out task) && MayAnswerFirst(method, found))
        {
            method.Statistics.CountLocalHit();
            return true;
        }

        task = null!;
        return false;
    }

    /// <summary>Whether a found entry may answer before Redis is asked (docs/local-cache.md): the layer answers first, and the entry is trusted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool MayAnswerFirst(MemoizedMethod method, LocalEntry entry) =>
        _localFirst && method.LocalCache && Coherence.AllowsAnswerFirst && _local.IsTrusted(entry);

    /// <summary>The rest of <see cref="TryAnswerLocally{TResult}"/>, once an unexpired entry is found that <see cref="TryHit{TResult}"/> did not answer: reads it if it may answer first, else leaves it to <see cref="CallAsync"/>.</summary>
    public bool AnswerFromEntry<TResult>(MemoizedMethod method, MemoKey key, ref LocalEntry? entry, out TResult value)
    {
        var found = entry!;
        if (MayAnswerFirst(method, found))
        {
            if (TryReadEntry(method, key, found, out value))
            {
                method.Statistics.CountLocalHit();
                return true;
            }

            _local.Remove(found);
            entry = null;
            return false;
        }

        value = default!;
        return false;
    }

    /// <summary><see cref="AnswerFromEntry{TResult}"/> for the Task entry point.</summary>
    public bool AnswerTaskFromEntry<TResult>(MemoizedMethod method, MemoKey key, ref LocalEntry? entry, out Task<TResult> task)
    {
        if (!AnswerFromEntry(method, key, ref entry, out TResult value))
        {
            task = null!;
            return false;
        }

        // A mutable value is a copy per hit, so a task of its own; an immutable one keeps its task.
        task = Shareable<TResult>.Value ? entry!.KeepTask(value) : Task.FromResult(value);
        return true;
    }

    /// <summary>Returns the stored result of this call, or computes it once and stores it.</summary>
    /// <remarks><paramref name="entry"/> and <paramref name="now"/> come from <see cref="TryHit{TResult}"/> (after <see cref="AnswerFromEntry{TResult}"/>) or <see cref="TryAnswerLocally{TResult}"/>.</remarks>
    public async ValueTask<TResult> CallAsync<TArgs, TResult, TBody>(MemoizedMethod method, MemoKey key, TArgs arguments, TBody body, LocalEntry? entry, long now, CancellationToken cancellationToken)
        where TBody : struct, IBody<TArgs, TResult>
    {
        var redis = _state.Redis;
        var redisKey = redis is null ? null : entry?.RedisKey ?? RememberedKey(entry, method.RedisKey(_state, key));
        var slowAfter = redis is null ? 0 : redis.SlowReadWaitMs(method.Statistics);
        if (slowAfter > 0 && redis!.WaitsForLateReplies && redis.Breaker.IsClosed)
        {
            // A command of this process was slower than its method (ComputeOnSlowReads): no new read until it is answered.
            // Asked before the breaker, so that no probe of a break is spent without sending anything; with the
            // breaker open (the late command timed out), the call skips Redis as in any break.
            return await ComputeWithoutSlowRedisAsync<TArgs, TResult, TBody>(method, key, arguments, body, new CallContext(entry, _local.Sequence(method, key), _local.Epoch, redisKey), cancellationToken).ConfigureAwait(false);
        }

        if (redis is null || !redis.TryEnterAt(now, redisKey!))
        {
            // No Redis, or the breaker says to skip it: the local layer answers what it holds.
            if (entry is not null && TryServeWhileDown(method, key, entry, out TResult held))
            {
                return held;
            }

            return await ComputeOnceAsync<TArgs, TResult, TBody>(method, key, arguments, body, new CallContext(entry, 0, 0, null), cancellationToken).ConfigureAwait(false);
        }

        var call = new CallContext(entry, _local.Sequence(method, key), _local.Epoch, redisKey);
        RedisRead read;
        if (body.Synchronous)
        {
            read = redis.Read(call.RedisKey!, slowAfter);
        }
        else if (redis.TryBeginRead(call.RedisKey!, out var pending))
        {
            // The usual asynchronous call awaits StackExchange.Redis's task in this one frame.
            var late = false;
            try
            {
                if (slowAfter > 0 && !pending.IsCompleted)
                {
                    late = !await pending.CompletesWithin(slowAfter, cancellationToken).ConfigureAwait(false);
                }

                if (!late)
                {
                    _ = cancellationToken.CanBeCanceled
                        ? await pending.WithCancellation(cancellationToken).ConfigureAwait(false)
                        : await pending.ConfigureAwait(false);
                }
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && pending.IsCompleted)
            {
                // A failed read: EndRead reports it, and the local layer answers below.
            }

            if (late)
            {
                // Slower than the method (ComputeOnSlowReads): its outcome is handled when it comes; the call computes.
                redis.LeaveLate(pending, call.RedisKey!);
                return await ComputeWithoutSlowRedisAsync<TArgs, TResult, TBody>(method, key, arguments, body, call, cancellationToken).ConfigureAwait(false);
            }

            read = redis.EndRead(pending, call.RedisKey!);
            if (read.Status == RedisReadStatus.Large)
            {
                read = await redis.ReadLargeAsync(call.RedisKey!, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            read = await redis.ReadAsync(call.RedisKey!, cancellationToken).ConfigureAwait(false);
        }

        switch (read.Status)
        {
            case RedisReadStatus.Late:
                return await ComputeWithoutSlowRedisAsync<TArgs, TResult, TBody>(method, key, arguments, body, call, cancellationToken).ConfigureAwait(false);
            case RedisReadStatus.Hit:
                if (TryReadFromRedis(method, key, read.Value, call, out TResult value, out _))
                {
                    method.Statistics.CountRedisHit();
                    return value;
                }

                break;
            case RedisReadStatus.Miss:
                if (entry is not null)
                {
                    // While Redis refuses writes, no result can be in Redis: what this process holds is the
                    // answer there is (docs/failures.md), as while Redis is down.
                    if (redis.WritesPaused && TryServeWhileDown(method, key, entry, out value))
                    {
                        return value;
                    }

                    // Redis no longer holds it (evicted, deleted, flushed): what this process holds is outdated.
                    _local.Remove(entry);
                }

                call = new CallContext(null, call.Sequence, call.Epoch, call.RedisKey);
                break;
            default:
                // Redis failed this call (logged, breaker open): no more commands for it.
                method.Statistics.CountError();
                call = call.WithoutRedis();
                if (entry is not null && TryServeWhileDown(method, key, entry, out value))
                {
                    return value;
                }

                break;
        }

        return await ComputeOnceAsync<TArgs, TResult, TBody>(method, key, arguments, body, call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A call that does not wait for Redis any longer than its method takes (<see cref="AkCacheOptions.ComputeOnSlowReads"/>):
    /// computed once for this process, without the lock or a store, its result kept untrusted; an entry held is not
    /// served, since Redis may be up and hold a newer value.
    /// </summary>
    private ValueTask<TResult> ComputeWithoutSlowRedisAsync<TArgs, TResult, TBody>(MemoizedMethod method, MemoKey key, TArgs arguments, TBody body, CallContext call, CancellationToken cancellationToken)
        where TBody : struct, IBody<TArgs, TResult>
    {
        method.Statistics.CountSlowRead();
        return ComputeOnceAsync<TArgs, TResult, TBody>(method, key, arguments, body, call.TooSlow(), cancellationToken);
    }

    private static string RememberedKey(LocalEntry? entry, string redisKey)
    {
        entry?.RedisKey = redisKey;

        return redisKey;
    }

    /// <summary>The local layer's answer while Redis cannot be asked: trusted or not, for as long as the entry lives.</summary>
    private bool TryServeWhileDown<TResult>(MemoizedMethod method, MemoKey key, LocalEntry entry, out TResult value)
    {
        // A failed Redis attempt may have waited for the operation timeout: the entry may have expired since.
        if (entry.Deadline > _clock.Milliseconds() && TryReadEntry(method, key, entry, out value))
        {
            method.Statistics.CountFallbackHit();
            return true;
        }

        value = default!;
        return false;
    }
}
