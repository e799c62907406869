using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Configuration;
using AkCache.Internals.Logging;
using AkCache.Internals.Messaging;
using AkCache.Internals.Observability;
using AkCache.Internals.Timing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

internal enum RedisReadStatus
{
    Hit,
    Miss,
    Unavailable,

    /// <summary>The value is larger than <see cref="RedisAccessor.LargeValueBytes"/>: only its first bytes came on the shared connection; the whole is read on the bulk one (<see cref="RedisAccessor.ReadLargeAsync"/>).</summary>
    Large,

    /// <summary>The read was slower than the method (AkCacheOptions.ComputeOnSlowReads): the call computes without Redis; the read's outcome is handled when it comes (<see cref="RedisAccessor.LeaveLate"/>).</summary>
    Late,
}

/// <summary>What one read found: a value, nothing, or no answer from Redis (already logged).</summary>
internal readonly struct RedisRead
{
    public static readonly RedisRead Unavailable = new(RedisReadStatus.Unavailable, RedisValue.Null);

    /// <summary>A read's reply: no value or an empty one is a miss (an envelope is never empty, and GETRANGE answers a missing key with an empty string).</summary>
    public RedisRead(RedisValue value)
        : this(value.IsNullOrEmpty ? RedisReadStatus.Miss : RedisReadStatus.Hit, value)
    {
    }

    public static RedisRead Large { get; } = new(RedisReadStatus.Large, RedisValue.Null);

    public static RedisRead Late { get; } = new(RedisReadStatus.Late, RedisValue.Null);

    private RedisRead(RedisReadStatus status, RedisValue value)
    {
        Status = status;
        Value = value;
    }

    public RedisReadStatus Status { get; }

    /// <summary>The stored bytes on a <see cref="RedisReadStatus.Hit"/>.</summary>
    public RedisValue Value { get; }
}

/// <summary>
/// The commands AkCache sends to Redis. It uses the process's shared <see cref="RedisConnection"/>
/// (made lazily, on the first memoized call); every command runs through <see cref="TryRun"/> or
/// <see cref="TryRunAsync"/>, the one place where a failure is classified (<see cref="RedisFailures"/>)
/// and logged: a transport failure opens the circuit breaker, so that a dead Redis costs no waiting;
/// a refusal to store pauses the writes only (<see cref="_writes"/>), and reads go on; a key of
/// another type is a miss of that key alone, which its result overwrites.
/// </summary>
internal sealed partial class RedisAccessor : IDisposable
{
    private readonly RedisUrl _url;
    private readonly ILogger _logger;
    private readonly CircuitBreaker _breaker;

    /// <summary>Open while Redis refuses to store (OOM, READONLY, NOPERM...): writes are skipped for a break, reads go on.</summary>
    private readonly CircuitBreaker _writes;
    private readonly Clock _clock;
    private readonly TimeProvider _time;
    private readonly RedisConnection _connection;

    /// <summary>The connection of large values (RedisAccessor.Large.cs), made at the first one.</summary>
    private readonly RedisConnection _bulk;
    private readonly CacheChannels _channels;

    public RedisAccessor(RedisUrl url, AkCacheOptions options, ILogger logger, TimeProvider time)
    {
        _url = url;
        _channels = new CacheChannels(options.Prefix);
        _logger = logger;
        _breaker = new CircuitBreaker(options.BreakDuration, time);
        _writes = new CircuitBreaker(options.BreakDuration, time);
        _clock = Clock.For(time);
        _time = time;
        _connection = new RedisConnection(url, options);
        _bulk = new RedisConnection(url, options, bulk: true);
        ChunkBytes = Math.Min(MaxChunkBytes, options.LargeValueBytesInFlight);
        ChunksInFlight = Math.Max(1, options.LargeValueBytesInFlight / ChunkBytes);
        _computeOnSlowReads = options.ComputeOnSlowReads;
        MinimumSlowReadWaitMs = (int)AkCacheOptions.MinimumSlowReadWait.TotalMilliseconds;
    }

    internal ConfigurationOptions Configuration => _connection.Configuration;

    /// <summary>The TLS settings (CA file, client certificate, server name), for the tracking connection; null when none is set.</summary>
    internal TlsSettings? Tls => _connection.Tls;

    /// <summary>The breaker, for tests of what may open or close it.</summary>
    internal CircuitBreaker Breaker => _breaker;

    /// <summary>The writes' breaker, for tests.</summary>
    internal CircuitBreaker Writes => _writes;

    /// <summary>True while Redis refuses to store (<see cref="RedisFailureKind.WritesRefused"/>): results are kept in this process only.</summary>
    public bool WritesPaused => !_writes.IsClosed;

