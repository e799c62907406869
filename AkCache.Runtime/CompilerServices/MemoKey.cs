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
    public override string ToString()
    {
        if (!IsValid)
        {
            return "(no key)";
        }

        var digits = new char[32];
        WriteHex(digits, 0);
        return new string(digits);
    }

    /// <summary>Writes the 32 hexadecimal digits at <paramref name="offset"/>.</summary>
    internal void WriteHex(char[] destination, int offset)
    {
        WriteHex(High, destination, offset);
        WriteHex(Low, destination, offset + 16);
    }

    /// <summary>Reads 32 lowercase hexadecimal digits, as <see cref="WriteHex(char[], int)"/> writes them; false for anything else.</summary>
    internal static bool TryParseHex(string text, int offset, out MemoKey key)
    {
        key = default;
        if (offset < 0 || text.Length - offset < 32 || !TryParseHalf(text, offset, out var high) || !TryParseHalf(text, offset + 16, out var low))
        {
            return false;
        }

        key = new MemoKey(high, low);
        return true;
    }

    private static bool TryParseHalf(string text, int offset, out ulong value)
    {
        value = 0;
        for (var i = 0; i < 16; i++)
        {
            var c = text[offset + i];
            int nibble = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : -1;
            if (nibble < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)nibble;
        }

        return true;
    }

    private static void WriteHex(ulong value, char[] destination, int offset)
    {
        for (var i = 15; i >= 0; i--)
        {
            var nibble = (int)(value & 0xF);
            destination[offset + i] = (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            value >>= 4;
        }
    }
}
