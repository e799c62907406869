using System.Collections.Generic;
using System.Linq;
using AkCache.CompilerServices;
using AkCache.Internals.Messaging;

namespace AkCache.Internals.Engine;

/// <summary>Invalidations, clears and statistics: what AkCacheRuntime's management API asks of the engine.</summary>
internal sealed partial class MemoEngine
{
    /// <summary>Removes one call's result here, in Redis, and (through the invalidation channel) in every other process.</summary>
    public bool Invalidate(MemoizedMethod method, MemoKey key)
    {
        var removedHere = _local.Remove(method, key);
        if (_state.Disabled)
        {
            return false;
        }

        return _state.Redis is { } redis ? redis.DeleteAndAnnounce(method.RedisKey(_state, key)) : removedHere;
    }

    /// <summary>Removes every result of the method, all its versions, here, in Redis and in every other process.</summary>
    public long ClearMethod(MemoizedMethod method)
    {
        var keyStart = $"{_state.Options.Prefix}:{method.Identity}:";
        long removedHere = 0;
        foreach (var known in Methods.StartingWith(keyStart))
        {
            removedHere += _local.RemoveMethod(known);
        }

        if (_state.Disabled || _state.Redis is not { } redis)
        {
            return removedHere;
        }

        return redis.DeleteMatchingAndAnnounce(GlobEscape(keyStart) + "*", InvalidationMessage.ForMethod(keyStart));
    }

    /// <summary>Removes every result under the prefix, here, in Redis and in every other process.</summary>
    public long ClearAll()
    {
        long removedHere = _local.Clear();
        if (_state.Disabled || _state.Redis is not { } redis)
        {
            return removedHere;
        }

        return redis.DeleteMatchingAndAnnounce(GlobEscape(_state.Options.Prefix + ":") + "*", InvalidationMessage.ForAll());
    }

    public CacheInfo Info(MemoizedMethod method)
    {
        var statistics = method.Statistics;
        var (entries, bytes) = _local.Usage(method);
        return new CacheInfo(method.Identity, statistics.LocalHits, statistics.RedisHits, statistics.FallbackHits, statistics.Misses, statistics.Computations, statistics.WaitsForOtherProcesses, statistics.Errors, entries, bytes, statistics.SlowReads);
    }

    public IReadOnlyList<CacheInfo> Info() =>
        Methods.Methods.Distinct().Select(Info).OrderBy(info => info.Method, System.StringComparer.Ordinal).ToList();

    /// <summary>
    /// Escapes what SCAN MATCH reads as a pattern ('*', '?', '[', ']', '\'): method identities hold
    /// brackets (arrays, generic arguments), and the prefix may hold anything but whitespace.
    /// </summary>
    internal static string GlobEscape(string text)
    {
        var escaped = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
