using System;
using System.Linq;
using System.Text;
using AkCache.Internals.Serialization;
using MessagePack;
using Xunit;

namespace AkCache.Tests.Runtime.Serialization;

/// <summary>
/// AkCache's LZ4 block codec: every input comes back byte for byte; its blocks are standard LZ4
/// (MessagePack-CSharp's own LZ4 decoder reads them, and AkCache's decoder reads MessagePack's); a
/// malformed or hostile block is refused without throwing and without reading or writing past a buffer.
/// </summary>
public sealed class Lz4BlockTests
{
    public static TheoryData<string> Inputs => new()
    {
        "empty", "one byte", "twelve bytes", "thirteen bytes", "zeros 1 MB", "text 300 KB", "random 200 KB", "random then zeros", "short period", "long literal runs",
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Every_input_comes_back_byte_for_byte(string name)
    {
        var input = Input(name);
        var compressed = Compressed(input);
        var output = new byte[input.Length];

        Assert.True(Lz4Block.Decompress(compressed, output));
        Assert.True(input.AsSpan().SequenceEqual(output));
    }

    [Fact]
    public void Repetitive_input_shrinks_and_incompressible_input_grows_by_at_most_the_bound()
    {
        Assert.InRange(Compressed(Input("zeros 1 MB")).Length, 1, 5_000);
        Assert.InRange(Compressed(Input("text 300 KB")).Length, 1, 300_000 / 3);
        var random = Input("random 200 KB");
        var compressed = Compressed(random);
        Assert.InRange(compressed.Length, random.Length, Lz4Block.MaxCompressedLength(random.Length));
    }

    [Fact]
    public void A_destination_too_small_is_reported_not_overrun()
    {
        var random = Input("random 200 KB");
        var room = new byte[random.Length + 100];
        Assert.Equal(-1, Lz4Block.Compress(random, room.AsSpan(0, random.Length)));
        Assert.All(room.Skip(random.Length), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Random_inputs_of_every_size_and_pattern_come_back()
    {
        var random = new Random(20261203);
        for (var round = 0; round < 300; round++)
        {
            var input = new byte[random.Next(0, 20_000)];
            var alphabet = random.Next(1, 256);
            for (var i = 0; i < input.Length; i++)
            {
                // Runs copied from earlier in the input at random distances, and fresh bytes between.
                input[i] = i > 8 && random.Next(4) != 0 ? input[i - 1 - random.Next(Math.Min(i - 1, 300))] : (byte)random.Next(alphabet);
            }

            var output = new byte[input.Length];
            Assert.True(Lz4Block.Decompress(Compressed(input), output), $"round {round}, {input.Length} bytes");
            Assert.True(input.AsSpan().SequenceEqual(output), $"round {round}, {input.Length} bytes");
        }
    }

    /// <summary>MessagePack's Lz4Block format: an extension of type 99 holding the original length, then one raw LZ4 block.</summary>
    [Theory]
    [InlineData("text 300 KB")]
    [InlineData("zeros 1 MB")]
    [InlineData("short period")]
    public void MessagePacks_decoder_reads_AkCaches_blocks_and_AkCaches_decoder_reads_MessagePacks(string name)
    {
        var value = Input(name);
        var plain = MessagePackSerializer.Serialize(value, MessagePackSerializerOptions.Standard);
        var lz4 = MessagePackSerializerOptions.Standard.WithCompression(MessagePackCompression.Lz4Block);

        // AkCache's block, in MessagePack's envelope, read by MessagePack.
        var ours = Compressed(plain);
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        var packer = new MessagePackWriter(writer);
        var length = new System.Buffers.ArrayBufferWriter<byte>();
        var lengthPacker = new MessagePackWriter(length);
        lengthPacker.Write(plain.Length);
        lengthPacker.Flush();
        packer.WriteExtensionFormatHeader(new ExtensionHeader(99, length.WrittenCount + ours.Length));
        packer.WriteRaw(length.WrittenSpan);
        packer.WriteRaw(ours);
        packer.Flush();
        Assert.True(value.AsSpan().SequenceEqual(MessagePackSerializer.Deserialize<byte[]>(writer.WrittenMemory, lz4)));

        // MessagePack's block, read by AkCache.
        var theirs = MessagePackSerializer.Serialize(value, lz4);
        var reader = new MessagePackReader(theirs);
        var header = reader.ReadExtensionFormatHeader();
        Assert.Equal(99, header.TypeCode);
        var originalLength = reader.ReadInt32();
        var block = theirs.AsSpan((int)reader.Consumed);
        var output = new byte[originalLength];
        Assert.True(Lz4Block.Decompress(block, output));
        Assert.True(plain.AsSpan().SequenceEqual(output));
    }

    [Fact]
    public void Malformed_blocks_are_refused()
    {
        var input = Input("text 300 KB");
        var block = Compressed(input);
        var output = new byte[input.Length];

        // Cut short, one byte too long an output, one byte too short an output.
        Assert.False(Lz4Block.Decompress(block.AsSpan(0, block.Length - 1), output));
        Assert.False(Lz4Block.Decompress(block, new byte[input.Length + 1]));
        Assert.False(Lz4Block.Decompress(block, new byte[input.Length - 1]));

        // An offset of 0, and one that points before the start of the output.
        Assert.False(Lz4Block.Decompress(new byte[] { 0x10, (byte)'a', 0, 0, 0x00 }, new byte[10]));
        Assert.False(Lz4Block.Decompress(new byte[] { 0x10, (byte)'a', 2, 0, 0x00 }, new byte[10]));

        // Lengths that claim more than either buffer holds.
        Assert.False(Lz4Block.Decompress(new byte[] { 0xF0, 255, 255, 255, 255, 255, 10 }, new byte[100]));
        Assert.False(Lz4Block.Decompress(new byte[] { 0x1F, (byte)'a', 1, 0, 255, 255, 255, 255, 255, 255, 0x00 }, new byte[100]));
        Assert.False(Lz4Block.Decompress(ReadOnlySpan<byte>.Empty, new byte[1]));
    }

    [Fact]
    public void Random_bytes_are_refused_or_decoded_but_never_throw()
    {
        var random = new Random(1618);
        for (var round = 0; round < 2_000; round++)
        {
            var block = new byte[random.Next(0, 64)];
            random.NextBytes(block);
            var output = new byte[random.Next(0, 256)];
            Lz4Block.Decompress(block, output);
        }
    }

    private static byte[] Compressed(byte[] input)
    {
        var room = new byte[Lz4Block.MaxCompressedLength(input.Length)];
        var length = Lz4Block.Compress(input, room);
        Assert.True(length >= 0, "the bound was too small");
        return room.AsSpan(0, length).ToArray();
    }

    private static byte[] Input(string name)
    {
        var random = new Random(name.Length * 7919);
        switch (name)
        {
            case "empty": return Array.Empty<byte>();
            case "one byte": return new byte[] { 42 };
            case "twelve bytes": return Encoding.ASCII.GetBytes("abcabcabcabc");
            case "thirteen bytes": return Encoding.ASCII.GetBytes("abcabcabcabca");
            case "zeros 1 MB": return new byte[1 << 20];
            case "text 300 KB":
                var text = new StringBuilder();
                while (text.Length < 300_000)
                {
                    text.Append("AAPL,2026-12-0").Append(random.Next(10)).Append(",close=").Append(random.Next(100, 300)).Append(".").Append(random.Next(100)).Append('\n');
                }

                return Encoding.ASCII.GetBytes(text.ToString());
            case "random 200 KB":
                var bytes = new byte[200_000];
                random.NextBytes(bytes);
                return bytes;
            case "random then zeros":
                var half = new byte[100_000];
                random.NextBytes(half.AsSpan(0, 50_000));
                return half;
            case "short period": return Enumerable.Range(0, 100_000).Select(i => (byte)(i % 3)).ToArray();
            case "long literal runs":
                var runs = new byte[100_000];
                random.NextBytes(runs);
                Array.Copy(runs, 0, runs, 70_000, 20_000);
                return runs;
            default: throw new ArgumentException(name);
        }
    }
}
