using System;
using System.ComponentModel;

namespace AkCache.CompilerServices;

/// <summary>The 128-bit hash of one call's arguments. Used by woven code; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct MemoKey : IEquatable<MemoKey>
{
    internal MemoKey(ulong high, ulong low)
    {
        High = high;
        Low = low;
        IsValid = true;
    }

    internal ulong High { get; }

    internal ulong Low { get; }

    /// <summary>False when the arguments could not be turned into a key: the call then runs uncached.</summary>
    public bool IsValid { get; }

    /// <inheritdoc />
    public bool Equals(MemoKey other) => High == other.High && Low == other.Low && IsValid == other.IsValid;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MemoKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => unchecked((int)Low ^ (int)(Low >> 32) ^ (int)High);

    /// <summary>The hash as 32 lowercase hexadecimal digits.</summary>
    public override string ToString() => IsValid ? High.ToString("x16") + Low.ToString("x16") : "(no key)";
}
