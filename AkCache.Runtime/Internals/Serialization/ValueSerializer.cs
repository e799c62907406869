using System;
using System.Buffers.Binary;
using System.IO.Hashing;
using AkCache.CompilerServices;
using AkCache.Internals.Hashing;
using MessagePack;

namespace AkCache.Internals.Serialization;

/// <summary>What a stored envelope's header says about it.</summary>
internal enum EnvelopeStatus
{
    Valid,

    /// <summary>Not written by AkCache in this format (too short, another format byte).</summary>
    Foreign,

    /// <summary>Written by a serializer this build does not read.</summary>
    OtherSerializer,

    /// <summary>Written for another key: bytes copied from one key to another.</summary>
    OtherKey,

    /// <summary>Written when the result type had other fields.</summary>
    OtherShape,

    /// <summary>Not signed, while this process requires signatures.</summary>
    Unsigned,

    /// <summary>Signed with another key, or altered after it was signed.</summary>
    BadSignature,
}

/// <summary>
/// Turns results into the bytes stored in Redis and back. Each value is wrapped in an envelope
/// (format 2, docs/values.md): the format byte, the serializer's id, a flags byte, the absolute
/// expiry (Unix milliseconds), the key the value was written for (the 16 bytes of its hash tag),
/// the fingerprint of the result type's shape (<see cref="TypeShape{T}"/>), the payload, for an
/// envelope over <see cref="LargeEnvelopeBytes"/> an XxHash3 of everything before it (the
/// checksummed flag), and, when the signed flag is set, an HMAC-SHA256 of everything before it;
/// numbers little endian. Anything that does not match is never deserialized.
/// </summary>
internal static class ValueSerializer
{
    public const byte FormatVersion = 2;

    /// <summary>AkCache's MessagePack through <see cref="FaithfulResolver"/>.</summary>
    public const byte MessagePackSerializerId = 1;

    /// <summary>The built-in System.Text.Json serializer ("json").</summary>
    public const byte JsonSerializerId = 2;

    /// <summary>A serializer of the application's (its name is in the key's version).</summary>
    public const byte CustomSerializerId = 3;

    public const int HeaderLength = 35;

    /// <summary>Flag: the envelope ends with a signature.</summary>
    public const byte Signed = 1;

    /// <summary>
    /// Flag: before its signature, the envelope carries an XxHash3 (<see cref="ChecksumLength"/>
    /// bytes) of everything before it. Set on every envelope over <see cref="LargeEnvelopeBytes"/>,
    /// and only there: such a value is read from Redis in chunks, and the checksum tells a value
    /// read whole from one assembled from two writes (replaced between two chunks) or damaged.
    /// </summary>
    public const byte Checksummed = 4;

    /// <summary>The length of the checksum of a <see cref="Checksummed"/> envelope.</summary>
    public const int ChecksumLength = 8;

    /// <summary>Envelopes longer than this carry a checksum, and are read from Redis in chunks on a connection of their own.</summary>
    public const int LargeEnvelopeBytes = 1024 * 1024;

    /// <summary>
    /// Flag: the payload is compressed: the original length (4 bytes), then one LZ4 block of it
    /// (<see cref="Lz4Block"/>). Set only when that is smaller than the payload.
    /// </summary>
    public const byte Compressed = 2;

    private const int OriginalLengthBytes = 4;

    /// <summary>Whether an envelope's payload is compressed.</summary>
    public static bool IsCompressed(ReadOnlySpan<byte> envelope) => envelope.Length > FlagsAt && (envelope[FlagsAt] & Compressed) != 0;

    private const int RetainedScratchLimit = 64 * 1024;

    private const int FlagsAt = 2;
    private const int ExpiryAt = 3;
    private const int KeyAt = 11;
    private const int ShapeAt = 27;

