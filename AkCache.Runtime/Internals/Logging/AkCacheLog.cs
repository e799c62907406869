using System;
using Microsoft.Extensions.Logging;

namespace AkCache.Internals.Logging;

/// <summary>
/// Every message AkCache logs, source-generated (<see cref="LoggerMessageAttribute"/>): one event ID
/// and one name per kind of message, the exception attached where there is one (its text scrubbed
/// of the Redis password first, <see cref="RedactedException"/>), nothing formatted unless the
/// level is enabled. Nothing here is called on the hit path. The IDs are a contract: docs/observability.md
/// lists them, and a number once used is never given to another message.
/// </summary>
/// <remarks>
/// 1xxx: configuration. 2xxx: a method's arguments or results. 3xxx: Redis and its connections.
/// 4xxx: invalidation tracking (the local layer's coherence).
/// </remarks>
internal static partial class AkCacheLog
{
    // 1xxx: configuration.

    [LoggerMessage(EventId = 1001, EventName = "InvalidEnvironment", Level = LogLevel.Error, Message = "AkCache: the configuration from the environment is invalid: {Reason} {Consequence}")]
    public static partial void InvalidEnvironment(ILogger logger, string reason, string consequence);

    [LoggerMessage(EventId = 1002, EventName = "UnknownSerializer", Level = LogLevel.Error, Message = "AkCache: {Method} names the serializer '{Serializer}', which is not registered; its calls run uncached. Register it in AkCacheOptions.Serializers, or name \"messagepack\" or \"json\".")]
    public static partial void UnknownSerializer(ILogger logger, string method, string serializer);

    // 2xxx: a method's arguments and results (each once per method and configuration).

    [LoggerMessage(EventId = 2001, EventName = "Unkeyable", Level = LogLevel.Warning, Message = "AkCache: an argument of type {Type} of {Method} cannot be turned into a key ({Reason}); such calls run uncached. Mark the parameter [NotKey] or pass a serializable type.")]
    public static partial void Unkeyable(ILogger logger, string? type, string method, string reason, Exception exception);

    [LoggerMessage(EventId = 2002, EventName = "NotFaithful", Level = LogLevel.Warning, Message = "AkCache: the result of {Method} is not cached, because it would not come back from the cache equal: {Reason} The method still returns it.")]
    public static partial void NotFaithful(ILogger logger, string method, string reason, Exception exception);

    [LoggerMessage(EventId = 2003, EventName = "Unserializable", Level = LogLevel.Warning, Message = "AkCache: the result of {Method} cannot be serialized ({Reason}); the method still returns it, but does not cache it.")]
    public static partial void Unserializable(ILogger logger, string method, string reason, Exception exception);

