using System;
using System.Threading;
using AkCache.Internals.Timing;

namespace AkCache.Internals.Distributed;

/// <summary>
/// Lock-free breaker: after a failure, <see cref="TryEnter"/> says no until the break has passed;
/// then exactly one caller is let through to probe, and the others keep skipping Redis until that
/// probe succeeds or the next break passes.
/// </summary>
internal sealed class CircuitBreaker
{
    private readonly long _breakMs;
    private readonly Clock _clock;

    /// <summary>0 while closed; else when the next probe may go, on the clock's monotonic scale.</summary>
    private long _retryAt;

    public CircuitBreaker(TimeSpan breakDuration, TimeProvider time)
    {
        _breakMs = Math.Max(1, (long)Math.Ceiling(breakDuration.TotalMilliseconds));
        _clock = Clock.For(time);
    }

    public bool IsClosed => Volatile.Read(ref _retryAt) == 0;

    /// <summary>How long the breaker stays open before the next probe.</summary>
    public TimeSpan BreakDuration => TimeSpan.FromMilliseconds(_breakMs);

    /// <summary>True while callers are to skip Redis without trying: open, and the break not yet over.</summary>
    public bool IsSkipping => IsSkippingAt(_clock.Milliseconds());

    /// <summary><see cref="IsSkipping"/> at a moment the caller has read from the same clock (<see cref="Clock.Milliseconds"/>).</summary>
    public bool IsSkippingAt(long now)
    {
        var retryAt = Volatile.Read(ref _retryAt);
        return retryAt != 0 && now < retryAt;
    }

    public bool TryEnter() => IsClosed || TryEnterAt(_clock.Milliseconds());

    /// <summary>
    /// <see cref="TryEnter"/> at a moment the caller has read from the same clock: true while
    /// closed; once the break is over, true for exactly one caller (the probe).
    /// </summary>
    public bool TryEnterAt(long now)
    {
        var retryAt = Volatile.Read(ref _retryAt);
        if (retryAt == 0)
        {
            return true;
        }

        return now >= retryAt && Interlocked.CompareExchange(ref _retryAt, RetryAt(now + _breakMs), retryAt) == retryAt;
    }

    /// <returns>True when this success closes a breaker that was open.</returns>
    public bool RecordSuccess() => Volatile.Read(ref _retryAt) != 0 && Interlocked.Exchange(ref _retryAt, 0) != 0;

    /// <returns>True when this failure opens a breaker that was closed.</returns>
    public bool RecordFailure() => Interlocked.Exchange(ref _retryAt, RetryAt(_clock.Milliseconds() + _breakMs)) == 0;

    /// <summary>Never 0, which means closed (a monotonic reading can be anything, including 0).</summary>
    private static long RetryAt(long moment) => moment == 0 ? 1 : moment;
}