    public string Description => _url.SafeDescription;

    /// <summary>True once a connection exists; false for a process that never called a memoized method.</summary>
    public bool HasConnected => _connection.Multiplexer is not null;

    /// <summary>The connection, once made; tests count the commands a call sends through it.</summary>
    internal IConnectionMultiplexer? Connection => _connection.Multiplexer;

    /// <summary>
    /// Read of one value, connecting first if no one has; for a call that <see cref="TryEnterAt(long, string)">entered</see>.
    /// A value this process knows to be large (<see cref="IsKnownLarge"/>) is read on the bulk connection;
    /// on the shared connection the read is a GETRANGE of at most <see cref="LargeValueBytes"/> + 1 bytes
    /// (<see cref="ReadOnShared"/>), so that a large value met for the first time is read whole on the bulk one.
    /// </summary>
    /// <remarks>A key that holds another type of value reads as a miss (warned): its result overwrites it.</remarks>
    public RedisRead Read(string key)
    {
        if (IsKnownLarge(key))
        {
            return ReadLarge(key);
        }

        if (Open() is not { } database)
        {
            return RedisRead.Unavailable;
        }

        var read = TryRun(database, key, static (db, k) => ReadOnShared(db, k), out var value, out var failure, writes: false, key)
            ? NotedOnShared(key, value)
            : Failed(failure);
        return read.Status == RedisReadStatus.Large ? ReadLarge(key) : read;
    }

    /// <inheritdoc cref="Read(string)"/>
    public async ValueTask<RedisRead> ReadAsync(string key, CancellationToken cancellationToken)
    {
        if (IsKnownLarge(key))
        {
            return await ReadLargeAsync(key, cancellationToken).ConfigureAwait(false);
        }

        var database = await OpenAsync().ConfigureAwait(false);
        if (database is null)
        {
            return RedisRead.Unavailable;
        }

        var (ran, value, failure) = await TryRunAsync(database, (Key: key, Token: cancellationToken), static (db, s) => s.Token.CanBeCanceled ? ReadOnSharedAsync(db, s.Key).WithCancellation(s.Token) : ReadOnSharedAsync(db, s.Key), cancellationToken, key: key).ConfigureAwait(false);
        var read = ran ? NotedOnShared(key, value) : Failed(failure);
        return read.Status == RedisReadStatus.Large ? await ReadLargeAsync(key, cancellationToken).ConfigureAwait(false) : read;
    }

    /// <summary>
    /// The read on the shared connection: GETRANGE of the first <see cref="LargeValueBytes"/> + 1 bytes,
    /// which is the whole of any value that is not large (and costs Redis what a GET does), so that no
    /// more than a mebibyte of a value ever holds up the small replies queued behind it.
    /// </summary>
    private static RedisValue ReadOnShared(IDatabase database, string key) => database.StringGetRange(key, 0, LargeValueBytes);

    /// <inheritdoc cref="ReadOnShared"/>
    private static Task<RedisValue> ReadOnSharedAsync(IDatabase database, string key) => database.StringGetRangeAsync(key, 0, LargeValueBytes);

    /// <summary>What a read on the shared connection found: more than <see cref="LargeValueBytes"/> is the start of a large value, remembered, to read whole on the bulk connection.</summary>
    private RedisRead NotedOnShared(string key, RedisValue value)
    {
        if (value.Length() > LargeValueBytes)
        {
            RememberLarge(key);
            return RedisRead.Large;
        }

        return Noted(key, new RedisRead(value));
    }

    /// <summary>
    /// The first half of an asynchronous read on the hot path, so that the caller awaits
    /// StackExchange.Redis's task in its own frame: starts the GET when the connection exists.
    /// False before the first connect: the caller then takes <see cref="ReadAsync"/>, which
    /// connects. The caller awaits <paramref name="read"/> and hands it, completed, to <see cref="EndRead"/>.
    /// </summary>
    public bool TryBeginRead(string key, out Task<RedisValue> read)
    {
        read = null!;
        var database = _connection.Database;
        if (database is null || IsKnownLarge(key))
        {
            return false;
        }

        read = BeginReadOnShared(database, key);
        return true;
    }

    /// <summary>Starts the read on the shared connection (<see cref="ReadOnShared"/>); a failure to send it is the task's, which <see cref="EndRead"/> reports as it would a failed reply.</summary>
    private static Task<RedisValue> BeginReadOnShared(IDatabase database, string key)
    {
        try
        {
            return ReadOnSharedAsync(database, key);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return Task.FromException<RedisValue>(ex);
        }
    }