    [LoggerMessage(EventId = 2004, EventName = "TooLarge", Level = LogLevel.Warning, Message = "AkCache: a result of {Method} is not cached: {Reason}. The method still returns it; raise MaxValueBytes (AKCACHE_MAX_VALUE_MB, up to 512 MiB) to cache results this large.")]
    public static partial void TooLarge(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 2005, EventName = "Unreadable", Level = LogLevel.Warning, Message = "AkCache: a value stored for {Method} cannot be read ({Reason}); it is recomputed and overwritten.")]
    public static partial void Unreadable(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 2006, EventName = "Unsigned", Level = LogLevel.Warning, Message = "AkCache: a value stored for {Method} cannot be read ({Reason}); it is recomputed and overwritten. Every process that shares the cache must have the same SigningKey.")]
    public static partial void Unsigned(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 2007, EventName = "Undeserializable", Level = LogLevel.Warning, Message = "AkCache: a value stored for {Method} cannot be read ({Reason}); it is recomputed and overwritten.")]
    public static partial void Undeserializable(ILogger logger, string method, string reason, Exception exception);

    [LoggerMessage(EventId = 2008, EventName = "Expired", Level = LogLevel.Warning, Message = "AkCache: a value stored for {Method} is not used: {Reason}. It is recomputed and overwritten.")]
    public static partial void Expired(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 2009, EventName = "WaitedTooLong", Level = LogLevel.Warning, Message = "AkCache: a call of {Method} stopped waiting ({Reason}) and computed the result itself. Raise LockWaitTimeout if the method takes that long.")]
    public static partial void WaitedTooLong(ILogger logger, string method, string reason);

    // 3xxx: Redis (each once per outage, or at most once a minute).

    [LoggerMessage(EventId = 3001, EventName = "RedisUnavailable", Level = LogLevel.Warning, Message = "AkCache: Redis at {Redis} is unavailable ({Reason}). Memoized methods keep returning correct results from this process's local layer (L1) and will use Redis again once it answers.")]
    public static partial void RedisUnavailable(ILogger logger, string redis, string reason, Exception? exception);

    [LoggerMessage(EventId = 3002, EventName = "RedisReachableAgain", Level = LogLevel.Warning, Message = "AkCache: Redis at {Redis} is reachable again; results are shared across processes again.")]
    public static partial void RedisReachableAgain(ILogger logger, string redis);

    [LoggerMessage(EventId = 3003, EventName = "WritesRefused", Level = LogLevel.Warning, Message = "AkCache: Redis at {Redis} refuses to store results ({Reason}); reads go on, and results are kept in this process only until it accepts writes again (checked every {Break}). To fix: {Fix}.")]
    public static partial void WritesRefused(ILogger logger, string redis, string reason, TimeSpan @break, string fix, Exception exception);

    [LoggerMessage(EventId = 3004, EventName = "WritesAcceptedAgain", Level = LogLevel.Warning, Message = "AkCache: Redis at {Redis} accepts writes again; results are stored in Redis again.")]
    public static partial void WritesAcceptedAgain(ILogger logger, string redis);

    [LoggerMessage(EventId = 3005, EventName = "WrongType", Level = LogLevel.Warning, Message = "AkCache: the Redis key {Key} holds another type of value than AkCache stores ({Reason}); it is read as missing and the method's result overwrites it.{Others} Something other than AkCache writes under its prefix: give one of them another prefix.")]
    public static partial void WrongType(ILogger logger, string key, string reason, string others, Exception exception);

    [LoggerMessage(EventId = 3006, EventName = "NodeUnavailable", Level = LogLevel.Warning, Message = "AkCache: the Redis cluster node {Node} of {Redis} is unavailable ({Reason}). Calls whose keys live on it keep returning correct results from this process's local layer (L1) or compute them; the other nodes are used as usual, and this one again once it answers.")]
    public static partial void NodeUnavailable(ILogger logger, string node, string redis, string reason, Exception? exception);

    [LoggerMessage(EventId = 3007, EventName = "NodeAnswersAgain", Level = LogLevel.Warning, Message = "AkCache: Redis answers again for the keys of cluster node {Node} of {Redis} (that node, or the replica that took over its slots); their results are shared again.")]
    public static partial void NodeAnswersAgain(ILogger logger, string node, string redis);

    [LoggerMessage(EventId = 3008, EventName = "NodeOwnsNoSlot", Level = LogLevel.Warning, Message = "AkCache: the Redis cluster node {Node} of {Redis} owns no slot any more (a replica took over); its keys are used on the node that owns them now.")]
    public static partial void NodeOwnsNoSlot(ILogger logger, string node, string redis);

    [LoggerMessage(EventId = 3009, EventName = "ChecksumFailedTwice", Level = LogLevel.Warning, Message = "AkCache: the value of {Length} bytes at {Key} in Redis at {Redis} failed its checksum twice (damaged, replaced while it was read, or written without one by an older AkCache); it is deleted, and the call computes its result and stores it.")]
    public static partial void ChecksumFailedTwice(ILogger logger, long length, string key, string redis);

    [LoggerMessage(EventId = 3010, EventName = "LargeValueFailed", Level = LogLevel.Warning, Message = "AkCache: a value over {Limit} bytes could not be moved on the connection of large values to Redis at {Redis} ({Reason}); that call computes its result (or does not store it), and small calls go on as usual. Warned at most once a minute.")]
    public static partial void LargeValueFailed(ILogger logger, int limit, string redis, string reason, Exception? exception);

    // 4xxx: invalidation tracking.

    [LoggerMessage(EventId = 4001, EventName = "TrackingOn", Level = LogLevel.Information, Message = "AkCache: invalidation tracking is on for {Count} Redis endpoint(s).")]
    public static partial void TrackingOn(ILogger logger, int count);

    [LoggerMessage(EventId = 4002, EventName = "TrackingBack", Level = LogLevel.Information, Message = "AkCache: invalidation tracking is back on {Count} Redis endpoint(s).")]
    public static partial void TrackingBack(ILogger logger, int count);

    [LoggerMessage(EventId = 4003, EventName = "TrackingLost", Level = LogLevel.Information, Message = "AkCache: invalidation tracking lost on {EndPoint}: {Reason}; reconnecting, and every call asks Redis until it is back.")]
    public static partial void TrackingLost(ILogger logger, string endPoint, string reason);

    [LoggerMessage(EventId = 4004, EventName = "TrackingLostWhileIdle", Level = LogLevel.Debug, Message = "AkCache: invalidation tracking connection to {EndPoint} lost while not tracking: {Reason}.")]
    public static partial void TrackingLostWhileIdle(ILogger logger, string endPoint, string reason);

    [LoggerMessage(EventId = 4005, EventName = "TrackingConnectFailed", Level = LogLevel.Warning, Message = "AkCache: invalidation tracking could not connect to {EndPoint}: {Reason}; trying again in {Delay} ms and on (logged once until it works).")]
    public static partial void TrackingConnectFailed(ILogger logger, string endPoint, string reason, long delay);

    [LoggerMessage(EventId = 4006, EventName = "TrackingStillFailing", Level = LogLevel.Debug, Message = "AkCache: invalidation tracking on {EndPoint} still failing: {Reason}; next attempt in {Delay} ms.")]
    public static partial void TrackingStillFailing(ILogger logger, string endPoint, string reason, long delay);

    [LoggerMessage(EventId = 4007, EventName = "TrackingUnsupported", Level = LogLevel.Warning, Message = "AkCache: {EndPoint} cannot use CLIENT TRACKING (Garnet, Redis before 6, or an ACL user without +client|tracking): {Reply}; invalidation tracking stays off, and the local layer learns only of AkCache's own invalidations (docs/local-cache.md).")]
    public static partial void TrackingUnsupported(ILogger logger, string endPoint, string reply);

    [LoggerMessage(EventId = 4009, EventName = "CoherenceCheckFailed", Level = LogLevel.Debug, Message = "AkCache: looking after the local layer's coherence failed; trying again.")]
    public static partial void CoherenceCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4010, EventName = "ProbeNotBack", Level = LogLevel.Information, Message = "AkCache: this process's probe did not come back through AkCache's invalidation channel within {Seconds} s; every call asks Redis until it does.")]
    public static partial void ProbeNotBack(ILogger logger, double seconds);

    [LoggerMessage(EventId = 4011, EventName = "PrimariesChanged", Level = LogLevel.Information, Message = "AkCache: the Redis primaries changed (now {Primaries}); invalidation tracking starts again on them.")]
    public static partial void PrimariesChanged(ILogger logger, string primaries);

    [LoggerMessage(EventId = 4008, EventName = "InvalidationSinkThrew", Level = LogLevel.Error, Message = "AkCache: the invalidation sink threw from {Call}; this and later failures of it are ignored.")]
    public static partial void InvalidationSinkThrew(ILogger logger, string call, Exception exception);
}
