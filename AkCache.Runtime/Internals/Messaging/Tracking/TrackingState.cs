namespace AkCache.Internals.Messaging.Tracking;

/// <summary>Where a <see cref="TrackingListener"/> stands.</summary>
internal enum TrackingState
{
    /// <summary>Not yet tracking on every endpoint since <see cref="TrackingListener.Start"/>.</summary>
    Starting,

    /// <summary>Every endpoint's connection has tracking on: invalidations are being received.</summary>
    Tracking,

    /// <summary>Was tracking, lost at least one endpoint, and is connecting again.</summary>
    Reconnecting,

    /// <summary>A server refused HELLO 3 or CLIENT TRACKING as unknown: final, see <see cref="TrackingListener.UnsupportedReason"/>.</summary>
    Unsupported,

    /// <summary>Disposed: final.</summary>
    Disposed,
}
