using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization.Formatters;

/// <summary>
/// <c>double[]</c> in MessagePack's standard form (an array header, then each element as a float64:
/// its code byte and eight bytes big-endian), byte for byte what MessagePack's own formatter writes,
/// but written and read a block at a time instead of one <c>ReadDouble</c> call per element: a
/// series of closes or a price curve is the most common large result of a market-data helper.
/// </summary>
/// <remarks>
/// A reader of the block checks every element's code byte. An element in another encoding (an
/// integer or a float32, which a foreign writer may use and <c>ReadDouble</c> accepts) and a block
/// split across two buffers are read by <c>ReadDouble</c>, one element at a time, so that what
/// comes back is always what MessagePack itself would read.
/// </remarks>
internal sealed class DoubleBlockFormatter : IMessagePackFormatter<double[]?>
{
    public static readonly DoubleBlockFormatter Instance = new();

    private const int Width = 9;

    /// <summary>Elements per span asked of the writer or looked at in the reader: a bounded buffer for any array's size.</summary>
    private const int Block = 1024;

    public void Serialize(ref MessagePackWriter writer, double[]? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(value.Length);
        for (var start = 0; start < value.Length; start += Block)
        {
            var count = Math.Min(Block, value.Length - start);
            var span = writer.GetSpan(count * Width);
            for (var i = 0; i < count; i++)
            {
                span[i * Width] = MessagePackCode.Float64;
                BinaryPrimitives.WriteInt64BigEndian(span.Slice((i * Width) + 1), BitConverter.DoubleToInt64Bits(value[start + i]));
            }

            writer.Advance(count * Width);
        }
    }

    public double[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var length = reader.ReadArrayHeader();
        if (length == 0)
        {
            return Array.Empty<double>();
        }

        var result = new double[length];
        var done = 0;
        while (done < length)
        {
            done += ReadBlock(ref reader, result.AsSpan(done, Math.Min(Block, length - done)));
            if (done < length && (reader.End || reader.NextCode != MessagePackCode.Float64 || BlockAvailable(ref reader) == 0))
            {
                // Another encoding, an element across two buffers, or the end of the input (which
                // ReadDouble reports): MessagePack's own reading of this one element.
                result[done++] = reader.ReadDouble();
            }
        }

        return result;
    }

    /// <summary>Reads the leading float64 elements of the reader's current buffer into <paramref name="into"/>; returns how many.</summary>
    private static int ReadBlock(ref MessagePackReader reader, Span<double> into)
    {
        var span = reader.Sequence.Slice(reader.Position).First.Span;
        var fit = Math.Min(into.Length, span.Length / Width);
        var read = 0;
        while (read < fit && span[read * Width] == MessagePackCode.Float64)
        {
            into[read] = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(span.Slice((read * Width) + 1)));
            read++;
        }

        if (read > 0)
        {
            _ = reader.ReadRaw(read * Width);
        }

        return read;
    }

    private static int BlockAvailable(ref MessagePackReader reader) => reader.Sequence.Slice(reader.Position).First.Length / Width;
}

/// <summary><see cref="DoubleBlockFormatter"/> for <c>float[]</c>: each element a float32, its code byte and four bytes big-endian.</summary>
internal sealed class SingleBlockFormatter : IMessagePackFormatter<float[]?>
{
    public static readonly SingleBlockFormatter Instance = new();

    private const int Width = 5;
    private const int Block = 1024;

    public void Serialize(ref MessagePackWriter writer, float[]? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(value.Length);
        for (var start = 0; start < value.Length; start += Block)
        {
            var count = Math.Min(Block, value.Length - start);
            var span = writer.GetSpan(count * Width);
            for (var i = 0; i < count; i++)
            {
                var element = value[start + i];
                span[i * Width] = MessagePackCode.Float32;
                BinaryPrimitives.WriteInt32BigEndian(span.Slice((i * Width) + 1), Unsafe.As<float, int>(ref element));
            }

            writer.Advance(count * Width);
        }
    }

    public float[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var length = reader.ReadArrayHeader();
        if (length == 0)
        {
            return Array.Empty<float>();
        }

        var result = new float[length];
        var done = 0;
        while (done < length)
        {
            done += ReadBlock(ref reader, result.AsSpan(done, Math.Min(Block, length - done)));
            if (done < length && (reader.End || reader.NextCode != MessagePackCode.Float32 || BlockAvailable(ref reader) == 0))
            {
                // Another encoding, an element across two buffers, or the end of the input: MessagePack's own reading.
                result[done++] = reader.ReadSingle();
            }
        }

        return result;
    }

    private static int ReadBlock(ref MessagePackReader reader, Span<float> into)
    {
        var span = reader.Sequence.Slice(reader.Position).First.Span;
        var fit = Math.Min(into.Length, span.Length / Width);
        var read = 0;
        while (read < fit && span[read * Width] == MessagePackCode.Float32)
        {
            var bits = BinaryPrimitives.ReadInt32BigEndian(span.Slice((read * Width) + 1));
            into[read] = Unsafe.As<int, float>(ref bits);
            read++;
        }

        if (read > 0)
        {
            _ = reader.ReadRaw(read * Width);
        }

        return read;
    }

    private static int BlockAvailable(ref MessagePackReader reader) => reader.Sequence.Slice(reader.Position).First.Length / Width;
}
