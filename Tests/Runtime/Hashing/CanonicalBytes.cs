using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO.Hashing;
using System.Linq;

namespace AkCache.Tests.Runtime.Hashing;

/// <summary>
/// The canonical form of docs/keys.md, written by hand one byte at a time, so that the runtime's
/// writers (and their fast paths) are checked against something that shares no code with them.
/// </summary>
internal sealed class CanonicalBytes
{
    private readonly List<byte> _bytes = new();

    /// <summary>The key's 32 hex digits: XxHash128 of the bytes, high half first.</summary>
    public string Key => Hash().ToString("x32");

    public UInt128 Hash() => XxHash128.HashToUInt128(_bytes.ToArray());

    public CanonicalBytes Byte(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public CanonicalBytes Presence(bool present) => Byte(present ? (byte)1 : (byte)0);

    public CanonicalBytes Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return Raw(bytes);
    }

    public CanonicalBytes Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return Raw(bytes);
    }

    public CanonicalBytes UInt64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return Raw(bytes);
    }

    public CanonicalBytes Raw(byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>Length and bytes, no presence byte (Guid, and the body of byte[] and POCOs).</summary>
    public CanonicalBytes Sized(byte[] bytes) => Int32(bytes.Length).Raw(bytes);

    /// <summary>Length and UTF-16 code units, no presence byte (type names).</summary>
    public CanonicalBytes Chars(string value)
    {
        Int32(value.Length);
        foreach (var c in value)
        {
            _bytes.Add((byte)(c & 0xFF));
            _bytes.Add((byte)(c >> 8));
        }

        return this;
    }

    public CanonicalBytes String(string? value) => value is null ? Presence(false) : Presence(true).Chars(value);

    public CanonicalBytes Array<T>(T[]? values, Action<CanonicalBytes, T> element)
    {
        if (values is null)
        {
            return Presence(false);
        }

        Presence(true).Int32(values.Length);
        foreach (var value in values)
        {
            element(this, value);
        }

        return this;
    }

    /// <summary>Sets and dictionaries: the count, then each element's own hash, sorted, high half first.</summary>
    public CanonicalBytes Unordered(IEnumerable<CanonicalBytes> elements)
    {
        var hashes = elements.Select(e => e.Hash()).OrderBy(h => h).ToList();
        Presence(true).Int32(hashes.Count);
        foreach (var hash in hashes)
        {
            UInt64((ulong)(hash >> 64));
            UInt64((ulong)hash);
        }

        return this;
    }
}
