using System;
using System.Buffers.Binary;
using AkCache.CompilerServices;
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
}

/// <summary>
/// Turns results into the bytes stored in Redis and back. Each value is wrapped in an envelope
/// (format 2, docs/values.md): the format byte, the serializer's id, the absolute expiry (Unix
/// milliseconds), the key the value was written for (the 16 bytes of its hash tag), the
/// fingerprint of the result type's shape (<see cref="TypeShape{T}"/>), then the payload; numbers
/// little endian. Anything that does not match is never deserialized.
/// </summary>
internal static class ValueSerializer
{
    public const byte FormatVersion = 2;

    /// <summary>AkCache's MessagePack through <see cref="FaithfulResolver"/>.</summary>
    public const byte MessagePackSerializerId = 1;

    public const int HeaderLength = 34;

    private const int ExpiryAt = 2;
    private const int KeyAt = 10;
    private const int ShapeAt = 26;

    /// <summary>
    /// Every value through <see cref="FaithfulResolver"/>: it comes back equal in every respect, or
    /// writing it throws <see cref="NotFaithfulException"/>. Hardened for untrusted data: the payload
    /// never names a type to create.
    /// </summary>
    public static MessagePackSerializerOptions Options => FaithfulOptions.Values;

    /// <param name="value">The result.</param>
    /// <param name="expiresAtUnixMs">When it expires, whatever Redis's time to live says.</param>
    /// <param name="boundTo">The hash tag of the key it is stored under.</param>
    /// <exception cref="NotFaithfulException">The value would not come back equal in every respect.</exception>
    /// <exception cref="Exception">The type cannot be serialized.</exception>
    public static byte[] Serialize<T>(T value, long expiresAtUnixMs, MemoKey boundTo)
    {
        byte[] payload;
        try
        {
            payload = MessagePackSerializer.Serialize(value, Options);
        }
        catch (MessagePackSerializationException ex) when (NotFaithfulException.Find(ex) is { } refusal)
        {
            throw refusal;
        }

        var envelope = new byte[HeaderLength + payload.Length];
        envelope[0] = FormatVersion;
        envelope[1] = MessagePackSerializerId;
        var header = envelope.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(header.Slice(ExpiryAt), expiresAtUnixMs);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(KeyAt), boundTo.High);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(KeyAt + 8), boundTo.Low);
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(ShapeAt), TypeShape<T>.Fingerprint);
        payload.CopyTo(envelope, HeaderLength);
        return envelope;
    }

    /// <summary>Checks an envelope against the key it was read from and the type it should hold.</summary>
    public static EnvelopeStatus ReadHeader<T>(ReadOnlySpan<byte> envelope, MemoKey boundTo, out long expiresAtUnixMs)
    {
        expiresAtUnixMs = 0;
        if (envelope.Length <= HeaderLength || envelope[0] != FormatVersion)
        {
            return EnvelopeStatus.Foreign;
        }

        if (envelope[1] != MessagePackSerializerId)
        {
            return EnvelopeStatus.OtherSerializer;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(envelope.Slice(KeyAt)) != boundTo.High
            || BinaryPrimitives.ReadUInt64LittleEndian(envelope.Slice(KeyAt + 8)) != boundTo.Low)
        {
            return EnvelopeStatus.OtherKey;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(envelope.Slice(ShapeAt)) != TypeShape<T>.Fingerprint)
        {
            return EnvelopeStatus.OtherShape;
        }

        expiresAtUnixMs = BinaryPrimitives.ReadInt64LittleEndian(envelope.Slice(ExpiryAt));
        return EnvelopeStatus.Valid;
    }

    /// <exception cref="MessagePackSerializationException">The payload is not a valid <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(ReadOnlyMemory<byte> envelope)
    {
        var payload = envelope.Slice(HeaderLength);
        var value = MessagePackSerializer.Deserialize<T>(payload, Options, out var bytesRead);
        if (bytesRead != payload.Length)
        {
            throw new MessagePackSerializationException($"The stored value has {payload.Length - bytesRead} bytes after the {typeof(T)} it should hold.");
        }

        return value;
    }
}
