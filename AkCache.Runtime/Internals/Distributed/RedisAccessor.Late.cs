using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>
/// Commands given up on (AkCacheOptions.ComputeOnSlowReads): a call does not wait for Redis longer than its
/// method takes; the reply is handled when it comes, and until then no call that may give up a command sends one.
/// </summary>
internal sealed partial class RedisAccessor
{
    /// <summary>
    /// <see cref="Read(string)"/>, giving up after <paramref name="slowAfterMs"/> milliseconds when it is
    /// not 0 (<see cref="SlowReadWaitMs"/>): then <see cref="RedisRead.Late"/>, and the read's outcome
    /// is handled when it comes (<see cref="LeaveLate"/>). A large value's read is never cut short.
    /// </summary>
    public RedisRead Read(string key, int slowAfterMs)
    {
        if (slowAfterMs == 0 || IsKnownLarge(key))
        {
            return Read(key);
        }

        if (Open() is not { } database)
        {
            return RedisRead.Unavailable;
        }

        var pending = BeginReadOnShared(database, key);
        if (!CompletesWithin(pending, slowAfterMs))
        {
            LeaveLate(pending, key);
            return RedisRead.Late;
        }

        var read = EndRead(pending, key);
        return read.Status == RedisReadStatus.Large ? ReadLarge(key) : read;
    }

    /// <summary>Blocks until <paramref name="pending"/> completes, at most <paramref name="milliseconds"/>: whether it did (failed or not).</summary>
    private static bool CompletesWithin(Task pending, int milliseconds)
    {
        try
        {
            return pending.Wait(milliseconds);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    /// <summary>
    /// How many reads this process stopped waiting for (<see cref="LeaveLate"/>) have not been answered yet. While any
    /// has not, calls that may give up a read send no new one (<see cref="WaitsForLateReads"/>): a Redis that did not
    /// answer one read within its method's time is not sent more, until it answers or the read times out and opens the breaker.
    /// </summary>
    private int _lateReads;

    private readonly bool _computeOnSlowReads;

    /// <summary>AkCacheOptions.MinimumSlowReadWait in milliseconds; a test that must not see a healthy read given up on a loaded machine raises it.</summary>
    internal int MinimumSlowReadWaitMs { get; set; }

    /// <summary>True while a read this process stopped waiting for is unanswered.</summary>
    public bool WaitsForLateReads => Volatile.Read(ref _lateReads) != 0;

    /// <summary>
    /// How long a call of the method counted by <paramref name="statistics"/> waits for its read before computing
    /// instead (AkCacheOptions.ComputeOnSlowReads): twice its usual computation time, at least
    /// AkCacheOptions.MinimumSlowReadWait, in milliseconds; 0 (wait up to the operation timeout) when the option
    /// is off, before the first connection, in a cluster (one node's silence says nothing of the others, and a
    /// frozen node would be sent a read per call until its breaker opens), before the method's first computation
    /// here, or when that is not shorter than the operation timeout (the client library's asynchronous one).
    /// </summary>
    public int SlowReadWaitMs(AkCache.Internals.Engine.MethodStatistics statistics) =>
        _computeOnSlowReads && _connection.Multiplexer is { } multiplexer && !IsCluster(multiplexer)
            ? statistics.SlowReadWaitMs(MinimumSlowReadWaitMs, _connection.Configuration.AsyncTimeout)
            : 0;

    /// <summary>
    /// A read the call stopped waiting for: its outcome is handled when it comes, as <see cref="EndRead"/> would
    /// (a success proves Redis answers; a timeout or a transport failure opens the breaker, logged), and until then
    /// no call that may give up a read sends one (<see cref="WaitsForLateReads"/>).
    /// </summary>
    public void LeaveLate(Task<RedisValue> pending, string key)
    {
        Interlocked.Increment(ref _lateReads);
        pending.ContinueWith(
            static (read, state) =>
            {
                var (accessor, key) = ((RedisAccessor, string))state!;
                try
                {
                    accessor.EndLateRead(read, key);
                }
                catch (Exception ex)
                {
                    // A logger that throws must not leave the count up, nor an unobserved task behind.
                    System.Diagnostics.Debug.Fail(ex.ToString());
                }
                finally
                {
                    Interlocked.Decrement(ref accessor._lateReads);
                }
            },
            (this, key),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The outcome of a read given up on (<see cref="LeaveLate"/>), for the breaker and the log only: its value is not used.</summary>
    private void EndLateRead(Task<RedisValue> read, string key)
    {
        if (read.Status == TaskStatus.RanToCompletion)
        {
            // A large value's first bytes: remembered, so that its next read goes whole to the bulk connection.
            RecordSuccess(writes: false, key);
            _ = NotedOnShared(key, read.Result);
            return;
        }

        var failure = read.Exception?.GetBaseException() ?? new TaskCanceledException(read);
        if (IsRedisFailure(failure))
        {
            ProcessError(failure, writes: false, key);
        }
    }
}
