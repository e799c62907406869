using System;
using System.Linq;
using AkCache.CompilerServices;
using AkCache.Internals.Serialization;
using Xunit;

namespace AkCache.Tests.Runtime.Serialization;

/// <summary>
/// Envelopes over <see cref="ValueSerializer.LargeEnvelopeBytes"/> carry an XxHash3 of themselves
/// (the checksummed flag), since they are read from Redis in chunks: <see cref="ValueSerializer.IsWhole"/>
/// tells one write read whole from two writes spliced at a chunk, a damaged one, or one without a
/// checksum. Smaller envelopes are as before, without one.
/// </summary>
public sealed class EnvelopeChecksumTests
{
    private const string SigningKey = "a-signing-key-of-thirty-two-chars!!";
    private static readonly MemoKey Key = new(0x0123456789abcdef, 0xfedcba9876543210);

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void A_small_envelope_has_no_checksum_and_a_large_one_has_one_that_matches()
    {
        var small = ValueSerializer.Serialize(Bytes(1, 1000), 0, Key);
        Assert.Equal(0, small[2] & ValueSerializer.Checksummed);
        Assert.False(ValueSerializer.IsWhole(small));

        var payload = Bytes(2, 2 * 1024 * 1024);
        var large = ValueSerializer.Serialize(payload, 0, Key);
        Assert.Equal(ValueSerializer.Checksummed, large[2] & ValueSerializer.Checksummed);
        Assert.True(ValueSerializer.IsWhole(large));
        Assert.Equal(EnvelopeStatus.Valid, ValueSerializer.ReadHeader<byte[]>(large, Key, null, out _, out var payloadLength));
        Assert.Equal(payload, ValueSerializer.Deserialize<byte[]>(large, payloadLength));
    }

    /// <summary>
    /// A large incompressible payload becomes its envelope in the serialization's own buffer (one copy
    /// of the value, not two): the envelope is exactly header, payload, checksum and signature, whole,
    /// signed where asked, and reads back equal.
    /// </summary>
    [Fact]
    public void A_large_envelope_made_in_the_serializations_buffer_is_exactly_as_long_as_its_parts_and_reads_back()
    {
        var payload = Bytes(5, 3 * 1024 * 1024);
        var plain = ValueSerializer.Serialize(payload, 0, Key, compressAbove: 64 * 1024);
        Assert.Equal(ValueSerializer.HeaderLength + 5 + payload.Length + ValueSerializer.ChecksumLength, plain.Length);
        Assert.True(ValueSerializer.IsWhole(plain));
        Assert.Equal(EnvelopeStatus.Valid, ValueSerializer.ReadHeader<byte[]>(plain, Key, null, out _, out var plainLength));
        Assert.Equal(payload, ValueSerializer.Deserialize<byte[]>(plain, plainLength));

        using var signer = new ValueSigner(SigningKey);
        var signed = ValueSerializer.Serialize(payload, 0, Key, signer, compressAbove: 64 * 1024);
        Assert.Equal(ValueSerializer.HeaderLength + 5 + payload.Length + ValueSerializer.ChecksumLength + ValueSigner.SignatureLength, signed.Length);
        Assert.True(ValueSerializer.IsWhole(signed));
        Assert.Equal(EnvelopeStatus.Valid, ValueSerializer.ReadHeader<byte[]>(signed, Key, signer, out _, out var signedLength));
        Assert.Equal(payload, ValueSerializer.Deserialize<byte[]>(signed, signedLength));

        // Two serializations of one value are the same bytes, whichever buffer each was made in.
        Assert.Equal(plain, ValueSerializer.Serialize(payload, 0, Key, compressAbove: 64 * 1024));

        // One payload-sized array per envelope, not two (the buffer the value is serialized into is the envelope).
        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = ValueSerializer.Serialize(payload, 0, Key, compressAbove: 64 * 1024);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(plain, again);
        Assert.InRange(allocated, payload.Length, payload.Length + (payload.Length / 4));
    }

    [Fact]
    public void The_checksum_starts_where_the_envelope_would_pass_the_large_limit()
    {
        // The MessagePack bin32 header of a byte[] is 5 bytes; the envelope's header 35.
        var overhead = ValueSerializer.HeaderLength + 5;
        // An envelope that a checksum would take over the limit gets one: none ends within 8 bytes under it.
        var largest = ValueSerializer.Serialize(new byte[ValueSerializer.LargeEnvelopeBytes - overhead - ValueSerializer.ChecksumLength], 0, Key);
        Assert.Equal(ValueSerializer.LargeEnvelopeBytes - ValueSerializer.ChecksumLength, largest.Length);
        Assert.Equal(0, largest[2] & ValueSerializer.Checksummed);

        var over = ValueSerializer.Serialize(new byte[ValueSerializer.LargeEnvelopeBytes - overhead - ValueSerializer.ChecksumLength + 1], 0, Key);
        Assert.Equal(ValueSerializer.LargeEnvelopeBytes + 1, over.Length);
        Assert.True(ValueSerializer.IsWhole(over));
    }

    [Fact]
    public void A_signed_large_envelope_is_checksummed_under_its_signature_and_reads_back()
    {
        using var signer = new ValueSigner(SigningKey);
        var payload = Bytes(3, 3 * 1024 * 1024);
        var envelope = ValueSerializer.Serialize(payload, 0, Key, signer);
        Assert.Equal(ValueSerializer.Signed | ValueSerializer.Checksummed, envelope[2] & (ValueSerializer.Signed | ValueSerializer.Checksummed));
        Assert.True(ValueSerializer.IsWhole(envelope));
        Assert.Equal(EnvelopeStatus.Valid, ValueSerializer.ReadHeader<byte[]>(envelope, Key, signer, out _, out var payloadLength));
        Assert.Equal(payload, ValueSerializer.Deserialize<byte[]>(envelope, payloadLength));
    }

    [Fact]
    public void Two_writes_spliced_at_a_chunk_a_damaged_byte_and_a_missing_checksum_are_not_whole()
    {
        var first = ValueSerializer.Serialize(Bytes(4, 2 * 1024 * 1024), 0, Key);
        var second = ValueSerializer.Serialize(Bytes(5, 2 * 1024 * 1024), 0, Key);
        Assert.Equal(first.Length, second.Length);
        Assert.True(ValueSerializer.IsWhole(first) && ValueSerializer.IsWhole(second));

        // The first chunk of one write, the rest of the other: same header, same length.
        var spliced = first.Take(64 * 1024).Concat(second.Skip(64 * 1024)).ToArray();
        Assert.Equal(EnvelopeStatus.Valid, ValueSerializer.ReadHeader<byte[]>(spliced, Key, null, out _, out _));
        Assert.False(ValueSerializer.IsWhole(spliced));

        var damaged = first.ToArray();
        damaged[1024 * 1024]++;
        Assert.False(ValueSerializer.IsWhole(damaged));

        // Large, in this format, but written without the flag and its checksum (an older AkCache's).
        var unsummed = first.Take(first.Length - ValueSerializer.ChecksumLength).ToArray();
        unsummed[2] = 0;
        Assert.Equal(EnvelopeStatus.Valid, ValueSerializer.ReadHeader<byte[]>(unsummed, Key, null, out _, out _));
        Assert.False(ValueSerializer.IsWhole(unsummed));
        Assert.False(ValueSerializer.IsWhole(Array.Empty<byte>()));
    }
}
