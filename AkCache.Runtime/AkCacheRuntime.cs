using System;
using System.Runtime.CompilerServices;
using System.Threading;
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
    private static int s_exitHooked;

    /// <summary>
    /// On a graceful exit (the end of Main, SIGTERM, SIGINT or Ctrl+C, Environment.Exit), releases the Redis
    /// locks of computations still running, so that another process takes them over at once
    /// instead of after LockTimeToLive (docs/single-flight.md). A kill -9 cannot run this: its
    /// locks expire after LockTimeToLive.
    /// </summary>
    private static void HookProcessExit()
    {
        if (Interlocked.Exchange(ref s_exitHooked, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += static (_, _) => ReleaseHeldLocks();

        // The "AkCache" meter exists from the first configuration on, so that a listener started
        // before or after it sees its instruments (docs/observability.md).
        try
        {
            Internals.Observability.AkCacheMetrics.Publish();
        }
        catch (TypeInitializationException)
        {
            // The meter's setup catches a listener's failures itself; should it fail all the same, the hooks below still matter.
        }
#if NET6_0_OR_GREATER
        // .NET raises no ProcessExit for SIGTERM or SIGINT while Main runs on: the signal's default
        // action ends the process. The handlers run first; they do not cancel the signal, so the
        // application's own handling (a generic host's graceful stop, say) is unchanged.
        try
        {
            s_signals = new[]
            {
                System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, static _ => ReleaseHeldLocks()),
                System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, static _ => ReleaseHeldLocks()),
            };
        }
        catch (PlatformNotSupportedException)
        {
            // Browsers and some mobile targets have no signals; ProcessExit covers what they have.
        }
#endif
    }

#if NET6_0_OR_GREATER
    /// <summary>Kept alive for the process's lifetime: a collected registration stops handling its signal.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE0052:Remove unread private member", Justification = "Written to keep the registrations alive, never read: that is its purpose.")]
    private static System.Runtime.InteropServices.PosixSignalRegistration[]? s_signals;
