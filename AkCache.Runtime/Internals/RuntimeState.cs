using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using AkCache.CompilerServices;
using AkCache.Internals.Configuration;
using AkCache.Internals.Distributed;
using AkCache.Internals.Local;
using AkCache.Internals.Logging;
using AkCache.Internals.Timing;
using Microsoft.Extensions.Logging;

namespace AkCache.Internals;

/// <summary>Everything that one configuration of AkCache owns: its options, logger, local layer, Redis accessor and engine.</summary>
internal sealed class RuntimeState : IDisposable
{
    private readonly ConcurrentDictionary<(MemoizedMethod, WarningKind), bool> _warnings = new();

    private RuntimeState(AkCacheOptions options, ILogger logger, RedisAccessor? redis, TimeProvider time)
    {
        Options = options;
        Logger = logger;
        Redis = redis;
        Time = time;
        Clock = Clock.For(time);
        Local = new LocalLayer(options.MemoryCacheMaxEntries, options.MemoryCacheMaxBytes, time);
        Signer = options.SigningKey is { } key ? new Serialization.ValueSigner(key) : null;
        Engine = new Engine.MemoEngine(this, Local);
        if (redis is not null)
        {
            redis.Channels.SetTarget(Engine.Coherence);
            redis.Connected = (connection, synchronous) => Engine.Coherence.StartAsync(connection, redis.Configuration, options.Prefix, redis.Channels, logger, time, synchronous, redis.Tls);
        }
    }

    private long _rejectedSignatures;

    public AkCacheOptions Options { get; }

    public ILogger Logger { get; }

    /// <summary>The local layer (L1): bounded by entries and bytes; answers first when coherent, and alone while Redis is unavailable.</summary>
    public LocalLayer Local { get; }

    public Locking.LocalFlights Flights { get; } = new();

    /// <summary>The pipeline of every memoized call under this configuration.</summary>
    public Engine.MemoEngine Engine { get; }

    /// <summary>Null when AkCache is disabled, or when the configured URL could not be parsed.</summary>
    public RedisAccessor? Redis { get; }

    public TimeProvider Time { get; }

    /// <summary>The readings of <see cref="Time"/> that the hot path uses.</summary>
    public Clock Clock { get; }

    public bool Disabled => Options.Disabled;

    /// <summary>Signs every stored value and checks every value read from Redis; null without a signing key.</summary>
    public Serialization.ValueSigner? Signer { get; }

    /// <summary>How many values read from Redis were rejected as unsigned or wrongly signed.</summary>
    public long RejectedSignatures => System.Threading.Interlocked.Read(ref _rejectedSignatures);

    public void CountRejectedSignature() => System.Threading.Interlocked.Increment(ref _rejectedSignatures);

    public static RuntimeState Create(AkCacheOptions options, TimeProvider? time = null) =>
        Create(options, time, environmentProblems: null, memoryOnly: false);

    /// <param name="options">The settings, validated here.</param>
    /// <param name="time">The clock; the system's when null.</param>
    /// <param name="environmentProblems">Bad AKCACHE_* variables that code did not override: each is logged once as an error.</param>
    /// <param name="memoryOnly">True when one of them leaves no usable Redis setting: results are cached in this process only.</param>
    public static RuntimeState Create(AkCacheOptions options, TimeProvider? time, IReadOnlyList<string>? environmentProblems, bool memoryOnly)
    {
        options.Validate();
        var logger = CreateLogger(options);
        foreach (var problem in environmentProblems ?? Array.Empty<string>())
        {
            AkCacheLog.InvalidEnvironment(logger, problem, memoryOnly ? "Results are cached in this process only, not shared through Redis." : "The default is used instead.");
        }

        time ??= TimeProvider.System;
        var redis = options.Disabled || memoryOnly ? null : new RedisAccessor(RedisUrl.Parse(options.RedisUrl), options, logger, time);
        return new RuntimeState(options, logger, redis, time);
    }

    /// <summary>
    /// Reads the environment. A bad variable must not break the application's methods: each one is
    /// logged once as an error and keeps its default; a bad Redis URL or prefix leaves AkCache on the
    /// local layer (L1) alone.
    /// </summary>
    public static RuntimeState FromEnvironment()
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(Environment.GetEnvironmentVariable, problems);
        var logger = CreateLogger(options);
        RedisUrl? url = null;
        try
        {
            options.Validate();
            url = RedisUrl.Parse(options.RedisUrl);
        }
        catch (ArgumentException ex)
        {
            problems.Add(ex.Message);
            options.Prefix = new AkCacheOptions().Prefix;
        }

        foreach (var problem in problems)
        {
            AkCacheLog.InvalidEnvironment(logger, problem, url is null ? "Results are cached in this process only, not shared through Redis." : "The default is used instead.");
        }

        var redis = options.Disabled || url is null ? null : new RedisAccessor(url, options, logger, TimeProvider.System);
        return new RuntimeState(options, logger, redis, TimeProvider.System);
    }

    /// <summary>True the first time a method reports a kind of problem under this configuration: one warning, not one per call.</summary>
    public bool ClaimWarning(MemoizedMethod method, WarningKind kind) =>
        Logger.IsEnabled(LogLevel.Warning) && _warnings.TryAdd((method, kind), true);

    public void Dispose()
    {
        Engine.Coherence.Dispose();
        Redis?.Dispose();
        Signer?.Dispose();
    }

    private static ILogger CreateLogger(AkCacheOptions options) =>
        (options.LoggerFactory ?? StandardErrorLoggerFactory.Instance).CreateLogger("AkCache");
}

internal enum WarningKind
{
    Unkeyable,
    Unserializable,
    NotFaithful,
    Expired,
    Unsigned,
    UnknownSerializer,
    Unreadable,
    Undeserializable,
    WaitedTooLong,
    TooLarge,
}
