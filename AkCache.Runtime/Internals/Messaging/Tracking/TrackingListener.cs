using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Logging;
using Microsoft.Extensions.Logging;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>
/// Receives Redis's invalidation pushes for keys under a prefix (CLIENT TRACKING ON BCAST), over
/// connections of its own, one per endpoint: StackExchange.Redis has no way to ask for them.
/// Every sink call is made under one lock, which serializes them and lets <see cref="Dispose"/>
/// promise that none runs after it returns.
/// </summary>
internal sealed class TrackingListener : IDisposable
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly IInvalidationSink _sink;
    private readonly ILogger _logger;
    private readonly TrackingConnection[] _connections;
    private readonly CancellationTokenSource _stop = new();
    private Task[] _loops = Array.Empty<Task>();
    private TrackingState _state = TrackingState.Starting;
    private string? _unsupportedReason;
    private long _messagesIgnored;
    private bool _started;
    private bool _sinkFailureLogged;

    public TrackingListener(TrackingSettings settings, IInvalidationSink sink, ILogger logger, TimeProvider time)
    {
        if (settings.EndPoints.Count == 0)
        {
            throw new ArgumentException("Invalidation tracking needs at least one endpoint.", nameof(settings));
        }

        _sink = sink;
        _logger = logger;
        _connections = settings.EndPoints.Select(e => new TrackingConnection(e, settings, this, logger, time)).ToArray();
    }

    public TrackingState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Why the server cannot track, with its own reply; null unless <see cref="State"/> is Unsupported.</summary>
    public string? UnsupportedReason
    {
        get
        {
            lock (_gate)
            {
                return _unsupportedReason;
            }
        }
    }

    /// <summary>Pushes and replies that were not understood or not expected, and broken frames; never thrown.</summary>
    public long MessagesIgnored => Interlocked.Read(ref _messagesIgnored);

    /// <summary>Returns at once: each connection is made, and remade, in the background.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started || _state is TrackingState.Disposed)
            {
                return;
            }

            _started = true;
            var stop = _stop.Token;
            _loops = _connections.Select(c => Task.Run(() => c.RunAsync(stop))).ToArray();
        }
    }

    public void Dispose()
    {
        Task[] loops;
        lock (_gate)
        {
            if (_state is TrackingState.Disposed)
            {
                return;
            }

            // Under the lock: a sink call in progress on another thread ends first, and none starts after.
            _state = TrackingState.Disposed;
            loops = _loops;
        }

        _stop.Cancel();

        // A sink that disposes the listener from its callback runs on a loop: waiting for the loops would wait for itself.
        if (!Monitor.IsEntered(_gate) && !loops.Any(l => l.Id == Task.CurrentId))
        {
            try
            {
                Task.WaitAll(loops, StopWait);
            }
            catch (AggregateException)
            {
                // The loops catch their own failures; whatever is left is of no use to a caller that is disposing.
            }
        }
    }

    internal void CountIgnored() => Interlocked.Increment(ref _messagesIgnored);

    internal void ConnectionTracking(TrackingConnection connection)
    {
        lock (_gate)
        {
            if (IsFinal)
            {
                return;
            }

            connection.IsTracking = true;
            if (_state != TrackingState.Tracking && _connections.All(c => c.IsTracking))
            {
                var again = _state == TrackingState.Reconnecting;
                _state = TrackingState.Tracking;
                if (again)
                {
                    AkCacheLog.TrackingBack(_logger, _connections.Length);
                }
                else
                {
                    AkCacheLog.TrackingOn(_logger, _connections.Length);
                }

                Call(SinkCall.Started, null);
            }
        }
    }

    internal void ConnectionLost(TrackingConnection connection, string reason)
    {
        lock (_gate)
        {
            if (IsFinal)
            {
                return;
            }

            connection.IsTracking = false;
            reason = reason.TrimEnd('.');
            if (_state != TrackingState.Tracking)
            {
                AkCacheLog.TrackingLostWhileIdle(_logger, connection.Description, reason);
                return;
            }

            _state = TrackingState.Reconnecting;
            // Information: the local layer then asks Redis on every call until tracking is back, and
            // an outage of Redis itself is warned about by the accessor, once.
            AkCacheLog.TrackingLost(_logger, connection.Description, reason);
            Call(SinkCall.Lost, $"{connection.Description}: {reason}");
        }
    }

    internal void ConnectionUnsupported(TrackingConnection connection, string reply)
    {
        lock (_gate)
        {
            if (IsFinal)
            {
                return;
            }

            var wasTracking = _state == TrackingState.Tracking;
            _state = TrackingState.Unsupported;
            _unsupportedReason = $"AkCache cannot use CLIENT TRACKING (Garnet, Redis before 6, or an ACL user without +client|tracking): on {connection.Description}, {reply}";
            AkCacheLog.TrackingUnsupported(_logger, connection.Description, reply);
            if (wasTracking)
            {
                Call(SinkCall.Lost, _unsupportedReason);
            }

            Call(SinkCall.Unsupported, _unsupportedReason);
        }

        // Not under the lock: cancelling closes the other connections' sockets synchronously.
        _stop.Cancel();
    }

    /// <summary>A push from any connection: an invalidation (keys, or null for a flush), or something to count and ignore.</summary>
    internal void OnPush(Resp3Value push)
    {
        var items = push.Items;
        if (items.Count != 2 || !items[0].IsText("invalidate"))
        {
            CountIgnored();
            return;
        }

        var keys = items[1];
        if (!keys.IsNull && keys.Kind is not (Resp3Kind.Array or Resp3Kind.Set))
        {
            CountIgnored();
            return;
        }

        lock (_gate)
        {
            if (IsFinal)
            {
                return;
            }

            if (keys.IsNull)
            {
                Call(SinkCall.Flushed, null);
                return;
            }

            foreach (var key in keys.Items)
            {
                if (key.Kind is Resp3Kind.BulkString or Resp3Kind.SimpleString)
                {
                    Call(SinkCall.Invalidated, key.Text);
                }
                else
                {
                    CountIgnored();
                }
            }
        }
    }

    private bool IsFinal => _state is TrackingState.Disposed or TrackingState.Unsupported;

    /// <summary>Calls the sink, under <see cref="_gate"/>; its exceptions are logged once and go no further.</summary>
    private void Call(SinkCall call, string? argument)
    {
        try
        {
            switch (call)
            {
                case SinkCall.Invalidated:
                    _sink.OnInvalidated(argument!);
                    break;
                case SinkCall.Flushed:
                    _sink.OnFlushed();
                    break;
                case SinkCall.Lost:
                    _sink.OnTrackingLost(argument!);
                    break;
                case SinkCall.Unsupported:
                    _sink.OnTrackingUnsupported(argument!);
                    break;
                default:
                    _sink.OnTrackingStarted();
                    break;
            }
        }
        catch (Exception e)
        {
            if (!_sinkFailureLogged)
            {
                _sinkFailureLogged = true;
                AkCacheLog.InvalidationSinkThrew(_logger, call.ToString(), e);
            }
        }
    }

    private enum SinkCall
    {
        Invalidated,
        Flushed,
        Lost,
        Started,
        Unsupported,
    }
}
