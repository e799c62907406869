using System;
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
internal sealed class RedisConnection : IDisposable
{
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly int _minimumThreadPoolWorkers;
    private ConnectionMultiplexer? _connection;
    private IDatabase? _database;
    private bool _disposed;

    public RedisConnection(RedisUrl url, AkCacheOptions options)
    {
        var configuration = url.Options.Clone();
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.ConnectRetry = 1;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.ClientName ??= "akcache";
        Configuration = configuration;
        _minimumThreadPoolWorkers = options.MinimumThreadPoolWorkers;
    }

    /// <summary>What StackExchange.Redis is given: the URL's settings plus AkCache's timeouts and policies.</summary>
    public ConfigurationOptions Configuration { get; }

    /// <summary>The database once connected; null before the first connect and after <see cref="Dispose"/>.</summary>
    public IDatabase? Database => Volatile.Read(ref _database);

    /// <summary>The connection, once made; tests count the commands a call sends through it.</summary>
    public IConnectionMultiplexer? Multiplexer => Volatile.Read(ref _connection);

    /// <summary>The database, connecting first if nobody has; null once disposed. Throws what the connect throws.</summary>
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
            return Connected(ConnectionMultiplexer.Connect(Configuration));
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
            return Connected(await ConnectionMultiplexer.ConnectAsync(Configuration).ConfigureAwait(false));
        }
        finally
        {
            _connectGate.Release();
        }
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

    private IDatabase Connected(ConnectionMultiplexer connection)
    {
        _connection = connection;
        _database = connection.GetDatabase();
        return _database;
    }
}
