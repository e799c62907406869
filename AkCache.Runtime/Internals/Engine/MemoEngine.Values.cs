using System;
using AkCache.CompilerServices;
using AkCache.Internals.Local;
using AkCache.Internals.Logging;
using AkCache.Internals.Serialization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AkCache.Internals.Engine;

internal sealed partial class MemoEngine
{
    /// <summary>The envelope to store, or null when the result must not be cached (warned once).</summary>
    private byte[]? Serialize<T>(MemoizedMethod method, MemoKey key, T value, out long expiresAt)
    {
        expiresAt = _state.Time.GetUtcNow().Add(method.MaxAge(_state)).ToUnixTimeMilliseconds();
        byte[] envelope;
        try
        {
            envelope = ValueSerializer.Serialize(value, expiresAt, method.Tag(key), _state.Signer, method.SerializerFor(_state), _state.Options.CompressionThresholdBytes);
        }
        catch (NotFaithfulException ex)
        {
            if (_state.ClaimWarning(method, WarningKind.NotFaithful))
            {
                AkCacheLog.NotFaithful(_state.Logger, method.Identity, ex.Message, ex);
            }

            return null;
        }
        catch (Exception ex)
        {
            if (_state.ClaimWarning(method, WarningKind.Unserializable))
            {
                AkCacheLog.Unserializable(_state.Logger, method.Identity, ex.Message, ex);
            }

            return null;
        }

        if (envelope.Length > _state.Options.MaxValueBytes)
        {
            if (_state.ClaimWarning(method, WarningKind.TooLarge))
            {
                AkCacheLog.TooLarge(_state.Logger, method.Identity, $"it takes {Size(envelope.Length)} stored{(ValueSerializer.IsCompressed(envelope) ? " (compressed)" : string.Empty)}, more than MaxValueBytes ({Size(_state.Options.MaxValueBytes)})");
            }

            return null;
        }

        return envelope;
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? (bytes / (1024.0 * 1024)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MiB"
        : bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes";

    /// <summary>
    /// Reads a value from an envelope. <paramref name="fromRedis"/>: true for bytes read from Redis
    /// or from another process's announcement, whose signature is checked when a signing key is
    /// configured; false for this process's own bytes (its local layer, a computation it shared),
    /// already checked or written here.
    /// </summary>
    private bool TryReadEnvelope<T>(MemoizedMethod method, MemoKey key, ReadOnlyMemory<byte> bytes, out T value, out long expiresAt, bool fromRedis = false)
    {
        value = default!;
        var serializer = method.SerializerFor(_state);
        var status = ValueSerializer.ReadHeader<T>(bytes, method.Tag(key), fromRedis ? _state.Signer : null, out expiresAt, out var payloadLength, serializer);
        if (status != EnvelopeStatus.Valid)
        {
            if (status is EnvelopeStatus.Unsigned or EnvelopeStatus.BadSignature)
            {
                _state.CountRejectedSignature();
            }

            if (status is EnvelopeStatus.Unsigned or EnvelopeStatus.BadSignature)
            {
                if (_state.ClaimWarning(method, WarningKind.Unsigned))
                {
                    AkCacheLog.Unsigned(_state.Logger, method.Identity, Describe(status));
                }
            }
            else if (_state.ClaimWarning(method, WarningKind.Unreadable))
            {
                AkCacheLog.Unreadable(_state.Logger, method.Identity, Describe(status));
            }

            return false;
        }

        try
        {
            value = ValueSerializer.Deserialize<T>(bytes, payloadLength, serializer);
            return true;
        }
        catch (Exception ex)
        {
            if (_state.ClaimWarning(method, WarningKind.Undeserializable))
            {
                AkCacheLog.Undeserializable(_state.Logger, method.Identity, ex.Message, ex);
            }

            return false;
        }
    }

    private static string Describe(EnvelopeStatus status) => status switch
    {
        EnvelopeStatus.OtherSerializer => "it was written by another serializer",
        EnvelopeStatus.OtherKey => "it was written for another key, and copied to this one",
        EnvelopeStatus.OtherShape => "it was written when the result type had other fields",
        EnvelopeStatus.Unsigned => "it is not signed, and this process requires signed values (AKCACHE_SIGNING_KEY)",
        EnvelopeStatus.BadSignature => "its signature does not match this process's signing key: it was written or altered without that key",
        _ => "it is not in AkCache's format",
    };

    /// <summary>
    /// A local-layer hit: the value the entry keeps, for an immutable type read from the bytes once;
    /// else a copy of its own for this caller.
    /// </summary>
    private bool TryReadEntry<T>(MemoizedMethod method, MemoKey key, LocalEntry entry, out T value)
    {
        if (!Shareable<T>.Value)
        {
            return TryReadEnvelope(method, key, entry.Envelope, out value, out _);
        }

        if (entry.TryGetValue(out value))
        {
            return true;
        }

        if (!TryReadEnvelope(method, key, entry.Envelope, out value, out _))
        {
            return false;
        }

        entry.KeepValue(value);
        return true;
    }

    /// <summary>How long past its envelope's expiry a value Redis still holds is a plain miss rather than a warning: 2 s.</summary>
    internal const long ExpiryGraceMilliseconds = 2000;

    /// <summary>
    /// Reads a value that came from Redis (a GET, the lock script, an announcement) and keeps its
    /// bytes in the local layer; <paramref name="envelope"/> is the kept copy, for the callers
    /// waiting on this one.
    /// </summary>
    private bool TryReadFromRedis<T>(MemoizedMethod method, MemoKey key, RedisValue stored, CallContext call, out T value, out byte[] envelope)
    {
        envelope = null!;
        var bytes = (ReadOnlyMemory<byte>)stored;
        if (!TryReadEnvelope(method, key, bytes, out value, out var expiresAt, fromRedis: true))
        {
            return false;
        }

        // Redis may keep a value past its expiry (PERSIST, a TTL changed by hand): the envelope decides.
        // A value read within moments of its expiry is a plain miss: Redis drops it when the envelope
        // ends, give or take the trip of the store and the clocks of two machines.
        var now = _state.Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (expiresAt <= now)
        {
            if (now - expiresAt > ExpiryGraceMilliseconds)
            {
                if (_state.ClaimWarning(method, WarningKind.Expired))
                {
                    AkCacheLog.Expired(_state.Logger, method.Identity, "it is past the expiry it was stored with, although Redis still holds it (PERSIST or a time to live changed by hand)");
                }
            }

            value = default!;
            return false;
        }

        envelope = Remember(method, key, bytes, expiresAt, call);
        return true;
    }

    /// <summary>
    /// Keeps what Redis returned in the local layer and returns the kept bytes. The entry the call
    /// found, if it holds these very bytes, is confirmed instead (trusted again); either happens only
    /// if no invalidation reached the call since before its first Redis read, so that a value read
    /// before an invalidation is never kept after it.
    /// </summary>
    private byte[] Remember(MemoizedMethod method, MemoKey key, ReadOnlyMemory<byte> bytes, long expiresAt, CallContext call)
    {
        if (call.Entry is { } known && known.ExpiresAtUnixMs == expiresAt && bytes.Span.SequenceEqual(known.Envelope))
        {
            _local.ConfirmUnlessInvalidated(method, key, known, call.Epoch, call.Sequence);

            return known.Envelope;
        }

        var copy = bytes.ToArray();
        _local.SetUnlessInvalidated(method, key, new LocalEntry(copy, expiresAt) { RedisKey = call.RedisKey }, call.Sequence);
        return copy;
    }

    private void WarnWaitedTooLong(MemoizedMethod method)
    {
        if (_state.ClaimWarning(method, WarningKind.WaitedTooLong))
        {
            AkCacheLog.WaitedTooLong(_state.Logger, method.Identity, $"another process held the lock for more than {_state.Options.LockWaitTimeout}");
        }
    }
}
