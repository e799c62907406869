using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using AkCache.Internals.Messaging;
using AkCache.Internals.Observability;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>
/// What a user's invalidations and clears send to Redis. Unlike a memoized call, these report a
/// failure to their caller: an invalidation that did not reach Redis would leave other processes
/// serving what the user asked to remove.
/// </summary>
internal sealed partial class RedisAccessor
{
    /// <summary>How many keys one SCAN step asks for; deletions go out as one pipelined batch per step.</summary>
    internal const int ScanPageSize = 1000;

    /// <summary>The channels, for the engine: it sets where invalidation messages go.</summary>
    public CacheChannels Channels => _channels;

    /// <summary>
    /// Deletes one value, and the lock of a computation of it under way, and tells every process;
    /// true when Redis held the value. Without its lock, that computation's owner does not store
    /// what it computed from before the invalidation (Scripts/store-and-release.lua).
    /// </summary>
    /// <exception cref="InvalidOperationException">Redis could not be reached or refused; the message says why.</exception>
    public bool DeleteAndAnnounce(string key)
    {
        var database = Required();
        try
        {
            // Sent first, on the same connection: by the time the value is gone, so is the lock.
            var lockDeleted = database.KeyDeleteAsync(OwnedLock.LockKeyOf(key));
            var deleted = database.KeyDelete(key);
            lockDeleted.GetAwaiter().GetResult();
            _channels.Publish(database.Multiplexer, InvalidationMessage.ForEntry(key));
            AkCacheMetrics.InvalidationSent();
            return deleted;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unreachable(ex);
        }
    }

    /// <summary>
    /// Deletes every key matching <paramref name="pattern"/> (a SCAN MATCH glob) on every primary,
    /// never with KEYS, and tells every process; returns how many keys went. Costs one SCAN of each
    /// primary's whole keyspace, in steps of <see cref="ScanPageSize"/> keys.
    /// </summary>
    /// <exception cref="InvalidOperationException">A primary could not be reached, or Redis refused; keys already deleted stay deleted.</exception>
    public long DeleteMatchingAndAnnounce(string pattern, InvalidationMessage announcement)
    {
        var database = Required();
        var connection = database.Multiplexer;
        var servers = Primaries(connection);
        long deleted = 0;
        try
        {
            foreach (var server in servers)
            {
                var batch = new List<RedisKey>(ScanPageSize);
                foreach (var key in server.Keys(database.Database, pattern, ScanPageSize))
                {
                    batch.Add(key);
                    if (batch.Count == ScanPageSize)
                    {
                        deleted += DeleteBatch(database, batch);
                    }
                }

                deleted += DeleteBatch(database, batch);
            }

            _channels.Publish(connection, announcement);
            AkCacheMetrics.InvalidationSent();
            return deleted;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw Unreachable(ex);
        }
    }

    /// <summary>
    /// One DEL per key, pipelined: keys of one SCAN step lie in many cluster slots, and a multi-key
    /// DEL would be refused across slots.
    /// </summary>
    private static long DeleteBatch(IDatabase database, List<RedisKey> batch)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var deletions = batch.Select(key => database.KeyDeleteAsync(key)).ToArray();
        batch.Clear();
        Task.WaitAll(deletions);
        return deletions.Count(d => d.Result);
    }

    /// <summary>
    /// The primaries to scan, all checked before anything is deleted: a clear is not started while
    /// a primary is out of reach. A replica that is down does not stop it: it holds no keys of its
    /// own, and its primary's deletions reach it when it is back.
    /// </summary>
    internal static List<IServer> Primaries(IConnectionMultiplexer connection)
    {
        var primaries = new List<IServer>();
        foreach (var endpoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            if (!server.IsConnected)
            {
                throw new InvalidOperationException($"AkCache: the Redis primary at {endpoint} is not connected, so the keys there could not be cleared. This process's own entries were removed, but nothing was deleted in Redis and no other process was told; try again once it is reachable.");
            }

            primaries.Add(server);
        }

        return primaries;
    }

    /// <summary>
    /// The connected database, connecting first if no one has, for a tool that reads and clears
    /// (the akcache CLI): the same connection code and checks as a memoized call's.
    /// </summary>
    /// <exception cref="InvalidOperationException">Redis could not be reached; the message says why, without the password.</exception>
    internal IDatabase ConnectedDatabase()
    {
        IDatabase? database;
        try
        {
            database = _connection.Database ?? AfterConnect(_connection.Connect());
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw new InvalidOperationException($"akcache: Redis at {Description} could not be reached: {Reason(ex)}.", ex);
        }

        var reason = database is null ? "no connection was made" : database.Multiplexer.IsConnected ? null : WhyDown(database);
        return reason is null ? database! : throw new InvalidOperationException($"akcache: Redis at {Description} is not connected ({reason}).");
    }

    /// <summary>The connected database, connecting first if no one has.</summary>
    private IDatabase Required()
    {
        var database = _connection.Database;
        if (database is null)
        {
            try
            {
                database = AfterConnect(_connection.Connect());
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                throw Unreachable(ex);
            }
        }

        var reason = database is null ? "no connection was made" : database.Multiplexer.IsConnected ? null : WhyDown(database);
        return reason is null
            ? database!
            : throw new InvalidOperationException($"AkCache: Redis at {Description} is not connected ({reason}). This process's own entries were removed, but nothing was invalidated in Redis and no other process was told; try again once Redis is reachable.");
    }

    private InvalidOperationException Unreachable(Exception ex)
    {
        var inner = ex is AggregateException { InnerExceptions.Count: 1 } single ? single.InnerExceptions[0] : ex;
        return new InvalidOperationException($"AkCache: Redis at {Description} did not carry out the invalidation ({inner.GetType().Name}: {Scrub(inner.Message)}). This process's own entries were removed and keys already deleted in Redis stay deleted, but other processes may not have been told; try again.", inner);
    }
}
