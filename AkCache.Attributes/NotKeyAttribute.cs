using System;

namespace AkCache;

/// <summary>
/// Leaves a parameter of a [Memoize] method out of the key: calls that differ only in this argument
/// share one result. Use it for arguments that do not change the result, such as a logger or a
/// progress callback. CancellationToken parameters are left out without it.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NotKeyAttribute : Attribute
{
}
