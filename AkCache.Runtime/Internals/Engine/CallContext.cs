using AkCache.Internals.Local;

namespace AkCache.Internals.Engine;

/// <summary>
/// What one call learned on its way in, handed down the pipeline so that nothing is looked up
/// twice: the local entry it found (served or not), the local layer's invalidation sequence and
/// trust epoch read before its first Redis read, and its Redis key (null when the call does not
/// use Redis: breaker open, or Redis just failed it).
/// </summary>
internal readonly struct CallContext
{
    public CallContext(LocalEntry? entry, long sequence, long epoch, string? redisKey, bool redisTooSlow = false)
    {
        Entry = entry;
        Sequence = sequence;
        Epoch = epoch;
        RedisKey = redisKey;
        RedisTooSlow = redisTooSlow;
    }

    public LocalEntry? Entry { get; }

    public long Sequence { get; }

    public long Epoch { get; }

    public string? RedisKey { get; }

    /// <summary>
    /// The call computes without Redis because a read was slower than the method (AkCacheOptions.ComputeOnSlowReads),
    /// while Redis may be up: its result is kept in this process untrusted, so that the next call with Redis answering asks it first.
    /// </summary>
    public bool RedisTooSlow { get; }

    /// <summary>The same call, without Redis from here on.</summary>
    public CallContext WithoutRedis() => new(Entry, Sequence, Epoch, null);

    /// <summary>The same call, without Redis from here on, because Redis answered it later than the method would have (<see cref="RedisTooSlow"/>); the entry it found is not served.</summary>
    public CallContext TooSlow() => new(null, Sequence, Epoch, null, redisTooSlow: true);
}
