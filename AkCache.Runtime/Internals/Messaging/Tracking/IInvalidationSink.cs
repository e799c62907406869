namespace AkCache.Internals.Messaging.Tracking;

/// <summary>
/// What <see cref="TrackingListener"/> learns from Redis. Calls come from the listener's own
/// threads, one at a time (never two at once, in the order Redis sent them per connection), and
/// never after <see cref="TrackingListener.Dispose"/> has returned. They must be quick and must not
/// block on the listener; an exception thrown is logged once and otherwise ignored.
/// </summary>
internal interface IInvalidationSink
{
    /// <summary>One key under the prefix was changed, deleted, expired or evicted.</summary>
    void OnInvalidated(string key);

    /// <summary>FLUSHALL or FLUSHDB (Redis's push with a null key list): any key may be gone.</summary>
    void OnFlushed();

    /// <summary>
    /// From now on nothing is known: a connection dropped, its heartbeat timed out, or the server
    /// does not track any more. Raised once per loss, however many endpoints are lost.
    /// </summary>
    void OnTrackingLost(string reason);

    /// <summary>
    /// Tracking is in place on every endpoint, for the first time or again: whatever was confirmed
    /// before this moment may have changed unseen and must be checked again.
    /// </summary>
    void OnTrackingStarted();

    /// <summary>
    /// The server cannot track (Garnet, Redis before 6): raised once, after <see cref="OnTrackingLost"/>
    /// if tracking had started. Nothing more comes from the listener.
    /// </summary>
    void OnTrackingUnsupported(string reason);
}
