using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.CompilerServices;
using AkCache.Internals.Local;
using AkCache.Internals.Logging;
using AkCache.Internals.Messaging;
using AkCache.Internals.Messaging.Tracking;
using AkCache.Internals.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// <para>The local layer answers first only while invalidations are sure to arrive: while tracking is
/// in place, or, where the server cannot track (Garnet, an ACL without CLIENT TRACKING), once a probe
/// this process published on the channel came back through its own subscription, and until any of
/// its connections fails. Whenever that starts or stops, every entry becomes untrusted
/// (<see cref="LocalLayer.DistrustAll"/>) and is checked against Redis once before it is served first
/// again: an invalidation may have been missed while nothing listened.</para>
/// <para>Tracking runs on one connection per primary. When the client learns of another set of
/// primaries (a failover, a cluster node added), the listener is made again for the new set.</para>
/// </remarks>
internal sealed class LocalCoherence : IInvalidationTarget, IDisposable
{
    /// <summary>
    /// How often the coherence is looked after: without tracking, a process that is not coherent
    /// probes its channel again; with tracking, the primaries the client knows are compared with
    /// those tracked (besides the client's own events, which do not fire for every change).
    /// </summary>
    internal static readonly TimeSpan MaintenanceInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Without tracking, how often a coherent process sends its probe again (each process's probe reaches every process).</summary>
    internal static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(1);

    /// <summary>Without tracking, how long a coherent process waits for its probe to come back before it stops answering first.</summary>
    internal static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(3);

    private const int NotCoherent = 0;
    private const int Tracking = 1;
    private const int ChannelOnly = 2;

    private readonly object _gate = new();
    private readonly LocalLayer _local;
    private readonly MethodDirectory _methods;
    private readonly bool _withoutRedis;
    private TrackingListener? _listener;
    private string[] _listenedEndPoints = Array.Empty<string>();
    private IConnectionMultiplexer? _connection;
    private CacheChannels? _channels;
    private ConfigurationOptions? _configuration;
    private Configuration.TlsSettings? _tls;
    private string _prefix = string.Empty;
    private ILogger? _logger;
    private TimeProvider _time = TimeProvider.System;
    private Timer? _maintenance;
    private string _probe = NewProbeToken();
    private long _lastProbeSent;
    private long _lastProbeReturned;
    private bool _disposed;
    private int _mode;
    private int _trackingUnsupported;
    private long _applied;
    private long _unresolved;
    private long _channelConfirmations;
    private long _listenerRebuilds;

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

    /// <summary>True while, without tracking, AkCache's channel is known to reach this process.</summary>
    public bool IsChannelOnly => Volatile.Read(ref _mode) == ChannelOnly;

    /// <summary>The tracking listener, once started: tests and diagnostics read its state.</summary>
    internal TrackingListener? Listener
    {
        get
        {
            lock (_gate)
            {
                return _listener;
            }
        }
    }

    /// <summary>Invalidations applied to the local layer (entries found or not).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Invalidations naming a key of no method this process knows, or a lock: nothing to drop.</summary>
    public long Unresolved => Interlocked.Read(ref _unresolved);

    /// <summary>How many times, without tracking, a probe came back and the local layer answered first again.</summary>
    public long ChannelConfirmations => Interlocked.Read(ref _channelConfirmations);

    /// <summary>The primaries the current listener tracks, as "host:port".</summary>
    internal System.Collections.Generic.IReadOnlyList<string> TrackedEndPoints
    {
        get
        {
            lock (_gate)
            {
                return _listenedEndPoints;
            }
        }
    }

    /// <summary>How many times the tracking listener was made again for a new set of primaries.</summary>
    public long ListenerRebuilds => Interlocked.Read(ref _listenerRebuilds);

    /// <summary>
    /// Starts listening, once, on the process's first connection: subscribes to AkCache's channels
    /// (asynchronously on an asynchronous first call) and starts tracking on every primary. Does
    /// nothing after <see cref="Dispose"/>: a configuration replaced while its first connect was
    /// under way leaves nothing running.
    /// </summary>
    public async ValueTask StartAsync(IConnectionMultiplexer connection, ConfigurationOptions configuration, string prefix, CacheChannels channels, ILogger logger, TimeProvider time, bool synchronous, Configuration.TlsSettings? tls = null)
    {
        lock (_gate)
        {
            if (_disposed || _connection is not null)
            {
                return;
            }

            _connection = connection;
            _channels = channels;
            _configuration = configuration;
            _tls = tls;
            _prefix = prefix;
            _logger = logger;
            _time = time;
        }

        await channels.EnsureSubscribedAsync(connection, synchronous).ConfigureAwait(false);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            connection.ConnectionFailed += OnConnectionFailed;
            connection.ConnectionRestored += OnConnectionRestored;
            connection.ConfigurationChanged += OnConfigurationChanged;
            _maintenance = new Timer(static state => ((LocalCoherence)state!).Maintain(), this, MaintenanceInterval, MaintenanceInterval);
        }

        RebuildListenerIfPrimariesChanged();
    }

