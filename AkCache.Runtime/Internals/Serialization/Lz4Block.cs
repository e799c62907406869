using System;
using System.Buffers;
using System.Buffers.Binary;

namespace AkCache.Internals.Serialization;

/// <summary>
/// The LZ4 block format (one block, a 64 KB window): sequences of a token byte (literal length in the
/// high nibble, match length minus 4 in the low one, 15 meaning "more bytes follow, each adding up to
/// 255"), the literals, and a two-byte little-endian offset back into what was written; the last
/// sequence is literals only, and the last 5 bytes of a block are always literals. Any LZ4 block
/// decoder reads what <see cref="Compress"/> writes. <see cref="Decompress"/> checks every length and
/// offset against both buffers, so a hostile block fails instead of reading or writing out of bounds.
/// </summary>
internal static class Lz4Block
{
    private const int MinMatch = 4;
    private const int LastLiterals = 5;

    /// <summary>A match starts at least this far before the end of the input.</summary>
    private const int MatchFindLimit = 12;

    private const int MaxOffset = 65535;
    private const int HashLog = 16;

    /// <summary>The most one input byte can become, plus the token overhead: the worst case of incompressible input.</summary>
    public static int MaxCompressedLength(int inputLength) => inputLength + (inputLength / 255) + 16;

    /// <summary>An LZ4 block can expand at most about 255 times (a match length byte of 255 per 255 bytes).</summary>
    public const int MaxExpansion = 255;

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/>; returns the length
    /// written, or -1 when it does not fit (the input is not worth compressing into that room).
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var length = source.Length;
        var op = 0;
        var anchor = 0;
        if (length >= MatchFindLimit + 1)
        {
            var table = ArrayPool<int>.Shared.Rent(1 << HashLog);
            try
            {
                // Positions + 1, so that 0 means "none yet".
                Array.Clear(table, 0, 1 << HashLog);
                var matchLimit = length - LastLiterals;
                var findLimit = length - MatchFindLimit;
                var ip = 0;
                while (ip < findLimit)
                {
                    var sequence = BinaryPrimitives.ReadUInt32LittleEndian(source.Slice(ip));
                    var hash = Hash(sequence);
                    var candidate = table[hash] - 1;
                    table[hash] = ip + 1;
                    if (candidate < 0 || ip - candidate > MaxOffset || BinaryPrimitives.ReadUInt32LittleEndian(source.Slice(candidate)) != sequence)
                    {
                        // Skips faster the longer nothing matched: incompressible input costs little.
                        ip += 1 + ((ip - anchor) >> 6);
                        continue;
                    }

                    while (ip > anchor && candidate > 0 && source[ip - 1] == source[candidate - 1])
                    {
                        ip--;
                        candidate--;
                    }

                    var matchLength = MinMatch + CommonLength(source, candidate + MinMatch, ip + MinMatch, matchLimit);
                    op = WriteSequence(source.Slice(anchor, ip - anchor), ip - candidate, matchLength, destination, op);
                    if (op < 0)
                    {
                        return -1;
                    }

                    ip += matchLength;
                    anchor = ip;
                    if (ip - 2 >= 0 && ip - 2 < findLimit)
                    {
                        table[Hash(BinaryPrimitives.ReadUInt32LittleEndian(source.Slice(ip - 2)))] = ip - 2 + 1;
                    }
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(table);
            }
        }

        return WriteLastLiterals(source.Slice(anchor), destination, op);
    }