    /// <summary>
    /// The second half of <see cref="TryBeginRead"/>: the outcome of the completed read of <paramref name="key"/>,
    /// with the same bookkeeping as <see cref="TryRunAsync"/>. <see cref="RedisReadStatus.Large"/> tells the
    /// caller to read the value on the bulk connection (<see cref="ReadLargeAsync"/>).
    /// </summary>
    public RedisRead EndRead(Task<RedisValue> read, string key)
    {
        if (read.Status == TaskStatus.RanToCompletion)
        {
            RecordSuccess(writes: false, key);
            return NotedOnShared(key, read.Result);
        }

        var failure = FailureOf(read);
        if (!IsRedisFailure(failure))
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return Failed(ProcessError(failure, writes: false, key));
    }

    /// <summary>What a failed GET means for the call: a key of another type is a miss (its result overwrites it); anything else, no answer.</summary>
    private static RedisRead Failed(RedisFailureKind failure) =>
        failure == RedisFailureKind.WrongType ? new RedisRead(RedisValue.Null) : RedisRead.Unavailable;

    /// <summary>
    /// SET with a time to live; false when it did not happen (already logged). A large value is
    /// written in chunks, which takes a while: <paramref name="stillWanted"/>, when given, is asked
    /// once they are written, and the value is moved into place only if it answers true (the engine
    /// asks whether an invalidation reached this process meanwhile). A small value is written at
    /// once: its caller asks just before.
    /// </summary>
    public bool TrySet(string key, byte[] value, TimeSpan timeToLive, Func<bool>? stillWanted = null) =>
        IsLarge(value) ? TrySetLarge(key, value, timeToLive, stillWanted) : Forget(key) && Open() is { } database
        && TryRun(database, (Key: key, Value: value, TimeToLive: timeToLive), static (db, s) => db.StringSet(s.Key, s.Value, s.TimeToLive), out _, out _, writes: true, key);

    /// <inheritdoc cref="TrySet"/>
    public async ValueTask<bool> TrySetAsync(string key, byte[] value, TimeSpan timeToLive, Func<bool>? stillWanted = null) =>
        IsLarge(value) ? await TrySetLargeAsync(key, value, timeToLive, stillWanted).ConfigureAwait(false) : Forget(key) && await OpenAsync().ConfigureAwait(false) is { } database
        && (await TryRunAsync(database, (Key: key, Value: value, TimeToLive: timeToLive), static (db, s) => db.StringSetAsync(s.Key, s.Value, s.TimeToLive), default, writes: true, key: key).ConfigureAwait(false)).Ran;

    /// <summary>
    /// <see cref="TrySet"/> or <see cref="TrySetAsync(string, byte[], TimeSpan, Func{bool})"/>: the engine's one call for both forms;
    /// a small value's store is given up on after <paramref name="slowAfterMs"/> milliseconds when it is not 0
    /// (<see cref="SlowReadWaitMs"/>), and goes on; a large value's is never cut short.
    /// </summary>
    public ValueTask<bool> TrySetAsync(string key, byte[] value, TimeSpan timeToLive, Func<bool>? stillWanted, bool synchronous, int slowAfterMs) =>
        slowAfterMs > 0 && !IsLarge(value) ? TrySetWithinAsync(key, value, timeToLive, slowAfterMs, synchronous)
        : synchronous ? new ValueTask<bool>(TrySet(key, value, timeToLive, stillWanted)) : TrySetAsync(key, value, timeToLive, stillWanted);

    /// <summary>How long a graceful exit, or a configuration replaced, waits for the release of the locks this process holds.</summary>
    internal static readonly TimeSpan LockReleaseBudget = TimeSpan.FromSeconds(1);

    public void Dispose()
    {
        _disposed = true;
        ReleaseHeldLocks(LockReleaseBudget);
        _channels.Announcements.Clear();
        _connection.Dispose();
        _bulk.Dispose();
    }

    /// <summary>
    /// Whatever goes wrong talking to Redis is a Redis failure: the woven method must still return
    /// its result. Only conditions the process cannot survive anyway propagate.
    /// </summary>
    private static bool IsRedisFailure(Exception ex) => ex is not (OutOfMemoryException or StackOverflowException or ThreadAbortException);

    /// <summary>
    /// The database, connecting first if no one has; null when the connection is down (logged).
    /// Does not ask the breaker: the engine asked it once for the call (<see cref="TryEnterAt(long, string)"/>).
    /// </summary>
    private IDatabase? Open() => Usable(_connection.Database ?? Connect());

