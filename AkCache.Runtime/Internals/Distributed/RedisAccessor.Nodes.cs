using System;
using System.Collections.Concurrent;
using System.Net;
using System.Threading;
using AkCache.Internals.Logging;
using AkCache.Internals.Observability;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>
/// In a cluster, one breaker per primary: a failure of a command about a key opens the breaker of
/// the node that owns the key's slot, so a dead or frozen node costs the calls whose keys live
/// there, and the other nodes go on sharing. Failures that name no key (the connection as a whole,
/// pub/sub) open the breaker of the whole connection, as outside a cluster. Until a node fails,
/// nothing here runs on a call's path: <see cref="_openNodes"/> is 0.
/// </summary>
internal sealed partial class RedisAccessor
{
    private readonly ConcurrentDictionary<EndPoint, CircuitBreaker> _nodes = new();

    /// <summary>How many of <see cref="_nodes"/> are open: while 0, a call asks the whole connection's breaker only.</summary>
    private int _openNodes;

    /// <summary>0 until known, then 1 for a cluster, 2 for anything else.</summary>
    private int _clusterState;

    /// <summary>When the open node breakers were last checked against the cluster's slots (<see cref="ForgetNodesWithoutSlots"/>).</summary>
    private long _nodesCheckedAt;

    /// <summary>The node breakers, for tests.</summary>
    internal ConcurrentDictionary<EndPoint, CircuitBreaker> NodeBreakers => _nodes;

    /// <summary>
    /// Asks the breakers, once per call, whether this call may use Redis at <paramref name="now"/>
    /// (a reading of the runtime's clock) for <paramref name="key"/>: the breaker of the node that
    /// owns the key, when one is open, then that of the whole connection. True while they are
    /// closed, and for the one caller that probes once a break is over. A call that was told no
    /// makes no Redis command at all.
    /// </summary>
    public bool TryEnterAt(long now, string key)
    {
        if (Volatile.Read(ref _openNodes) > 0 && NodeBreaker(key, create: false, now) is { } node && !node.Breaker.TryEnterAt(now))
        {
            return false;
        }

        return _breaker.TryEnterAt(now);
    }

    private bool IsCluster(IConnectionMultiplexer multiplexer)
    {
        var state = Volatile.Read(ref _clusterState);
        if (state == 0 && multiplexer.IsConnected)
        {
            state = FirstConnected(multiplexer, static server => server)?.ServerType == ServerType.Cluster ? 1 : 2;
            Volatile.Write(ref _clusterState, state);
        }

        return state == 1;
    }

    /// <summary>
    /// The breaker of the primary that owns <paramref name="key"/>'s slot in the cluster
    /// configuration the client library holds, made when <paramref name="create"/>; null outside a
    /// cluster, for a command without a key, or when no node owns the slot.
    /// </summary>
    private (EndPoint EndPoint, CircuitBreaker Breaker)? NodeBreaker(string? key, bool create, long now)
    {
        if (key is null || _connection.Multiplexer is not { } multiplexer || !IsCluster(multiplexer))
        {
            return null;
        }

        try
        {
            ForgetNodesWithoutSlots(multiplexer, now);
            if (OwnerOf(multiplexer, multiplexer.HashSlot(key)) is not { } owner)
            {
                return null;
            }

            if (create)
            {
                return (owner, _nodes.GetOrAdd(owner, _ => new CircuitBreaker(_breaker.BreakDuration, _time)));
            }

            return _nodes.TryGetValue(owner, out var breaker) ? (owner, breaker) : null;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // No configuration to read: the whole connection's breaker decides.
            return null;
        }
    }

    /// <summary>The primary that owns <paramref name="slot"/> in the cluster configuration of any connected node.</summary>
    private static EndPoint? OwnerOf(IConnectionMultiplexer multiplexer, int slot) =>
        FirstConnected(multiplexer, static server => server.ClusterConfiguration)?.GetBySlot(slot)?.EndPoint;

    /// <summary>What <paramref name="read"/> gives of the first connected node for which it gives anything; null when none does.</summary>
    private static T? FirstConnected<T>(IConnectionMultiplexer multiplexer, Func<IServer, T?> read)
        where T : class
    {
        foreach (var endpoint in multiplexer.GetEndPoints(configuredOnly: false))
        {
            var server = multiplexer.GetServer(endpoint);
            if (server.IsConnected && read(server) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// Once a break: an open node breaker whose node owns no slot any more (its replica was
    /// promoted) is dropped, since no call asks for it and its break would never end. Logged.
    /// </summary>
    private void ForgetNodesWithoutSlots(IConnectionMultiplexer multiplexer, long now)
    {
        var checkedAt = Volatile.Read(ref _nodesCheckedAt);
        if (Volatile.Read(ref _openNodes) == 0 || now - checkedAt < (long)_breaker.BreakDuration.TotalMilliseconds || Interlocked.CompareExchange(ref _nodesCheckedAt, now, checkedAt) != checkedAt)
        {
            return;
        }

        if (FirstConnected(multiplexer, static server => server.ClusterConfiguration) is not { } configuration)
        {
            return;
        }

        foreach (var node in _nodes)
        {
            var current = configuration[node.Key];
            if (!node.Value.IsClosed && (current is null || current.IsReplica || current.Slots.Count == 0) && _nodes.TryRemove(node.Key, out _))
            {
                Interlocked.Decrement(ref _openNodes);
                AkCacheMetrics.BreakerChanged("node", opened: false);
                AkCacheLog.NodeOwnsNoSlot(_logger, Describe(node.Key), Description);
            }
        }
    }

    /// <summary>A failure of a command about <paramref name="key"/>: the breaker of its node in a cluster, else of the whole connection.</summary>
    private void ProcessFailure(string reason, string? key, Exception? exception)
    {
        if (NodeBreaker(key, create: true, _clock.Milliseconds()) is not { } node)
        {
            ProcessFailure(reason, exception);
            return;
        }

        if (node.Breaker.RecordFailure())
        {
            Interlocked.Increment(ref _openNodes);
            AkCacheMetrics.BreakerChanged("node", opened: true);
            AkCacheLog.NodeUnavailable(_logger, Describe(node.EndPoint), Description, reason, exception);
        }
    }

    /// <summary>A success of a command about <paramref name="key"/>: closes its node's breaker if it was open.</summary>
    private void RecordNodeSuccess(string? key)
    {
        if (Volatile.Read(ref _openNodes) == 0 || NodeBreaker(key, create: false, _clock.Milliseconds()) is not { } node)
        {
            return;
        }

        if (node.Breaker.RecordSuccess())
        {
            Interlocked.Decrement(ref _openNodes);
            AkCacheMetrics.BreakerChanged("node", opened: false);
            // The client library's map may still name the node after its replica took over (a command is then redirected, MOVED): say what is known.
            AkCacheLog.NodeAnswersAgain(_logger, Describe(node.EndPoint), Description);
        }
    }

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.ToString(),
        DnsEndPoint dns => dns.Host + ":" + dns.Port,
        _ => endpoint.ToString() ?? "?",
    };
}
