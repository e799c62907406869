using System;

namespace AkCache.Internals.Serialization;

/// <summary>What <see cref="ValueSerializer.TryInspect"/> reads of a stored envelope: its header, and its payload decompressed.</summary>
internal sealed class EnvelopeView
{
    public EnvelopeView(string serializerName, long expiresAtUnixMs, bool signed, bool compressed, bool checksummed, ReadOnlyMemory<byte> payload)
    {
        SerializerName = serializerName;
        ExpiresAtUnixMs = expiresAtUnixMs;
        Signed = signed;
        Compressed = compressed;
        Checksummed = checksummed;
        Payload = payload;
    }

    /// <summary><c>messagepack</c> (AkCache's own), <c>json</c>, <c>custom</c> (a serializer of the application's), or <c>unknown N</c>.</summary>
    public string SerializerName { get; }

    public long ExpiresAtUnixMs { get; }

    public bool Signed { get; }

    public bool Compressed { get; }

    public bool Checksummed { get; }

    /// <summary>The payload as the serializer wrote it (decompressed when the envelope was compressed).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <inheritdoc cref="ValueSerializer.TryInspect"/>
    public static bool TryRead(byte[] envelope, out EnvelopeView view, out string problem) => ValueSerializer.TryInspect(envelope, out view, out problem);
}
