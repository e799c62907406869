using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AkCache.CompilerServices;

namespace AkCache.Internals.Observability;

/// <summary>
/// The "AkCache" <see cref="Meter"/> (docs/observability.md). Calls by outcome, Redis errors and the
/// local layer's size are observable instruments, read from each method's statistics
/// (<see cref="Engine.MethodStatistics"/>, what <see cref="AkCacheRuntime.GetCacheInfo()"/> reports)
/// only when a listener collects: a hit costs nothing more, listened to or not. A computation's
/// duration, a breaker's transitions and the invalidations are recorded where they happen, off the hit
/// path, and only while a listener has enabled their instrument. The method tag is the method's identity
/// (as in its keys), one series per memoized method of the program: bounded by the code, not the data.
/// </summary>
internal static class AkCacheMetrics
{
    public const string MeterName = "AkCache";

    public const string MethodTag = "akcache.method";

    public const string OutcomeTag = "akcache.outcome";

    private static readonly Meter s_meter = new(MeterName, typeof(AkCacheMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>How long a method's body ran, in seconds, for each computation in this process that returned.</summary>
    public static readonly Histogram<double>? ComputationDuration = Created(() => s_meter.CreateHistogram<double>(
        "akcache.computation.duration",
        "s",
        "How long the memoized method's body ran, for each computation in this process that returned a result."));

    /// <summary>A breaker opened or closed: tags akcache.breaker (connection, writes, node) and akcache.state (open, closed).</summary>
    public static readonly Counter<long>? BreakerTransitions = Created(() => s_meter.CreateCounter<long>(
        "akcache.breaker.transitions",
        "{transition}",
        "Times a breaker opened (Redis unavailable, or refusing writes) or closed again."));

    /// <summary>Invalidations: tags akcache.direction, sent (by Invalidate, ClearMethod, ClearAll) or received, and akcache.source, tracking (Redis said a key changed) or channel (AkCache's invalidation channel).</summary>
    public static readonly Counter<long>? Invalidations = Created(() => s_meter.CreateCounter<long>(
        "akcache.invalidations",
        "{invalidation}",
        "Invalidations sent by this process, and received from Redis (key tracking or the invalidation channel) for entries of its local layer."));

    static AkCacheMetrics()
    {
        Guarded(() => s_meter.CreateObservableCounter("akcache.calls", ObserveCalls, "{call}", "Calls of memoized methods by outcome: answered by the local layer, by Redis, by the local layer while Redis was down, by computing here, or by another process's computation."));
        Guarded(() => s_meter.CreateObservableCounter("akcache.redis.errors", ObserveErrors, "{call}", "Calls during which Redis failed; each was still answered, by the local layer or by computing."));
        Guarded(() => s_meter.CreateObservableUpDownCounter("akcache.local.entries", ObserveEntries, "{entry}", "Results the local layer holds now."));
        Guarded(() => s_meter.CreateObservableUpDownCounter("akcache.local.bytes", ObserveBytes, "By", "Bytes the local layer counts for its results now (stored size plus a fixed overhead per entry)."));
    }

    /// <summary>An instrument, or null when a listener threw as it was published: the measurement is then not taken, and nothing else fails.</summary>
    private static T? Created<T>(Func<T> create)
        where T : class
    {
        T? created = null;
        Guarded(() => created = create());
        return created;
    }

    /// <summary>
    /// Runs what publishes or records a measurement: a listener's callback runs inline, and one that
    /// throws must not fail a memoized call, skip an invalidation or break the runtime's setup.
    /// </summary>
    private static void Guarded(Action record)
    {
        try
        {
            record();
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException))
        {
            // A listener's failure is the listener's: AkCache goes on without that measurement.
        }
    }

    /// <summary>The outcomes of <c>akcache.calls</c>.</summary>
    public static class Outcomes
    {
        public const string LocalHit = "local_hit";
        public const string RedisHit = "redis_hit";
        public const string Fallback = "fallback";
        public const string Computed = "computed";
        public const string Waited = "waited";
    }

    /// <summary>Creates the meter and its instruments, once (the static constructor does it; this only makes sure it ran).</summary>
    public static void Publish()
    {
    }

    /// <summary>The moment a computation starts, when its duration is listened to; else 0.</summary>
    public static long StartComputation() => ComputationDuration is { Enabled: true } ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records the duration of a computation that <see cref="StartComputation"/> timed.</summary>
    public static void EndComputation(MemoizedMethod method, long started)
    {
        if (started != 0 && ComputationDuration is { Enabled: true } duration)
        {
            var seconds = (Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency;
            Guarded(() => duration.Record(seconds, new KeyValuePair<string, object?>(MethodTag, method.Identity)));
        }
    }

    /// <summary>A breaker of <paramref name="breaker"/> (connection, writes, node) opened or closed.</summary>
    public static void BreakerChanged(string breaker, bool opened)
    {
        if (BreakerTransitions is { Enabled: true } transitions)
        {
            Guarded(() => transitions.Add(1, new KeyValuePair<string, object?>("akcache.breaker", breaker), new KeyValuePair<string, object?>("akcache.state", opened ? "open" : "closed")));
        }
    }

    /// <summary>This process sent an invalidation (Invalidate, ClearMethod or ClearAll).</summary>
    public static void InvalidationSent() => Invalidated("sent", "channel");

    /// <summary>An invalidation reached this process's local layer, from <paramref name="source"/>: "tracking" (Redis says a key changed) or "channel" (a process's Invalidate, ClearMethod or ClearAll).</summary>
    public static void InvalidationReceived(string source) => Invalidated("received", source);

    private static void Invalidated(string direction, string source)
    {
        if (Invalidations is { Enabled: true } invalidations)
        {
            Guarded(() => invalidations.Add(1, new KeyValuePair<string, object?>("akcache.direction", direction), new KeyValuePair<string, object?>("akcache.source", source)));
        }
    }

    /// <summary>What the engine in force reports per method; nothing before the first configuration (a listener does not configure AkCache).</summary>
    private static IReadOnlyList<CacheInfo> Methods() => AkCacheRuntime.CurrentOrNull?.Engine.Info() ?? Array.Empty<CacheInfo>();

    private static IEnumerable<Measurement<long>> ObserveCalls()
    {
        foreach (var info in Methods())
        {
            yield return Call(info, info.LocalHits, Outcomes.LocalHit);
            yield return Call(info, info.RedisHits, Outcomes.RedisHit);
            yield return Call(info, info.FallbackHits, Outcomes.Fallback);
            yield return Call(info, info.Computations, Outcomes.Computed);
            yield return Call(info, info.WaitsForOtherProcesses, Outcomes.Waited);
        }
    }

    private static Measurement<long> Call(CacheInfo info, long count, string outcome) =>
        new(count, new KeyValuePair<string, object?>(MethodTag, info.Method), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    private static IEnumerable<Measurement<long>> ObserveErrors()
    {
        foreach (var info in Methods())
        {
            yield return new Measurement<long>(info.Errors, new KeyValuePair<string, object?>(MethodTag, info.Method));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveEntries()
    {
        foreach (var info in Methods())
        {
            yield return new Measurement<long>(info.LocalEntries, new KeyValuePair<string, object?>(MethodTag, info.Method));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveBytes()
    {
        foreach (var info in Methods())
        {
            yield return new Measurement<long>(info.LocalBytes, new KeyValuePair<string, object?>(MethodTag, info.Method));
        }
    }
}