#endif

    private static void ReleaseHeldLocks() => s_state?.Redis?.ReleaseHeldLocks(Internals.Distributed.RedisAccessor.LockReleaseBudget);

    /// <summary>
    /// Replaces the settings: <paramref name="configure"/> receives options read from the
    /// environment and changes what it wants. The previous Redis connection, if any, is closed, and
    /// the local layer (L1) starts empty.
    /// </summary>
    /// <remarks>
    /// A malformed AKCACHE_* variable never makes this throw: what code sets wins over it; one that
    /// code leaves alone is logged once as an error and keeps its default, or, for the Redis URL,
    /// prefix, signing key and serializer, leaves this process on its local layer alone (as without
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
        if (usable.RedisUrl == environment.RedisUrl)
        {
            usable.RedisUrl = defaults.RedisUrl;
        }

        if (usable.Prefix == environment.Prefix)
        {
            usable.Prefix = defaults.Prefix;
        }

        if (usable.SigningKey == environment.SigningKey)
        {
            usable.SigningKey = defaults.SigningKey;
        }

        if (usable.Serializer == environment.Serializer)
        {
            usable.Serializer = defaults.Serializer;
        }

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

    /// <summary>
    /// Removes the stored result of one call, in Redis and in every process's local layer. The call
    /// itself is not made: <paramref name="call"/> is read for the method and the arguments it names.
    /// </summary>
    /// <example><c>AkCacheRuntime.Invalidate(() =&gt; MarketData.History("600519", 30));</c></example>
    /// <typeparam name="T">What the call returns (a Task for an asynchronous method: it is not awaited).</typeparam>
    /// <param name="call">A lambda that calls one [Memoize] method. Compute its arguments before the lambda if they come from other memoized calls.</param>
    /// <returns>True when Redis held a result for the call (or, without Redis, this process did).</returns>
    /// <exception cref="ArgumentException">The lambda calls no memoized method, or more than one, or arguments that cannot be keyed.</exception>
    /// <exception cref="InvalidOperationException">Redis could not be reached: this process's entry is gone, but other processes may still serve theirs until it expires.</exception>
    public static bool Invalidate<T>(Func<T> call)
    {
        var (method, key) = Internals.Engine.CallCapture.Single(call, nameof(Invalidate));
        if (State.Disabled)
        {
            // AKCACHE_DISABLED: nothing is cached, so nothing is invalidated; the kill switch must not make callers throw.
            return false;
        }

        if (!key.IsValid)
        {
            throw new ArgumentException($"AkCache: the call of {method.Identity} given to AkCacheRuntime.Invalidate has arguments that cannot be turned into a key, so it is never cached and there is nothing to invalidate.", nameof(call));
        }

        return State.Engine.Invalidate(method, key);
    }

    /// <summary>
    /// Removes every stored result of one memoized method (all its arguments, all its versions), in
    /// Redis and in every process's local layer, never with KEYS: it scans each primary's keyspace
    /// (SCAN MATCH on the method's keys, in steps of 1,000), so it costs time in proportion to the
    /// whole database, not to the method's entries.
    /// </summary>
    /// <example><c>AkCacheRuntime.ClearMethod(() =&gt; MarketData.History("", 0));</c></example>
    /// <param name="anyCall">A lambda that calls the method; its arguments are ignored.</param>
    /// <returns>How many keys were deleted in Redis (values, and any lock of a computation under way).</returns>
    /// <exception cref="ArgumentException">The lambda calls no memoized method, or more than one.</exception>
    /// <exception cref="InvalidOperationException">Redis, or one primary of a cluster, could not be reached; keys already deleted stay deleted.</exception>
    public static long ClearMethod<T>(Func<T> anyCall)
    {
        var (method, _) = Internals.Engine.CallCapture.Single(anyCall, nameof(ClearMethod));
        return State.Engine.ClearMethod(method);
    }

    /// <summary>
    /// Removes every stored result under the configured prefix, of every method, in Redis and in
    /// every process's local layer; like <see cref="ClearMethod{T}"/>, by scanning each primary.
    /// </summary>
    /// <returns>How many keys were deleted in Redis.</returns>
    /// <exception cref="InvalidOperationException">Redis, or one primary of a cluster, could not be reached; keys already deleted stay deleted.</exception>
    public static long ClearAll() => State.Engine.ClearAll();

    /// <summary>What one memoized method did in this process (hits, misses, computations...) and what the local layer holds of it.</summary>
    /// <param name="anyCall">A lambda that calls the method; its arguments are ignored, and it is not run.</param>
    /// <exception cref="ArgumentException">The lambda calls no memoized method, or more than one.</exception>
    public static CacheInfo GetCacheInfo<T>(Func<T> anyCall)
    {
        var (method, _) = Internals.Engine.CallCapture.Single(anyCall, nameof(GetCacheInfo));
        return State.Engine.Info(method);
    }

    /// <summary>The <see cref="GetCacheInfo{T}"/> of every memoized method this process has called under the settings in force, by method.</summary>
    public static System.Collections.Generic.IReadOnlyList<CacheInfo> GetCacheInfo() => State.Engine.Info();

    /// <summary>A copy of the settings in force.</summary>
    public static AkCacheOptions CurrentOptions => State.Options.Clone();

    /// <summary>The configuration in force, or null before the first one: for what must not configure AkCache by reading it (a metrics listener).</summary>
    internal static RuntimeState? CurrentOrNull => s_state;

    /// <summary>The configuration in force; read by every memoized call, so kept small enough to inline.</summary>
    internal static RuntimeState State
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_state ?? CreateFromEnvironment();
    }

    private static void Install(RuntimeState? next)
    {
        HookProcessExit();
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
        HookProcessExit();
        lock (Gate)
        {
            return s_state ??= RuntimeState.FromEnvironment();
        }
    }
}
