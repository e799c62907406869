using System;
using System.Buffers.Binary;
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
/// the fingerprint of the result type's shape (<see cref="TypeShape{T}"/>), the payload, and, when
/// the signed flag is set, an HMAC-SHA256 of everything before it; numbers little endian. Anything
/// that does not match is never deserialized.
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
    public static byte[] Serialize<T>(T value, long expiresAtUnixMs, MemoKey boundTo, ValueSigner? signer = null, MethodSerializer? serializer = null)
    {
        serializer ??= MethodSerializer.Faithful;
        byte[] envelope;
        int signed;
        if (serializer.Custom is { } custom)
        {
            var payload = custom.Serialize(value);
            signed = HeaderLength + payload.Length;
            envelope = new byte[signer is null ? signed : signed + ValueSigner.SignatureLength];
            payload.CopyTo(envelope, HeaderLength);
        }
        else
        {
            // Serialized after room for the header in a per-thread buffer, then copied once into
            // the envelope: one payload-sized allocation per store, not two.
            var scratch = t_scratch ?? new byte[4096];
            t_scratch = null;
            var writer = KeyBufferWriter.Rent(scratch, HeaderLength);
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

            envelope = new byte[signer is null ? signed : signed + ValueSigner.SignatureLength];
            scratch.AsSpan(HeaderLength, signed - HeaderLength).CopyTo(envelope.AsSpan(HeaderLength));
        }

        envelope[0] = FormatVersion;
        envelope[1] = serializer.Code;
        envelope[FlagsAt] = signer is null ? (byte)0 : Signed;
        var header = envelope.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(header.Slice(ExpiryAt), expiresAtUnixMs);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(KeyAt), boundTo.High);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(KeyAt + 8), boundTo.Low);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(ShapeAt), TypeShape<T>.Fingerprint);
        signer?.Sign(envelope, signed);
        return envelope;
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
        if (header.Length <= HeaderLength || header[0] != FormatVersion || (header[FlagsAt] & ~Signed) != 0)
        {
            return EnvelopeStatus.Foreign;
        }

        if (header[1] != (serializer ?? MethodSerializer.Faithful).Code)
        {
            return EnvelopeStatus.OtherSerializer;
        }

        var signed = (header[FlagsAt] & Signed) != 0;
        payloadLength = header.Length - HeaderLength - (signed ? ValueSigner.SignatureLength : 0);
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
}
