using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

internal enum RedisReadStatus
{
    Hit,
    Miss,
    Unavailable,
}

/// <summary>
/// The one place that talks to Redis. It uses the process's shared <see cref="RedisConnection"/>
/// (made lazily, on the first memoized call), turns every failure into <see cref="RedisReadStatus.Unavailable"/> through
/// <see cref="ProcessError"/>, and keeps a circuit breaker so that a dead Redis costs no waiting.
/// </summary>
internal sealed partial class RedisAccessor : IDisposable
{
    private readonly RedisUrl _url;
    private readonly ILogger _logger;
    private readonly CircuitBreaker _breaker;
    private readonly RedisConnection _connection;
    private readonly RedisChannel _channel;
    private readonly RedisValue _channelName;

    public RedisAccessor(RedisUrl url, AkCacheOptions options, ILogger logger, TimeProvider time)
    {
        _url = url;
        var channel = options.Prefix + ":akcache:stored";
        _channel = RedisChannel.Literal(channel);
        _channelName = channel;
        _logger = logger;
        _breaker = new CircuitBreaker(options.BreakDuration, time);
        _connection = new RedisConnection(url, options);
    }

    internal ConfigurationOptions Configuration => _connection.Configuration;

    public string Description => _url.SafeDescription;

    /// <summary>True while the breaker says to skip Redis: callers go to the memory layer without building a Redis key.</summary>
    public bool IsSkipping => _breaker.IsSkipping;

    /// <summary><see cref="IsSkipping"/> at a moment read from the runtime's clock, so that a memory-layer hit reads the clock once.</summary>
    public bool IsSkippingAt(long now) => _breaker.IsSkippingAt(now);

    /// <summary>True once a connection exists; false for a process that never called a memoized method.</summary>
    public bool HasConnected => _connection.Multiplexer is not null;

    /// <summary>The connection, once made; tests count the commands a call sends through it.</summary>
    internal IConnectionMultiplexer? Connection => _connection.Multiplexer;

    public RedisReadStatus TryGet(string key, out RedisValue value)
    {
        value = RedisValue.Null;
        var database = Enter();
        if (database is null)
        {
            return RedisReadStatus.Unavailable;
        }

        try
        {
            value = database.StringGet(key);
            RecordSuccess();
            return value.IsNull ? RedisReadStatus.Miss : RedisReadStatus.Hit;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
            return RedisReadStatus.Unavailable;
        }
    }

    public bool TrySet(string key, byte[] value, TimeSpan timeToLive) =>
        Enter() is { } database
        && TryRun(database, (Key: key, Value: value, TimeToLive: timeToLive), static (db, s) => db.StringSet(s.Key, s.Value, s.TimeToLive), out _);

    /// <summary>
    /// The first half of an asynchronous read on the hot path, so that the caller awaits
    /// StackExchange.Redis's task in its own frame: starts the GET when the connection exists and
    /// the breaker is closed. False otherwise (first call, breaker open): the caller then takes
    /// <see cref="TryGetAsync"/>, which connects, probes or skips. The caller awaits
    /// <paramref name="read"/> and hands it, completed, to <see cref="EndGet"/>.
    /// </summary>
    public bool TryBeginGet(string key, out Task<RedisValue> read)
    {
        read = null!;
        var database = _connection.Database;
        if (database is null || !_breaker.IsClosed)
        {
            return false;
        }

        try
        {
            read = database.StringGetAsync(key);
            return true;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
            return false;
        }
    }

    /// <summary>Whether <see cref="TryBeginGet"/> would start a read now: ask first, and build the key only then.</summary>
    public bool CanBeginGet => _connection.Database is not null && _breaker.IsClosed;

    /// <summary>The second half of <see cref="TryBeginGet"/>: the outcome of the completed read, with the same bookkeeping as <see cref="TryGetAsync"/>.</summary>
    public RedisReadStatus EndGet(Task<RedisValue> read, out RedisValue value)
    {
        if (read.Status == TaskStatus.RanToCompletion)
        {
            value = read.Result;
            RecordSuccess();
            return value.IsNull ? RedisReadStatus.Miss : RedisReadStatus.Hit;
        }

        value = RedisValue.Null;
        var failure = read.Exception?.GetBaseException() ?? new TaskCanceledException(read);
        if (!IsRedisFailure(failure))
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        ProcessError(failure);
        return RedisReadStatus.Unavailable;
    }

