using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Configuration;
using AkCache.Internals.Distributed;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Runtime.Distributed;

/// <summary>
/// The two scripts of the miss path, against the collection's real server: the acquire script
/// (the stored value, or the lock) and the store script (value, release, announcement).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisAccessorLockingTests : IDisposable
{
    private static readonly TimeSpan LockTimeToLive = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ValueTimeToLive = TimeSpan.FromMinutes(5);
    private static readonly byte[] Envelope = { 1, 2, 3, 4, 5 };

    private readonly string _prefix = "lock" + Guid.NewGuid().ToString("N").Substring(0, 10);
    private readonly string _url;
    private readonly ConnectionMultiplexer _inspector;
    private readonly IDatabase _redis;
    private readonly RedisAccessor _accessor;
    private readonly string _valueKey;
    private readonly string _lockKey;

    public RedisAccessorLockingTests(RedisServerFixture fixture)
    {
        _url = fixture.Server.Url;
        _inspector = ConnectionMultiplexer.Connect(fixture.Server.Endpoint);
        _redis = _inspector.GetDatabase();
        _accessor = NewAccessor(_url, _prefix);
        _valueKey = _prefix + ":T.M(Int32):v1:{0123456789abcdef0123456789abcdef}";
        _lockKey = _valueKey + ":lock";
    }

    public void Dispose()
    {
        _accessor.Dispose();
        _inspector.Dispose();
    }

    private static RedisAccessor NewAccessor(string url, string prefix) =>
        new(RedisUrl.Parse(url), new AkCacheOptions { Prefix = prefix }, new ListLoggerFactory(), TimeProvider.System);

    private ConcurrentQueue<string> Announcements()
    {
        var heard = new ConcurrentQueue<string>();
        _inspector.GetSubscriber().Subscribe(RedisChannel.Literal(_prefix + ":akcache:stored"), (_, message) => heard.Enqueue(message.ToString()));
        return heard;
    }

    /// <summary>One attempt at the lock, its parts as out values, for assertions that read like the script's contract.</summary>
    private static LockStatus Acquire(RedisAccessor accessor, string valueKey, TimeSpan timeToLive, bool readValue, out RedisValue stored, out OwnedLock? owned)
    {
        var attempt = accessor.TryAcquireLock(valueKey, timeToLive, readValue);
        stored = attempt.Stored;
        owned = attempt.Owned;
        return attempt.Status;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            Thread.Sleep(10);
        }
    }

    [Fact]
    public void A_stored_value_is_returned_without_taking_the_lock()
    {
        _redis.StringSet(_valueKey, Envelope);

        var status = Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out var stored, out var owned);

        Assert.Equal(LockStatus.Stored, status);
        Assert.Equal(Envelope, (byte[]?)stored);
        Assert.Null(owned);
        Assert.False(_redis.KeyExists(_lockKey));
    }

    [Fact]
    public void A_missing_value_takes_the_lock_with_the_token_and_its_time_to_live()
    {
        var status = Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out var stored, out var owned);

        Assert.Equal(LockStatus.Acquired, status);
        Assert.True(stored.IsNull);
        Assert.NotNull(owned);
        Assert.Equal(owned!.Token, _redis.StringGet(_lockKey));
        var ttl = _redis.KeyTimeToLive(_lockKey);
        Assert.NotNull(ttl);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), LockTimeToLive);
        Assert.False(_redis.KeyExists(_valueKey));
    }

    [Fact]
    public void A_lock_held_by_another_token_is_reported_as_held_and_left_alone()
    {
        _redis.StringSet(_lockKey, "another owner", LockTimeToLive);

        var status = Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out var stored, out var owned);

        Assert.Equal(LockStatus.Held, status);
        Assert.True(stored.IsNull);
        Assert.Null(owned);
        Assert.Equal("another owner", _redis.StringGet(_lockKey));
    }

    [Fact]
    public void Without_reading_the_value_the_lock_is_taken_even_over_a_stored_value()
    {
        _redis.StringSet(_valueKey, Envelope);

        var status = Acquire(_accessor, _valueKey, LockTimeToLive, readValue: false, out var stored, out var owned);

        Assert.Equal(LockStatus.Acquired, status);
        Assert.True(stored.IsNull);
        Assert.Equal(owned!.Token, _redis.StringGet(_lockKey));
    }

    [Fact]
    public void Storing_sets_the_value_with_its_time_to_live_releases_the_lock_and_announces_the_key()
    {
        var heard = Announcements();
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));

        Assert.True(_accessor.StoreAndRelease(owned!, Envelope, ValueTimeToLive));

        Assert.Equal(Envelope, (byte[]?)_redis.StringGet(_valueKey));
        var ttl = _redis.KeyTimeToLive(_valueKey);
        Assert.NotNull(ttl);
        Assert.InRange(ttl!.Value, ValueTimeToLive - TimeSpan.FromSeconds(30), ValueTimeToLive);
        Assert.False(_redis.KeyExists(_lockKey));
        WaitFor(() => heard.Contains(_valueKey), "the store was not announced on the channel");
    }

    [Fact]
    public async Task An_awaited_value_is_announced_with_the_value_itself()
    {
        using var waiter = NewAccessor(_url, _prefix);
        var value = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        Assert.Contains((byte)'\n', value);
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));
        using var signal = waiter.Listen(_valueKey);
        Assert.Equal(LockStatus.Held, Acquire(waiter, _valueKey, LockTimeToLive, readValue: true, out _, out _));
        Assert.True(_redis.KeyExists(_valueKey + ":awaited"));

        var woken = signal.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(_accessor.StoreAndRelease(owned!, value, ValueTimeToLive));

        Assert.Equal(value, await woken);
        Assert.False(_redis.KeyExists(_valueKey + ":awaited"));
        Assert.Equal(value, (byte[]?)_redis.StringGet(_valueKey));
    }

    [Fact]
    public void A_value_nobody_awaits_is_announced_by_its_key_alone()
    {
        var heard = Announcements();
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));
        Assert.True(_accessor.StoreAndRelease(owned!, Envelope, ValueTimeToLive));

        WaitFor(() => heard.Contains(_valueKey), "the store was not announced on the channel");
        Assert.Equal(new[] { _valueKey }, heard.ToArray());
    }

    [Fact]
    public async Task An_awaited_value_over_the_limit_is_announced_by_its_key_and_still_wakes_the_waiter()
    {
        using var waiter = NewAccessor(_url, _prefix);
        var large = new byte[RedisAccessor.MaxAnnouncedValueBytes + 1];
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));
        using var signal = waiter.Listen(_valueKey);
        Assert.Equal(LockStatus.Held, Acquire(waiter, _valueKey, LockTimeToLive, readValue: true, out _, out _));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var woken = Task.Run(() => signal.Wait(TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.True(_accessor.StoreAndRelease(owned!, large, ValueTimeToLive));

        Assert.Null(await woken.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"woken after {clock.ElapsedMilliseconds} ms, not by the announcement");
        Assert.Equal(large.Length, ((byte[]?)_redis.StringGet(_valueKey))!.Length);
    }

    [Fact]
    public async Task A_release_without_a_value_is_announced_by_its_key_even_when_awaited()
    {
        using var waiter = NewAccessor(_url, _prefix);
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));
        using var signal = waiter.Listen(_valueKey);
        Assert.Equal(LockStatus.Held, Acquire(waiter, _valueKey, LockTimeToLive, readValue: true, out _, out _));

        var woken = Task.Run(() => signal.Wait(TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.True(_accessor.StoreAndRelease(owned!, null, default));

        Assert.Null(await woken.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(_redis.KeyExists(_valueKey + ":awaited"));
    }

    [Theory]
    [InlineData("p:T.M(Int32):v1:{00}", "")]
    [InlineData("p:T.M(Int32):v1:{00}", "01 0a 0a ff 00")]
    public void An_announcement_splits_at_the_first_newline_into_key_and_value(string key, string hex)
    {
        var value = hex.Length == 0 ? Array.Empty<byte>() : hex.Split(' ').Select(h => Convert.ToByte(h, 16)).ToArray();
        var message = System.Text.Encoding.UTF8.GetBytes(key).Concat(new[] { (byte)'\n' }).Concat(value).ToArray();

        Assert.Equal(key, RedisAccessor.AnnouncedKey(message, out var valueStart));
        Assert.Equal(value, RedisAccessor.AnnouncedValue(message, valueStart));
        var keyOnly = System.Text.Encoding.UTF8.GetBytes(key);
        Assert.Equal(key, RedisAccessor.AnnouncedKey(keyOnly, out var noValueStart));
        Assert.Equal(-1, noValueStart);
        Assert.Null(RedisAccessor.AnnouncedValue(keyOnly, noValueStart));
    }

    [Fact]
    public void A_store_by_a_token_that_lost_the_lock_stores_nothing_and_leaves_the_new_owners_lock()
    {
        var heard = Announcements();
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));

        // The lock expired while its owner computed, and another process took it: that one's value counts.
        _redis.StringSet(_lockKey, "new owner", LockTimeToLive);
        Assert.True(_accessor.StoreAndRelease(owned!, Envelope, ValueTimeToLive));

        Assert.Equal("new owner", _redis.StringGet(_lockKey));
        Assert.False(_redis.KeyExists(_valueKey));
        WaitFor(() => heard.Contains(_valueKey), "the release was not announced on the channel");
    }

    [Fact]
    public void A_store_after_the_value_was_invalidated_during_the_computation_stores_nothing()
    {
        var heard = Announcements();
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));

        // Invalidate deletes the value and the lock of the computation under way.
        _accessor.DeleteAndAnnounce(_valueKey);
        Assert.False(_redis.KeyExists(_lockKey));
        Assert.True(_accessor.StoreAndRelease(owned!, Envelope, ValueTimeToLive));

        Assert.False(_redis.KeyExists(_valueKey));
        Assert.False(_redis.KeyExists(_lockKey));
        WaitFor(() => heard.Contains(_valueKey), "the release was not announced on the channel");
    }

    [Fact]
    public async Task A_renewal_extends_the_lock_but_does_not_close_an_open_breaker()
    {
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, TimeSpan.FromSeconds(2), readValue: true, out _, out var owned));
        Assert.True(_accessor.Breaker.RecordFailure());

        Assert.Equal(LockRenewal.Renewed, await _accessor.ExtendLockAsync(owned!, LockTimeToLive));

        Assert.InRange(_redis.KeyTimeToLive(_lockKey)!.Value, TimeSpan.FromSeconds(3), LockTimeToLive);
        Assert.False(_accessor.Breaker.IsClosed);
    }

    [Fact]
    public async Task A_renewal_of_a_lock_that_is_gone_or_another_owners_reports_it_lost_and_changes_nothing()
    {
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));
        _redis.KeyDelete(_lockKey);
        Assert.Equal(LockRenewal.Lost, await _accessor.ExtendLockAsync(owned!, LockTimeToLive));
        Assert.False(_redis.KeyExists(_lockKey));

        _redis.StringSet(_lockKey, "new owner", TimeSpan.FromSeconds(2));
        Assert.Equal(LockRenewal.Lost, await _accessor.ExtendLockAsync(owned!, LockTimeToLive));
        Assert.InRange(_redis.KeyTimeToLive(_lockKey)!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void The_watchdog_stops_renewing_once_the_lock_is_lost()
    {
        var timeToLive = TimeSpan.FromMilliseconds(300);
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, timeToLive, readValue: true, out _, out var owned));
        using var watchdog = new LockWatchdog(owned!, timeToLive);
        _redis.KeyDelete(_lockKey);
        WaitFor(() => watchdog.LockLost, "the watchdog did not notice that the lock was lost");

        // The same token again, briefly: a watchdog still renewing would keep it alive for ever.
        _redis.StringSet(_lockKey, owned!.Token, TimeSpan.FromMilliseconds(400));
        WaitFor(() => !_redis.KeyExists(_lockKey), "the watchdog renewed a lock it had lost");
    }

    [Fact]
    public void Releasing_what_cannot_be_cached_frees_the_lock_and_announces_but_stores_nothing()
    {
        var heard = Announcements();
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));

        Assert.True(_accessor.StoreAndRelease(owned!, null, default));

        Assert.False(_redis.KeyExists(_valueKey));
        Assert.False(_redis.KeyExists(_lockKey));
        WaitFor(() => heard.Contains(_valueKey), "the release was not announced on the channel");
    }

    [Fact]
    public void A_write_that_fails_still_frees_the_lock_and_wakes_the_waiters()
    {
        var heard = Announcements();
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));

        // A time to live of zero makes Redis refuse the SET ("invalid expire time"), as an
        // out-of-memory server would refuse it: the error is reported, the lock still goes.
        Assert.False(_accessor.StoreAndRelease(owned!, Envelope, TimeSpan.Zero));

        Assert.False(_redis.KeyExists(_valueKey));
        Assert.False(_redis.KeyExists(_lockKey));
        WaitFor(() => heard.Contains(_valueKey), "the failed store was not announced on the channel");
    }

    [Fact]
    public async Task Another_process_listening_for_the_value_is_woken_by_the_store()
    {
        using var waiter = NewAccessor(_url, _prefix);
        Assert.Equal(LockStatus.Acquired, Acquire(_accessor, _valueKey, LockTimeToLive, readValue: true, out _, out var owned));
        Assert.Equal(LockStatus.Held, Acquire(waiter, _valueKey, LockTimeToLive, readValue: true, out _, out _));

        using var signal = waiter.Listen(_valueKey);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var woken = signal.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(_accessor.StoreAndRelease(owned!, Envelope, ValueTimeToLive));

        await woken;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the waiter was woken after {clock.ElapsedMilliseconds} ms, not by the announcement");
        Assert.Equal(LockStatus.Stored, Acquire(waiter, _valueKey, LockTimeToLive, readValue: true, out var stored, out _));
        Assert.Equal(Envelope, (byte[]?)stored);
    }

    [Fact]
    public async Task The_asynchronous_scripts_take_the_lock_report_it_held_store_and_return_the_value()
    {
        var (status, _, owned) = await _accessor.TryAcquireLockAsync(_valueKey, LockTimeToLive, readValue: true);
        Assert.Equal(LockStatus.Acquired, status);

        var (again, againStored, againOwned) = await _accessor.TryAcquireLockAsync(_valueKey, LockTimeToLive, readValue: true);
        Assert.Equal(LockStatus.Held, again);
        Assert.True(againStored.IsNull);
        Assert.Null(againOwned);

        Assert.True(await _accessor.StoreAndReleaseAsync(owned!, Envelope, ValueTimeToLive));
        Assert.False(_redis.KeyExists(_lockKey));

        var (last, stored, lastOwned) = await _accessor.TryAcquireLockAsync(_valueKey, LockTimeToLive, readValue: true);
        Assert.Equal(LockStatus.Stored, last);
        Assert.Equal(Envelope, (byte[]?)stored);
        Assert.Null(lastOwned);
        Assert.False(_redis.KeyExists(_lockKey));
    }
}
