using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>How a command given a time to answer (<see cref="RedisAccessor"/>'s TryRunWithinAsync) ended for its caller.</summary>
internal enum RunStatus
{
    Ran,

    /// <summary>It failed (already handled: classified, logged once per outage).</summary>
    Failed,

    /// <summary>It was not answered in time: the caller goes on without it, and its reply is handled when it comes.</summary>
    Late,
}

/// <summary>
/// Commands given up on (AkCacheOptions.ComputeOnSlowReads): a call does not wait for Redis longer than its
/// method takes. The read and the lock attempt, given up, leave the call to compute without Redis; a store,
/// to return its result while the store goes on. A reply given up on is handled when it comes, as if the call
/// had waited (a success proves Redis answers; a timeout or a transport failure opens the breaker, logged).
/// Until then no call that may give up a command waits for Redis (<see cref="WaitsForLateReplies"/>): it sends
/// no read and no lock attempt, and a store it sends is left at once.
/// </summary>
internal sealed partial class RedisAccessor
{
    /// <summary>
    /// <see cref="Read(string)"/>, giving up after <paramref name="slowAfterMs"/> milliseconds when it is
    /// not 0 (<see cref="SlowReadWaitMs"/>): then <see cref="RedisRead.Late"/>, and the read's outcome
    /// is handled when it comes (<see cref="LeaveLate(Task{RedisValue}, string)"/>). A large value's read is never cut short.
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

        var run = TryRunWithinAsync(database, key, static (db, k) => ReadOnSharedAsync(db, k), slowAfterMs, synchronous: true, writes: false, key, LateReadSettled);
        var (status, value, failure) = Engine.MemoEngine.Completed(run);
        var read = status switch
        {
            RunStatus.Late => RedisRead.Late,
            RunStatus.Ran => NotedOnShared(key, value),
            _ => Failed(failure),
        };
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
    /// How many commands this process stopped waiting for (<see cref="LeaveLate{TState, TResult}"/>) have not been answered yet. While any
    /// has not, calls that may give up a command do not wait for Redis (<see cref="WaitsForLateReplies"/>): a Redis that did not
    /// answer one within its method's time is not sent more reads, until it answers or the command times out and opens the breaker.
    /// </summary>
    private int _lateReplies;

    private readonly bool _computeOnSlowReads;

    /// <summary>Set by <see cref="Dispose"/>: a reply that comes later is not handled (no release, no warning from a configuration replaced).</summary>
    private volatile bool _disposed;

    /// <summary>AkCacheOptions.MinimumSlowReadWait in milliseconds; a test that must not see a healthy command given up on a loaded machine raises it.</summary>
    internal int MinimumSlowReadWaitMs { get; set; }

    /// <summary>True while a command this process stopped waiting for is unanswered.</summary>
    public bool WaitsForLateReplies => Volatile.Read(ref _lateReplies) != 0;

    /// <summary>
    /// How long a call of the method counted by <paramref name="statistics"/> waits for a command (its read, its lock
    /// attempt, its store) before going on without it (AkCacheOptions.ComputeOnSlowReads): twice its usual computation
    /// time, at least AkCacheOptions.MinimumSlowReadWait, in milliseconds; 0 (wait up to the operation timeout) when
    /// the option is off, before the first connection, in a cluster (one node's silence says nothing of the others,
    /// and a frozen node would be sent a command per call until its breaker opens), before the method's first
    /// computation here, or when that is not shorter than the operation timeout (the client library's asynchronous one).
    /// </summary>
    public int SlowReadWaitMs(AkCache.Internals.Engine.MethodStatistics statistics) =>
        _computeOnSlowReads && _connection.Multiplexer is { } multiplexer && !IsCluster(multiplexer)
            ? statistics.SlowReadWaitMs(MinimumSlowReadWaitMs, _connection.Configuration.AsyncTimeout)
            : 0;

    /// <summary>
    /// How long a store of <paramref name="bytes"/> waits: <paramref name="slowAfterMs"/>, and 1 ms more per 10 kB (a
    /// transfer of 10 MB/s), so that a value of nearly a mebibyte on a slow link is not taken for a frozen Redis.
    /// </summary>
    internal static int StoreWaitMs(int slowAfterMs, int bytes) => slowAfterMs + (bytes / 10_000);

    /// <summary>
    /// A read the call stopped waiting for: its outcome is handled when it comes, as <see cref="EndRead"/> would; the
    /// first bytes of a large value are remembered, so that its next read goes whole to the bulk connection.
    /// </summary>
    public void LeaveLate(Task<RedisValue> pending, string key) => LeaveLate(pending, writes: false, key, key, LateReadSettled);

    /// <summary>A read given up on, answered: what it found is noted (a large value is remembered as large).</summary>
    private static readonly Action<RedisAccessor, string, Task<RedisValue>> LateReadSettled = static (accessor, key, read) =>
    {
        if (read.Status == TaskStatus.RanToCompletion)
        {
            _ = accessor.NotedOnShared(key, read.Result);
        }
    };

    /// <summary>
    /// A command the call stopped waiting for: when it completes, the breakers learn of it as if the call had waited
    /// (<see cref="RecordSuccess"/>, <see cref="ProcessError"/>), then <paramref name="settled"/>, if given, handles the
    /// completed task; until then <see cref="WaitsForLateReplies"/> is true.
    /// </summary>
    private void LeaveLate<TState, TResult>(Task<TResult> pending, bool writes, string key, TState state, Action<RedisAccessor, TState, Task<TResult>>? settled)
    {
        Interlocked.Increment(ref _lateReplies);
        pending.ContinueWith(
            static (command, boxed) =>
            {
                var (accessor, writes, key, state, settled) = ((RedisAccessor, bool, string, TState, Action<RedisAccessor, TState, Task<TResult>>?))boxed!;
                try
                {
                    accessor.EndLate(command, writes, key, state, settled);
                }
                catch (Exception ex)
                {
                    // A logger that throws must not leave the count up, nor an unobserved task behind.
                    System.Diagnostics.Debug.Fail(ex.ToString());
                }
                finally
                {
                    Interlocked.Decrement(ref accessor._lateReplies);
                }
            },
            (this, writes, key, state, settled),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The outcome of a command given up on (<see cref="LeaveLate{TState, TResult}"/>).</summary>
    private void EndLate<TState, TResult>(Task<TResult> command, bool writes, string key, TState state, Action<RedisAccessor, TState, Task<TResult>>? settled)
    {
        var failure = command.Status == TaskStatus.RanToCompletion ? null : FailureOf(command);
        if (_disposed)
        {
            return;
        }

        if (failure is null)
        {
            RecordSuccess(writes, key);
        }
        else if (IsRedisFailure(failure))
        {
            ProcessError(failure, writes, key);
        }

        settled?.Invoke(this, state, command);
    }

    /// <summary>A failed or cancelled task's exception, for <see cref="ProcessError"/>.</summary>
    private static Exception FailureOf(Task task) => task.Exception?.GetBaseException() ?? new TaskCanceledException(task);

    /// <summary>
    /// <see cref="TryRunAsync"/> for a command the call gives up on after <paramref name="slowAfterMs"/> milliseconds:
    /// started asynchronously in both forms, then waited for (blocking, for a <paramref name="synchronous"/> caller,
    /// which gets a completed task); <see cref="RunStatus.Late"/> when it did not answer in time, or at once while
    /// another command given up on is unanswered (<see cref="WaitsForLateReplies"/>), and then it is handled when it
    /// completes (<see cref="LeaveLate{TState, TResult}"/>, with <paramref name="settledLate"/>).
    /// </summary>
    private async ValueTask<(RunStatus Status, TResult Result, RedisFailureKind Failure)> TryRunWithinAsync<TState, TResult>(IDatabase database, TState state, Func<IDatabase, TState, Task<TResult>> command, int slowAfterMs, bool synchronous, bool writes, string key, Action<RedisAccessor, TState, Task<TResult>>? settledLate = null)
    {
        if (writes && !_writes.TryEnter())
        {
            return (RunStatus.Failed, default!, RedisFailureKind.WritesRefused);
        }

        Task<TResult> pending;
        try
        {
            pending = command(database, state);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            pending = Task.FromException<TResult>(ex);
        }

        var answered = pending.IsCompleted
            || (!WaitsForLateReplies && (synchronous ? CompletesWithin(pending, slowAfterMs) : await pending.CompletesWithin(slowAfterMs, default).ConfigureAwait(false)));
        if (!answered)
        {
            LeaveLate(pending, writes, key, state, settledLate);
            return (RunStatus.Late, default!, default);
        }

        if (pending.Status == TaskStatus.RanToCompletion)
        {
            RecordSuccess(writes, key);
            return (RunStatus.Ran, pending.Result, default);
        }

        var failure = FailureOf(pending);
        if (!IsRedisFailure(failure))
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return (RunStatus.Failed, default!, ProcessError(failure, writes, key));
    }

    /// <summary>
    /// <see cref="TryAcquireLockAsync(string, TimeSpan, bool, string)"/> given up on after <paramref name="slowAfterMs"/>:
    /// <see cref="LockAttempt.Late"/>, and not sent at all while another command given up on is unanswered. A lock the
    /// attempt takes when Redis answers is released at once (its waiters are woken and take the computation over), since
    /// this call computes without it; so is one it may have taken when the client library's timeout failed it. Until its
    /// reply is handled, the attempt counts among the locks this process may hold (<see cref="_held"/>), so that a graceful
    /// exit or a configuration replaced meanwhile releases it too (<see cref="ReleaseHeldLocks"/>).
    /// </summary>
    private async ValueTask<LockAttempt> TryAcquireLockWithinAsync(string valueKey, TimeSpan timeToLive, bool readValue, int slowAfterMs, bool synchronous, string? traceParent)
    {
        if (WaitsForLateReplies)
        {
            return LockAttempt.Late;
        }

        var database = synchronous ? Open() : await OpenAsync().ConfigureAwait(false);
        if (database is null)
        {
            return LockAttempt.Unavailable;
        }

        var attempt = new OwnedLock(this, valueKey, traceParent);
        var state = (Attempt: attempt, Arguments: attempt.AcquireArguments(timeToLive, readValue));

        // Counted before it is sent: a reply handled at once, on another thread, finds it there.
        _held.TryAdd(attempt, 0);
        var (status, result, _) = await TryRunWithinAsync(
            database,
            state,
            static (db, s) => s.Attempt.Accessor.StartAcquire(db, s.Attempt.Keys, s.Arguments),
            slowAfterMs,
            synchronous,
            writes: true,
            valueKey,
            static (accessor, s, late) => accessor.ReleaseTakenLate(late, s.Attempt)).ConfigureAwait(false);
        if (status == RunStatus.Late)
        {
            return LockAttempt.Late;
        }

        var answered = status == RunStatus.Ran && !IsLargeReply(result) ? LockAttempt.From(result, attempt) : LockAttempt.Unavailable;
        if (answered.Owned is null)
        {
            _held.TryRemove(attempt, out _);
        }

        if (status == RunStatus.Failed)
        {
            return LockAttempt.Unavailable;
        }

        if (IsLargeReply(result))
        {
            return synchronous ? LargeStored(valueKey, timeToLive) : await LargeStoredAsync(valueKey, timeToLive).ConfigureAwait(false);
        }

        return answered;
    }

    /// <summary>
    /// A lock attempt given up on, completed: a lock it took is released, and its waiters woken. One the client library
    /// timed out may still have run, or run later, on the server: its token is released too (sent behind it on the same
    /// connection; the script deletes the lock only if this token holds it). A connection lost meanwhile loses that
    /// release, and the lock expires after its time to live, as a dead owner's does.
    /// </summary>
    private void ReleaseTakenLate(Task<RedisResult> late, OwnedLock attempt)
    {
        var taken = late.Status == TaskStatus.RanToCompletion
            ? !IsLargeReply(late.Result) && LockAttempt.From(late.Result, attempt).Owned is not null
            : FailureOf(late) is RedisTimeoutException;
        if (taken)
        {
            Observe(StoreAndReleaseAsync(attempt, null, default).AsTask());
        }
        else
        {
            _held.TryRemove(attempt, out _);
        }
    }

    /// <summary><see cref="TrySetAsync(string, byte[], TimeSpan, Func{bool})"/> of a small value, given up on after <see cref="StoreWaitMs"/>: the store goes on, and its outcome is handled when it comes.</summary>
    private async ValueTask<bool> TrySetWithinAsync(string key, byte[] value, TimeSpan timeToLive, int slowAfterMs, bool synchronous)
    {
        Forget(key);
        var database = synchronous ? Open() : await OpenAsync().ConfigureAwait(false);
        if (database is null)
        {
            return false;
        }

        var (status, _, _) = await TryRunWithinAsync(database, (Key: key, Value: value, TimeToLive: timeToLive), static (db, s) => db.StringSetAsync(s.Key, s.Value, s.TimeToLive), StoreWaitMs(slowAfterMs, value.Length), synchronous, writes: true, key).ConfigureAwait(false);
        return status == RunStatus.Ran;
    }

    /// <summary><see cref="StoreAndReleaseAsync(OwnedLock, byte[], TimeSpan)"/> of a small value (or none), given up on after <see cref="StoreWaitMs"/>: the script goes on, and its outcome is handled when it comes.</summary>
    private async ValueTask<bool> StoreAndReleaseWithinAsync(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive, int slowAfterMs, bool synchronous)
    {
        _held.TryRemove(owned, out _);
        Forget(owned.ValueKey);
        var database = _connection.Database;
        if (database is null)
        {
            return false;
        }

        var (status, _, _) = await TryRunWithinAsync(database, StoreAndReleaseState(owned, envelope, timeToLive), static (db, s) => db.ScriptEvaluateAsync(LuaScripts.StoreAndRelease, s.Keys, s.Arguments), StoreWaitMs(slowAfterMs, envelope?.Length ?? 0), synchronous, writes: true, owned.ValueKey).ConfigureAwait(false);
        return status == RunStatus.Ran;
    }
}
