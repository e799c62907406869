using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals;
using AkCache.Internals.Memory;
using AkCache.Internals.Serialization;
using Microsoft.Extensions.Logging;

namespace AkCache.CompilerServices;

/// <summary>
/// One memoized method, as the weaver sees it: its identity (type, name, parameter types), the
/// version of its implementation and its time to live. Woven code builds a key with
/// <see cref="BeginKey"/> and hands the call to <see cref="Invoke{TArgs, TResult}"/> or one of its
/// asynchronous siblings; not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed partial class MemoizedMethod
{
    /// <summary>The version of the key layout and of the value envelope; first part of every key's version.</summary>
    public const string KeyFormatVersion = "v2";

    private static readonly ConcurrentDictionary<string, MemoizedMethod> Methods = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static char[]? t_keyBuffer;

    private static int s_created;

    private readonly int _maxAgeSeconds;
    private readonly ulong _tagHigh;
    private readonly ulong _tagLow;
    private readonly string? _serializerName;
    private PerState? _perState;

    private MemoizedMethod(string identity, string version, int maxAgeSeconds, string? serializerName)
    {
        Identity = identity;
        _serializerName = serializerName;
        Version = version;
        _maxAgeSeconds = maxAgeSeconds;
        HashSeed = unchecked(Interlocked.Increment(ref s_created) * -1640531535);
        var tag = System.IO.Hashing.XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(identity + ":" + version));
        _tagHigh = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(tag);
        _tagLow = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(tag.AsSpan(8));
    }

    /// <summary>The declaring type's full name, the method name and the parameter types, as in the keys.</summary>
    public string Identity { get; }

    /// <summary>This method's part of the hash code of its in-process entries (cheaper than the object's identity hash).</summary>
    internal int HashSeed { get; }

    /// <summary>The implementation's version: a hash of its IL written by the weaver, or the one pinned with [Memoize(Version = ...)].</summary>
    public string Version { get; }

    /// <summary>The method for <paramref name="identity"/> and <paramref name="version"/>, created on first use; the same instance every time.</summary>
    public static MemoizedMethod Create(string identity, string version, int maxAgeSeconds) => Create(identity, version, maxAgeSeconds, null);

    /// <summary>
    /// <see cref="Create(string, string, int)"/> for a method whose [Memoize(Serializer = ...)] names
    /// its serializer; null for the configured one.
    /// </summary>
    public static MemoizedMethod Create(string identity, string version, int maxAgeSeconds, string? serializer)
    {
        if (identity is null)
        {
            throw new ArgumentNullException(nameof(identity));
        }

        if (version is null)
        {
            throw new ArgumentNullException(nameof(version));
        }

        if (maxAgeSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAgeSeconds), maxAgeSeconds, "MaxAgeSeconds must not be negative.");
        }

        return Methods.GetOrAdd(identity + ":" + version + ":" + serializer, _ => new MemoizedMethod(identity, version, maxAgeSeconds, serializer));
    }

    /// <summary>Starts the key of one call.</summary>
    public KeyBuilder BeginKey()
    {
        var state = AkCacheRuntime.State;
        return new(this, !state.Disabled && For(state).Serializer is not null);
    }

    /// <summary>Returns the stored result of this call, or runs <paramref name="body"/> once and stores what it returns.</summary>
    /// <param name="key">The hash of the arguments; an invalid key runs the body uncached.</param>
    /// <param name="arguments">Every argument of the call, passed on to <paramref name="body"/>.</param>
    /// <param name="body">The original method body.</param>
    /// <param name="cancellationToken">The caller's token, if the method has one; it bounds the caller's waiting.</param>
    public TResult Invoke<TArgs, TResult>(MemoKey key, TArgs arguments, Func<TArgs, TResult> body, CancellationToken cancellationToken)
    {
        var state = AkCacheRuntime.State;
        if (!key.IsValid || state.Disabled)
        {
            return body(arguments);
        }

        return TryGet(state, key, out TResult cached) ? cached : ComputeOnce(state, key, arguments, body, cancellationToken);
    }

    /// <summary>The asynchronous form of <see cref="Invoke{TArgs, TResult}"/>: the result is cached, never the task.</summary>
    public Task<TResult> InvokeAsync<TArgs, TResult>(MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, CancellationToken cancellationToken)
    {
        var state = AkCacheRuntime.State;
        if (!key.IsValid || state.Disabled)
        {
            return body(arguments);
        }

        return InvokeCoreAsync(state, key, arguments, body, cancellationToken);
    }

    /// <summary>The <see cref="ValueTask{TResult}"/> form of <see cref="InvokeAsync{TArgs, TResult}"/>.</summary>
    public ValueTask<TResult> InvokeValueTaskAsync<TArgs, TResult>(MemoKey key, TArgs arguments, Func<TArgs, ValueTask<TResult>> body, CancellationToken cancellationToken)
    {
        var state = AkCacheRuntime.State;
        if (!key.IsValid || state.Disabled)
        {
            return body(arguments);
        }

        return new ValueTask<TResult>(InvokeCoreAsync(state, key, (body, arguments), static pair => pair.body(pair.arguments).AsTask(), cancellationToken));
    }

    private void WarnWaitedTooLong(RuntimeState state) =>
        WarnOnce(
            WarningKind.WaitedTooLong,
            state,
            new TimeoutException($"another process held the lock for more than {state.Options.LockWaitTimeout}"),
            "AkCache: a call of {Method} stopped waiting ({Reason}) and computed the result itself. Raise LockWaitTimeout if the method takes that long.");

    internal void ReportUnkeyableArgument(Type declared, Type? actual, Exception ex)
    {
        var state = AkCacheRuntime.State;
        if (state.ClaimWarning(this, WarningKind.Unkeyable))
        {
            state.Logger.LogWarning(
                "AkCache: an argument of type {Type} of {Method} cannot be turned into a key ({Reason}); such calls run uncached. Mark the parameter [NotKey] or pass a serializable type.",
                (actual ?? declared).FullName,
                Identity,
                (NotFaithfulException.Find(ex) ?? ex).Message);
        }
    }

    internal string RedisKey(RuntimeState state, MemoKey key)
    {
        var prefix = For(state);

        // The tag is a Redis Cluster hash tag: the value and its lock (key + ":lock") share a slot.
        // Built in a per-thread buffer so that the key costs one allocation, the string itself.
        var length = prefix.Text.Length + 34;
        var buffer = t_keyBuffer is { } cached && cached.Length >= length ? cached : t_keyBuffer = new char[Math.Max(length, 256)];
        prefix.Text.CopyTo(0, buffer, 0, prefix.Text.Length);
        buffer[prefix.Text.Length] = '{';
        Tag(key).WriteHex(buffer, prefix.Text.Length + 1);
        buffer[length - 1] = '}';
        return new string(buffer, 0, length);
    }

    /// <summary>
    /// <see cref="RedisKey"/>, kept in the call's memory-layer entry once there is one: a key read
    /// again and again (a hot key) costs no string after its second read.
    /// </summary>
    private string CachedRedisKey(RuntimeState state, MemoKey key) =>
        state.Memory.TryPeek(this, key, out var entry)
            ? entry.RedisKey ??= RedisKey(state, key)
            : RedisKey(state, key);

    private TimeSpan MaxAge(RuntimeState state) =>
        TimeSpan.FromSeconds(_maxAgeSeconds > 0 ? _maxAgeSeconds : state.Options.DefaultMaxAgeSeconds);

    /// <summary>The envelope to store, or null when the result must not be cached (warned once).</summary>
    private byte[]? Serialize<T>(RuntimeState state, MemoKey key, T value, out long expiresAt)
    {
        expiresAt = state.Time.GetUtcNow().Add(MaxAge(state)).ToUnixTimeMilliseconds();
        try
        {
            return ValueSerializer.Serialize(value, expiresAt, Tag(key), state.Signer, For(state).Serializer);
        }
        catch (NotFaithfulException ex)
        {
            WarnOnce(WarningKind.NotFaithful, state, ex, "AkCache: the result of {Method} is not cached, because it would not come back from the cache equal: {Reason} The method still returns it.");
            return null;
        }
        catch (Exception ex)
        {
            WarnOnce(WarningKind.Unserializable, state, ex, "AkCache: the result of {Method} cannot be serialized ({Reason}); the method still returns it, but does not cache it.");
            return null;
        }
    }

    // fromRedis: true for bytes read from Redis or from another process's announcement, whose
    // signature is checked when a signing key is configured; false for this process's own bytes (its
    // memory layer, a computation it shared), already checked or written here.
    private bool TryRead<T>(RuntimeState state, MemoKey key, ReadOnlyMemory<byte> bytes, out T value, out long expiresAt, bool fromRedis = false)
    {
        value = default!;
        var serializer = For(state).Serializer;
        var status = ValueSerializer.ReadHeader<T>(bytes, Tag(key), fromRedis ? state.Signer : null, out expiresAt, out var payloadLength, serializer);
        if (status != EnvelopeStatus.Valid)
        {
            if (status is EnvelopeStatus.Unsigned or EnvelopeStatus.BadSignature)
            {
                state.CountRejectedSignature();
            }

            WarnOnce(status is EnvelopeStatus.Unsigned or EnvelopeStatus.BadSignature ? WarningKind.Unsigned : WarningKind.Unreadable, state, new FormatException(Describe(status)), "AkCache: a value stored for {Method} cannot be read ({Reason}); it is recomputed and overwritten.");
            return false;
        }

        try
        {
            value = ValueSerializer.Deserialize<T>(bytes, payloadLength, serializer);
            return true;
        }
        catch (Exception ex)
        {
            WarnOnce(WarningKind.Unreadable, state, ex, "AkCache: a value stored for {Method} cannot be read ({Reason}); it is recomputed and overwritten.");
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
    /// The Redis Cluster hash tag of a call, also the key its stored value is bound to: the argument
    /// hash mixed with this method's identity and version, so that the keys of methods without
    /// arguments (whose argument hash is the same) spread over the slots too.
    /// </summary>
    internal MemoKey Tag(MemoKey key) => new(key.High ^ _tagHigh, key.Low ^ _tagLow);

    /// <summary>The memory layer's answer at <paramref name="now"/> (a reading of the runtime's clock), while Redis is unavailable.</summary>
    private bool TryGetFromMemory<T>(RuntimeState state, MemoKey key, long now, out T value)
    {
        if (state.Memory.TryGet(this, key, now, out var entry))
        {
            return TryRead(state, key, entry, out value);
        }

        value = default!;
        return false;
    }

    /// <summary>
    /// A memory-layer hit: the value the entry keeps, for an immutable type read from the bytes once;
    /// else a copy of its own for this caller.
    /// </summary>
    private bool TryRead<T>(RuntimeState state, MemoKey key, MemoryLayer.Entry entry, out T value)
    {
        if (!ImmutableResult<T>.Value)
        {
            return TryRead(state, key, entry.Envelope, out value, out _);
        }

        if (entry.TryGetValue(out value))
        {
            return true;
        }

        if (!TryRead(state, key, entry.Envelope, out value, out _))
        {
            return false;
        }

        entry.KeepValue(value);
        return true;
    }

    /// <summary>Keeps what Redis returned in the memory layer, for when Redis becomes unavailable.</summary>
    private void Remember(RuntimeState state, MemoKey key, ReadOnlyMemory<byte> bytes, long expiresAt)
    {
        // The same stored value is already kept (expired here or not: Redis decides while it answers).
        if (state.Memory.TryPeek(this, key, out var known) && known.ExpiresAtUnixMs == expiresAt)
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

    /// <summary>What this method derives from one configuration, once: its serializer and its keys' prefix.</summary>
    private PerState For(RuntimeState state)
    {
        var cached = _perState;
        return cached is not null && ReferenceEquals(cached.State, state) ? cached : _perState = CreatePerState(state);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private PerState CreatePerState(RuntimeState state)
    {
        var name = _serializerName ?? state.Options.Serializer;
        var serializer = MethodSerializer.Find(name, state.Options.Serializers);
        if (serializer is null && state.ClaimWarning(this, WarningKind.UnknownSerializer))
        {
            state.Logger.LogError(
                "AkCache: {Method} names the serializer '{Serializer}', which is not registered; its calls run uncached. Register it in AkCacheOptions.Serializers, or name \"messagepack\" or \"json\".",
                Identity,
                name);
        }

        // The serializer is part of the version, so that switching never misreads old entries.
        var version = Version.Length == 0 ? KeyFormatVersion : KeyFormatVersion + "." + Version;
        if (serializer is { IsDefault: false })
        {
            version += "." + serializer.Name;
        }

        return new PerState(state, serializer, $"{state.Options.Prefix}:{Identity}:{version}:");
    }

    private sealed class PerState
    {
        public PerState(RuntimeState state, MethodSerializer? serializer, string text)
        {
            State = state;
            Serializer = serializer;
            Text = text;
        }

        public RuntimeState State { get; }

        /// <summary>Null when the named serializer is not registered: the method then runs uncached.</summary>
        public MethodSerializer? Serializer { get; }

        /// <summary>Every key of this method starts with it.</summary>
        public string Text { get; }
    }
}
