using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using AkCache;

namespace MarketPipeline;

/// <summary>
/// One helper call of a task, on the task's clock: when it started and ended (milliseconds since the
/// task began its work) and how AkCache answered it.
/// </summary>
internal sealed record Segment(double Start, double End, string Outcome);

/// <summary>
/// Records a task's helper calls for the demo's timeline: each call is timed, and how it was answered
/// is read from the helper's <see cref="AkCacheRuntime.GetCacheInfo{T}"/> before and after (a task
/// makes one call at a time, so the difference is that call's).
/// </summary>
internal sealed class TimelineRecorder
{
    public const string Local = "local";
    public const string Redis = "redis";
    public const string Waited = "waited";
    public const string Computed = "computed";
    public const string Fallback = "fallback";

    /// <summary>A call that AkCache did not see: the method ran as written (AKCACHE_DISABLED=1).</summary>
    public const string Direct = "direct";

    private readonly Stopwatch _clock;
    private readonly List<Segment> _segments = new();

    public TimelineRecorder(Stopwatch clock) => _clock = clock;

    public IReadOnlyList<Segment> Segments => _segments;

    public T Record<T>(Func<CacheInfo> info, Func<T> call)
    {
        var before = info();
        var start = _clock.Elapsed.TotalMilliseconds;
        var result = call();
        Add(start, before, info());
        return result;
    }

    public async Task<T> RecordAsync<T>(Func<CacheInfo> info, Func<Task<T>> call)
    {
        var before = info();
        var start = _clock.Elapsed.TotalMilliseconds;
        var result = await call();
        Add(start, before, info());
        return result;
    }

    private void Add(double start, CacheInfo before, CacheInfo after)
    {
        var outcome = after.LocalHits > before.LocalHits ? Local
            : after.RedisHits > before.RedisHits ? Redis
            : after.WaitsForOtherProcesses > before.WaitsForOtherProcesses ? Waited
            : after.FallbackHits > before.FallbackHits ? Fallback
            : after.Computations > before.Computations ? Computed
            : Direct;
        _segments.Add(new Segment(Math.Round(start, 3), Math.Round(_clock.Elapsed.TotalMilliseconds, 3), outcome));
    }
}
