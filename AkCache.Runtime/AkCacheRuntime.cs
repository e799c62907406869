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
    /// <exception cref="ArgumentException">A setting is invalid (the message never holds a password).</exception>
    public static void Configure(Action<AkCacheOptions> configure)
    {
        if (configure is null)
        {
            throw new ArgumentNullException(nameof(configure));
        }

        var options = AkCacheOptions.FromEnvironment();
        configure(options);
        Install(options);
    }

    /// <summary>Goes back to the settings of the environment, closing the current Redis connection if any.</summary>
    public static void Reset() => Install(null);

    /// <summary>A copy of the settings in force.</summary>
    public static AkCacheOptions CurrentOptions => State.Options.Clone();

    /// <summary>The configuration in force; read by every memoized call, so kept small enough to inline.</summary>
    internal static RuntimeState State
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_state ?? CreateFromEnvironment();
    }

    private static void Install(AkCacheOptions? options)
    {
        var next = options is null ? null : RuntimeState.Create(options.Clone());
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
