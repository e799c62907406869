using System;
using System.Diagnostics;
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
/// reconnect. If subscribing fails, waiters still find values by polling, the local layer learns of
/// invalidations from Redis's tracking where the server has it, and where it has not, the local
/// layer does not answer first until a probe of its own comes back through the channel.
/// </summary>
internal sealed class CacheChannels
{
    private readonly RedisChannel _stored;
    private readonly RedisChannel _invalidations;
    private IInvalidationTarget? _target;
    private long _ignored;
    /// <summary>How long after a failed subscription the next attempt waits.</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private const int StoredSubscribed = 1;
    private const int InvalidationsSubscribed = 2;
    private int _subscribed;
    private long _retryAt;
    private readonly Action<RedisChannel, RedisValue> _onStored;
    private readonly Action<RedisChannel, RedisValue> _onInvalidation;

    public CacheChannels(string prefix)
    {
        var stored = prefix + ":akcache:stored";
        _stored = RedisChannel.Literal(stored);
        StoredChannelName = stored;
        _invalidations = RedisChannel.Literal(prefix + ":akcache:invalidate");

        // One delegate each, so that a failed subscription's handler can be removed again.
        _onStored = OnStored;
        _onInvalidation = OnInvalidation;
    }

    /// <summary>The stored channel's name, as the store script publishes on it.</summary>
    public RedisValue StoredChannelName { get; }

    public StoredAnnouncements Announcements { get; } = new();

    /// <summary>Messages on the invalidation channel that were not AkCache's, or not in this build's format: ignored.</summary>
    public long MessagesIgnored => Interlocked.Read(ref _ignored);

    /// <summary>True once both subscriptions were made (StackExchange.Redis keeps them across reconnects).</summary>
    public bool IsSubscribed => Volatile.Read(ref _subscribed) == (StoredSubscribed | InvalidationsSubscribed);

    /// <summary>Where invalidation messages go; set once by the engine before the first connection.</summary>
    public void SetTarget(IInvalidationTarget target) => _target = target;

    /// <summary>
    /// Subscribes this process to both channels, each once: a channel that could not be subscribed
    /// to (a failure, an ACL without it) is tried again at the next call, and one that was is never
    /// subscribed to twice (its handler would run twice per message).
    /// </summary>
    public void EnsureSubscribed(IConnectionMultiplexer connection)
    {
        if (IsSubscribed)
        {
            return;
        }

        if (IsBackingOff())
        {
            return;
        }

        var subscriber = connection.GetSubscriber();
        TrySubscribe(StoredSubscribed, () => subscriber.Subscribe(_stored, _onStored), () => subscriber.Unsubscribe(_stored, _onStored, CommandFlags.FireAndForget));
        TrySubscribe(InvalidationsSubscribed, () => subscriber.Subscribe(_invalidations, _onInvalidation), () => subscriber.Unsubscribe(_invalidations, _onInvalidation, CommandFlags.FireAndForget));
    }

    /// <inheritdoc cref="EnsureSubscribed"/>
    public async ValueTask EnsureSubscribedAsync(IConnectionMultiplexer connection)
    {
        if (IsSubscribed)
        {
            return;
        }

        if (IsBackingOff())
        {
            return;
        }

        var subscriber = connection.GetSubscriber();
        await TrySubscribeAsync(StoredSubscribed, () => subscriber.SubscribeAsync(_stored, _onStored), () => subscriber.Unsubscribe(_stored, _onStored, CommandFlags.FireAndForget)).ConfigureAwait(false);
        await TrySubscribeAsync(InvalidationsSubscribed, () => subscriber.SubscribeAsync(_invalidations, _onInvalidation), () => subscriber.Unsubscribe(_invalidations, _onInvalidation, CommandFlags.FireAndForget)).ConfigureAwait(false);
    }

    /// <summary><see cref="EnsureSubscribed"/> or <see cref="EnsureSubscribedAsync(IConnectionMultiplexer)"/>.</summary>
    public ValueTask EnsureSubscribedAsync(IConnectionMultiplexer connection, bool synchronous)
    {
        if (!synchronous)
        {
            return EnsureSubscribedAsync(connection);
        }

        EnsureSubscribed(connection);
        return default;
    }

    /// <summary>
    /// True while the invalidation channel's subscription has its connection: the subscription was
    /// made, and the server StackExchange.Redis keeps it on is connected.
    /// </summary>
    public bool InvalidationsConnected(IConnectionMultiplexer connection)
    {
        if ((Volatile.Read(ref _subscribed) & InvalidationsSubscribed) == 0)
        {
            return false;
        }

        try
        {
            return connection.GetSubscriber().IsConnected(_invalidations);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>Publishes an invalidation to every process (this one's included); returns how many subscribers received it.</summary>
    public long Publish(IConnectionMultiplexer connection, InvalidationMessage message) =>
        connection.GetSubscriber().Publish(_invalidations, message.ToBytes());

    /// <summary>Publishes a probe without waiting; a failure is no news (the next probe goes out on schedule).</summary>
    public void PublishProbe(IConnectionMultiplexer connection, string token)
    {
        try
        {
            _ = connection.GetSubscriber().PublishAsync(_invalidations, InvalidationMessage.ForProbe(token).ToBytes()).ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not connected: the next probe tries again.
        }
    }

    /// <summary>
    /// Subscribes one channel unless it is. StackExchange.Redis keeps a handler whose SUBSCRIBE
    /// failed, so a failure removes it again (else every retry would add one more handler); and
    /// after a failure nothing is tried for <see cref="RetryDelay"/>, so that a channel an ACL
    /// forbids does not cost a refused round trip on every miss.
    /// </summary>
    private void TrySubscribe(int channel, Action subscribe, Action unsubscribe)
    {
        if ((Volatile.Read(ref _subscribed) & channel) != 0 || !Claim(channel))
        {
            return;
        }

        try
        {
            subscribe();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(channel, unsubscribe);
        }
    }

    private async ValueTask TrySubscribeAsync(int channel, Func<Task> subscribe, Action unsubscribe)
    {
        if ((Volatile.Read(ref _subscribed) & channel) != 0 || !Claim(channel))
        {
            return;
        }

        try
        {
            await subscribe().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(channel, unsubscribe);
        }
    }

    private void Failed(int channel, Action unsubscribe)
    {
        try
        {
            unsubscribe();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not connected: the handler goes with the next successful subscription's bookkeeping, or never runs.
        }

        Volatile.Write(ref _retryAt, Stopwatch.GetTimestamp() + (long)(RetryDelay.TotalSeconds * Stopwatch.Frequency));
        Release(channel);
    }

    private bool IsBackingOff() => Stopwatch.GetTimestamp() < Volatile.Read(ref _retryAt);

    /// <summary>Sets the channel's bit; true for the one caller that set it (and so subscribes).</summary>
    private bool Claim(int channel)
    {
        while (true)
        {
            var seen = Volatile.Read(ref _subscribed);
            if ((seen & channel) != 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _subscribed, seen | channel, seen) == seen)
            {
                return true;
            }
        }
    }

    private void Release(int channel)
    {
        while (true)
        {
            var seen = Volatile.Read(ref _subscribed);
            if (Interlocked.CompareExchange(ref _subscribed, seen & ~channel, seen) == seen)
            {
                return;
            }
        }
    }

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
