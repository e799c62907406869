using System;
using System.Threading;

namespace AkCache.Internals.Distributed;

/// <summary>
/// Lock-free breaker: after a failure, <see cref="TryEnter"/> says no until the break has passed;
/// then exactly one caller is let through to probe, and the others keep skipping Redis until that
/// probe succeeds or the next break passes.
/// </summary>
internal sealed class CircuitBreaker
{
    private readonly long _breakTicks;
    private readonly TimeProvider _time;
    private long _retryAtTicks;

    public CircuitBreaker(TimeSpan breakDuration, TimeProvider time)
    {
        _breakTicks = breakDuration.Ticks;
        _time = time;
    }

    public bool IsClosed => Volatile.Read(ref _retryAtTicks) == 0;

    /// <summary>True while callers are to skip Redis without trying: open, and the break not yet over.</summary>
    public bool IsSkipping
    {
        get
        {
            var retryAt = Volatile.Read(ref _retryAtTicks);
            return retryAt != 0 && Now() < retryAt;
        }
    }

    public bool TryEnter()
    {
        var retryAt = Volatile.Read(ref _retryAtTicks);
        if (retryAt == 0)
        {
            return true;
        }

        var now = Now();
        return now >= retryAt && Interlocked.CompareExchange(ref _retryAtTicks, now + _breakTicks, retryAt) == retryAt;
    }

    /// <returns>True when this success closes a breaker that was open.</returns>
    public bool RecordSuccess() => Volatile.Read(ref _retryAtTicks) != 0 && Interlocked.Exchange(ref _retryAtTicks, 0) != 0;

    /// <returns>True when this failure opens a breaker that was closed.</returns>
    public bool RecordFailure() => Interlocked.Exchange(ref _retryAtTicks, Now() + _breakTicks) == 0;

    private long Now() => _time.GetUtcNow().UtcTicks;
}