    /// <summary>An invalidation read from AkCache's channel, this process's own included: a user asked to remove, so the entries go.</summary>
    public void Invalidate(in InvalidationMessage message)
    {
        ApplyInvalidation(message);
        if (message.Scope != InvalidationScope.Probe)
        {
            AkCacheMetrics.InvalidationReceived("channel");
        }
    }

    private void ApplyInvalidation(in InvalidationMessage message)
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
            case InvalidationScope.Probe:
                OnProbe(message.Target);
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
    private void OnInvalidated(string key)
    {
        if (_methods.TryResolve(key, out MemoizedMethod method, out var memoKey))
        {
            _local.Distrust(method, memoKey);
            Interlocked.Increment(ref _applied);

            // Only keys of results: tracking also reports every write to locks, awaited marks and the chunks of staged values.
            AkCacheMetrics.InvalidationReceived("tracking");
        }
        else
        {
            Interlocked.Increment(ref _unresolved);
        }
    }

    /// <summary>FLUSHALL or FLUSHDB: every entry is checked against Redis before it is served first again.</summary>
    private void OnFlushed()
    {
        _local.DistrustAll();
        AkCacheMetrics.InvalidationReceived("tracking");
        Interlocked.Increment(ref _applied);
    }

    private void OnTrackingLost()
    {
        Volatile.Write(ref _mode, NotCoherent);
        _local.DistrustAll();
    }

    private void OnTrackingStarted()
    {
        _local.DistrustAll();
        Volatile.Write(ref _mode, Tracking);
    }

    /// <summary>
    /// Garnet, Redis before 6, or an ACL without tracking: only AkCache's own invalidations reach
    /// the local layer (docs/local-cache.md says what is lost), and only once a probe shows that
    /// they do.
    /// </summary>
    private void OnTrackingUnsupported()
    {
        lock (_gate)
        {
            Volatile.Write(ref _trackingUnsupported, 1);
            LoseChannel();
        }

        // Not under the lock (the listener calls this under its own): the first probe goes now, the next ones on the maintenance timer.
        ThreadPool.QueueUserWorkItem(static state => ((LocalCoherence)state!).Maintain(), this);
    }

    public void Dispose()
    {
        TrackingListener? listener;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Volatile.Write(ref _mode, NotCoherent);
            if (_connection is { } connection)
            {
                connection.ConnectionFailed -= OnConnectionFailed;
                connection.ConnectionRestored -= OnConnectionRestored;
                connection.ConfigurationChanged -= OnConfigurationChanged;
            }

            _maintenance?.Dispose();
            listener = _listener;
            _listener = null;
        }

