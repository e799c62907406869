using AkCache.Internals;
using AkCache.Internals.Distributed;
using AkCache.Internals.Memory;

namespace AkCache.CompilerServices;

public sealed partial class MemoizedMethod
{
    /// <summary>Redis first; the memory layer only when Redis is unavailable.</summary>
    private bool TryGet<T>(RuntimeState state, MemoKey key, out T value)
    {
        value = default!;
        if (state.Redis is RedisAccessor redis)
        {
            switch (redis.TryGet(RedisKey(state, key), out var stored))
            {
                case RedisReadStatus.Hit:
                    return TryReadFromRedis(state, key, stored, out value);
                case RedisReadStatus.Miss:
                    return false;
            }
        }

        return state.Memory.TryGet(this, key, out var entry) && TryRead(state, entry.Envelope, out value, out _);
    }

    /// <summary>Stores a result in the memory layer and in Redis. Never throws.</summary>
    private void Store<T>(RuntimeState state, MemoKey key, T value)
    {
        var envelope = Serialize(state, value, out var expiresAt);
        if (envelope is null)
        {
            return;
        }

        state.Memory.Set(this, key, new MemoryLayer.Entry(envelope, expiresAt));
        state.Redis?.TrySet(RedisKey(state, key), envelope, MaxAge(state));
    }

    private bool TryReadFromRedis<T>(RuntimeState state, MemoKey key, StackExchange.Redis.RedisValue stored, out T value)
    {
        var bytes = (System.ReadOnlyMemory<byte>)stored;
        if (TryRead(state, bytes, out value, out var expiresAt))
        {
            Remember(state, key, bytes, expiresAt);
            return true;
        }

        return false;
    }
}
