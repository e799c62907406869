using System;
using System.Buffers.Binary;
using MessagePack;
using MessagePack.Resolvers;

namespace AkCache.Internals.Serialization;

/// <summary>
/// Turns results into the bytes stored in Redis and back. Each value is wrapped in an envelope:
/// one format byte, the absolute expiry (Unix milliseconds, little endian), then the MessagePack
/// payload. The format byte lets a newer AkCache recognise, and skip, what an older one wrote.
/// </summary>
internal static class ValueSerializer
{
    public const byte FormatVersion = 1;
    public const int HeaderLength = 9;

    /// <summary>
    /// Contractless (user classes need no attributes) and hardened for untrusted data: the payload
    /// never names a type to create. The native resolvers come first so that DateTime keeps its Kind
    /// and decimal its scale.
    /// </summary>
    public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create(
            NativeDateTimeResolver.Instance,
            NativeDecimalResolver.Instance,
            NativeGuidResolver.Instance,
            ContractlessStandardResolver.Instance))
        .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <exception cref="Exception">The type cannot be serialized.</exception>
    public static byte[] Serialize<T>(T value, long expiresAtUnixMs)
    {
        var payload = MessagePackSerializer.Serialize(value, Options);
        var envelope = new byte[HeaderLength + payload.Length];
        envelope[0] = FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(envelope.AsSpan(1, 8), expiresAtUnixMs);
        payload.CopyTo(envelope, HeaderLength);
        return envelope;
    }

    /// <summary>Reads an envelope; false for anything AkCache did not write in this format.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> envelope, out long expiresAtUnixMs)
    {
        if (envelope.Length <= HeaderLength || envelope[0] != FormatVersion)
        {
            expiresAtUnixMs = 0;
            return false;
        }

        expiresAtUnixMs = BinaryPrimitives.ReadInt64LittleEndian(envelope.Slice(1, 8));
        return true;
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
