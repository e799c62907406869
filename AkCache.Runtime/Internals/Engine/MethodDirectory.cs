using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using AkCache.CompilerServices;

namespace AkCache.Internals.Engine;

/// <summary>
/// The methods this process has called under one configuration, by the start of their Redis keys
/// ("PREFIX:Identity:version:"): turns a Redis key named by an invalidation back into the method
/// and the call, so that the local layer can drop that one entry.
/// </summary>
internal sealed class MethodDirectory
{
    /// <summary>"{", 32 hexadecimal digits, "}": the part of a value's key after its method's start.</summary>
    private const int TagLength = 34;

    private readonly ConcurrentDictionary<string, MemoizedMethod> _byKeyStart = new(StringComparer.Ordinal);

    public void Register(string keyStart, MemoizedMethod method) => _byKeyStart[keyStart] = method;

    /// <summary>Every method registered, for statistics.</summary>
    public IEnumerable<MemoizedMethod> Methods => _byKeyStart.Values;

    /// <summary>
    /// The call a value's Redis key belongs to; false for anything else: a lock or awaited mark, a
    /// method this process never called, a key in another format.
    /// </summary>
    public bool TryResolve(string redisKey, out MemoizedMethod method, out MemoKey key)
    {
        method = null!;
        key = default;
        var tagStart = redisKey.Length - TagLength;
        if (tagStart <= 0 || redisKey[tagStart] != '{' || redisKey[redisKey.Length - 1] != '}'
            || !_byKeyStart.TryGetValue(redisKey.Substring(0, tagStart), out method!)
            || !MemoKey.TryParseHex(redisKey, tagStart + 1, out var tag))
        {
            return false;
        }

        // The tag is the argument hash mixed with the method's own by XOR: mixing again undoes it.
        key = method.Tag(tag);
        return true;
    }

    /// <summary>The registered methods whose keys start with <paramref name="keyStart"/> (one method, all its versions).</summary>
    public List<MemoizedMethod> StartingWith(string keyStart)
    {
        var found = new List<MemoizedMethod>();
        foreach (var pair in _byKeyStart)
        {
            if (pair.Key.StartsWith(keyStart, StringComparison.Ordinal))
            {
                found.Add(pair.Value);
            }
        }

        return found;
    }
}
