using System;
using System.Linq;
using System.Threading;
using AkCache.CompilerServices;
using AkCache.Internals.Local;
using AkCache.Internals.Messaging;
using AkCache.Internals.Messaging.Tracking;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AkCache.Internals.Engine;

/// <summary>
/// Keeps this process's local layer coherent with Redis, and says when it may answer first.
/// Invalidations come from Redis itself where the server tracks keys (CLIENT TRACKING in BCAST mode
/// on the prefix, through <see cref="TrackingListener"/>: any deletion, overwrite, expiry or flush,
/// made by anyone), and from AkCache's own channel (<see cref="IInvalidationTarget"/>: what users
/// invalidate or clear through AkCache, on every server).
/// </summary>
/// <remarks>
/// The local layer answers first only while invalidations are sure to arrive: while tracking is in
/// place, or, on a server without tracking (Garnet), while the channel's subscription is connected.
/// Whenever that starts or stops, every entry becomes untrusted (<see cref="LocalLayer.DistrustAll"/>)
/// and is checked against Redis once before it is served first again: an invalidation may have
/// been missed while nothing listened.
/// </remarks>
internal sealed class LocalCoherence : IInvalidationTarget, IInvalidationSink, IDisposable
{
    private const int NotCoherent = 0;
    private const int Tracking = 1;
    private const int ChannelOnly = 2;

    private readonly LocalLayer _local;
    private readonly MethodDirectory _methods;
    private readonly bool _withoutRedis;
    private TrackingListener? _listener;
    private IConnectionMultiplexer? _connection;
    private int _mode;
    private int _trackingUnsupported;
    private int _started;
    private long _applied;
    private long _unresolved;

    public LocalCoherence(LocalLayer local, MethodDirectory methods, bool withoutRedis)
    {
        _local = local;
        _methods = methods;
        _withoutRedis = withoutRedis;
    }

    /// <summary>
    /// Whether a trusted local entry may be served without asking Redis: always, for a process
    /// without Redis (the local layer is its only cache); else while invalidations are sure to arrive.
    /// </summary>
    public bool AllowsAnswerFirst => _withoutRedis || Volatile.Read(ref _mode) != NotCoherent;

    /// <summary>True while Redis's own tracking feeds the local layer (not on Garnet).</summary>
    public bool IsTracking => Volatile.Read(ref _mode) == Tracking;

    /// <summary>The tracking listener, once started: tests and diagnostics read its state.</summary>
    internal TrackingListener? Listener => _listener;

    /// <summary>Invalidations applied to the local layer (entries found or not).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Invalidations naming a key of no method this process knows, or a lock: nothing to drop.</summary>
    public long Unresolved => Interlocked.Read(ref _unresolved);

    /// <summary>
    /// Starts listening, once, on the process's first connection: subscribes to AkCache's channels
    /// and starts tracking on every primary.
    /// </summary>
    public void Start(IConnectionMultiplexer connection, ConfigurationOptions configuration, string prefix, CacheChannels channels, ILogger logger, TimeProvider time)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        _connection = connection;
        channels.EnsureSubscribed(connection);
        connection.ConnectionFailed += OnConnectionFailed;
        connection.ConnectionRestored += OnConnectionRestored;
        var settings = TrackingSettings.From(configuration, prefix + ":");
        var primaries = connection.GetServers().Where(server => !server.IsReplica).Select(server => server.EndPoint).ToList();
        if (primaries.Count > 0)
        {
            settings.EndPoints = primaries;
        }

        _listener = new TrackingListener(settings, this, logger, time);
        _listener.Start();
    }

    /// <summary>An invalidation read from AkCache's channel, this process's own included: a user asked to remove, so the entries go.</summary>
    public void Invalidate(in InvalidationMessage message)
    {
        switch (message.Scope)
        {
            case InvalidationScope.Entry:
                if (_methods.TryResolve(message.Target, out MemoizedMethod method, out var key))
                {
                    _local.Remove(method, key);
                    Interlocked.Increment(ref _applied);
                }
                else
                {
                    Interlocked.Increment(ref _unresolved);
                }

                break;
            case InvalidationScope.Method:
                foreach (var known in _methods.StartingWith(message.Target))
                {
                    _local.RemoveMethod(known);
                }

                Interlocked.Increment(ref _applied);
                break;
            default:
                _local.Clear();
                Interlocked.Increment(ref _applied);
                break;
        }
    }

    /// <summary>
    /// Tracking says a key changed (an overwrite, a deletion, an expiry; this process's own writes
    /// included): the call's entry is no longer served first until Redis is asked again, but it
    /// still answers while Redis cannot be asked.
    /// </summary>
    public void OnInvalidated(string key)
    {
        if (_methods.TryResolve(key, out MemoizedMethod method, out var memoKey))
        {
            _local.Distrust(method, memoKey);
            Interlocked.Increment(ref _applied);
        }
        else
        {
            Interlocked.Increment(ref _unresolved);
        }
    }

    /// <summary>FLUSHALL or FLUSHDB: every entry is checked against Redis before it is served first again.</summary>
    public void OnFlushed()
    {
        _local.DistrustAll();
        Interlocked.Increment(ref _applied);
    }

    public void OnTrackingLost(string reason)
    {
        Volatile.Write(ref _mode, NotCoherent);
        _local.DistrustAll();
    }

    public void OnTrackingStarted()
    {
        _local.DistrustAll();
        Volatile.Write(ref _mode, Tracking);
    }

    /// <summary>Garnet, or Redis before 6: only AkCache's own invalidations reach the local layer (docs/local-cache.md says what is lost).</summary>
    public void OnTrackingUnsupported(string reason)
    {
        Volatile.Write(ref _trackingUnsupported, 1);
        _local.DistrustAll();
        Volatile.Write(ref _mode, SubscriptionConnected() ? ChannelOnly : NotCoherent);
    }

    public void Dispose()
    {
        if (_connection is { } connection)
        {
            connection.ConnectionFailed -= OnConnectionFailed;
            connection.ConnectionRestored -= OnConnectionRestored;
        }

        _listener?.Dispose();
    }

    private bool SubscriptionConnected() => _connection?.IsConnected == true;

    /// <summary>Without tracking, the channel is the only source of invalidations: while its connection is down, nothing is trusted.</summary>
    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _trackingUnsupported) == 1)
        {
            Volatile.Write(ref _mode, NotCoherent);
            _local.DistrustAll();
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _trackingUnsupported) == 1)
        {
            _local.DistrustAll();
            Volatile.Write(ref _mode, SubscriptionConnected() ? ChannelOnly : NotCoherent);
        }
    }
}
