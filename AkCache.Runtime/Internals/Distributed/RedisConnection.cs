using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Configuration;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>
/// The process's one connection to Redis: its settings, made lazily by the first caller that needs
/// it (one connect at a time), and closed once. It knows nothing of failures' consequences: a
/// connect that fails throws, and <see cref="RedisAccessor"/> decides what that means.
/// </summary>
/// <remarks>
/// <see cref="Multiplexer"/> exists from the first connect on, up or not; <see cref="Database"/>
/// only once the connection is up and its user checked, so that the hot path, which reads
/// <see cref="Database"/> alone, never uses a connection that was not.
/// </remarks>
internal sealed class RedisConnection : IDisposable
{
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly int _minimumThreadPoolWorkers;
    private ConnectionMultiplexer? _connection;
    private IDatabase? _database;
    private bool _disposed;

    /// <param name="url">Where Redis is.</param>
    /// <param name="options">The timeouts, TLS settings and thread pool floor.</param>
    /// <param name="bulk">
    /// The connection of large values (<see cref="RedisAccessor.LargeValueBytes"/>): named
    /// "akcache-bulk", with an operation timeout of at least <see cref="BulkOperationTimeout"/>, since
    /// moving 100 MB takes longer than a small call may.
    /// </param>
    public RedisConnection(RedisUrl url, AkCacheOptions options, bool bulk = false)
    {
        var configuration = url.Options.Clone();
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // A timeout the URL gives wins over AkCache's setting (docs/configuration.md).
        configuration.ConnectTimeout = (int)(url.ConnectTimeout ?? options.ConnectTimeout).TotalMilliseconds;
        configuration.SyncTimeout = (int)(url.SyncTimeout ?? options.OperationTimeout).TotalMilliseconds;
        configuration.AsyncTimeout = (int)(url.AsyncTimeout ?? options.OperationTimeout).TotalMilliseconds;
        if (bulk)
        {
            var floor = (int)BulkOperationTimeout.TotalMilliseconds;
            configuration.SyncTimeout = Math.Max(configuration.SyncTimeout, floor);
            configuration.AsyncTimeout = Math.Max(configuration.AsyncTimeout, floor);
            configuration.ClientName = (configuration.ClientName ?? "akcache") + "-bulk";
        }

        configuration.ConnectRetry = 1;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.ClientName ??= "akcache";
        if (configuration.ServiceName is not null)
        {
            // The sentinels' own credentials, when they have some; else the client library gives them the URL's (the master's).
            if (options.SentinelUser is not null)
            {
                configuration.SentinelUser = options.SentinelUser;
            }

            if (options.SentinelPassword is not null)
            {
                configuration.SentinelPassword = options.SentinelPassword;
            }
        }

        Tls = TlsSettings.Load(options);
        Tls?.ApplyTo(configuration);
        Configuration = configuration;
        _minimumThreadPoolWorkers = options.MinimumThreadPoolWorkers;
    }

    /// <summary>The least operation timeout of the connection of large values.</summary>
    public static readonly TimeSpan BulkOperationTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The CA file, client certificate and server name of the options; null when none is set.</summary>
    public TlsSettings? Tls { get; }

    /// <summary>What StackExchange.Redis is given: the URL's settings plus AkCache's timeouts and policies.</summary>
    public ConfigurationOptions Configuration { get; }

    /// <summary>The database once connected; null before the first connect and after <see cref="Dispose"/>.</summary>
    public IDatabase? Database => Volatile.Read(ref _database);

    /// <summary>The connection, once made; tests count the commands a call sends through it.</summary>
    public IConnectionMultiplexer? Multiplexer => Volatile.Read(ref _connection);

