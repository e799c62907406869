using System;
using AkCache.CompilerServices;

namespace AkCache.Internals;

/// <summary>One call of one memoized method: the method and the hash of its arguments.</summary>
internal readonly struct MethodKey : IEquatable<MethodKey>
{
    public MethodKey(MemoizedMethod method, MemoKey key)
    {
        Method = method;
        Key = key;
    }

    public MemoizedMethod Method { get; }

    public MemoKey Key { get; }

    public bool Equals(MethodKey other) => ReferenceEquals(Method, other.Method) && Key.Equals(other.Key);

    public override bool Equals(object? obj) => obj is MethodKey other && Equals(other);

    public override int GetHashCode() => Key.GetHashCode() ^ Method.HashSeed;
}