    /// <inheritdoc cref="Open"/>
    private async ValueTask<IDatabase?> OpenAsync() => Usable(_connection.Database ?? await ConnectAsync().ConfigureAwait(false));

    private IDatabase? Usable(IDatabase? database)
    {
        if (database is not null && !database.Multiplexer.IsConnected && WhyDown(database) is { } reason)
        {
            ProcessFailure(reason);
            return null;
        }

        return database;
    }

    /// <summary>
    /// The client library's account of why the connection is down (refused, a password required or
    /// wrong...), so that the warning names it: with no connection, it fails a command at once, unsent.
    /// Null when the PING is answered: the connection came back since it was seen down (a reconnect
    /// after a failover), and the call goes on with it rather than report an outage without a reason.
    /// </summary>
    private string? WhyDown(IDatabase database)
    {
        try
        {
            database.Ping();
            return null;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return Reason(ex);
        }
    }

    /// <summary>A connection failure's reason for the warning: its class, the details, the setting to check (<see cref="ConnectionFailures"/>); never the password.</summary>
    /// <remarks>
    /// A sentinel URL's failure without a recorded cause is diagnosed by asking the sentinels
    /// (<see cref="SentinelDiagnosis"/>), only while the breaker is closed: for the failure that opens an outage and is warned.
    /// </remarks>
    private string Reason(Exception ex)
    {
        var configuration = _connection.Configuration;
        var failure = ConnectionFailures.Describe(ex, configuration);
        if (SentinelDiagnosis.Applies(configuration, failure) && _breaker.IsClosed && SentinelDiagnosis.Diagnose(configuration) is { } found)
        {
            failure = found;
        }

        return Scrub(failure.ToString());
    }

    /// <summary>
    /// Called after each successful connect (the first connect of the process, in practice), with
    /// whether the call that connected is synchronous: the engine starts listening for invalidations,
    /// without blocking an asynchronous caller.
    /// </summary>
    public Func<IConnectionMultiplexer, bool, ValueTask>? Connected { get; set; }

    private IDatabase? Connect()
    {
        try
        {
            return AfterConnect(_connection.Connect());
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessFailure(Reason(ex), Scrubbed(ex));
            return null;
        }
    }

    private async ValueTask<IDatabase?> ConnectAsync()
    {
        try
        {
            var database = await _connection.ConnectAsync().ConfigureAwait(false);
            if (database is not null && Connected is { } connected)
            {
                await connected(database.Multiplexer, false).ConfigureAwait(false);
            }

            return database;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessFailure(Reason(ex), Scrubbed(ex));
            return null;
        }
    }

    /// <summary>The synchronous side of <see cref="Connected"/>: a synchronous start completes before it returns.</summary>
    private IDatabase? AfterConnect(IDatabase? database)
    {
        if (database is not null && Connected is { } connected)
        {
            var started = connected(database.Multiplexer, true);
            if (started.IsCompleted)
            {
                started.GetAwaiter().GetResult();
            }
            else
            {
                _ = started.AsTask();
            }
        }

        return database;
    }

    /// <summary>
    /// Runs one command on <paramref name="database"/>, the one place where a command's failure is
    /// handled: classified (<see cref="RedisFailures.Classify"/>) and logged once per outage; a
    /// transport failure opens the breaker, a success closes it. A command that
    /// <paramref name="writes"/> is not sent while Redis refuses writes (<see cref="_writes"/>; the
    /// one probe after a break excepted), and its refusal pauses the writes only. What the caller
    /// does with the result stays outside, so that a bug of AkCache's own is never taken for an outage.
    /// </summary>
    /// <remarks><paramref name="key"/>: the key the command is about, for a warning that names it.</remarks>
    private bool TryRun<TState, TResult>(IDatabase database, TState state, Func<IDatabase, TState, TResult> command, out TResult result, out RedisFailureKind failure, bool writes = false, string? key = null)
    {
        result = default!;
        if (writes && !_writes.TryEnter())
        {
            failure = RedisFailureKind.WritesRefused;
            return false;
        }

        try
        {
            result = command(database, state);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            failure = ProcessError(ex, writes, key);
            return false;
        }

        RecordSuccess(writes, key);
        failure = default;
        return true;
    }