        listener?.Dispose();
    }

    private static string NewProbeToken() => Guid.NewGuid().ToString("N");

    private void Maintain()
    {
        try
        {
            if (Volatile.Read(ref _trackingUnsupported) == 1)
            {
                Probe();
            }
            else
            {
                RebuildListenerIfPrimariesChanged();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A timer callback must not throw; the next tick tries again.
            if (_logger is not null)
            {
                AkCacheLog.CoherenceCheckFailed(_logger, RedactedException.Scrub(ex, text => Secrets.Scrub(text, _configuration))!);
            }
        }
    }

    /// <summary>
    /// Without tracking: while the local layer is not coherent, publishes this process's probe,
    /// whose return through the subscription makes it so; while it is, renews that as a lease every
    /// <see cref="LeaseRenewal"/>, and gives it up when no probe came back for <see cref="LeaseTimeout"/>:
    /// a subscription that dies without the client noticing (a silent network failure, a frozen
    /// server) then stops the local layer answering first within that time.
    /// </summary>
    private void Probe()
    {
        IConnectionMultiplexer? connection;
        CacheChannels? channels;
        string token;
        lock (_gate)
        {
            if (_disposed || _connection is null || _channels is null)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            if (Volatile.Read(ref _mode) == ChannelOnly)
            {
                if (Elapsed(_lastProbeReturned, now) > LeaseTimeout)
                {
                    if (_logger is not null)
                    {
                        AkCacheLog.ProbeNotBack(_logger, LeaseTimeout.TotalSeconds);
                    }

                    LoseChannel();
                }
                else if (Elapsed(_lastProbeSent, now) < LeaseRenewal)
                {
                    return;
                }
            }

            connection = _connection;
            channels = _channels;
            token = _probe;
            _lastProbeSent = now;
        }

        if (!channels.InvalidationsConnected(connection))
        {
            // Not subscribed (it failed), or its connection is down: subscribe again, probe next time.
            _ = channels.EnsureSubscribedAsync(connection).AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            return;
        }

        channels.PublishProbe(connection, token);
    }

    private static TimeSpan Elapsed(long from, long to) => TimeSpan.FromTicks((long)((to - from) * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));

    private void OnProbe(string token)
    {
        lock (_gate)
        {
            if (_disposed || Volatile.Read(ref _trackingUnsupported) == 0 || token != _probe)
            {
                return;
            }

            _lastProbeReturned = Stopwatch.GetTimestamp();
            if (Volatile.Read(ref _mode) != NotCoherent)
            {
                return;
            }

            // What was published before the probe has been delivered by now; what came while nothing
            // listened may be lost, so every entry is checked against Redis once more.
            _local.DistrustAll();
            Volatile.Write(ref _mode, ChannelOnly);
            Interlocked.Increment(ref _channelConfirmations);
        }
    }

    /// <summary>Under <see cref="_gate"/>: the channel may have missed messages; a new probe must come back before the local layer answers first.</summary>
    private void LoseChannel()
    {
        _probe = NewProbeToken();
        Volatile.Write(ref _mode, NotCoherent);
        _local.DistrustAll();
    }

    /// <summary>Without tracking, the channel is the only source of invalidations: while any connection is down, nothing is trusted.</summary>
    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _trackingUnsupported) == 1)
        {
            lock (_gate)
            {
                LoseChannel();
            }
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _trackingUnsupported) == 1)
        {
            lock (_gate)
            {
                LoseChannel();
            }

            Probe();
        }
        else
        {
            RebuildListenerIfPrimariesChanged();
        }
    }

    private void OnConfigurationChanged(object? sender, EndPointEventArgs e) => RebuildListenerIfPrimariesChanged();

    /// <summary>
    /// (Re)starts tracking on the primaries the client knows now, unless the listener already covers
    /// exactly them. Until the new listener tracks on all of them, the local layer does not answer
    /// first, and every entry is checked again. The old listener is disposed outside the lock: its
    /// callbacks take the lock, under its own.
    /// </summary>
    private void RebuildListenerIfPrimariesChanged()
    {
        TrackingListener? previous;
        lock (_gate)
        {
            if (_disposed || _connection is not { } connection || _configuration is null || Volatile.Read(ref _trackingUnsupported) == 1)
            {
                return;
            }

            var primaries = connection.GetServers().Where(server => !server.IsReplica).Select(server => server.EndPoint).ToList();
            if (primaries.Count == 0)
            {
                primaries = _configuration.EndPoints.ToList();
            }

            var names = primaries.Select(e => e.ToString() ?? string.Empty).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            if (primaries.Count == 0 || (_listener is not null && names.SequenceEqual(_listenedEndPoints, StringComparer.Ordinal)))
            {
                return;
            }

            previous = _listener;
            if (previous is not null)
            {
                Interlocked.Increment(ref _listenerRebuilds);
                if (_logger is not null)
                {
                    AkCacheLog.PrimariesChanged(_logger, string.Join(", ", names));
                }

                Volatile.Write(ref _mode, NotCoherent);
                _local.DistrustAll();
            }

            var settings = TrackingSettings.From(_configuration, _prefix + ":", _tls);
            settings.EndPoints = primaries;
            _listenedEndPoints = names;
            var sink = new ListenerSink(this);
            var listener = new TrackingListener(settings, sink, _logger ?? NullLogger.Instance, _time);
            sink.Listener = listener;
            _listener = listener;
            listener.Start();
        }

        previous?.Dispose();
    }

    /// <summary>
    /// The sink of one listener: its changes of state count only while it is the current listener
    /// (checked under the lock), so that a listener being replaced cannot declare tracking on for a
    /// set of primaries that is no longer the right one. Its invalidations always count: dropping
    /// an entry is never wrong.
    /// </summary>
    private sealed class ListenerSink : IInvalidationSink
    {
        private readonly LocalCoherence _owner;

        public ListenerSink(LocalCoherence owner) => _owner = owner;

        public TrackingListener? Listener { get; set; }

        public void OnInvalidated(string key) => _owner.OnInvalidated(key);

        public void OnFlushed() => _owner.OnFlushed();

        public void OnTrackingLost(string reason)
        {
            lock (_owner._gate)
            {
                if (IsCurrent)
                {
                    _owner.OnTrackingLost();
                }
            }
        }

        public void OnTrackingStarted()
        {
            lock (_owner._gate)
            {
                if (IsCurrent)
                {
                    _owner.OnTrackingStarted();
                }
            }
        }

        public void OnTrackingUnsupported(string reason)
        {
            lock (_owner._gate)
            {
                if (IsCurrent)
                {
                    _owner.OnTrackingUnsupported();
                }
            }
        }

        /// <summary>Under the owner's lock.</summary>
        private bool IsCurrent => !_owner._disposed && ReferenceEquals(_owner._listener, Listener);
    }
}
