using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals;
using AkCache.Internals.Engine;
using AkCache.Internals.Local;
using AkCache.Internals.Logging;
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

    /// <summary>The last configuration under which this method's calls were keyed (see <see cref="IsKeyedUnder"/>).</summary>
    private RuntimeState? _keyedUnder;

    private MemoizedMethod(string identity, string version, int maxAgeSeconds, string? serializerName, int localSetting)
    {
        LocalCache = localSetting >= 0;
        LocalMaxEntries = Math.Max(0, localSetting);
        Identity = identity;
        _serializerName = serializerName;
        Version = version;
        _maxAgeSeconds = maxAgeSeconds;
        HashSeed = unchecked(Interlocked.Increment(ref s_created) * -1640531535);
        var tag = System.IO.Hashing.XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(identity + ":" + version));
        _tagHigh = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(tag);
        _tagLow = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(tag.AsSpan(8));
    }

    /// <summary>This method's counters since the process started: what AkCacheRuntime.GetCacheInfo reports.</summary>
    internal MethodStatistics Statistics { get; } = new();

    /// <summary>False when [Memoize(LocalCache = false)]: the local layer never answers this method's calls first.</summary>
    internal bool LocalCache { get; }

    /// <summary>[Memoize(LocalMaxEntries = ...)]: the most entries the local layer keeps for this method; 0 for no bound of its own.</summary>
    internal int LocalMaxEntries { get; }

    /// <summary>The declaring type's full name, the method name and the parameter types, as in the keys.</summary>
    public string Identity { get; }

    /// <summary>
    /// The local layer's bookkeeping of this method in the layer that last looked it up
    /// (<see cref="LocalLayer.MethodUsage.Layer"/> says which): spares that layer a dictionary lookup on
    /// every call. Another configuration's layer finds it not its own and looks it up.
    /// </summary>
    internal LocalLayer.MethodUsage? LocalUsage;

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
    public static MemoizedMethod Create(string identity, string version, int maxAgeSeconds, string? serializer) => Create(identity, version, maxAgeSeconds, serializer, 0);

    /// <summary>
    /// <see cref="Create(string, string, int, string)"/> for a method whose [Memoize] sets the local
    /// layer: <paramref name="localSetting"/> is -1 for LocalCache = false, else its LocalMaxEntries
    /// (0 for no bound of its own).
    /// </summary>
    public static MemoizedMethod Create(string identity, string version, int maxAgeSeconds, string? serializer, int localSetting)
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

        if (localSetting < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(localSetting), localSetting, "The local setting is -1 (off), 0 (no bound of the method's own) or a positive bound.");
        }

        return Methods.GetOrAdd(identity + ":" + version + ":" + serializer, _ => new MemoizedMethod(identity, version, maxAgeSeconds, serializer, localSetting));
    }

    /// <summary>Starts the key of one call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public KeyBuilder BeginKey()
    {
        var state = AkCacheRuntime.State;
        return new(this, ReferenceEquals(_keyedUnder, state) || IsKeyedUnder(state));
    }

    /// <summary>Returns the stored result of this call, or runs <paramref name="body"/> once and stores what it returns.</summary>
    /// <param name="key">The hash of the arguments; an invalid key runs the body uncached.</param>
    /// <param name="arguments">Every argument of the call, passed on to <paramref name="body"/>.</param>
    /// <param name="body">The original method body.</param>
    /// <param name="cancellationToken">The caller's token, if the method has one; it bounds the caller's waiting.</param>
    /// <remarks>
    /// The local layer's hit is inlined here (and so into the woven stub); everything else (a
    /// capture under way, an invalid key, a configuration this method's calls are not keyed under
    /// (AkCache disabled, or changed since the key was built), the rest of the call) is in methods
    /// of their own, so that the hit's frame stays small.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TResult Invoke<TArgs, TResult>(MemoKey key, TArgs arguments, Func<TArgs, TResult> body, CancellationToken cancellationToken)
    {
        var state = AkCacheRuntime.State;
        if (CallCapture.IsRunning || !key.IsValid || !ReferenceEquals(_keyedUnder, state))
        {
            return InvokeRarely(state, key, arguments, body, cancellationToken);
        }

        var engine = state.Engine;
        if (engine.TryHit(this, key, out var entry, out var now, out TResult value))
        {
            return value;
        }

        return Call(engine, key, arguments, body, entry, now, cancellationToken);
    }

    /// <summary>The asynchronous form of <see cref="Invoke{TArgs, TResult}"/>: the result is cached, never the task.</summary>
    /// <remarks>A local hit of an immutable value returns the same completed task every time: it allocates nothing.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Task<TResult> InvokeAsync<TArgs, TResult>(MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, CancellationToken cancellationToken)
    {
        var state = AkCacheRuntime.State;
        if (CallCapture.IsRunning || !key.IsValid || !ReferenceEquals(_keyedUnder, state))
        {
            return InvokeAsyncRarely(state, key, arguments, body, cancellationToken);
        }

        var engine = state.Engine;
        if (engine.TryHitAsTask(this, key, out var entry, out var now, out Task<TResult> task))
        {
            return task;
        }

        return CallAsync(engine, key, arguments, body, entry, now, cancellationToken);
    }

    /// <summary>The <see cref="ValueTask{TResult}"/> form of <see cref="InvokeAsync{TArgs, TResult}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ValueTask<TResult> InvokeValueTaskAsync<TArgs, TResult>(MemoKey key, TArgs arguments, Func<TArgs, ValueTask<TResult>> body, CancellationToken cancellationToken)
    {
        var state = AkCacheRuntime.State;
        if (CallCapture.IsRunning || !key.IsValid || !ReferenceEquals(_keyedUnder, state))
        {
            return InvokeValueTaskRarely(state, key, arguments, body, cancellationToken);
        }

        var engine = state.Engine;
        if (engine.TryHit(this, key, out var entry, out var now, out TResult value))
        {
            return new ValueTask<TResult>(value);
        }

        return CallValueTaskAsync(engine, key, arguments, body, entry, now, cancellationToken);
    }

    /// <summary>
    /// <see cref="Invoke{TArgs, TResult}"/> while a capture runs (on this thread: the call is
    /// recorded, not made; on another: the call goes on as usual), for an invalid key or with
    /// AkCache disabled (the body runs uncached), and for a valid key under a configuration that
    /// <see cref="BeginKey"/> has not seen yet (the call goes on as usual).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TResult InvokeRarely<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, TResult> body, CancellationToken cancellationToken)
    {
        if (CallCapture.IsRunning && CallCapture.TryRecord(this, key))
        {
            return default!;
        }

        if (!key.IsValid || state.Disabled)
        {
            return body(arguments);
        }

        var engine = state.Engine;
        return engine.TryHit(this, key, out var entry, out var now, out TResult value) ? value : Call(engine, key, arguments, body, entry, now, cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Task<TResult> InvokeAsyncRarely<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, CancellationToken cancellationToken)
    {
        if (CallCapture.IsRunning && CallCapture.TryRecord(this, key))
        {
            return Task.FromResult<TResult>(default!);
        }

        if (!key.IsValid || state.Disabled)
        {
            return body(arguments);
        }

        var engine = state.Engine;
        return engine.TryHitAsTask(this, key, out var entry, out var now, out Task<TResult> task) ? task : CallAsync(engine, key, arguments, body, entry, now, cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<TResult> InvokeValueTaskRarely<TArgs, TResult>(RuntimeState state, MemoKey key, TArgs arguments, Func<TArgs, ValueTask<TResult>> body, CancellationToken cancellationToken)
    {
        if (CallCapture.IsRunning && CallCapture.TryRecord(this, key))
        {
            return default;
        }

        if (!key.IsValid || state.Disabled)
        {
            return body(arguments);
        }

        var engine = state.Engine;
        return engine.TryHit(this, key, out var entry, out var now, out TResult value)
            ? new ValueTask<TResult>(value)
            : CallValueTaskAsync(engine, key, arguments, body, entry, now, cancellationToken);
    }

    /// <summary>
    /// <see cref="Invoke{TArgs, TResult}"/> past the local layer's hit: <paramref name="entry"/> and
    /// <paramref name="now"/> are what <see cref="MemoEngine.TryHit{TResult}"/> found; an entry may
    /// still answer here (its first read, or a mutable value's copy) before the engine's call.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TResult Call<TArgs, TResult>(MemoEngine engine, MemoKey key, TArgs arguments, Func<TArgs, TResult> body, LocalEntry? entry, long now, CancellationToken cancellationToken)
    {
        if (entry is not null && engine.AnswerFromEntry(this, key, ref entry, out TResult value))
        {
            return value;
        }

        return MemoEngine.Completed(engine.CallAsync<TArgs, TResult, SyncBody<TArgs, TResult>>(this, key, arguments, new SyncBody<TArgs, TResult>(body), entry, now, cancellationToken));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Task<TResult> CallAsync<TArgs, TResult>(MemoEngine engine, MemoKey key, TArgs arguments, Func<TArgs, Task<TResult>> body, LocalEntry? entry, long now, CancellationToken cancellationToken)
    {
        if (entry is not null && engine.AnswerTaskFromEntry(this, key, ref entry, out Task<TResult> task))
        {
            return task;
        }

        return engine.CallAsync<TArgs, TResult, TaskBody<TArgs, TResult>>(this, key, arguments, new TaskBody<TArgs, TResult>(body), entry, now, cancellationToken).AsTask();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<TResult> CallValueTaskAsync<TArgs, TResult>(MemoEngine engine, MemoKey key, TArgs arguments, Func<TArgs, ValueTask<TResult>> body, LocalEntry? entry, long now, CancellationToken cancellationToken)
    {
        if (entry is not null && engine.AnswerFromEntry(this, key, ref entry, out TResult value))
        {
            return new ValueTask<TResult>(value);
        }

        return engine.CallAsync<TArgs, TResult, ValueTaskBody<TArgs, TResult>>(this, key, arguments, new ValueTaskBody<TArgs, TResult>(body), entry, now, cancellationToken);
    }

    internal void ReportUnkeyableArgument(Type declared, Type? actual, Exception ex)
    {
        var state = AkCacheRuntime.State;
        if (state.ClaimWarning(this, WarningKind.Unkeyable))
        {
            AkCacheLog.Unkeyable(state.Logger, (actual ?? declared).FullName, Identity, (NotFaithfulException.Find(ex) ?? ex).Message, ex);
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

    /// <summary>How long a result of this method is kept: its [Memoize(MaxAgeSeconds = ...)], else the configured default.</summary>
    internal TimeSpan MaxAge(RuntimeState state) =>
        TimeSpan.FromSeconds(_maxAgeSeconds > 0 ? _maxAgeSeconds : state.Options.DefaultMaxAgeSeconds);

    /// <summary>The serializer of this method's results under <paramref name="state"/>; null when the one it names is not registered.</summary>
    internal MethodSerializer? SerializerFor(RuntimeState state) => For(state).Serializer;

    /// <summary>
    /// The Redis Cluster hash tag of a call, also the key its stored value is bound to: the argument
    /// hash mixed with this method's identity and version, so that the keys of methods without
    /// arguments (whose argument hash is the same) spread over the slots too.
    /// </summary>
    internal MemoKey Tag(MemoKey key) => new(key.High ^ _tagHigh, key.Low ^ _tagLow);

    /// <summary>
    /// Whether calls are keyed (and so cached) under <paramref name="state"/>: AkCache is enabled and
    /// the method's serializer is registered. A yes is remembered, so that <see cref="BeginKey"/> asks
    /// one reference comparison of every later call under the same configuration.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool IsKeyedUnder(RuntimeState state)
    {
        if (state.Disabled || For(state).Serializer is null)
        {
            return false;
        }

        _keyedUnder = state;
        return true;
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
            AkCacheLog.UnknownSerializer(state.Logger, Identity, name);
        }

        // The serializer is part of the version, so that switching never misreads old entries.
        var version = Version.Length == 0 ? KeyFormatVersion : KeyFormatVersion + "." + Version;
        if (serializer is { IsDefault: false })
        {
            version += "." + serializer.Name;
        }

        var perState = new PerState(state, serializer, $"{state.Options.Prefix}:{Identity}:{version}:");
        state.Engine.Register(this, perState.Text);
        return perState;
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
