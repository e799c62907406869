using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace AkCache.Internals.Messaging;

/// <summary>What this process does with an invalidation message read from AkCache's channel.</summary>
internal interface IInvalidationTarget
{
    void Invalidate(in InvalidationMessage message);
}

/// <summary>
/// AkCache's two pub/sub channels under the prefix: "PREFIX:akcache:stored", on which lock owners
/// announce stored values (<see cref="StoredAnnouncements"/>), and "PREFIX:akcache:invalidate", on
/// which invalidations and clears reach every process (<see cref="InvalidationMessage"/>). The
/// process subscribes once, on its first connection; StackExchange.Redis subscribes again after a
/// reconnect. If subscribing fails, waiters still find values by polling, and the local layer
/// learns of invalidations from Redis's tracking where the server has it.
/// </summary>
internal sealed class CacheChannels
{
    private readonly RedisChannel _stored;
    private readonly RedisChannel _invalidations;
    private IInvalidationTarget? _target;
    private long _ignored;
    private int _subscribed;

    public CacheChannels(string prefix)
    {
        var stored = prefix + ":akcache:stored";
        _stored = RedisChannel.Literal(stored);
        StoredChannelName = stored;
        _invalidations = RedisChannel.Literal(prefix + ":akcache:invalidate");
    }

    /// <summary>The stored channel's name, as the store script publishes on it.</summary>
    public RedisValue StoredChannelName { get; }

    public StoredAnnouncements Announcements { get; } = new();

    /// <summary>Messages on the invalidation channel that were not AkCache's, or not in this build's format: ignored.</summary>
    public long MessagesIgnored => Interlocked.Read(ref _ignored);

    /// <summary>True once the subscription was made (StackExchange.Redis keeps it across reconnects).</summary>
    public bool IsSubscribed => Volatile.Read(ref _subscribed) == 1;

    /// <summary>Where invalidation messages go; set once by the engine before the first connection.</summary>
    public void SetTarget(IInvalidationTarget target) => _target = target;

    /// <summary>Subscribes this process to both channels, once.</summary>
    public void EnsureSubscribed(IConnectionMultiplexer connection)
    {
        if (Volatile.Read(ref _subscribed) == 0 && Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            try
            {
                var subscriber = connection.GetSubscriber();
                subscriber.Subscribe(_stored, OnStored);
                subscriber.Subscribe(_invalidations, OnInvalidation);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Volatile.Write(ref _subscribed, 0);
            }
        }
    }

    /// <inheritdoc cref="EnsureSubscribed"/>
    public async ValueTask EnsureSubscribedAsync(IConnectionMultiplexer connection)
    {
        if (Volatile.Read(ref _subscribed) == 0 && Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            try
            {
                var subscriber = connection.GetSubscriber();
                await subscriber.SubscribeAsync(_stored, OnStored).ConfigureAwait(false);
                await subscriber.SubscribeAsync(_invalidations, OnInvalidation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Volatile.Write(ref _subscribed, 0);
            }
        }
    }

    /// <summary>Publishes an invalidation to every process (this one's included); returns how many subscribers received it.</summary>
    public long Publish(IConnectionMultiplexer connection, InvalidationMessage message) =>
        connection.GetSubscriber().Publish(_invalidations, message.ToBytes());

    private void OnStored(RedisChannel channel, RedisValue message) => Announcements.OnAnnouncement((ReadOnlyMemory<byte>)message);

    /// <summary>Never throws: a message that is not AkCache's, or that its target cannot act on, is counted and dropped.</summary>
    private void OnInvalidation(RedisChannel channel, RedisValue message)
    {
        if (!InvalidationMessage.TryParse(((ReadOnlyMemory<byte>)message).Span, out var parsed) || _target is not { } target)
        {
            Interlocked.Increment(ref _ignored);
            return;
        }

        try
        {
            target.Invalidate(parsed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _ignored);
        }
    }
}
