using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using AkCache.Internals;
using AkCache.Internals.Distributed;
using AkCache.Internals.Memory;
using AkCache.Internals.Serialization;
using Microsoft.Extensions.Logging;

namespace AkCache.CompilerServices;

/// <summary>
/// One memoized method, as the weaver sees it: its identity (type, name, parameter types) and its
/// time to live. Woven code calls <see cref="BeginKey"/>, <see cref="TryGet{T}"/> and
/// <see cref="Store{T}"/>; not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MemoizedMethod
{
    /// <summary>The version of the key layout and of the value envelope; part of every key.</summary>
    public const string KeyFormatVersion = "v1";

    private static readonly ConcurrentDictionary<string, MemoizedMethod> Methods = new(StringComparer.Ordinal);

    private readonly int _maxAgeSeconds;
    private KeyPrefix? _prefix;

    private MemoizedMethod(string identity, int maxAgeSeconds)
    {
        Identity = identity;
        _maxAgeSeconds = maxAgeSeconds;
    }

    /// <summary>The declaring type's full name, the method name and the parameter types, as in the keys.</summary>
    public string Identity { get; }

    /// <summary>The method for <paramref name="identity"/>, created on first use; the same instance every time.</summary>
    public static MemoizedMethod Create(string identity, int maxAgeSeconds)
    {
        if (identity is null)
        {
            throw new ArgumentNullException(nameof(identity));
        }

        if (maxAgeSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAgeSeconds), maxAgeSeconds, "MaxAgeSeconds must not be negative.");
        }

        return Methods.GetOrAdd(identity, id => new MemoizedMethod(id, maxAgeSeconds));
    }

    /// <summary>Starts the key of one call.</summary>
    public KeyBuilder BeginKey() => new(this, !AkCacheRuntime.State.Disabled);

    /// <summary>Looks the call up: Redis first, the memory layer when Redis is unavailable.</summary>
    /// <returns>True, with the stored value, on a hit.</returns>
    public bool TryGet<T>(MemoKey key, out T value)
    {
        value = default!;
        var state = AkCacheRuntime.State;
        if (!key.IsValid || state.Disabled)
        {
            return false;
        }

        if (state.Redis is RedisAccessor redis)
        {
            switch (redis.TryGet(RedisKey(state, key), out var stored))
            {
                case RedisReadStatus.Hit:
                    var bytes = (ReadOnlyMemory<byte>)stored;
                    if (TryRead(state, bytes, out value, out var expiresAt))
                    {
                        Remember(state, key, bytes, expiresAt);
                        return true;
                    }

                    return false;
                case RedisReadStatus.Miss:
                    return false;
            }
        }

        return state.Memory.TryGet(this, key, out var entry) && TryRead(state, entry.Envelope, out value, out _);
    }

    /// <summary>Stores the result of a miss in Redis and in the memory layer. Never throws.</summary>
    public void Store<T>(MemoKey key, T value)
    {
        var state = AkCacheRuntime.State;
        if (!key.IsValid || state.Disabled)
        {
            return;
        }

        if (!IsFaithful(state, value))
        {
            return;
        }

        var maxAge = TimeSpan.FromSeconds(_maxAgeSeconds > 0 ? _maxAgeSeconds : state.Options.DefaultMaxAgeSeconds);
        var expiresAt = state.Time.GetUtcNow().Add(maxAge).ToUnixTimeMilliseconds();
        byte[] envelope;
        try
        {
            envelope = ValueSerializer.Serialize(value, expiresAt);
        }
        catch (Exception ex)
        {
            WarnOnce(WarningKind.Unserializable, state, ex, "AkCache: the result of {Method} cannot be serialized ({Reason}); the method still returns it, but does not cache it.");
            return;
        }

        state.Memory.Set(this, key, new MemoryLayer.Entry(envelope, expiresAt));
        state.Redis?.TrySet(RedisKey(state, key), envelope, maxAge);
    }

    internal void ReportUnkeyableArgument(Type declared, Type? actual, Exception ex)
    {
        var state = AkCacheRuntime.State;
        if (state.ClaimWarning(this, WarningKind.Unkeyable))
        {
            state.Logger.LogWarning(
                "AkCache: an argument of type {Type} of {Method} cannot be turned into a key ({Reason}); such calls run uncached. Mark the parameter [NotKey] or pass a serializable type.",
                (actual ?? declared).FullName,
                Identity,
                ex.Message);
        }
    }

    internal string RedisKey(RuntimeState state, MemoKey key)
    {
        var prefix = _prefix;
        if (prefix is null || !ReferenceEquals(prefix.State, state))
        {
            _prefix = prefix = new KeyPrefix(state, $"{state.Options.Prefix}:{Identity}:{KeyFormatVersion}:");
        }

        return prefix.Text + key.ToString();
    }

    private static bool TryReadHeader(ReadOnlyMemory<byte> bytes, out long expiresAt) =>
        ValueSerializer.TryReadHeader(bytes.Span, out expiresAt);

    /// <summary>
    /// A result whose runtime type is a subclass of the declared class would come back from the
    /// cache as the declared class, losing data; such results are returned but not cached.
    /// </summary>
    private bool IsFaithful<T>(RuntimeState state, T value)
    {
        if (value is null || typeof(T).IsValueType || typeof(T).IsSealed || typeof(T).IsInterface || typeof(T).IsAbstract)
        {
            return true;
        }

        if (value.GetType() == typeof(T))
        {
            return true;
        }

        WarnOnce(
            WarningKind.Unserializable,
            state,
            new NotSupportedException($"it returned a {value.GetType().FullName} through its declared type {typeof(T).FullName}, which would come back from the cache as a plain {typeof(T).Name}"),
            "AkCache: the result of {Method} is not cached: {Reason}. Declare the exact return type.");
        return false;
    }

    private bool TryRead<T>(RuntimeState state, ReadOnlyMemory<byte> bytes, out T value, out long expiresAt)
    {
        value = default!;
        if (!TryReadHeader(bytes, out expiresAt))
        {
            WarnOnce(WarningKind.Unreadable, state, new FormatException("it is not in AkCache's format"), "AkCache: a value stored for {Method} cannot be read ({Reason}); it is recomputed and overwritten.");
            return false;
        }

        try
        {
            value = ValueSerializer.Deserialize<T>(bytes);
            return true;
        }
        catch (Exception ex)
        {
            WarnOnce(WarningKind.Unreadable, state, ex, "AkCache: a value stored for {Method} cannot be read ({Reason}); it is recomputed and overwritten.");
            return false;
        }
    }

    private void Remember(RuntimeState state, MemoKey key, ReadOnlyMemory<byte> bytes, long expiresAt)
    {
        if (state.Memory.TryGet(this, key, out var known) && known.ExpiresAtUnixMs == expiresAt)
        {
            return;
        }

        state.Memory.Set(this, key, new MemoryLayer.Entry(bytes.ToArray(), expiresAt));
    }

    private void WarnOnce(WarningKind kind, RuntimeState state, Exception ex, string message)
    {
        if (state.ClaimWarning(this, kind))
        {
            state.Logger.LogWarning(message, Identity, ex.Message);
        }
    }

    private sealed class KeyPrefix
    {
        public KeyPrefix(RuntimeState state, string text)
        {
            State = state;
            Text = text;
        }

        public RuntimeState State { get; }

        public string Text { get; }
    }
}
