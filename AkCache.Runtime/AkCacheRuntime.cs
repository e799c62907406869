using System;
using System.Runtime.CompilerServices;
using AkCache.Internals;

namespace AkCache;

/// <summary>
/// Configures AkCache in code. Precedence, highest first: [Memoize(MaxAgeSeconds = ...)] on the
/// method, then <see cref="Configure"/>, then the AKCACHE_* environment variables, then the defaults.
/// </summary>
/// <remarks>
/// Configuring is optional: without a call here, the first memoized call reads the environment.
/// Nothing connects to Redis until a memoized method is called.
/// </remarks>
public static class AkCacheRuntime
{
    private static readonly object Gate = new();
    private static volatile RuntimeState? s_state;

    /// <summary>
    /// Replaces the settings: <paramref name="configure"/> receives options read from the
    /// environment and changes what it wants. The previous Redis connection, if any, is closed, and
    /// the in-process memory cache starts empty.
    /// </summary>
    /// <remarks>
    /// A malformed AKCACHE_* variable never makes this throw: what code sets wins over it; one that
    /// code leaves alone is logged once as an error and keeps its default, or, for the Redis URL,
    /// prefix, signing key and serializer, leaves this process on its memory cache alone (as without
    /// a call here).
    /// </remarks>
    /// <exception cref="ArgumentException">A setting made by <paramref name="configure"/> is invalid (the message never holds a password).</exception>
    public static void Configure(Action<AkCacheOptions> configure) => ConfigureOnClock(configure, time: null);

    /// <summary>As <see cref="Configure(Action{AkCacheOptions})"/>, on the clock <paramref name="time"/> (tests drive breaks, expiries and waits with a fake one).</summary>
    internal static void ConfigureOnClock(Action<AkCacheOptions> configure, TimeProvider? time)
    {
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        var problems = new System.Collections.Generic.List<string>();
        var environment = AkCacheOptions.FromVariables(Environment.GetEnvironmentVariable, problems);
        var options = environment.Clone();
        configure(options);
        var memoryOnly = false;
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex) when (WithoutBadEnvironment(options, environment) is { } usable)
        {
            problems.Add(ex.Message);
            options = usable;
            memoryOnly = true;
        }

        Install(RuntimeState.Create(options.Clone(), time, problems, memoryOnly));
    }

    /// <summary>
    /// <paramref name="options"/> with the settings that came from the environment unchanged by code
    /// put back to their defaults, if that makes them valid: the problem was the environment's, not
    /// the code's. Null when the code's own settings are invalid.
    /// </summary>
    private static AkCacheOptions? WithoutBadEnvironment(AkCacheOptions options, AkCacheOptions environment)
    {
        var defaults = new AkCacheOptions();
        var usable = options.Clone();
        if (usable.RedisUrl == environment.RedisUrl) usable.RedisUrl = defaults.RedisUrl;
        if (usable.Prefix == environment.Prefix) usable.Prefix = defaults.Prefix;
        if (usable.SigningKey == environment.SigningKey) usable.SigningKey = defaults.SigningKey;
        if (usable.Serializer == environment.Serializer) usable.Serializer = defaults.Serializer;
        try
        {
            usable.Validate();
            return usable;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Goes back to the settings of the environment, closing the current Redis connection if any.</summary>
    public static void Reset() => Install((RuntimeState?)null);

    /// <summary>A copy of the settings in force.</summary>
    public static AkCacheOptions CurrentOptions => State.Options.Clone();

    /// <summary>The configuration in force; read by every memoized call, so kept small enough to inline.</summary>
    internal static RuntimeState State
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_state ?? CreateFromEnvironment();
    }

    private static void Install(RuntimeState? next)
    {
        RuntimeState? previous;
        lock (Gate)
        {
            previous = s_state;
            s_state = next;
        }

        previous?.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static RuntimeState CreateFromEnvironment()
    {
        lock (Gate)
        {
            return s_state ??= RuntimeState.FromEnvironment();
        }
    }
}