    /// <summary>
    /// Every value through <see cref="FaithfulResolver"/>: it comes back equal in every respect, or
    /// writing it throws <see cref="NotFaithfulException"/>. Hardened for untrusted data: the payload
    /// never names a type to create.
    /// </summary>
    public static MessagePackSerializerOptions Options => FaithfulOptions.Values;

    [ThreadStatic]
    private static byte[]? t_scratch;

    /// <param name="value">The result.</param>
    /// <param name="expiresAtUnixMs">When it expires, whatever Redis's time to live says.</param>
    /// <param name="boundTo">The hash tag of the key it is stored under.</param>
    /// <param name="signer">Signs the envelope, when a signing key is configured.</param>
    /// <exception cref="NotFaithfulException">The value would not come back equal in every respect.</exception>
    /// <exception cref="Exception">The type cannot be serialized.</exception>
    /// <param name="serializer">The method's serializer; AkCache's own when null.</param>
    /// <param name="compressAbove">A payload of at least this many bytes is compressed, if that makes it smaller; 0: never.</param>
    public static byte[] Serialize<T>(T value, long expiresAtUnixMs, MemoKey boundTo, ValueSigner? signer = null, MethodSerializer? serializer = null, int compressAbove = 0)
    {
        serializer ??= MethodSerializer.Faithful;
        byte[] envelope;
        int signed;
        var flags = signer is null ? (byte)0 : Signed;
        if (serializer.Custom is { } custom)
        {
            var payload = custom.Serialize(value);
            envelope = Envelope(payload, WorthCompressing(payload, compressAbove), signer, ref flags, out signed);
        }
        else
        {
            // Serialized after room for the header in a per-thread buffer, then copied once into
            // the envelope: one payload-sized allocation per store, not two.
            var scratch = t_scratch ?? new byte[4096];
            t_scratch = null;
            var signature = signer is null ? 0 : ValueSigner.SignatureLength;
            var writer = KeyBufferWriter.Rent(scratch, HeaderLength, ChecksumLength + signature);
            try
            {
                MessagePackSerializer.Serialize(writer, value, Options);
            }
            catch (MessagePackSerializationException ex) when (NotFaithfulException.Find(ex) is { } refusal)
            {
                throw refusal;
            }
            finally
            {
                scratch = writer.Return(out signed);
                if (scratch.Length <= RetainedScratchLimit)
                {
                    t_scratch = scratch;
                }
            }

            var payload = scratch.AsSpan(HeaderLength, signed - HeaderLength);
            var compress = WorthCompressing(payload, compressAbove);
            envelope = (compress ? null : InPlace(scratch, signed, signature, ref flags))
                ?? Envelope(payload, compress, signer, ref flags, out signed);
            if (ReferenceEquals(envelope, scratch))
            {
                signed += ChecksumLength;
            }
        }

        envelope[0] = FormatVersion;
        envelope[1] = serializer.Code;
        envelope[FlagsAt] = flags;
        var header = envelope.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(header.Slice(ExpiryAt), expiresAtUnixMs);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(KeyAt), boundTo.High);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(KeyAt + 8), boundTo.Low);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(ShapeAt), TypeShape<T>.Fingerprint);
        if ((flags & Checksummed) != 0)
        {
            var summed = signed - ChecksumLength;
            BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(summed), XxHash3.HashToUInt64(header.Slice(0, summed)));
        }

        signer?.Sign(envelope, signed);
        return envelope;
    }

    /// <summary>
    /// An envelope with room for the header, <paramref name="payload"/> in it (compressed when
    /// <paramref name="compress"/> (<see cref="WorthCompressing"/>) and that saves room), room for a checksum when
    /// it is large (<see cref="ChecksumRoom"/>) and for a signature; <paramref name="signed"/> is the
    /// length the signature covers.
    /// </summary>
    private static byte[] Envelope(ReadOnlySpan<byte> payload, bool compress, ValueSigner? signer, ref byte flags, out int signed)
    {
        var signature = signer is null ? 0 : ValueSigner.SignatureLength;
        if (compress)
        {
            // Worth it only if it saves at least an eighth: else the reader's decompression costs more than the bytes saved.
            var room = System.Buffers.ArrayPool<byte>.Shared.Rent(payload.Length - (payload.Length / 8));
            try
            {
                var length = Lz4Block.Compress(payload, room.AsSpan(0, payload.Length - (payload.Length / 8)));
                if (length >= 0)
                {
                    signed = HeaderLength + OriginalLengthBytes + length;
                    signed += ChecksumRoom(signed, signature, ref flags);
                    var compressed = Allocate(signed + signature);
                    BinaryPrimitives.WriteInt32LittleEndian(compressed.AsSpan(HeaderLength), payload.Length);
                    room.AsSpan(0, length).CopyTo(compressed.AsSpan(HeaderLength + OriginalLengthBytes));
                    flags |= Compressed;
                    return compressed;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(room);
            }
        }

        signed = HeaderLength + payload.Length;
        signed += ChecksumRoom(signed, signature, ref flags);
        var envelope = Allocate(signed + signature);
        payload.CopyTo(envelope.AsSpan(HeaderLength));
        return envelope;
    }

    /// <summary>
    /// The serialization's own buffer as the envelope, when it is one already: a large payload that
    /// will not be compressed, written in one piece into a buffer grown to exactly its header, payload,
    /// checksum and signature (<see cref="KeyBufferWriter.Rent"/>'s trailer). A 60 MiB result is then
    /// copied once, by its serialization, instead of twice. Null otherwise: the caller copies.
    /// </summary>
    private static byte[]? InPlace(byte[] buffer, int written, int signature, ref byte flags)
    {
        if (buffer.Length != written + ChecksumLength + signature || written + ChecksumLength + signature <= LargeEnvelopeBytes)
        {
            return null;
        }

        flags |= Checksummed;
        return buffer;
    }

    /// <summary>
    /// An envelope's array: every byte of it is written (header, payload, checksum, signature), so a
    /// large one is not zeroed first.
    /// </summary>
    private static byte[] Allocate(int length) => ByteArrays.Uninitialized(length);

    /// <summary>
    /// The size of each sample of a large payload that <see cref="SampleSaves"/> compresses before
    /// the whole: a payload of at least <see cref="SampledFrom"/> bytes is compressed only if its
    /// first or middle 64 KiB saves an eighth.
    /// </summary>
    internal const int CompressionSampleBytes = 64 * 1024;

    /// <summary>Payloads from this size on are sampled before they are compressed whole.</summary>
    internal const int SampledFrom = 16 * CompressionSampleBytes;

    /// <summary>
    /// Whether a payload is worth trying to compress whole: below <see cref="SampledFrom"/>, always;
    /// above, only if its first or its middle <see cref="CompressionSampleBytes"/> save at least an
    /// eighth. A 60 MiB incompressible value (random bytes, an image, an archive) then costs two
    /// passes of 64 KiB instead of a pass of LZ4 over 60 MiB that ends in nothing, on every store.
    /// A payload that compresses only elsewhere is stored as it is (a miss of room, not of correctness).
    /// </summary>
    /// <summary>Whether <paramref name="payload"/> is tried compressed: at least <paramref name="compressAbove"/> bytes (0: never), and its samples save (<see cref="SampleSaves"/>).</summary>
    private static bool WorthCompressing(ReadOnlySpan<byte> payload, int compressAbove) =>
        compressAbove > 0 && payload.Length >= compressAbove && SampleSaves(payload);

    private static bool SampleSaves(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < SampledFrom)
        {
            return true;
        }

        var room = System.Buffers.ArrayPool<byte>.Shared.Rent(CompressionSampleBytes);
        try
        {
            var fits = room.AsSpan(0, CompressionSampleBytes - (CompressionSampleBytes / 8));
            return Lz4Block.Compress(payload.Slice(0, CompressionSampleBytes), fits) >= 0
                || Lz4Block.Compress(payload.Slice(payload.Length / 2, CompressionSampleBytes), fits) >= 0;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(room);
        }
    }

    /// <summary>The room for a checksum in an envelope of <paramref name="body"/> bytes before it: its length, with the flag set, when the envelope would then be over <see cref="LargeEnvelopeBytes"/>; else none.</summary>
    private static int ChecksumRoom(int body, int signature, ref byte flags)
    {
        if (body + ChecksumLength + signature <= LargeEnvelopeBytes)
        {
            return 0;
        }

        flags |= Checksummed;
        return ChecksumLength;
    }

    /// <summary>
    /// Whether an envelope read from Redis in chunks is one write, whole: it carries a checksum
    /// (<see cref="Checksummed"/>), and the checksum matches. False for an envelope assembled from
    /// two writes, a damaged one, and a large one without a checksum (not written in this format).
    /// </summary>
    public static bool IsWhole(ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length <= HeaderLength || envelope[0] != FormatVersion || (envelope[FlagsAt] & Checksummed) == 0)
        {
            return false;
        }

        var summed = envelope.Length - ChecksumLength - ((envelope[FlagsAt] & Signed) != 0 ? ValueSigner.SignatureLength : 0);
        return summed > HeaderLength && XxHash3.HashToUInt64(envelope.Slice(0, summed)) == BinaryPrimitives.ReadUInt64LittleEndian(envelope.Slice(summed));
    }

    /// <summary>
    /// Checks an envelope against the key it was read from and the type it should hold. With a
    /// <paramref name="signer"/>, the envelope must be signed with its key; without one, a signature is
    /// ignored. <paramref name="payloadLength"/> leaves the signature out.
    /// </summary>
    public static EnvelopeStatus ReadHeader<T>(ReadOnlyMemory<byte> envelope, MemoKey boundTo, ValueSigner? signer, out long expiresAtUnixMs, out int payloadLength, MethodSerializer? serializer = null)
    {
        expiresAtUnixMs = 0;
        payloadLength = 0;
        var header = envelope.Span;
        if (!IsOfThisFormat(header))
        {
            return EnvelopeStatus.Foreign;
        }

        if (header[1] != (serializer ?? MethodSerializer.Faithful).Code)
        {
            return EnvelopeStatus.OtherSerializer;
        }

        var signed = (header[FlagsAt] & Signed) != 0;
        payloadLength = PayloadLength(header);
        if (payloadLength <= 0)
        {
            return EnvelopeStatus.Foreign;
        }

        if (signer is not null && !signed)
        {
            return EnvelopeStatus.Unsigned;
        }

        if (signer is not null && !signer.Verify(envelope))
        {
            return EnvelopeStatus.BadSignature;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(KeyAt)) != boundTo.High
            || BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(KeyAt + 8)) != boundTo.Low)
        {
            return EnvelopeStatus.OtherKey;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(ShapeAt)) != TypeShape<T>.Fingerprint)
        {
            return EnvelopeStatus.OtherShape;
        }

        expiresAtUnixMs = BinaryPrimitives.ReadInt64LittleEndian(header.Slice(ExpiryAt));
        return EnvelopeStatus.Valid;
    }

    /// <summary>The payload of an envelope that <see cref="ReadHeader"/> accepted.</summary>
    /// <exception cref="MessagePackSerializationException">The payload is not a valid <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(ReadOnlyMemory<byte> envelope, int payloadLength, MethodSerializer? serializer = null)
    {
        var payload = envelope.Slice(HeaderLength, payloadLength);
        if ((envelope.Span[FlagsAt] & Compressed) != 0)
        {
            payload = Decompressed(payload.Span);
        }

        if (serializer?.Custom is { } custom)
        {
            return custom.Deserialize<T>(payload);
        }

        var value = MessagePackSerializer.Deserialize<T>(payload, Options, out var bytesRead);
        if (bytesRead != payload.Length)
        {
            throw new MessagePackSerializationException($"The stored value has {payload.Length - bytesRead} bytes after the {typeof(T)} it should hold.");
        }

        return value;
    }

    /// <summary>Whether the bytes are long enough for a header, of this format version, with no flag this build does not know.</summary>
    private static bool IsOfThisFormat(ReadOnlySpan<byte> envelope) =>
        envelope.Length > HeaderLength && envelope[0] == FormatVersion && (envelope[FlagsAt] & ~(Signed | Compressed | Checksummed)) == 0;

    /// <summary>The length of the payload of an envelope of this format: what is left between the header and its checksum and signature.</summary>
    private static int PayloadLength(ReadOnlySpan<byte> envelope) =>
        envelope.Length - HeaderLength - ((envelope[FlagsAt] & Signed) != 0 ? ValueSigner.SignatureLength : 0) - ((envelope[FlagsAt] & Checksummed) != 0 ? ChecksumLength : 0);

    /// <summary>
    /// An envelope's header and payload (decompressed) without the type it holds, for a tool that
    /// shows stored values (the akcache CLI); the signature is not checked. False, with the reason,
    /// when the bytes are not an envelope of this format.
    /// </summary>
    public static bool TryInspect(byte[] envelope, out EnvelopeView view, out string problem)
    {
        view = null!;
        problem = string.Empty;
        if (!IsOfThisFormat(envelope))
        {
            problem = envelope.Length <= HeaderLength ? $"{envelope.Length} bytes, shorter than a header" : $"format {envelope[0]}, flags {envelope[FlagsAt]}: not format {FormatVersion}";
            return false;
        }

        var flags = envelope[FlagsAt];
        var payloadLength = PayloadLength(envelope);
        if (payloadLength <= 0)
        {
            problem = "no payload after the header";
            return false;
        }

        ReadOnlyMemory<byte> payload = envelope.AsMemory(HeaderLength, payloadLength);
        try
        {
            if ((flags & Compressed) != 0)
            {
                payload = Decompressed(payload.Span);
            }
        }
        catch (MessagePackSerializationException ex)
        {
            problem = ex.Message;
            return false;
        }

        var serializer = envelope[1] switch
        {
            MessagePackSerializerId => "messagepack",
            JsonSerializerId => "json",
            CustomSerializerId => "custom",
            _ => "unknown " + envelope[1],
        };
        view = new EnvelopeView(serializer, BinaryPrimitives.ReadInt64LittleEndian(envelope.AsSpan(ExpiryAt)), (flags & Signed) != 0, (flags & Compressed) != 0, (flags & Checksummed) != 0, payload);
        return true;
    }

    /// <summary>The payload of a compressed envelope; throws what an unreadable value throws when it is malformed.</summary>
    private static byte[] Decompressed(ReadOnlySpan<byte> body)
    {
        if (body.Length <= OriginalLengthBytes)
        {
            throw new MessagePackSerializationException("The stored value is marked compressed but holds no compressed payload.");
        }

        var block = body.Slice(OriginalLengthBytes);
        var length = BinaryPrimitives.ReadInt32LittleEndian(body);

        // LZ4 expands at most about 255 times: a larger claim is a corrupted or hostile value, refused before any allocation.
        if (length <= 0 || length > (long)block.Length * Lz4Block.MaxExpansion)
        {
            throw new MessagePackSerializationException($"The stored value claims a compressed payload of {length} bytes from {block.Length}, which LZ4 cannot produce.");
        }

        var payload = new byte[length];
        if (!Lz4Block.Decompress(block, payload))
        {
            throw new MessagePackSerializationException("The stored value's compressed payload is malformed (not one LZ4 block of its stated length).");
        }

        return payload;
    }
}
