using System;
using System.Diagnostics;
using System.Linq;
using AkCache.CompilerServices;

namespace AkCache.Internals.Observability;

/// <summary>
/// The "AkCache" <see cref="ActivitySource"/> (docs/observability.md): a span for each miss that this
/// process answers (<c>akcache.miss</c>: the lock, then the computation or the wait, the store), a
/// child span for the computation and its store (<c>akcache.compute</c>) and one for a wait on
/// another caller's computation (<c>akcache.wait</c>), linked to that computation's miss span: in
/// this process through the flight, across processes through the lock, whose value carries the
/// owner's trace context after its token. Hits make no span. Nothing is created unless a listener
/// samples the source: <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null.
/// </summary>
internal static class AkCacheTracing
{
    public const string SourceName = "AkCache";

    public const string MissSpan = "akcache.miss";

    public const string ComputeSpan = "akcache.compute";

    public const string WaitSpan = "akcache.wait";

    /// <summary>Where the computation waited for runs: <c>process</c> (another caller in this process) or <c>processes</c> (another process, through the lock).</summary>
    public const string WaitScopeTag = "akcache.wait.scope";

    /// <summary>Whether the computation ran under the Redis lock: <c>true</c>, or <c>false</c> (Redis unavailable, a wait given up, a method re-entering its own key).</summary>
    public const string LockedTag = "akcache.locked";

    /// <summary>What separates a lock's token from the trace context of its owner's miss span in the lock's value.</summary>
    public const char ContextSeparator = ';';

    private static readonly ActivitySource s_source = new(SourceName, typeof(AkCacheTracing).Assembly.GetName().Version?.ToString());

    /// <summary>A miss span for <paramref name="method"/>; none when nobody listens.</summary>
    public static Span StartMiss(MemoizedMethod method) =>
        s_source.HasListeners() ? Guarded(() => Tagged(s_source.StartActivity(MissSpan, ActivityKind.Internal), method)) : default;

    /// <summary>A computation span (the body and the store); none when nobody listens.</summary>
    public static Span StartCompute(MemoizedMethod method, bool locked) =>
        s_source.HasListeners()
            ? Guarded(() => Tagged(s_source.StartActivity(ComputeSpan, ActivityKind.Internal), method)?.SetTag(LockedTag, locked))
            : default;

    /// <summary>
    /// A wait span, linked to the miss span of the computation waited for when its context is known
    /// (else <see cref="Link"/> adds it later); none when nobody listens.
    /// </summary>
    public static Span StartWait(MemoizedMethod method, ActivityContext owner, bool otherProcess)
    {
        if (!s_source.HasListeners())
        {
            return default;
        }

        return Guarded(() =>
        {
            var links = owner == default ? null : new[] { new ActivityLink(owner) };
            var activity = s_source.StartActivity(WaitSpan, ActivityKind.Internal, parentContext: Activity.Current?.Context ?? default, tags: null, links: links);
            return Tagged(activity, method)?.SetTag(WaitScopeTag, otherProcess ? "processes" : "process");
        });
    }

    /// <summary>Links a wait span to the computation it waited for, once that is known (a caller that joined before the owner's span started).</summary>
    public static void Link(Span wait, Activity? owner)
    {
        if (wait.Activity is { } activity && owner is not null && activity.Links.All(l => l.Context != owner.Context))
        {
            Guarded(() => activity.AddLink(new ActivityLink(owner.Context)));
        }
    }

    /// <summary>The outcome of a miss, on its span (<c>computed</c>, <c>waited</c>, <c>redis_hit</c>).</summary>
    public static void Outcome(Span miss, string outcome) => miss.Activity?.SetTag(AkCacheMetrics.OutcomeTag, outcome);

    /// <summary>The method's body threw: the computation span says so. Returns false, for an exception filter.</summary>
    public static bool Failed(Span span, Exception exception)
    {
        if (span.Activity is { } activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().FullName);
            activity.SetTag("exception.type", exception.GetType().FullName);
        }

        return false;
    }

    /// <summary>The W3C <c>traceparent</c> of a miss span, for the value of the lock it takes; null without one.</summary>
    public static string? LockContext(Span miss) =>
        miss.Activity is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>The trace context a lock's value carries after its token, if it carries a valid one; else default.</summary>
    public static ActivityContext FromLock(string? lockValue)
    {
        var separator = lockValue?.IndexOf(ContextSeparator) ?? -1;
        return separator >= 0 && ActivityContext.TryParse(lockValue!.Substring(separator + 1), null, out var context) ? context : default;
    }

    /// <summary>
    /// A span started by a listener's callbacks, which may throw: a throw drops the span, and never
    /// reaches the memoized call (whose flight, lock and result it would otherwise leave behind).
    /// </summary>
    private static Span Guarded(Func<Activity?> start)
    {
        try
        {
            return new Span(start());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return default;
        }
    }

    private static void Guarded(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A listener's failure is not the call's.
        }
    }

    private static Activity? Tagged(Activity? activity, MemoizedMethod method)
    {
        activity?.SetTag(AkCacheMetrics.MethodTag, method.Identity);
        return activity;
    }

    /// <summary>
    /// An AkCache span, or none: ending it (<see cref="Dispose"/>) never throws, whatever a
    /// listener's <c>ActivityStopped</c> does. A struct, so that a miss without a listener costs nothing.
    /// </summary>
    public readonly struct Span : IDisposable
    {
        public Span(Activity? activity) => Activity = activity;

        public Activity? Activity { get; }

        public void Dispose()
        {
            if (Activity is { } activity)
            {
                Guarded(activity.Dispose);
            }
        }
    }
}
