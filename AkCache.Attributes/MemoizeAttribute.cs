using System;

namespace AkCache;

/// <summary>
/// Memoizes a static method across processes: at build time the AkCache weaver rewrites the method so
/// that a call with the same arguments returns the result stored in Redis (or, while Redis is
/// unreachable, in an in-process memory cache) instead of running the body again. On a class, it
/// applies to every static method of the class that returns a value.
/// </summary>
/// <remarks>
/// The attribute exists only at build time: the weaver removes it, and the woven assembly no longer
/// references AkCache.Attributes.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class MemoizeAttribute : Attribute
{
    /// <summary>
    /// How long, in seconds, a stored result stays valid.
    /// </summary>
    /// <value>
    /// 0 (the default) means the configured default time to live (86400 s unless changed through
    /// AKCACHE_MAX_AGE_SECONDS or <c>AkCacheOptions.DefaultMaxAgeSeconds</c>). A negative value is a
    /// build error. On a method, it overrides the value given on its class.
    /// </value>
    public int MaxAgeSeconds { get; set; }

    /// <summary>
    /// Pins the version part of the method's keys.
    /// </summary>
    /// <value>
    /// Null (the default): the version is a hash of the method's compiled body and of the shape of its
    /// return type, so a changed implementation reads fresh entries after a deploy, while an
    /// unchanged one keeps its entries. Set it (letters, digits, '.', '-' and '_') to keep entries
    /// across changes you know are compatible, or change it to drop them.
    /// </value>
    public string? Version { get; set; }

    /// <summary>
    /// The serializer of this method's results, by name: "messagepack" (AkCache's own, which returns
    /// every value equal in every respect or refuses to cache it), "json" (System.Text.Json), or the
    /// name of a serializer registered in <c>AkCacheOptions.Serializers</c>.
    /// </summary>
    /// <value>
    /// Null (the default): the configured one (AKCACHE_SERIALIZER or <c>AkCacheOptions.Serializer</c>,
    /// else "messagepack"). The name is part of the keys' version. On a method, it overrides the value
    /// given on its class. A name that is not registered at run time leaves the method uncached, with
    /// one error in the log.
    /// </value>
    public string? Serializer { get; set; }

    /// <summary>
    /// Whether this process's local layer may answer this method's calls first, without asking Redis.
    /// </summary>
    /// <value>
    /// True (the default), unless AKCACHE_LOCAL_CACHE=off or <c>AkCacheOptions.LocalCache</c> turns it off
    /// for the process. False: every call reads Redis, as for a value other processes change on purpose;
    /// the local layer then answers only while Redis is unreachable. On a method, it overrides the value
    /// given on its class.
    /// </value>
    public bool LocalCache { get; set; } = true;

    /// <summary>
    /// The most results of this method the local layer keeps, in the spirit of lru_cache's maxsize:
    /// the least recently used go first.
    /// </summary>
    /// <value>
    /// 0 (the default): no bound of its own; the process-wide bounds (<c>AkCacheOptions.MemoryCacheMaxEntries</c>
    /// and <c>MemoryCacheMaxBytes</c>) hold for every method together. A negative value is a build error.
    /// On a method, it overrides the value given on its class.
    /// </value>
    public int LocalMaxEntries { get; set; }
}
