using System.Threading;
using AkCache.CompilerServices;
using AkCache.Internals.Local;
using AkCache.Internals.Messaging;

namespace AkCache.Internals.Engine;

/// <summary>
/// Keeps this process's local layer coherent with Redis, and says when it may answer first.
/// Invalidations come from AkCache's own channel (<see cref="IInvalidationTarget"/>: what users
/// invalidate or clear through AkCache, on every server) and, where the server tracks keys, from
/// Redis itself (any deletion or overwrite, made by anyone).
/// </summary>
internal sealed class LocalCoherence : IInvalidationTarget
{
    private readonly LocalLayer _local;
    private readonly MethodDirectory _methods;
    private readonly bool _withoutRedis;
    private long _applied;
    private long _unresolved;

    public LocalCoherence(LocalLayer local, MethodDirectory methods, bool withoutRedis)
    {
        _local = local;
        _methods = methods;
        _withoutRedis = withoutRedis;
    }

    /// <summary>
    /// Whether a trusted local entry may be served without asking Redis. Always, for a process
    /// without Redis (the local layer is its only cache); never yet otherwise: answering first
    /// waits for the invalidations to be in place.
    /// </summary>
    public bool AllowsAnswerFirst => _withoutRedis;

    /// <summary>Invalidations applied to the local layer (entries found or not).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Invalidations naming a key of no method this process knows, or a lock: nothing to drop.</summary>
    public long Unresolved => Interlocked.Read(ref _unresolved);

    /// <summary>An invalidation read from AkCache's channel, this process's own included.</summary>
    public void Invalidate(in InvalidationMessage message)
    {
        switch (message.Scope)
        {
            case InvalidationScope.Entry:
                InvalidateKey(message.Target);
                break;
            case InvalidationScope.Method:
                foreach (var method in _methods.StartingWith(message.Target))
                {
                    _local.RemoveMethod(method);
                }

                Interlocked.Increment(ref _applied);
                break;
            default:
                _local.Clear();
                Interlocked.Increment(ref _applied);
                break;
        }
    }

    /// <summary>Drops the local entry of the call a Redis key belongs to, if this process knows the method.</summary>
    public void InvalidateKey(string redisKey)
    {
        if (_methods.TryResolve(redisKey, out MemoizedMethod method, out var key))
        {
            _local.Remove(method, key);
            Interlocked.Increment(ref _applied);
        }
        else
        {
            Interlocked.Increment(ref _unresolved);
        }
    }
}
