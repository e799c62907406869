using System;
using System.Collections.Generic;
using System.Diagnostics;
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

    /// <summary>A miss span for <paramref name="method"/>, or null when nobody listens.</summary>
    public static Activity? StartMiss(MemoizedMethod method) =>
        s_source.HasListeners() ? Tagged(s_source.StartActivity(MissSpan, ActivityKind.Internal), method) : null;

    /// <summary>A computation span (the body and the store), or null when nobody listens.</summary>
    public static Activity? StartCompute(MemoizedMethod method, bool locked)
    {
        if (!s_source.HasListeners() || Tagged(s_source.StartActivity(ComputeSpan, ActivityKind.Internal), method) is not { } activity)
        {
            return null;
        }

        activity.SetTag(LockedTag, locked);
        return activity;
    }

    /// <summary>
    /// A wait span, linked to the miss span of the computation waited for when its context is known,
    /// or null when nobody listens.
    /// </summary>
    public static Activity? StartWait(MemoizedMethod method, ActivityContext owner, bool otherProcess)
    {
        if (!s_source.HasListeners())
        {
            return null;
        }

        var links = owner == default ? null : new[] { new ActivityLink(owner) };
        var activity = s_source.StartActivity(WaitSpan, ActivityKind.Internal, parentContext: Activity.Current?.Context ?? default, tags: null, links: links);
        if (Tagged(activity, method) is { } wait)
        {
            wait.SetTag(WaitScopeTag, otherProcess ? "processes" : "process");
        }

        return activity;
    }

    /// <summary>The outcome of a miss, on its span (the same values as the calls' <c>akcache.outcome</c>).</summary>
    public static void Outcome(Activity? miss, string outcome) => miss?.SetTag(AkCacheMetrics.OutcomeTag, outcome);

    /// <summary>The method's body threw: the computation span says so. Returns false, for an exception filter.</summary>
    public static bool Failed(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().FullName);
            activity.SetTag("exception.type", exception.GetType().FullName);
        }

        return false;
    }

    /// <summary>The context of the current miss span, W3C <c>traceparent</c>, for the lock's value; null without one.</summary>
    public static string? LockContext() =>
        Activity.Current is { } current && current.Source == s_source && current.IdFormat == ActivityIdFormat.W3C ? current.Id : null;

    /// <summary>The trace context a lock's value carries after its token, if it carries a valid one; else default.</summary>
    public static ActivityContext FromLock(string? lockValue)
    {
        var separator = lockValue?.IndexOf(ContextSeparator) ?? -1;
        return separator >= 0 && ActivityContext.TryParse(lockValue!.Substring(separator + 1), null, out var context) ? context : default;
    }

    private static Activity? Tagged(Activity? activity, MemoizedMethod method)
    {
        activity?.SetTag(AkCacheMetrics.MethodTag, method.Identity);
        return activity;
    }
}