    /// <inheritdoc cref="TryRun"/>
    /// <remarks>
    /// A cancellation by the caller's own <paramref name="cancellationToken"/> is not a failure of Redis: it propagates.
    /// <paramref name="successClosesTheBreaker"/> is false for a command that runs on its own schedule
    /// (the lock's watchdog): its success proves Redis answers, but the breakers are closed only by the calls they let through.
    /// </remarks>
    private async ValueTask<(bool Ran, TResult Result, RedisFailureKind Failure)> TryRunAsync<TState, TResult>(IDatabase database, TState state, Func<IDatabase, TState, Task<TResult>> command, CancellationToken cancellationToken, bool successClosesTheBreaker = true, bool writes = false, string? key = null)
    {
        // A command on its own schedule never takes the one probe of a writes' break: it could not close it.
        if (writes && !(successClosesTheBreaker ? _writes.TryEnter() : _writes.IsClosed))
        {
            return (false, default!, RedisFailureKind.WritesRefused);
        }

        TResult result;
        try
        {
            result = await command(database, state).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            return (false, default!, ProcessError(ex, writes, key));
        }

        if (successClosesTheBreaker)
        {
            RecordSuccess(writes, key);
        }

        return (true, result, default);
    }

    private void RecordSuccess(bool writes, string? key = null)
    {
        RecordNodeSuccess(key);
        if (_breaker.RecordSuccess())
        {
            AkCacheMetrics.BreakerChanged("connection", opened: false);
            AkCacheLog.RedisReachableAgain(_logger, Description);
        }

        if (writes && _writes.RecordSuccess())
        {
            AkCacheMetrics.BreakerChanged("writes", opened: false);
            AkCacheLog.WritesAcceptedAgain(_logger, Description);
        }
    }

    /// <summary>Handles a failed command by its kind (<see cref="RedisFailures"/>) and returns the kind.</summary>
    private RedisFailureKind ProcessError(Exception ex, bool writes, string? key)
    {
        var kind = RedisFailures.Classify(ex, writes);
        switch (kind)
        {
            case RedisFailureKind.WrongType:
                // The server answered: it is up, and this key alone is not AkCache's.
                RecordSuccess(writes: false);
                WarnWrongType(ex, key);
                break;
            case RedisFailureKind.WritesRefused:
                RecordSuccess(writes: false);
                if (_writes.RecordFailure())
                {
                    AkCacheMetrics.BreakerChanged("writes", opened: true);
                    AkCacheLog.WritesRefused(_logger, Description, $"{ex.GetType().Name}: {Scrub(ex.Message)}", _writes.BreakDuration, RedisFailures.FixForRefusedWrites(ex), Scrubbed(ex)!);
                }

                break;
            default:
                ProcessFailure($"{ex.GetType().Name}: {Scrub(ex.Message)}", key, Scrubbed(ex));
                break;
        }

        return kind;
    }

    /// <summary>
    /// A key under AkCache's prefix that holds another type of value: something else writes there.
    /// Warned at most once a minute, with the number of such replies since the last warning.
    /// </summary>
    private void WarnWrongType(Exception ex, string? key)
    {
        var now = _clock.Milliseconds();
        var warnedAt = Interlocked.Read(ref _wrongTypeWarnedAt);
        if (warnedAt != 0 && now - warnedAt < WrongTypeWarningInterval)
        {
            Interlocked.Increment(ref _wrongTypesSinceWarning);
            return;
        }

        if (Interlocked.CompareExchange(ref _wrongTypeWarnedAt, now == 0 ? 1 : now, warnedAt) != warnedAt)
        {
            Interlocked.Increment(ref _wrongTypesSinceWarning);
            return;
        }

        var others = Interlocked.Exchange(ref _wrongTypesSinceWarning, 0);
        AkCacheLog.WrongType(
            _logger,
            key ?? "(a lock's key)",
            Scrub(ex.Message),
            others > 0 ? $" {others} more such replies since the last warning." : string.Empty,
            Scrubbed(ex)!);
    }

    private const long WrongTypeWarningInterval = 60_000;
    private long _wrongTypeWarnedAt;
    private long _wrongTypesSinceWarning;

    /// <summary>A failure of the connection (or of a command on it, outside a cluster): opens the breaker, warned once per outage with the exception that caused it, if any.</summary>
    private void ProcessFailure(string reason, Exception? exception = null)
    {
        if (_breaker.RecordFailure())
        {
            AkCacheMetrics.BreakerChanged("connection", opened: true);
            AkCacheLog.RedisUnavailable(_logger, Description, reason, exception);
        }
    }

    /// <summary>An exception as a log entry may carry it: its text without the password of the URL (<see cref="RedactedException"/>).</summary>
    private Exception? Scrubbed(Exception? exception) => RedactedException.Scrub(exception, Scrub);

    /// <summary>A message without the passwords of this connection (the server's and its sentinels').</summary>
    private string Scrub(string text) => Secrets.Scrub(text, _connection.Configuration);
}
