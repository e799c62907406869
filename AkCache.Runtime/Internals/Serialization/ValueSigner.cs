using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace AkCache.Internals.Serialization;

/// <summary>
/// HMAC-SHA256 of stored values with the configured signing key (AKCACHE_SIGNING_KEY): a value written
/// or altered by anyone without the key is rejected. The key stays in this object: it is never logged,
/// never part of a message, and not kept as a string.
/// </summary>
internal sealed class ValueSigner : IDisposable
{
    public const int SignatureLength = 32;

    public const int MinimumKeyLength = 16;

    private readonly ThreadLocal<HMACSHA256> _hmac;

    public ValueSigner(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        _hmac = new ThreadLocal<HMACSHA256>(() => new HMACSHA256(bytes), trackAllValues: true);
    }

    /// <summary>Writes the signature of <paramref name="envelope"/>'s first <paramref name="length"/> bytes right after them.</summary>
    public void Sign(byte[] envelope, int length) =>
        _hmac.Value!.ComputeHash(envelope, 0, length).CopyTo(envelope, length);

    /// <summary>Whether the last <see cref="SignatureLength"/> bytes sign the bytes before them; in constant time.</summary>
    public bool Verify(ReadOnlyMemory<byte> envelope)
    {
        var segment = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(envelope, out var array)
            ? array
            : new ArraySegment<byte>(envelope.ToArray());
        var length = segment.Count - SignatureLength;
        var expected = _hmac.Value!.ComputeHash(segment.Array!, segment.Offset, length);
        var signature = envelope.Span.Slice(length);
        var difference = 0;
        for (var i = 0; i < SignatureLength; i++)
        {
            difference |= expected[i] ^ signature[i];
        }

        return difference == 0;
    }

    public void Dispose()
    {
        foreach (var hmac in _hmac.Values)
        {
            hmac.Dispose();
        }

        _hmac.Dispose();
    }
}
