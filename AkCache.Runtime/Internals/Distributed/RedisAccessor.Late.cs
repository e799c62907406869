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
/// had waited (a success proves Redis answers; a timeout or a transport failure opens the breaker, logged),
/// and until then no call that may give up a command sends one (<see cref="WaitsForLateReplies"/>).
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
    /// How many commands this process stopped waiting for (<see cref="LeaveLate"/>) have not been answered yet. While any
    /// has not, calls that may give up a command send no new one (<see cref="WaitsForLateReplies"/>): a Redis that did not
    /// answer one within its method's time is not sent more, until it answers or the command times out and opens the breaker.
    /// </summary>
    private int _lateReplies;

    private readonly bool _computeOnSlowReads;

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
    /// A read the call stopped waiting for: its outcome is handled when it comes, as <see cref="EndRead"/> would; the
    /// first bytes of a large value are remembered, so that its next read goes whole to the bulk connection.
    /// </summary>
    public void LeaveLate(Task<RedisValue> pending, string key) =>
        LeaveLate(pending, writes: false, key, key, static (accessor, key, value) => _ = accessor.NotedOnShared(key, value));

    /// <summary>
    /// A command the call stopped waiting for: when its reply comes, the breakers learn of it as if the call had waited
    /// (<see cref="RecordSuccess"/>, <see cref="ProcessError"/>), and <paramref name="answered"/>, if given, handles a
    /// successful reply; until then <see cref="WaitsForLateReplies"/> is true.
    /// </summary>
    private void LeaveLate<TState, TResult>(Task<TResult> pending, bool writes, string key, TState state, Action<RedisAccessor, TState, TResult>? answered)
    {
        Interlocked.Increment(ref _lateReplies);
        pending.ContinueWith(
            static (command, boxed) =>
            {
                var (accessor, writes, key, state, answered) = ((RedisAccessor, bool, string, TState, Action<RedisAccessor, TState, TResult>?))boxed!;
                try
                {
                    accessor.EndLate(command, writes, key, state, answered);
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
            (this, writes, key, state, answered),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The outcome of a command given up on (<see cref="LeaveLate{TState, TResult}"/>).</summary>
    private void EndLate<TState, TResult>(Task<TResult> command, bool writes, string key, TState state, Action<RedisAccessor, TState, TResult>? answered)
    {
        if (command.Status == TaskStatus.RanToCompletion)
        {
            RecordSuccess(writes, key);
            answered?.Invoke(this, state, command.Result);
            return;
        }

        var failure = command.Exception?.GetBaseException() ?? new TaskCanceledException(command);
        if (IsRedisFailure(failure))
        {
            ProcessError(failure, writes, key);
        }
    }

    /// <summary>
    /// <see cref="TryRunAsync"/> for a command the call gives up on after <paramref name="slowAfterMs"/> milliseconds:
    /// started asynchronously in both forms, then waited for (blocking, for a <paramref name="synchronous"/> caller,
    /// which gets a completed task); <see cref="RunStatus.Late"/> when it did not answer in time, and its reply is
    /// handled when it comes (<see cref="LeaveLate{TState, TResult}"/>, with <paramref name="answeredLate"/>).
    /// </summary>
    private async ValueTask<(RunStatus Status, TResult Result)> TryRunWithinAsync<TState, TResult>(IDatabase database, TState state, Func<IDatabase, TState, Task<TResult>> command, int slowAfterMs, bool synchronous, bool writes, string key, Action<RedisAccessor, TState, TResult>? answeredLate = null)
    {
        if (writes && !_writes.TryEnter())
        {
            return (RunStatus.Failed, default!);
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
            || (synchronous ? CompletesWithin(pending, slowAfterMs) : await pending.CompletesWithin(slowAfterMs, default).ConfigureAwait(false));
        if (!answered)
        {
            LeaveLate(pending, writes, key, state, answeredLate);
            return (RunStatus.Late, default!);
        }

        if (pending.Status == TaskStatus.RanToCompletion)
        {
            RecordSuccess(writes, key);
            return (RunStatus.Ran, pending.Result);
        }

        var failure = pending.Exception?.GetBaseException() ?? new TaskCanceledException(pending);
        if (!IsRedisFailure(failure))
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        ProcessError(failure, writes, key);
        return (RunStatus.Failed, default!);
    }

    /// <summary>
    /// <see cref="TryAcquireLockAsync(string, TimeSpan, bool, string)"/> given up on after <paramref name="slowAfterMs"/>:
    /// <see cref="LockAttempt.Late"/>, and a lock the attempt takes when Redis answers is released at once (its
    /// waiters are woken and take the computation over), since this call computes without it.
    /// </summary>
    private async ValueTask<LockAttempt> TryAcquireLockWithinAsync(string valueKey, TimeSpan timeToLive, bool readValue, int slowAfterMs, bool synchronous, string? traceParent)
    {
        var database = synchronous ? Open() : await OpenAsync().ConfigureAwait(false);
        if (database is null)
        {
            return LockAttempt.Unavailable;
        }

        var attempt = new OwnedLock(this, valueKey, traceParent);
        var state = (Attempt: attempt, Arguments: attempt.AcquireArguments(timeToLive, readValue));
        var (status, result) = await TryRunWithinAsync(
            database,
            state,
            static (db, s) => s.Attempt.Accessor.AcquireOnAsync(db, s.Attempt.Keys, s.Arguments),
            slowAfterMs,
            synchronous,
            writes: true,
            valueKey,
            static (accessor, s, late) => accessor.ReleaseTakenLate(late, s.Attempt)).ConfigureAwait(false);
        switch (status)
        {
            case RunStatus.Late:
                return LockAttempt.Late;
            case RunStatus.Failed:
                return LockAttempt.Unavailable;
        }

        if (IsLargeReply(result))
        {
            return synchronous ? LargeStored(valueKey, timeToLive) : await LargeStoredAsync(valueKey, timeToLive).ConfigureAwait(false);
        }

        return Held(LockAttempt.From(result, attempt));
    }

    /// <summary>The reply of a lock attempt given up on: a lock it took is released, and its waiters woken.</summary>
    private void ReleaseTakenLate(RedisResult reply, OwnedLock attempt)
    {
        if (!IsLargeReply(reply) && LockAttempt.From(reply, attempt).Owned is { } owned)
        {
            _ = StoreAndReleaseAsync(owned, null, default);
        }
    }

    /// <summary><see cref="TrySetAsync(string, byte[], TimeSpan, Func{bool})"/> of a small value, given up on after <paramref name="slowAfterMs"/>: the store goes on, and its outcome is handled when it comes.</summary>
    private async ValueTask<bool> TrySetWithinAsync(string key, byte[] value, TimeSpan timeToLive, int slowAfterMs, bool synchronous)
    {
        Forget(key);
        var database = synchronous ? Open() : await OpenAsync().ConfigureAwait(false);
        if (database is null)
        {
            return false;
        }

        var (status, _) = await TryRunWithinAsync(database, (Key: key, Value: value, TimeToLive: timeToLive), static (db, s) => db.StringSetAsync(s.Key, s.Value, s.TimeToLive), slowAfterMs, synchronous, writes: true, key).ConfigureAwait(false);
        return status == RunStatus.Ran;
    }

    /// <summary><see cref="StoreAndReleaseAsync(OwnedLock, byte[], TimeSpan)"/> of a small value (or none), given up on after <paramref name="slowAfterMs"/>: the script goes on, and its outcome is handled when it comes.</summary>
    private async ValueTask<bool> StoreAndReleaseWithinAsync(OwnedLock owned, byte[]? envelope, TimeSpan timeToLive, int slowAfterMs, bool synchronous)
    {
        _held.TryRemove(owned, out _);
        Forget(owned.ValueKey);
        var database = _connection.Database;
        if (database is null)
        {
            return false;
        }

        var (status, _) = await TryRunWithinAsync(database, (owned.Keys, Arguments: owned.StoreArguments(_channels.StoredChannelName, envelope, timeToLive)), static (db, s) => db.ScriptEvaluateAsync(LuaScripts.StoreAndRelease, s.Keys, s.Arguments), slowAfterMs, synchronous, writes: true, owned.ValueKey).ConfigureAwait(false);
        return status == RunStatus.Ran;
    }
}