    /// <summary>
    /// The database, connecting first if nobody has; null once disposed. Throws what the connect
    /// throws, and, while the connection is not up yet, the client library's account of why (the
    /// first connect keeps going in the background after <see cref="AkCacheOptions.ConnectTimeout"/>:
    /// a later call finds it up). A connection is handed out only once it is up and authenticated
    /// as the configured user (<see cref="Verified"/>).
    /// </summary>
    public IDatabase? Connect()
    {
        _connectGate.Wait();
        try
        {
            if (_database is not null || _disposed)
            {
                return _database;
            }

            EnsureThreadPoolMinimum(_minimumThreadPoolWorkers);
            var started = Stopwatch.StartNew();
            var created = _connection is null;
            var connection = _connection ??= ConnectionMultiplexer.Connect(Configuration);
            var database = connection.GetDatabase();
            var tries = 0;
            while (!connection.IsConnected)
            {
                try
                {
                    // Fails at once, unsent, with the reason (refused, authentication, TLS...); returns if the connection came up meanwhile.
                    database.Ping();
                    break;
                }
                catch (RedisConnectionException ex) when (ConnectionFailures.IsWithoutCause(ex))
                {
                    if (!AskAgain(created, started.Elapsed, ++tries))
                    {
                        throw new RedisConnectException(ex, timedOut: created && TimedOut(started.Elapsed));
                    }

                    Thread.Sleep(CauseWait);
                }
            }

            return Verified(connection, database, Identity(() => database.Execute("ACL", "WHOAMI")));
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <inheritdoc cref="Connect"/>
    public async ValueTask<IDatabase?> ConnectAsync()
    {
        await _connectGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_database is not null || _disposed)
            {
                return _database;
            }

            EnsureThreadPoolMinimum(_minimumThreadPoolWorkers);
            var started = Stopwatch.StartNew();
            var created = _connection is null;
            var connection = _connection ??= await ConnectionMultiplexer.ConnectAsync(Configuration).ConfigureAwait(false);
            var database = connection.GetDatabase();
            var tries = 0;
            while (!connection.IsConnected)
            {
                try
                {
                    await database.PingAsync().ConfigureAwait(false);
                    break;
                }
                catch (RedisConnectionException ex) when (ConnectionFailures.IsWithoutCause(ex))
                {
                    if (!AskAgain(created, started.Elapsed, ++tries))
                    {
                        throw new RedisConnectException(ex, timedOut: created && TimedOut(started.Elapsed));
                    }

                    await Task.Delay(CauseWait).ConfigureAwait(false);
                }
            }

            string? user = null;
            if (!string.IsNullOrEmpty(Configuration.User))
            {
                try
                {
                    user = IdentityOf(await database.ExecuteAsync("ACL", "WHOAMI").ConfigureAwait(false));
                }
                catch (RedisServerException ex) when (CannotAsk(ex))
                {
                }
            }

            return Verified(connection, database, user);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>How long to wait before asking again for the cause of a failure the client library has not recorded yet.</summary>
    private static readonly TimeSpan CauseWait = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Whether to ask the client library again why the connection is down: it may fail a fast
    /// connect (a refused certificate, say) before it records the cause. Only right after this
    /// call's own connect, which did not run out of time, and for at most ten short waits.
    /// </summary>
    private bool AskAgain(bool created, TimeSpan elapsed, int tries) => created && !TimedOut(elapsed) && tries <= 10;

    private bool TimedOut(TimeSpan elapsed) => elapsed.TotalMilliseconds >= Configuration.ConnectTimeout - 50;

    /// <summary>
    /// The user Redis authenticated the connection as, when a user is configured and the server can
    /// say (ACL WHOAMI, Redis 6 and later, with the right to run it); null otherwise.
    /// </summary>
    private string? Identity(Func<RedisResult> whoAmI)
    {
        if (string.IsNullOrEmpty(Configuration.User))
        {
            return null;
        }

        try
        {
            return IdentityOf(whoAmI());
        }
        catch (RedisServerException ex) when (CannotAsk(ex))
        {
            return null;
        }
    }

    private static string? IdentityOf(RedisResult result) => result.IsNull ? null : result.ToString();

    /// <summary>
    /// A server that has no ACL WHOAMI (before Redis 6, some compatible servers) has no users to
    /// fall back on; a user without the right to run it (NOPERM) is not the all-powerful open
    /// default user this check is about. Either way the connection is used.
    /// </summary>
    private static bool CannotAsk(RedisServerException ex) =>
        ex.Message.StartsWith("NOPERM", StringComparison.Ordinal)
        || ex.Message.IndexOf("unknown command", StringComparison.OrdinalIgnoreCase) >= 0
        || ex.Message.IndexOf("unknown subcommand", StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>
    /// Publishes the database, unless Redis authenticated the connection as another user than the
    /// configured one: a wrong password for user "ro" on a server whose "default" user is open
    /// leaves the connection logged in as "default", with whatever rights it has. That connection
    /// is closed and the failure thrown; the next attempt connects anew.
    /// </summary>
    private IDatabase Verified(ConnectionMultiplexer connection, IDatabase database, string? user)
    {
        var configured = Configuration.User;
        if (user is not null && !string.IsNullOrEmpty(configured) && !string.Equals(user, configured, StringComparison.Ordinal))
        {
            _connection = null;
            connection.Dispose();
            throw new RedisIdentityException(configured!, user);
        }

        _database = database;
        return database;
    }

    public void Dispose()
    {
        ConnectionMultiplexer? connection;
        _connectGate.Wait();
        try
        {
            _disposed = true;
            connection = _connection;
            _connection = null;
            _database = null;
        }
        finally
        {
            _connectGate.Release();
        }

        connection?.Dispose();
    }

    /// <summary>Raises, never lowers, the pool's minimum of worker threads (see AkCacheOptions.MinimumThreadPoolWorkers).</summary>
    internal static void EnsureThreadPoolMinimum(int workers)
    {
        ThreadPool.GetMinThreads(out var currentWorkers, out var currentCompletionPorts);
        if (workers > currentWorkers)
        {
            ThreadPool.SetMinThreads(workers, currentCompletionPorts);
        }
    }
}

/// <summary>A connect that failed without a recorded cause, and whether it ran out of time (see <see cref="ConnectionFailures"/>).</summary>
internal sealed class RedisConnectException : Exception
{
    public RedisConnectException(RedisConnectionException inner, bool timedOut)
        : base(inner.Message, inner) => TimedOut = timedOut;

    public bool TimedOut { get; }
}

/// <summary>Redis authenticated the connection as another user than the configured one (see <see cref="RedisConnection"/>).</summary>
internal sealed class RedisIdentityException : Exception
{
    public RedisIdentityException(string configuredUser, string actualUser)
        : base($"Redis authenticated the connection as '{actualUser}', not as the configured user '{configuredUser}'.")
    {
        ConfiguredUser = configuredUser;
        ActualUser = actualUser;
    }

    public string ConfiguredUser { get; }

    public string ActualUser { get; }
}
