using System;

namespace AkCache;

/// <summary>
/// Turns results into bytes and back, in place of AkCache's own serializer (docs/configuration.md,
/// "Serializers"). Register an implementation in <see cref="AkCacheOptions.Serializers"/>
/// and choose it by <see cref="Name"/>: for every method with <see cref="AkCacheOptions.Serializer"/>
/// or AKCACHE_SERIALIZER, for one method with <c>[Memoize(Serializer = "name")]</c>.
/// </summary>
/// <remarks>
/// AkCache still wraps the bytes in its envelope (key binding, expiry, shape fingerprint, signature),
/// and the name is part of the keys' version, so values written by another serializer are never
/// read by this one. AkCache checks that its own serializer returns every value equal in every
/// respect; with another one, what comes back is what that serializer round-trips. An exception from
/// <see cref="Serialize{T}"/> leaves the result uncached (returned, one warning); one from
/// <see cref="Deserialize{T}"/> makes the stored value a miss (recomputed and overwritten).
/// Implementations must be thread-safe.
/// </remarks>
public interface IValueSerializer
{
    /// <summary>A name of 1 to 32 lowercase letters, digits, '-' or '_', unique among the serializers; part of every key.</summary>
    string Name { get; }

    /// <summary>The bytes of <paramref name="value"/>, which may be null.</summary>
    byte[] Serialize<T>(T value);

    /// <summary>The value that <see cref="Serialize{T}"/> wrote as <paramref name="payload"/>.</summary>
    T Deserialize<T>(ReadOnlyMemory<byte> payload);
}
