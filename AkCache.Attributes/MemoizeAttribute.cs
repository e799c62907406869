using System;

namespace AkCache;

/// <summary>
/// Memoizes a static method across processes: at build time the AkCache weaver rewrites the method so
/// that a call with the same arguments returns the result stored in Redis (or, while Redis is
/// unreachable, in an in-process memory cache) instead of running the body again.
/// </summary>
/// <remarks>
/// The attribute exists only at build time: the weaver removes it, and the woven assembly no longer
/// references AkCache.Attributes.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class MemoizeAttribute : Attribute
{
    /// <summary>
    /// How long, in seconds, a stored result stays valid.
    /// </summary>
    /// <value>
    /// 0 (the default) means the configured default time to live (86400 s unless changed through
    /// AKCACHE_MAX_AGE_SECONDS or <c>AkCacheOptions.DefaultMaxAgeSeconds</c>). A negative value is a
    /// build error.
    /// </value>
    public int MaxAgeSeconds { get; set; }
}