    public async ValueTask<(RedisReadStatus Status, RedisValue Value)> TryGetAsync(string key, CancellationToken cancellationToken)
    {
        var database = await EnterAsync().ConfigureAwait(false);
        if (database is null)
        {
            return (RedisReadStatus.Unavailable, RedisValue.Null);
        }

        RedisValue value;
        try
        {
            var read = database.StringGetAsync(key);
            value = cancellationToken.CanBeCanceled
                ? await read.WithCancellation(cancellationToken).ConfigureAwait(false)
                : await read.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            ProcessError(ex);
            return (RedisReadStatus.Unavailable, RedisValue.Null);
        }

        RecordSuccess();
        return (value.IsNull ? RedisReadStatus.Miss : RedisReadStatus.Hit, value);
    }

    public async ValueTask<bool> TrySetAsync(string key, byte[] value, TimeSpan timeToLive) =>
        await EnterAsync().ConfigureAwait(false) is { } database
        && (await TryRunAsync(database, (Key: key, Value: value, TimeToLive: timeToLive), static (db, s) => db.StringSetAsync(s.Key, s.Value, s.TimeToLive)).ConfigureAwait(false)).Ran;

    public void Dispose()
    {
        _signals.Clear();
        _connection.Dispose();
    }

    /// <summary>
    /// Whatever goes wrong talking to Redis is a Redis failure: the woven method must still return
    /// its result. Only conditions the process cannot survive anyway propagate.
    /// </summary>
    private static bool IsRedisFailure(Exception ex) => ex is not (OutOfMemoryException or StackOverflowException or ThreadAbortException);

    /// <summary>The database to use now, or null when Redis is to be skipped (breaker open, not connected).</summary>
    private IDatabase? Enter()
    {
        if (!_breaker.TryEnter())
        {
            return null;
        }

        return Usable(_connection.Database ?? Connect());
    }

    private async ValueTask<IDatabase?> EnterAsync()
    {
        if (!_breaker.TryEnter())
        {
            return null;
        }

        return Usable(_connection.Database ?? await ConnectAsync().ConfigureAwait(false));
    }

    private IDatabase? Usable(IDatabase? database)
    {
        if (database is not null && !database.Multiplexer.IsConnected)
        {
            ProcessFailure(WhyDown(database));
            return null;
        }

        return database;
    }

    /// <summary>
    /// The client library's account of why the connection is down (refused, a password required or
    /// wrong...), so that the warning names it: with no connection, it fails a command at once, unsent.
    /// </summary>
    private string WhyDown(IDatabase database)
    {
        try
        {
            database.Ping();
            return "the connection is down";
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return $"the connection is down: {ex.GetType().Name}: {_url.Scrub(ex.Message)}";
        }
    }

    private IDatabase? Connect()
    {
        try
        {
            return _connection.Connect();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
            return null;
        }
    }

    private async ValueTask<IDatabase?> ConnectAsync()
    {
        try
        {
            return await _connection.ConnectAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
            return null;
        }
    }

    /// <summary>
    /// Runs one command on <paramref name="database"/>, the one place where a command's failure is
    /// handled: a failure is logged once per outage and opens the breaker; a success closes it.
    /// What the caller does with the result stays outside, so that a bug of AkCache's own is never
    /// taken for an outage.
    /// </summary>
    private bool TryRun<TState, TResult>(IDatabase database, TState state, Func<IDatabase, TState, TResult> command, out TResult result)
    {
        try
        {
            result = command(database, state);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
            result = default!;
            return false;
        }

        RecordSuccess();
        return true;
    }

    /// <inheritdoc cref="TryRun"/>
    private async ValueTask<(bool Ran, TResult Result)> TryRunAsync<TState, TResult>(IDatabase database, TState state, Func<IDatabase, TState, Task<TResult>> command)
    {
        TResult result;
        try
        {
            result = await command(database, state).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            ProcessError(ex);
            return (false, default!);
        }

        RecordSuccess();
        return (true, result);
    }

    private void RecordSuccess()
    {
        if (_breaker.RecordSuccess())
        {
            _logger.LogWarning("AkCache: Redis at {Redis} is reachable again; results are shared across processes again.", Description);
        }
    }

    private void ProcessError(Exception ex) => ProcessFailure($"{ex.GetType().Name}: {_url.Scrub(ex.Message)}");

    private void ProcessFailure(string reason)
    {
        if (_breaker.RecordFailure())
        {
            _logger.LogWarning(
                "AkCache: Redis at {Redis} is unavailable ({Reason}). Memoized methods keep returning correct results from this process's memory cache and will use Redis again once it answers.",
                Description,
                reason);
        }
    }
}