    /// <summary>
    /// Decompresses a whole block into <paramref name="destination"/>, which must be exactly as long
    /// as the original; false when the block is malformed or does not produce exactly that length.
    /// </summary>
    public static bool Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var ip = 0;
        var op = 0;
        while (true)
        {
            if (ip >= source.Length)
            {
                return false;
            }

            var token = source[ip++];
            var literals = token >> 4;
            if (literals == 15 && !ReadLength(source, ref ip, ref literals, destination.Length))
            {
                return false;
            }

            if (literals > source.Length - ip || literals > destination.Length - op)
            {
                return false;
            }

            source.Slice(ip, literals).CopyTo(destination.Slice(op));
            ip += literals;
            op += literals;
            if (ip == source.Length)
            {
                return op == destination.Length;
            }

            if (source.Length - ip < 2)
            {
                return false;
            }

            var offset = source[ip] | (source[ip + 1] << 8);
            ip += 2;
            if (offset == 0 || offset > op)
            {
                return false;
            }

            var matchLength = token & 15;
            if (matchLength == 15 && !ReadLength(source, ref ip, ref matchLength, destination.Length))
            {
                return false;
            }

            matchLength += MinMatch;
            if (matchLength > destination.Length - op)
            {
                return false;
            }

            if (offset >= matchLength)
            {
                destination.Slice(op - offset, matchLength).CopyTo(destination.Slice(op));
            }
            else
            {
                // Overlapping: the match repeats the last `offset` bytes.
                for (var i = 0; i < matchLength; i++)
                {
                    destination[op + i] = destination[op - offset + i];
                }
            }

            op += matchLength;
        }
    }

    private static int Hash(uint sequence) => (int)((sequence * 2654435761u) >> (32 - HashLog));

    /// <summary>How many bytes from <paramref name="a"/> and <paramref name="b"/> on are equal, with b + result at most <paramref name="limit"/>.</summary>
    private static int CommonLength(ReadOnlySpan<byte> source, int a, int b, int limit)
    {
        var start = b;
        while (b + 8 <= limit)
        {
            var difference = BinaryPrimitives.ReadUInt64LittleEndian(source.Slice(a)) ^ BinaryPrimitives.ReadUInt64LittleEndian(source.Slice(b));
            if (difference != 0)
            {
                return b - start + (TrailingZeroCount(difference) >> 3);
            }

            a += 8;
            b += 8;
        }

        while (b < limit && source[a] == source[b])
        {
            a++;
            b++;
        }

        return b - start;
    }

    private static int TrailingZeroCount(ulong value)
    {
#if NETCOREAPP3_0_OR_GREATER
        return System.Numerics.BitOperations.TrailingZeroCount(value);
#else
        var count = 0;
        while ((value & 1) == 0)
        {
            value >>= 1;
            count++;
        }

        return count;
#endif
    }

    private static int WriteSequence(ReadOnlySpan<byte> literals, int offset, int matchLength, Span<byte> destination, int op)
    {
        var extra = matchLength - MinMatch;
        var needed = 1 + LengthBytes(literals.Length) + literals.Length + 2 + LengthBytes(extra);
        if (needed > destination.Length - op)
        {
            return -1;
        }

        destination[op++] = (byte)((Math.Min(literals.Length, 15) << 4) | Math.Min(extra, 15));
        op = WriteLength(literals.Length, destination, op);
        literals.CopyTo(destination.Slice(op));
        op += literals.Length;
        destination[op++] = (byte)offset;
        destination[op++] = (byte)(offset >> 8);
        return WriteLength(extra, destination, op);
    }

    private static int WriteLastLiterals(ReadOnlySpan<byte> literals, Span<byte> destination, int op)
    {
        if (op < 0 || 1 + LengthBytes(literals.Length) + literals.Length > destination.Length - op)
        {
            return -1;
        }

        destination[op++] = (byte)(Math.Min(literals.Length, 15) << 4);
        op = WriteLength(literals.Length, destination, op);
        literals.CopyTo(destination.Slice(op));
        return op + literals.Length;
    }

    /// <summary>The bytes after the token that a nibble of 15 needs for <paramref name="length"/>.</summary>
    private static int LengthBytes(int length) => length < 15 ? 0 : ((length - 15) / 255) + 1;

    private static int WriteLength(int length, Span<byte> destination, int op)
    {
        if (length < 15)
        {
            return op;
        }

        var rest = length - 15;
        while (rest >= 255)
        {
            destination[op++] = 255;
            rest -= 255;
        }

        destination[op++] = (byte)rest;
        return op;
    }

    /// <summary>Adds the length bytes that follow a nibble of 15; false past the input or past <paramref name="cap"/>.</summary>
    private static bool ReadLength(ReadOnlySpan<byte> source, ref int ip, ref int length, int cap)
    {
        byte next;
        do
        {
            if (ip >= source.Length)
            {
                return false;
            }

            next = source[ip++];
            length += next;
            if (length > cap)
            {
                return false;
            }
        }
        while (next == 255);

        return true;
    }
}
