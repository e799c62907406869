using System;
using System.Collections.Concurrent;
using AkCache.CompilerServices;
using AkCache.Internals.Configuration;
using AkCache.Internals.Distributed;
using AkCache.Internals.Logging;
using AkCache.Internals.Memory;
using Microsoft.Extensions.Logging;

namespace AkCache.Internals;

/// <summary>Everything that one configuration of AkCache owns: its options, logger, memory layer and Redis accessor.</summary>
internal sealed class RuntimeState : IDisposable
{
    private readonly ConcurrentDictionary<(MemoizedMethod, WarningKind), bool> _warnings = new();

    private RuntimeState(AkCacheOptions options, ILogger logger, RedisAccessor? redis, TimeProvider time)
    {
        Options = options;
        Logger = logger;
        Redis = redis;
        Time = time;
        Memory = new MemoryLayer(options.MemoryCacheMaxEntries, time);
    }

    public AkCacheOptions Options { get; }

    public ILogger Logger { get; }

    public MemoryLayer Memory { get; }

    public Locking.LocalFlights Flights { get; } = new();

    /// <summary>Null when AkCache is disabled, or when the configured URL could not be parsed.</summary>
    public RedisAccessor? Redis { get; }

    public TimeProvider Time { get; }

    public bool Disabled => Options.Disabled;

    public static RuntimeState Create(AkCacheOptions options, TimeProvider? time = null)
    {
        options.Validate();
        var logger = CreateLogger(options);
        time ??= TimeProvider.System;
        var redis = options.Disabled ? null : new RedisAccessor(RedisUrl.Parse(options.RedisUrl), options, logger, time);
        return new RuntimeState(options, logger, redis, time);
    }

    /// <summary>
    /// Reads the environment. A bad variable must not break the application's methods: it is logged
    /// once as an error, and AkCache runs on the in-process memory cache alone.
    /// </summary>
    public static RuntimeState FromEnvironment()
    {
        AkCacheOptions options;
        try
        {
            options = AkCacheOptions.FromEnvironment();
            return Create(options);
        }
        catch (ArgumentException ex)
        {
            options = new AkCacheOptions();
            var logger = CreateLogger(options);
            logger.LogError("AkCache: the configuration from the environment is invalid, so results are cached in this process only, not shared through Redis. {Reason}", ex.Message);
            return new RuntimeState(options, logger, redis: null, TimeProvider.System);
        }
    }

    /// <summary>True the first time a method reports a kind of problem under this configuration: one warning, not one per call.</summary>
    public bool ClaimWarning(MemoizedMethod method, WarningKind kind) =>
        Logger.IsEnabled(LogLevel.Warning) && _warnings.TryAdd((method, kind), true);

    public void Dispose() => Redis?.Dispose();

    private static ILogger CreateLogger(AkCacheOptions options) =>
        (options.LoggerFactory ?? StandardErrorLoggerFactory.Instance).CreateLogger("AkCache");
}

internal enum WarningKind
{
    Unkeyable,
    Unserializable,
    Unreadable,
    WaitedTooLong,
}
