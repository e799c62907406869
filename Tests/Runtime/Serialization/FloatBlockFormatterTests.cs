using System;
using System.Buffers;
using System.Linq;
using AkCache.Internals.Serialization;
using MessagePack;
using MessagePack.Formatters;
using Xunit;

namespace AkCache.Tests.Runtime.Serialization;

/// <summary>
/// double[] and float[] are written and read a block at a time (DoubleBlockFormatter,
/// SingleBlockFormatter): the bytes must be MessagePack's own, and what is read must be what
/// MessagePack's element-by-element reading gives, for any valid input, in one buffer or many.
/// </summary>
public sealed class FloatBlockFormatterTests
{
    private static readonly MessagePackSerializerOptions Faithful = MessagePackSerializerOptions.Standard.WithResolver(FaithfulResolver.Instance);
    private static readonly MessagePackSerializerOptions Standard = MessagePackSerializerOptions.Standard;

    [Theory]
    [InlineData(1)]
    [InlineData(110)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(5000)]
    public void Large_arrays_are_MessagePacks_bytes_and_come_back_bit_for_bit(int length)
    {
        var random = new Random(length);
        var doubles = Enumerable.Range(0, length).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64())).ToArray();
        var floats = Enumerable.Range(0, length).Select(_ => BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next() << 1))).ToArray();

        var doubleBytes = MessagePackSerializer.Serialize(doubles, Faithful);
        Assert.Equal(MessagePackSerializer.Serialize(doubles, Standard), doubleBytes);
        var floatBytes = MessagePackSerializer.Serialize(floats, Faithful);
        Assert.Equal(MessagePackSerializer.Serialize(floats, Standard), floatBytes);

        // Compared by their bits: NaN payloads and negative zero included.
        Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), MessagePackSerializer.Deserialize<double[]>(doubleBytes, Faithful).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(floats.Select(BitConverter.SingleToInt32Bits), MessagePackSerializer.Deserialize<float[]>(floatBytes, Faithful).Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Elements_in_other_encodings_are_read_as_MessagePack_reads_them()
    {
        // A foreign writer may store small whole numbers as integers and doubles as float32:
        // ReadDouble accepts both, so the block reader must too, wherever they fall.
        var bytes = Mixed(2100, static (ref MessagePackWriter w, int i) =>
        {
            switch (i % 7)
            {
                case 0: w.Write(i); break;
                case 3: w.Write((float)i / 3); break;
                case 5: w.Write(-(long)i * 1_000_000_007L); break;
                default: w.Write(i / 7.0); break;
            }
        });

        var expected = ElementByElement(bytes, static (ref MessagePackReader r) => r.ReadDouble());
        Assert.Equal(expected, MessagePackSerializer.Deserialize<double[]>(bytes, Faithful));

        var floatBytes = Mixed(1500, static (ref MessagePackWriter w, int i) =>
        {
            if (i % 5 == 0)
            {
                w.Write(i);
            }
            else
            {
                w.Write(i / 9.0f);
            }
        });
        var expectedFloats = ElementByElement(floatBytes, static (ref MessagePackReader r) => r.ReadSingle());
        Assert.Equal(expectedFloats, MessagePackSerializer.Deserialize<float[]>(floatBytes, Faithful));
    }

    [Fact]
    public void An_array_split_across_buffers_at_any_byte_comes_back_the_same()
    {
        var doubles = Enumerable.Range(0, 300).Select(i => i * 1.25 - 7).ToArray();
        var bytes = MessagePackSerializer.Serialize(doubles, Faithful);
        var floats = Enumerable.Range(0, 300).Select(i => i * 0.5f - 3).ToArray();
        var floatBytes = MessagePackSerializer.Serialize(floats, Faithful);
        for (var split = 1; split < 40; split++)
        {
            Assert.Equal(doubles, MessagePackSerializer.Deserialize<double[]>(Segments(bytes, split), Faithful));
            Assert.Equal(floats, MessagePackSerializer.Deserialize<float[]>(Segments(floatBytes, split), Faithful));
        }
    }

    [Fact]
    public void A_truncated_array_is_an_error_not_a_shorter_or_zero_filled_array()
    {
        var bytes = MessagePackSerializer.Serialize(Enumerable.Range(0, 50).Select(i => (double)i).ToArray(), Faithful);
        foreach (var cut in new[] { 1, 5, 9, 10, 200, bytes.Length - 1 })
        {
            Assert.ThrowsAny<Exception>(() => MessagePackSerializer.Deserialize<double[]>(bytes.AsMemory(0, cut), Faithful));
        }

        var floatBytes = MessagePackSerializer.Serialize(new[] { 1f, 2f, 3f }, Faithful);
        Assert.ThrowsAny<Exception>(() => MessagePackSerializer.Deserialize<float[]>(floatBytes.AsMemory(0, floatBytes.Length - 2), Faithful));
    }

    [Fact]
    public void Null_and_empty_arrays_keep_their_form()
    {
        Assert.Equal(MessagePackSerializer.Serialize<double[]?>(null, Standard), MessagePackSerializer.Serialize<double[]?>(null, Faithful));
        Assert.Null(MessagePackSerializer.Deserialize<double[]?>(MessagePackSerializer.Serialize<double[]?>(null, Faithful), Faithful));
        Assert.Empty(MessagePackSerializer.Deserialize<double[]>(MessagePackSerializer.Serialize(Array.Empty<double>(), Faithful), Faithful));
        Assert.Null(MessagePackSerializer.Deserialize<float[]?>(MessagePackSerializer.Serialize<float[]?>(null, Faithful), Faithful));
        Assert.Empty(MessagePackSerializer.Deserialize<float[]>(MessagePackSerializer.Serialize(Array.Empty<float>(), Faithful), Faithful));
    }

    private delegate void WriteElement(ref MessagePackWriter writer, int index);

    private delegate T ReadElement<T>(ref MessagePackReader reader);

    private static byte[] Mixed(int count, WriteElement write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(count);
        for (var i = 0; i < count; i++)
        {
            write(ref writer, i);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T[] ElementByElement<T>(byte[] bytes, ReadElement<T> read)
    {
        var reader = new MessagePackReader(bytes);
        var result = new T[reader.ReadArrayHeader()];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = read(ref reader);
        }

        return result;
    }

    /// <summary>The bytes as a sequence of buffers of <paramref name="size"/> bytes each.</summary>
    private static ReadOnlySequence<byte> Segments(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var at = 0; at < bytes.Length; at += size)
        {
            var piece = bytes.AsMemory(at, Math.Min(size, bytes.Length - at));
            last = last is null ? first = new Segment(piece, 0) : last.Append(piece);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
