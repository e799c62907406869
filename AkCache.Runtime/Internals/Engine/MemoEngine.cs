using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using AkCache.CompilerServices;
using AkCache.Internals.Distributed;

namespace AkCache.Internals.Engine;

/// <summary>
/// The pipeline of a memoized call, written once for the synchronous, Task and ValueTask entry
/// points of <see cref="MemoizedMethod"/>: look up the result (Redis, or the memory layer while
/// Redis is unavailable), else compute it once for this process (the flights) and for every
/// process (the Redis lock), and store it. Only the I/O has two forms, chosen by
/// <see cref="IBody{TArgs, TResult}.Synchronous"/>: a synchronous call runs this core to
/// completion without ever awaiting an incomplete task.
/// </summary>
/// <remarks>
/// Per call, the configuration is read once (by the entry point), the breaker asked once
/// (<see cref="RedisAccessor.TryEnterAt"/>: a call told to skip Redis sends no command at all),
/// and the Redis key built at most once.
/// </remarks>
internal sealed partial class MemoEngine
{
    private readonly RuntimeState _state;

    public MemoEngine(RuntimeState state) => _state = state;

    /// <summary>The result of a synchronous call, which the core always completes before returning.</summary>
    public static TResult Completed<TResult>(ValueTask<TResult> call)
    {
        Debug.Assert(call.IsCompleted, "a synchronous call awaited an incomplete task");
        return call.IsCompleted ? call.GetAwaiter().GetResult() : call.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Returns the stored result of this call, or computes it once and stores it.</summary>
    public async ValueTask<TResult> CallAsync<TArgs, TResult, TBody>(MemoizedMethod method, MemoKey key, TArgs arguments, TBody body, CancellationToken cancellationToken)
        where TBody : struct, IBody<TArgs, TResult>
    {
        var now = _state.Clock.Milliseconds();
        var redis = _state.Redis;
        string? redisKey = null;
        if (redis is not null && redis.TryEnterAt(now))
        {
            redisKey = CachedRedisKey(method, key);
            RedisRead read;
            if (body.Synchronous)
            {
                read = redis.Read(redisKey);
            }
            else if (redis.TryBeginRead(redisKey, out var pending))
            {
                // The usual asynchronous call awaits StackExchange.Redis's task in this one frame.
                try
                {
                    _ = cancellationToken.CanBeCanceled
                        ? await pending.WithCancellation(cancellationToken).ConfigureAwait(false)
                        : await pending.ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested && pending.IsCompleted)
                {
                    // A failed read: EndRead reports it, and the memory layer answers below.
                }

                read = redis.EndRead(pending);
            }
            else
            {
                read = await redis.ReadAsync(redisKey, cancellationToken).ConfigureAwait(false);
            }

            switch (read.Status)
            {
                case RedisReadStatus.Hit:
                    if (TryReadFromRedis(method, key, read.Value, out TResult value, out _))
                    {
                        return value;
                    }

                    break;
                case RedisReadStatus.Unavailable:
                    // Redis failed this call (logged, breaker open): no more commands for it.
                    redisKey = null;
                    if (TryGetFromMemory(method, key, _state.Clock.Milliseconds(), out value))
                    {
                        return value;
                    }

                    break;
            }
        }
        else if (TryGetFromMemory(method, key, now, out TResult fromMemory))
        {
            return fromMemory;
        }

        return await ComputeOnceAsync<TArgs, TResult, TBody>(method, key, arguments, body, redisKey, cancellationToken).ConfigureAwait(false);
    }
}
