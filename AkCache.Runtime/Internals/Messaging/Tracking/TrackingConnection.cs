using System;
using System.Globalization;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Logging;
using Microsoft.Extensions.Logging;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>
/// The tracking connection to one endpoint, kept open for the listener's lifetime: it connects,
/// reports to <see cref="TrackingListener"/> when tracking is on and when it is lost, and tries
/// again after <see cref="TrackingSettings.ReconnectDelay"/> (longer after authentication errors),
/// until the listener stops it or the server turns out not to support tracking at all.
/// </summary>
internal sealed class TrackingConnection
{
    private readonly TrackingSettings _settings;
    private readonly TrackingListener _listener;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>The kind of the last failure logged as a warning: repeats of it go to Debug, so that an outage logs once.</summary>
    private string? _loggedFailure;

    public TrackingConnection(EndPoint endPoint, TrackingSettings settings, TrackingListener listener, ILogger logger, TimeProvider time)
    {
        EndPoint = endPoint;
        Description = Describe(endPoint);
        _settings = settings;
        _listener = listener;
        _logger = logger;
        _time = time;
    }

    public EndPoint EndPoint { get; }

    /// <summary>host:port, for logs.</summary>
    public string Description { get; }

    /// <summary>Whether this connection has tracking on; read and written by the listener under its lock.</summary>
    public bool IsTracking { get; set; }

    public async Task RunAsync(CancellationToken stop)
    {
        var authFailures = 0;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                await RunSessionAsync(stop).ConfigureAwait(false);
                authFailures = 0;
                delay = _settings.ReconnectDelay;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (TrackingHandshakeException e) when (e.Kind == TrackingFailureKind.Unsupported)
            {
                _listener.ConnectionUnsupported(this, e.Message);
                return;
            }
            catch (TrackingHandshakeException e) when (e.Kind == TrackingFailureKind.Authentication)
            {
                authFailures++;
                delay = AuthRetryDelay(authFailures);
                LogFailure("authentication:" + FirstWord(e.Message), "authentication failed: " + e.Message, delay);
            }
            catch (TrackingHandshakeException e)
            {
                delay = _settings.ReconnectDelay;
                LogFailure("transient", e.Message, delay);
            }
            catch (Exception e)
            {
                // A bug of this component must not end the loop for good: it is logged and retried like an outage.
                delay = _settings.ReconnectDelay;
                LogFailure("unexpected:" + e.GetType().Name, _settings.Scrub(e.Message), delay);
            }

            try
            {
                await _time.Delay(delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection from connect to loss; returns when it is lost, throws when it could not be made.</summary>
    private async Task RunSessionAsync(CancellationToken stop)
    {
        using var session = await TrackingSession.OpenAsync(EndPoint, _settings, _listener, _time, stop).ConfigureAwait(false);
        using var registration = stop.Register(session.Dispose);
        _loggedFailure = null;
        _listener.ConnectionTracking(this);
        var reason = await session.PumpAsync().ConfigureAwait(false);
        if (!stop.IsCancellationRequested)
        {
            _listener.ConnectionLost(this, reason);
        }
    }

    private void LogFailure(string kind, string reason, TimeSpan delay)
    {
        // Exception messages end with a full stop, which the template's own punctuation follows.
        reason = reason.TrimEnd('.');
        var milliseconds = (long)delay.TotalMilliseconds;
        if (_loggedFailure == kind)
        {
            AkCacheLog.TrackingStillFailing(_logger, Description, reason, milliseconds);
            return;
        }

        _loggedFailure = kind;
        AkCacheLog.TrackingConnectFailed(_logger, Description, reason, milliseconds);
    }

    /// <summary>Doubles from the reconnect delay up to the cap, so that bad credentials do not hammer the server.</summary>
    private TimeSpan AuthRetryDelay(int failures)
    {
        var delay = _settings.ReconnectDelay;
        for (var i = 1; i < failures && delay < _settings.MaxAuthRetryDelay; i++)
        {
            delay = TimeSpan.FromTicks(delay.Ticks * 2);
        }

        return delay < _settings.MaxAuthRetryDelay ? delay : _settings.MaxAuthRetryDelay;
    }

    /// <summary>The error code of a message such as "HELLO 3 was answered 'WRONGPASS invalid...'".</summary>
    private static string FirstWord(string message)
    {
        var start = message.IndexOf('\'') + 1;
        var end = message.IndexOf(' ', start);
        return end > start ? message.Substring(start, end - start) : message;
    }

    private static string Describe(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => dns.Host + ":" + dns.Port.ToString(CultureInfo.InvariantCulture),
        IPEndPoint ip => ip.ToString(),
        _ => endPoint.ToString() ?? "?",
    };
}
