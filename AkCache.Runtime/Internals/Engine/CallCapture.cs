using System;
using System.Collections.Generic;
using System.Threading;
using AkCache.CompilerServices;

namespace AkCache.Internals.Engine;

/// <summary>
/// Turns a lambda such as <c>() =&gt; MarketData.History("600519", 30)</c> into the memoized method it
/// calls and the key of that call, without making the call: while a capture runs on a thread, the
/// woven entry points of <see cref="MemoizedMethod"/> record (method, key) and return a default
/// value instead of computing. The key is the one the woven code builds itself, so it is exactly the
/// key the call would read.
/// </summary>
internal static class CallCapture
{
    /// <summary>How many captures run right now, on any thread: the hot path reads this one field and nothing else.</summary>
    private static int s_running;

    [ThreadStatic]
    private static List<(MemoizedMethod Method, MemoKey Key)>? t_calls;

    /// <summary>True while some thread captures; then <see cref="TryRecord"/> says whether it is this one.</summary>
    public static bool IsRunning => s_running != 0;

    /// <summary>Records the call when this thread is capturing; false otherwise (the call then runs as usual).</summary>
    public static bool TryRecord(MemoizedMethod method, MemoKey key)
    {
        var calls = t_calls;
        if (calls is null)
        {
            return false;
        }

        calls.Add((method, key));
        return true;
    }

    /// <summary>The one memoized call <paramref name="call"/> makes.</summary>
    /// <param name="call">A lambda that calls one memoized method, with its arguments computed outside the lambda or as plain expressions.</param>
    /// <param name="operation">The public method's name, for the error messages.</param>
    /// <exception cref="ArgumentException">The lambda calls no memoized method, or more than one.</exception>
    public static (MemoizedMethod Method, MemoKey Key) Single<T>(Func<T> call, string operation)
    {
        if (call is null)
        {
            throw new ArgumentNullException(nameof(call));
        }

        var outer = t_calls;
        var calls = new List<(MemoizedMethod, MemoKey)>(1);
        t_calls = calls;
        Interlocked.Increment(ref s_running);
        try
        {
            _ = call();
        }
        finally
        {
            Interlocked.Decrement(ref s_running);
            t_calls = outer;
        }

        return calls.Count switch
        {
            1 => calls[0],
            0 => throw new ArgumentException($"AkCache: the lambda given to AkCacheRuntime.{operation} calls no memoized method. Pass a call of a [Memoize] method, for example () => MarketData.History(\"600519\", 30); the method must be woven by AkCache (its assembly has FodyWeavers.xml with <AkCache />).", nameof(call)),
            _ => throw new ArgumentException($"AkCache: the lambda given to AkCacheRuntime.{operation} calls {calls.Count} memoized methods ({string.Join(", then ", Names(calls))}). Pass exactly one call, and compute its arguments before the lambda: a memoized call among the arguments would not run while the lambda is read, and its result would be missing from the key.", nameof(call)),
        };
    }

    private static IEnumerable<string> Names(List<(MemoizedMethod Method, MemoKey Key)> calls)
    {
        foreach (var (method, _) in calls)
        {
            yield return method.Identity;
        }
    }
}
