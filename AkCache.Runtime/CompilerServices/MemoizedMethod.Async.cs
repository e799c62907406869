using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals;
using AkCache.Internals.Distributed;
using AkCache.Internals.Memory;

namespace AkCache.CompilerServices;

public sealed partial class MemoizedMethod
{
    private async Task<TResult> InvokeCoreAsync<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, CancellationToken cancellationToken)
    {
        var (hit, cached) = await TryGetAsync<TResult>(state, key, cancellationToken).ConfigureAwait(false);
        if (hit)
        {
            return cached;
        }

        var result = await body(arguments).ConfigureAwait(false);
        await StoreAsync(state, key, result).ConfigureAwait(false);
        return result;
    }

    private async ValueTask<(bool Hit, T Value)> TryGetAsync<T>(RuntimeState state, MemoKey key, CancellationToken cancellationToken)
    {
        if (state.Redis is RedisAccessor redis)
        {
            var (status, stored) = await redis.TryGetAsync(RedisKey(state, key), cancellationToken).ConfigureAwait(false);
            switch (status)
            {
                case RedisReadStatus.Hit:
                    return TryReadFromRedis(state, key, stored, out T value) ? (true, value) : (false, default!);
                case RedisReadStatus.Miss:
                    return (false, default!);
            }
        }

        return state.Memory.TryGet(this, key, out var entry) && TryRead(state, entry.Envelope, out T fromMemory, out _)
            ? (true, fromMemory)
            : (false, default!);
    }

    private async ValueTask StoreAsync<T>(RuntimeState state, MemoKey key, T value)
    {
        var envelope = Serialize(state, value, out var expiresAt);
        if (envelope is null)
        {
            return;
        }

        state.Memory.Set(this, key, new MemoryLayer.Entry(envelope, expiresAt));
        if (state.Redis is RedisAccessor redis)
        {
            await redis.TrySetAsync(RedisKey(state, key), envelope, MaxAge(state)).ConfigureAwait(false);
        }
    }
}
