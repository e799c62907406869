using System;
using AkCache.CompilerServices;
using AkCache.Internals.Serialization;
using Xunit;

namespace AkCache.Tests.Runtime.Serialization;

/// <summary>
/// A payload of at least <see cref="ValueSerializer.SampledFrom"/> bytes is compressed only if its
/// first or middle <see cref="ValueSerializer.CompressionSampleBytes"/> save an eighth: a large
/// incompressible value is not run through LZ4 whole on every store. Whatever is decided, the value
/// reads back equal.
/// </summary>
public sealed class CompressionSampleTests
{
    private static readonly MemoKey Key = new(0x0123456789abcdef, 0xfedcba9876543210);
    private const int Threshold = 64 * 1024;

    /// <summary>A payload of <paramref name="length"/> bytes: zeros (compressible), with random bytes where <paramref name="random"/> says.</summary>
    private static byte[] Payload(int length, params (int Start, int Length)[] random)
    {
        var bytes = new byte[length];
        var rng = new Random(length);
        foreach (var (start, count) in random)
        {
            rng.NextBytes(bytes.AsSpan(start, count));
        }

        return bytes;
    }

    private static bool StoredCompressed(byte[] payload, out byte[] readBack)
    {
        var envelope = ValueSerializer.Serialize(payload, 0, Key, compressAbove: Threshold);
        Assert.Equal(EnvelopeStatus.Valid, ValueSerializer.ReadHeader<byte[]>(envelope, Key, null, out _, out var payloadLength));
        readBack = ValueSerializer.Deserialize<byte[]>(envelope, payloadLength);
        return (envelope[2] & ValueSerializer.Compressed) != 0;
    }

    [Fact]
    public void A_large_payload_that_compresses_at_its_start_or_its_middle_is_compressed()
    {
        var length = 4 * ValueSerializer.SampledFrom;
        var zeros = Payload(length);
        Assert.True(StoredCompressed(zeros, out var back));
        Assert.Equal(zeros, back);

        // Random at the start, zeros in the middle: the middle sample saves, the whole is compressed.
        var randomStart = Payload(length, (0, length / 4));
        Assert.True(StoredCompressed(randomStart, out back));
        Assert.Equal(randomStart, back);
    }

    [Fact]
    public void A_large_payload_random_at_both_samples_is_stored_as_it_is_even_if_the_rest_would_compress()
    {
        var length = 4 * ValueSerializer.SampledFrom;
        var both = Payload(length, (0, 2 * ValueSerializer.CompressionSampleBytes), ((length / 2) - 16, 2 * ValueSerializer.CompressionSampleBytes));
        Assert.False(StoredCompressed(both, out var back));
        Assert.Equal(both, back);

        var noise = Payload(length, (0, length));
        Assert.False(StoredCompressed(noise, out back));
        Assert.Equal(noise, back);
    }

    [Fact]
    public void A_payload_under_the_sampled_size_is_tried_whole()
    {
        // Random where the samples would be, zeros elsewhere: under SampledFrom it is not sampled, and it saves.
        var length = ValueSerializer.SampledFrom - 1024;
        var payload = Payload(length, (0, ValueSerializer.CompressionSampleBytes), ((length / 2) - 16, ValueSerializer.CompressionSampleBytes));
        Assert.True(StoredCompressed(payload, out var back));
        Assert.Equal(payload, back);
    }
}
