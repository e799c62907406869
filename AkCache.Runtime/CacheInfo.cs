namespace AkCache;

/// <summary>
/// What one memoized method did in this process, in the spirit of lru_cache's cache_info(): where
/// its calls were answered, how often it ran, and what this process holds of it. Counters run from
/// the process's start (a clear or a new configuration does not reset them); the local layer's
/// figures are those of the moment the information was taken.
/// </summary>
public sealed class CacheInfo
{
    internal CacheInfo(string method, long localHits, long redisHits, long fallbackHits, long misses, long computations, long waitsForOtherProcesses, long errors, int localEntries, long localBytes, long slowReads = 0)
    {
        Method = method;
        LocalHits = localHits;
        RedisHits = redisHits;
        FallbackHits = fallbackHits;
        Misses = misses;
        Computations = computations;
        WaitsForOtherProcesses = waitsForOtherProcesses;
        Errors = errors;
        LocalEntries = localEntries;
        LocalBytes = localBytes;
        SlowReads = slowReads;
    }

    /// <summary>The method, as in its keys: the declaring type's full name, the method's name and its parameter types.</summary>
    public string Method { get; }

    /// <summary>Calls answered by this process's local layer without asking Redis.</summary>
    public long LocalHits { get; }

    /// <summary>Calls answered by a value read from Redis (written by this process or another).</summary>
    public long RedisHits { get; }

    /// <summary>Calls answered by the local layer while Redis was unavailable.</summary>
    public long FallbackHits { get; }

    /// <summary>Calls that found no stored result: each was computed here, or waited for a computation here or in another process.</summary>
    public long Misses { get; }

    /// <summary>Times the method's body ran in this process.</summary>
    public long Computations { get; }

    /// <summary>Misses answered by another process's computation: this process waited for its lock and read what it stored.</summary>
    public long WaitsForOtherProcesses { get; }

    /// <summary>Calls during which Redis failed (the call was still answered, from the local layer or by computing).</summary>
    public long Errors { get; }

    /// <summary>
    /// Calls that did not wait for a Redis slower than the method (<see cref="AkCacheOptions.ComputeOnSlowReads"/>): their
    /// read or their lock attempt took twice the method's usual time, or another command given up on was still unanswered;
    /// each was computed here (or waited for this process's computation) and not stored in Redis. A call whose read was
    /// given up on is not counted among the <see cref="Misses"/>; one whose lock attempt was (after a miss) is.
    /// </summary>
    public long SlowReads { get; }

    /// <summary>Results of this method the local layer holds now.</summary>
    public int LocalEntries { get; }

    /// <summary>Bytes those results are counted for in the local layer's bound (stored size plus a fixed overhead per entry).</summary>
    public long LocalBytes { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Method}: {LocalHits} local hits, {RedisHits} Redis hits, {FallbackHits} while Redis was down, {Misses} misses, {Computations} computations, {WaitsForOtherProcesses} waits for another process, {Errors} errors, {SlowReads} slow reads; {LocalEntries} entries, {LocalBytes} bytes held";
}
