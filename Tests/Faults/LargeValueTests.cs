using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Distributed;
using AkCache.Internals.Serialization;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Faults;

/// <summary>
/// Large results against a real Redis: above CompressionThresholdBytes they are stored LZ4-compressed
/// when that saves room (a flag in the header says so); above MaxValueBytes they are returned but never
/// stored, with one warning; 60 MiB values are shared between configurations (a second process's
/// view: an empty local layer), and a 600 MiB one is refused by the default maximum. A "second
/// process" here is a new configuration on the same prefix, whose local layer is empty.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LargeValueTests : MemoizeTestBase
{
    private const string SigningKey = "a-signing-key-of-thirty-two-chars!!";
    private readonly Func<int, int, string> _prices = WovenAssembly.Method<Func<int, int, string>>("LargeValues.PriceTable");
    private readonly Func<int, int, byte[]> _noise = WovenAssembly.Method<Func<int, int, byte[]>>("LargeValues.Noise");
    private readonly Func<int, int, byte[]> _block = WovenAssembly.Method<Func<int, int, byte[]>>("LocalShapes.Block");

    public LargeValueTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public void A_compressible_result_above_the_threshold_is_stored_compressed_and_read_back_equal_by_another_process()
    {
        var expected = _prices(7, 40_000);
        var stored = (byte[])Redis.StringGet(Assert.Single(StoredKeys("*LargeValues.PriceTable(*")))!;

        Assert.True(IsCompressed(stored));
        Assert.InRange(stored.Length, 1, expected.Length / 2);

        AnotherProcess();
        Assert.Equal(expected, _prices(7, 40_000));
        Assert.Equal(1, WovenAssembly.Calls("PriceTable"));
        Assert.Empty(Log.Warnings);
    }

    [Fact]
    public void An_incompressible_result_and_one_below_the_threshold_are_stored_as_they_are()
    {
        Assert.Equal(1024 * 1024, _noise(1, 1).Length);
        var noise = (byte[])Redis.StringGet(Assert.Single(StoredKeys("*LargeValues.Noise(*")))!;
        Assert.False(IsCompressed(noise));

        var small = _prices(7, 100);
        var smallStored = (byte[])Redis.StringGet(Assert.Single(StoredKeys("*LargeValues.PriceTable(*")))!;
        Assert.InRange(small.Length, 1, AkCacheOptions.DefaultCompressionThresholdBytes - 1);
        Assert.False(IsCompressed(smallStored));
    }

    [Fact]
    public void A_threshold_of_zero_turns_compression_off()
    {
        Configure(o => o.CompressionThresholdBytes = 0);
        var expected = _prices(7, 40_000);
        var stored = (byte[])Redis.StringGet(Assert.Single(StoredKeys("*LargeValues.PriceTable(*")))!;
        Assert.False(IsCompressed(stored));
        Assert.True(stored.Length > expected.Length);
    }

    [Fact]
    public void A_signed_compressed_value_is_verified_and_read_back()
    {
        Configure(o => o.SigningKey = SigningKey);
        var expected = _prices(9, 40_000);
        var stored = (byte[])Redis.StringGet(Assert.Single(StoredKeys("*LargeValues.PriceTable(*")))!;
        Assert.True(IsCompressed(stored));
        Assert.Equal((int)ValueSerializer.Signed, stored[2] & ValueSerializer.Signed);

        AnotherProcess(o => o.SigningKey = SigningKey);
        Assert.Equal(expected, _prices(9, 40_000));
        Assert.Equal(1, WovenAssembly.Calls("PriceTable"));
    }

    [Fact]
    public void A_compressed_value_whose_block_was_damaged_is_a_miss_with_one_warning_and_is_overwritten()
    {
        var expected = _prices(7, 40_000);
        var key = Assert.Single(StoredKeys("*LargeValues.PriceTable(*"));
        var stored = (byte[])Redis.StringGet(key)!;

        // The stated original length, one byte longer than the block decodes to.
        var damaged = stored.ToArray();
        damaged[ValueSerializer.HeaderLength]++;
        Redis.StringSet(key, damaged, TimeSpan.FromMinutes(5));

        AnotherProcess();
        Assert.Equal(expected, _prices(7, 40_000));
        Assert.Equal(2, WovenAssembly.Calls("PriceTable"));
        var warning = Assert.Single(Log.Warnings);
        Assert.Contains("compressed payload is malformed", warning);
        Assert.True(IsCompressed((byte[])Redis.StringGet(key)!));
        Assert.NotEqual(damaged, (byte[])Redis.StringGet(key)!);
    }

    [Fact]
    public void A_compressed_value_claiming_more_than_LZ4_can_expand_is_refused_before_any_allocation()
    {
        var expected = _prices(7, 40_000);
        var key = Assert.Single(StoredKeys("*LargeValues.PriceTable(*"));
        var damaged = ((byte[])Redis.StringGet(key)!).ToArray();
        BitConverter.GetBytes(int.MaxValue).CopyTo(damaged, ValueSerializer.HeaderLength);
        Redis.StringSet(key, damaged, TimeSpan.FromMinutes(5));

        AnotherProcess();
        Assert.Equal(expected, _prices(7, 40_000));
        Assert.Equal(2, WovenAssembly.Calls("PriceTable"));
        Assert.Contains("which LZ4 cannot produce", Assert.Single(Log.Warnings));
    }

    /// <summary>60 MiB of bytes that compress (mostly zeros) and 60 MiB that do not: both shared.</summary>
    [Fact]
    public void Results_of_60_MiB_are_stored_once_and_shared()
    {
        var zeros = _block(3, 60);
        var noise = _noise(4, 60);
        var zerosStored = (byte[])Redis.StringGet(Assert.Single(StoredKeys("*LocalShapes.Block(*")))!;
        var noiseStored = (byte[])Redis.StringGet(Assert.Single(StoredKeys("*LargeValues.Noise(*")))!;
        Assert.True(IsCompressed(zerosStored));
        Assert.InRange(zerosStored.Length, 1, 1024 * 1024);
        Assert.False(IsCompressed(noiseStored));
        Assert.InRange(noiseStored.Length, 60 * 1024 * 1024, (60 * 1024 * 1024) + 1024);

        AnotherProcess();
        Assert.True(zeros.AsSpan().SequenceEqual(_block(3, 60)));
        Assert.True(noise.AsSpan().SequenceEqual(_noise(4, 60)));
        Assert.Equal(1, WovenAssembly.Calls("Block"));
        Assert.Equal(1, WovenAssembly.Calls("Noise"));
        Assert.Empty(Log.Warnings);
    }

    /// <summary>600 MiB is above the default MaxValueBytes (128 MiB) and Redis's own 512 MiB.</summary>
    [Fact]
    public void A_result_of_600_MiB_is_returned_but_never_stored_and_warned_of_once()
    {
        var first = _noise(5, 600);
        var second = _noise(5, 600);

        Assert.Equal(600 * 1024 * 1024, first.Length);
        Assert.True(first.AsSpan().SequenceEqual(second));
        Assert.Equal(2, WovenAssembly.Calls("Noise"));
        Assert.Empty(StoredKeys("*LargeValues.Noise(*"));
        var warning = Assert.Single(Log.Warnings);
        Assert.Contains("600.0 MiB stored, more than MaxValueBytes (128.0 MiB)", warning);
        Assert.Contains("AKCACHE_MAX_VALUE_MB", warning);
    }

    [Fact]
    public void A_lower_maximum_applies_to_the_stored_size_after_compression()
    {
        Configure(o => o.MaxValueBytes = 1024 * 1024);

        // 60 MiB of zeros compress far below 1 MiB: stored. 2 MiB of noise does not: never stored.
        _block(3, 60);
        Assert.Single(StoredKeys("*LocalShapes.Block(*"));
        _noise(6, 2);
        _noise(6, 2);
        Assert.Empty(StoredKeys("*LargeValues.Noise(*"));
        Assert.Equal(2, WovenAssembly.Calls("Noise"));
        Assert.Contains("more than MaxValueBytes (1.0 MiB)", Assert.Single(Log.Warnings));
    }

    /// <summary>
    /// Values over a mebibyte (RedisAccessor.LargeValueBytes) are stored and read on a connection of
    /// their own, so that their transfer does not hold up small calls on the shared one; smaller
    /// values never use it. CLIENT LIST names the connection ("akcache-bulk") and its last command.
    /// </summary>
    [Fact]
    public async Task Values_over_a_mebibyte_move_on_a_connection_of_their_own_and_smaller_ones_never_do()
    {
        Assert.Equal(100, _prices(7, 100).Split('\n').Length - 1);
        Assert.Null(AkCacheRuntime.State.Redis!.BulkConnection);
        Wait.Until(() => BulkClient() is null, "no connection of large values (an earlier test's is closed)", TimeSpan.FromSeconds(10));

        var expected = _noise(8, 2);
        Assert.NotNull(AkCacheRuntime.State.Redis!.BulkConnection);
        Assert.Matches("^(evalsha|eval)$", BulkClient()!["cmd"]);

        // Read back by another process, synchronously: its first read is a GETRANGE of the first
        // mebibyte and one byte on the shared connection (it cannot know the value is large), which
        // teaches it; the whole value then comes on the bulk connection, and so do the next reads.
        AnotherProcess();
        var noiseKey = Assert.Single(StoredKeys("*LargeValues.Noise(*"));
        using (var log = new AkCache.Tests.SingleFlight.CommandLog(Server.Port))
        {
            Assert.True(expected.SequenceEqual(_noise(8, 2)));
            Assert.Equal("getrange", BulkClient()!["cmd"]);
            Assert.True(AkCacheRuntime.State.Redis!.IsKnownLarge(noiseKey));
            Assert.True(expected.SequenceEqual(_noise(8, 2)));
            var reads = log.AllSoFar().Where(c => !c.FromScript && c.Arguments.Count > 0 && c.Arguments[0] == noiseKey).ToList();
            Assert.Equal($"GETRANGE 0 {1024 * 1024}", string.Join(" ", reads[0].Arguments.Skip(1).Prepend(reads[0].Name)));

            // On the bulk connection, twice: STRLEN, then GETRANGEs of LargeValueBytesInFlight (16 KiB by default), covering the value.
            AssertChunkedReads(reads.Skip(1).ToList(), Redis.StringLength(noiseKey), reads: 2, chunkBytes: AkCacheOptions.DefaultLargeValueBytesInFlight);
        }

        Assert.Equal(1, WovenAssembly.Calls("Noise"));

        // The same asynchronously.
        var noiseAsync = WovenAssembly.Method<Func<int, int, Task<byte[]>>>("LargeValues.NoiseAsync");
        var expectedAsync = await noiseAsync(9, 2);
        AnotherProcess();
        Assert.Null(AkCacheRuntime.State.Redis!.BulkConnection);
        Assert.True(Enumerable.SequenceEqual(expectedAsync, await noiseAsync(9, 2)));
        Assert.NotNull(AkCacheRuntime.State.Redis!.BulkConnection);
        Assert.Equal("getrange", BulkClient()!["cmd"]);
        Assert.True(Enumerable.SequenceEqual(expectedAsync, await noiseAsync(9, 2)));
        Assert.Equal(1, WovenAssembly.Calls("NoiseAsync"));

        // A small value stored at a key known to be large: its reads go back to the shared connection.
        Assert.True(AkCacheRuntime.State.Redis!.TrySet(noiseKey, new byte[] { 1, 2, 3 }, TimeSpan.FromMinutes(1)));
        Assert.False(AkCacheRuntime.State.Redis!.IsKnownLarge(noiseKey));
        Redis.KeyDelete(noiseKey);
        Assert.True(expected.SequenceEqual(_noise(8, 2)));
        Assert.Equal(2, WovenAssembly.Calls("Noise"));

        // The lock script, finding a large value stored, answers with its length too; it is read on the bulk connection.
        var key = Assert.Single(StoredKeys("*LargeValues.Noise(*"));
        var redis = AkCacheRuntime.State.Redis!;
        var attempt = redis.TryAcquireLock(key, TimeSpan.FromSeconds(5), readValue: true);
        Assert.Equal(AkCache.Internals.Distributed.LockStatus.Stored, attempt.Status);
        Assert.Equal(((byte[])Redis.StringGet(key)!).Length, ((byte[])attempt.Stored!).Length);
        var asyncAttempt = await redis.TryAcquireLockAsync(key, TimeSpan.FromSeconds(5), readValue: true);
        Assert.Equal(AkCache.Internals.Distributed.LockStatus.Stored, asyncAttempt.Status);
        Assert.False(Redis.KeyExists(key + ":lock"));
        Assert.Empty(Log.Warnings);
    }

    /// <summary>
    /// A large value replaced by another write between two chunks of a read: the chunks of the two
    /// writes fail the checksum, and the value is read again, whole; the caller gets the new value,
    /// never a mix of the two. (Without the checksum this read returns the first chunk of one write
    /// and the rest of the other.)
    /// </summary>
    [Fact]
    public void A_large_value_replaced_between_two_chunks_of_a_read_is_read_again_whole_and_never_mixed()
    {
        var first = _noise(13, 2);
        var key = Assert.Single(StoredKeys("*LargeValues.Noise(*"));
        var stored = (byte[])Redis.StringGet(key)!;
        var replacement = new byte[first.Length];
        new Random(99).NextBytes(replacement);
        var boundTo = new AkCache.CompilerServices.MemoKey(BitConverter.ToUInt64(stored, 11), BitConverter.ToUInt64(stored, 19));
        var other = ValueSerializer.Serialize(replacement, BitConverter.ToInt64(stored, 3), boundTo);
        Assert.Equal(stored.Length, other.Length);

        AnotherProcess();
        var redis = AkCacheRuntime.State.Redis!;
        var replaced = 0;
        redis.AfterFirstChunk = k =>
        {
            if (k == key && Interlocked.Increment(ref replaced) == 1)
            {
                Redis.StringSet(k, other, TimeSpan.FromMinutes(5));
            }
        };

        // The first read (GETRANGE on the shared connection) teaches that the value is large; then the bulk read.
        var read = _noise(13, 2);
        Assert.True(read.AsSpan().SequenceEqual(replacement), "the caller got a value that is neither write whole");
        Assert.Equal(2, replaced);
        Assert.Equal(1, WovenAssembly.Calls("Noise"));
        Assert.Empty(Log.Warnings);
    }

    /// <summary>A large value damaged in Redis (a byte in its middle): it fails its checksum twice, is a miss with one warning, and is overwritten.</summary>
    [Fact]
    public async Task A_damaged_large_value_is_a_miss_with_one_warning_and_is_overwritten()
    {
        var expected = _noise(14, 2);
        var key = Assert.Single(StoredKeys("*LargeValues.Noise(*"));
        var stored = (byte[])Redis.StringGet(key)!;
        Redis.StringSetRange(key, 1024 * 1024 + 7, new byte[] { (byte)(stored[(1024 * 1024) + 7] ^ 0xff) });

        AnotherProcess();
        Assert.True(expected.AsSpan().SequenceEqual(_noise(14, 2)));
        Assert.Equal(2, WovenAssembly.Calls("Noise"));
        Assert.Contains("failed its checksum twice", Assert.Single(Log.Warnings));
        Assert.True(ValueSerializer.IsWhole((byte[])Redis.StringGet(key)!));
        Assert.True(expected.AsSpan().SequenceEqual(_noise(14, 2)));
        Assert.Equal(2, WovenAssembly.Calls("Noise"));

        // The same asynchronously.
        var noiseAsync = WovenAssembly.Method<Func<int, int, Task<byte[]>>>("LargeValues.NoiseAsync");
        var expectedAsync = await noiseAsync(15, 2);
        var asyncKey = Assert.Single(StoredKeys("*LargeValues.NoiseAsync(*"));
        Redis.StringSetRange(asyncKey, 1024 * 1024, new byte[] { 0, 1, 2, 3 });
        AnotherProcess();
        Assert.True(Enumerable.SequenceEqual(expectedAsync, await noiseAsync(15, 2)));
        Assert.Equal(2, WovenAssembly.Calls("NoiseAsync"));
        Assert.Equal(2, Log.Warnings.Count(w => w.Contains("failed its checksum twice", StringComparison.Ordinal)));
        Assert.True(ValueSerializer.IsWhole((byte[])Redis.StringGet(asyncKey)!));
    }

    /// <summary>
    /// The connection of large values cannot be made (a proxy holds new connections, after the shared
    /// connection is up): the large call returns its result, which is not stored, and its lock is
    /// released; one warning says so; the breaker stays closed and small values are still stored and read.
    /// </summary>
    [Fact]
    public void A_connection_of_large_values_that_cannot_be_made_costs_the_large_call_alone()
    {
        using var proxy = new FreezableProxy(Server.Port);
        Configure(o =>
        {
            o.RedisUrl = proxy.Url;
            o.ConnectTimeout = TimeSpan.FromSeconds(1);
        });
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        // The shared connection up first (on a loaded machine its first connect may take longer than the timeout: then a later call shares).
        Wait.Until(() => add(1, 2) == 3 && StoredKeys("*Basic.Add(*").Length == 1, "the shared connection is up and stores", TimeSpan.FromSeconds(20));
        var warningsBefore = Log.Warnings.Count;
        proxy.HoldNewConnectionsFor(TimeSpan.FromSeconds(8));

        Assert.Equal(2 * 1024 * 1024, _noise(12, 2).Length);

        Assert.Equal(1, WovenAssembly.Calls("Noise"));
        Assert.Empty(StoredKeys("*LargeValues.Noise(*"));
        var warning = Assert.Single(Log.Warnings.Skip(warningsBefore));
        Assert.Contains("could not be moved on the connection of large values", warning, StringComparison.Ordinal);
        Assert.Contains("connect timeout", warning, StringComparison.Ordinal);
        var redis = AkCacheRuntime.State.Redis!;
        Assert.True(redis.Breaker.IsClosed);
        Assert.False(redis.WritesPaused);

        // Small values go on as usual: stored, and read back by another process.
        Assert.Equal(7, add(3, 4));
        Assert.Equal(2, StoredKeys("*Basic.Add(*").Length);
        var computed = WovenAssembly.Calls("Add");
        Configure(o => o.RedisUrl = Server.Url);
        Assert.Equal(7, add(3, 4));
        Assert.Equal(computed, WovenAssembly.Calls("Add"));
    }

    /// <summary>
    /// A large value's store under its lock: its bytes written to a staging key in chunks (the key made
    /// at its full length with the value's time to live by a script, then SETRANGEs), then the store script with only the keys, the token and the length (a value passed to a script is copied into Lua and out,
    /// which for 60 MiB held every client for over 100 ms: docs/benchmarks.md, item 13); no staging key
    /// is left. A lock lost meanwhile (an invalidation deletes it) stores nothing and drops the staged
    /// bytes; sync and async alike.
    /// </summary>
    [Fact]
    public async Task A_large_value_is_staged_in_chunks_and_moved_into_place_only_whole_and_while_its_lock_is_owned()
    {
        var redis = AkCacheRuntime.State.Redis!;
        var envelope = new byte[(2 * 1024 * 1024) + 5];
        new Random(5).NextBytes(envelope);
        var key = Prefix + ":staging-test:{0123456789abcdef0123456789abcdef}";
        using (var log = new AkCache.Tests.SingleFlight.CommandLog(Server.Port))
        {
            var owned = redis.TryAcquireLock(key, TimeSpan.FromSeconds(10), readValue: true).Owned!;
            Assert.True(redis.StoreAndRelease(owned, envelope, TimeSpan.FromMinutes(1)));
            Assert.True(envelope.AsSpan().SequenceEqual((byte[])Redis.StringGet(key)!));
            Assert.False(Redis.KeyExists(key + ":lock"));
            Assert.Empty(StoredKeys("*:staged:*"));
            var commands = log.AllSoFar().Where(c => !c.FromScript).ToList();
            var staging = commands.Where(c => c.Arguments.Count > 0 && c.Arguments[0] == owned.StagingKey).ToList();
            var chunks = (envelope.Length + redis.ChunkBytes - 1) / redis.ChunkBytes;
            Assert.Equal(chunks, staging.Count);
            Assert.All(staging, c => Assert.Equal("SETRANGE", c.Name));
            Assert.Equal(Enumerable.Range(0, chunks).Select(i => (i * redis.ChunkBytes).ToString(System.Globalization.CultureInfo.InvariantCulture)), staging.Select(c => c.Arguments[1]));
            // First the staging key made at its full length with the value's time to live (one allocation in Redis), then the chunks, then the move.
            var scripts = commands.Where(c => c.Name is "EVALSHA" or "EVAL" && c.Arguments.Contains(owned.StagingKey)).ToList();
            Assert.Equal(2, scripts.Count);
            Assert.True(commands.IndexOf(scripts[0]) < commands.IndexOf(staging[0]) && commands.IndexOf(staging[^1]) < commands.IndexOf(scripts[1]), "the staging key is made before the chunks, and moved after them");
            Assert.All(scripts.SelectMany(c => c.Arguments.Skip(1)), a => Assert.InRange(a.Length, 0, 1024));
            var made = log.AllSoFar().Where(c => c.FromScript && c.Arguments.Count > 0 && c.Arguments[0] == owned.StagingKey).ToList();
            Assert.Equal(new[] { "STRLEN", "SETRANGE", "PEXPIRE" }, made.Take(3).Select(c => c.Name));
            Assert.Equal((envelope.Length - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), made[1].Arguments[1]);
            Assert.Contains(log.AllSoFar(), c => c.FromScript && c.Name == "RENAME");
        }

        // The lock lost before the store (an invalidation deleted it): nothing stored, nothing staged left.
        Redis.KeyDelete(key);
        var lost = redis.TryAcquireLock(key, TimeSpan.FromSeconds(10), readValue: true).Owned!;
        Redis.KeyDelete(key + ":lock");
        redis.StoreAndRelease(lost, envelope, TimeSpan.FromMinutes(1));
        Assert.False(Redis.KeyExists(key));
        Assert.Empty(StoredKeys("*:staged:*"));

        var lostAsync = (await redis.TryAcquireLockAsync(key, TimeSpan.FromSeconds(10), readValue: true)).Owned!;
        Redis.KeyDelete(key + ":lock");
        await redis.StoreAndReleaseAsync(lostAsync, envelope, TimeSpan.FromMinutes(1));
        Assert.False(Redis.KeyExists(key));
        Assert.Empty(StoredKeys("*:staged:*"));

        // Staged bytes of another length than the value's (a chunk refused, OOM say): deleted, not moved into place; the lock released.
        var partial = redis.TryAcquireLock(key, TimeSpan.FromSeconds(10), readValue: true).Owned!;
        Redis.StringSet(partial.StagingKey, envelope.AsSpan(0, envelope.Length - redis.ChunkBytes).ToArray(), TimeSpan.FromMinutes(1));
        var moved = Redis.ScriptEvaluate(LuaScripts.StoreStagedAndRelease, partial.StagedKeys, partial.StagedArguments("unused-channel", envelope.Length));
        Assert.Equal(-1, (int)moved);
        Assert.False(Redis.KeyExists(key));
        Assert.False(Redis.KeyExists(key + ":lock"));
        Assert.Empty(StoredKeys("*:staged:*"));

        // A store without a lock: staged in chunks and moved into place whole, with the value's time to live.
        Assert.True(redis.TrySet(key, envelope, TimeSpan.FromMinutes(1)));
        Assert.True(envelope.AsSpan().SequenceEqual((byte[])Redis.StringGet(key)!));
        Assert.InRange(Redis.KeyTimeToLive(key)!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
        Assert.Empty(StoredKeys("*:staged:*"));
        Assert.True(await redis.TrySetAsync(key, envelope, TimeSpan.FromMinutes(1)));
        Assert.Empty(StoredKeys("*:staged:*"));
        Redis.KeyDelete(key);

        // Staged bytes of another length: deleted, never moved into place.
        var byHand = key + ":staged:by-hand";
        Redis.StringSet(byHand, envelope.AsSpan(redis.ChunkBytes).ToArray(), TimeSpan.FromMinutes(1));
        Assert.Equal(-1, (int)Redis.ScriptEvaluate(LuaScripts.MoveStaged, new StackExchange.Redis.RedisKey[] { byHand, key }, new StackExchange.Redis.RedisValue[] { envelope.Length }));
        Assert.False(Redis.KeyExists(key));
        Assert.False(Redis.KeyExists(byHand));

        // Staged bytes of the right length without a time to live (their key deleted, and made again by
        // the SETRANGE of a later chunk: zeros before it): deleted, never moved into place, by both scripts.
        Redis.StringSetRange(byHand, envelope.Length - 5, envelope.AsSpan(envelope.Length - 5).ToArray());
        Assert.Equal(envelope.Length, Redis.StringLength(byHand));
        Assert.Equal(-1, (int)Redis.ScriptEvaluate(LuaScripts.MoveStaged, new StackExchange.Redis.RedisKey[] { byHand, key }, new StackExchange.Redis.RedisValue[] { envelope.Length }));
        Assert.False(Redis.KeyExists(key));
        Assert.False(Redis.KeyExists(byHand));
        var remade = redis.TryAcquireLock(key, TimeSpan.FromSeconds(10), readValue: true).Owned!;
        Redis.StringSetRange(remade.StagingKey, envelope.Length - 5, envelope.AsSpan(envelope.Length - 5).ToArray());
        Assert.Equal(-1, (int)Redis.ScriptEvaluate(LuaScripts.StoreStagedAndRelease, remade.StagedKeys, remade.StagedArguments("unused-channel", envelope.Length)));
        Assert.False(Redis.KeyExists(key));
        Assert.False(Redis.KeyExists(key + ":lock"));
        Assert.Empty(StoredKeys("*:staged:*"));

        var ownedAsync = (await redis.TryAcquireLockAsync(key, TimeSpan.FromSeconds(10), readValue: true)).Owned!;
        Assert.True(await redis.StoreAndReleaseAsync(ownedAsync, envelope, TimeSpan.FromMinutes(1)));
        Assert.True(envelope.AsSpan().SequenceEqual((byte[])Redis.StringGet(key)!));
        Assert.Empty(StoredKeys("*:staged:*"));
        Assert.Empty(Log.Warnings);
    }

    /// <summary>
    /// A staging key deleted after the first chunk was written (a ClearMethod, or eviction): the
    /// SETRANGEs after it make it again, at the value's full length but with zeros before their chunk
    /// and without a time to live. It is never moved into place, nothing staged is left, the lock is
    /// released and one warning says why; with a lock and without, sync and async. The writing stops
    /// at the chunk that answers a short length. (Checked by length alone, the value with its first
    /// chunk zeroed would be stored.)
    /// </summary>
    [Fact]
    public async Task A_staging_key_deleted_during_its_chunks_is_never_moved_into_place()
    {
        var redis = AkCacheRuntime.State.Redis!;
        var envelope = new byte[(2 * 1024 * 1024) + 5];
        new Random(6).NextBytes(envelope);
        var key = Prefix + ":staging-deleted:{0123456789abcdef0123456789abcdef}";
        var deleted = 0;
        redis.AfterFirstChunk = k =>
        {
            if (k.StartsWith(key + ":staged:", StringComparison.Ordinal))
            {
                Assert.True(Redis.KeyDelete(k));
                Interlocked.Increment(ref deleted);
            }
        };
        try
        {
            using (var log = new AkCache.Tests.SingleFlight.CommandLog(Server.Port))
            {
                var owned = redis.TryAcquireLock(key, TimeSpan.FromSeconds(10), readValue: true).Owned!;
                Assert.False(redis.StoreAndRelease(owned, envelope, TimeSpan.FromMinutes(1)));
                // The chunk after the deletion answered a short length: the writing stopped there, it did not fill a key nobody will move.
                var chunks = log.AllSoFar().Where(c => !c.FromScript && c.Name == "SETRANGE" && c.Arguments[0] == owned.StagingKey).ToList();
                Assert.Equal(new[] { "0", redis.ChunkBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) }, chunks.Select(c => c.Arguments[1]));
            }

            var ownedAsync = (await redis.TryAcquireLockAsync(key, TimeSpan.FromSeconds(10), readValue: true)).Owned!;
            Assert.False(await redis.StoreAndReleaseAsync(ownedAsync, envelope, TimeSpan.FromMinutes(1)));
            Assert.False(redis.TrySet(key, envelope, TimeSpan.FromMinutes(1)));
            Assert.False(await redis.TrySetAsync(key, envelope, TimeSpan.FromMinutes(1)));
            Assert.Equal(4, deleted);
            Assert.False(Redis.KeyExists(key), "staged bytes with their first chunk zeroed were moved into place");
            Assert.False(Redis.KeyExists(key + ":lock"));
            Assert.Empty(StoredKeys("*:staged:*"));
            // Warned once: the bulk connection's warnings are limited to one a minute.
            Assert.Contains("before the value was moved into place", Assert.Single(Log.Warnings), StringComparison.Ordinal);
            Assert.True(redis.Breaker.IsClosed);
        }
        finally
        {
            redis.AfterFirstChunk = null;
        }

        // Nothing deleted: stored whole.
        Assert.True(redis.TrySet(key, envelope, TimeSpan.FromMinutes(1)));
        Assert.True(envelope.AsSpan().SequenceEqual((byte[])Redis.StringGet(key)!));
    }

    /// <summary>
    /// A LargeValueBytesInFlight above 64 KiB (for a server across a network): chunks of 64 KiB, below
    /// the large object heap, as many at a time as fit; the value read whole, once, by another process.
    /// </summary>
    [Fact]
    public void A_larger_window_of_bytes_in_flight_reads_chunks_of_64_KiB_several_at_a_time()
    {
        var expected = _noise(16, 2);
        var key = Assert.Single(StoredKeys("*LargeValues.Noise(*"));
        AnotherProcess(o => o.LargeValueBytesInFlight = 256 * 1024);
        var redis = AkCacheRuntime.State.Redis!;
        Assert.Equal(64 * 1024, redis.ChunkBytes);
        Assert.Equal(4, redis.ChunksInFlight);

        using (var log = new AkCache.Tests.SingleFlight.CommandLog(Server.Port))
        {
            Assert.True(expected.AsSpan().SequenceEqual(_noise(16, 2)));
            var reads = log.AllSoFar().Where(c => !c.FromScript && c.Arguments.Count > 0 && c.Arguments[0] == key).ToList();
            Assert.Equal("GETRANGE", reads[0].Name);
            AssertChunkedReads(reads.Skip(1).ToList(), Redis.StringLength(key), reads: 1, chunkBytes: 64 * 1024);
        }

        Assert.Equal(1, WovenAssembly.Calls("Noise"));
        Assert.Empty(Log.Warnings);
    }

    /// <summary>The bulk connection's commands for <paramref name="reads"/> reads of a value of <paramref name="length"/> bytes: each a STRLEN, then GETRANGEs of <paramref name="chunkBytes"/> in order, the last one shorter, covering it.</summary>
    private static void AssertChunkedReads(System.Collections.Generic.List<AkCache.Tests.SingleFlight.CommandLog.Command> bulk, long length, int reads, int chunkBytes)
    {
        var chunks = (int)((length + chunkBytes - 1) / chunkBytes);
        Assert.Equal(reads * (chunks + 1), bulk.Count);
        for (var read = 0; read < reads; read++)
        {
            var commands = bulk.Skip(read * (chunks + 1)).Take(chunks + 1).ToList();
            Assert.Equal("STRLEN", commands[0].Name);
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                var c = commands[chunk + 1];
                Assert.Equal("GETRANGE", c.Name);
                var start = (long)chunk * chunkBytes;
                Assert.Equal(start, long.Parse(c.Arguments[1], CultureInfo.InvariantCulture));
                Assert.Equal(Math.Min(start + chunkBytes, length) - 1, long.Parse(c.Arguments[2], CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>
    /// The connection of large values cut by the server in the middle of a chunked read (CLIENT KILL
    /// after the first chunk): the caller gets the right value and no exception; the client library
    /// connects again, and either sends the chunks still to read (the value comes back whole, its
    /// checksum checked, not computed again, no warning) or fails the chunk it had sent on the dead
    /// socket (the call computes its result once more, with one warning naming the connection of large
    /// values), as the cut's timing falls. Either way the breaker stays closed and small values are
    /// read from Redis; sync, then async, each in a configuration of its own (the warning is once a minute).
    /// </summary>
    [Fact]
    public async Task A_connection_of_large_values_cut_in_the_middle_of_a_read_costs_at_most_that_call_a_computation()
    {
        var expected = _noise(17, 2);
        var noiseAsync = WovenAssembly.Method<Func<int, int, Task<byte[]>>>("LargeValues.NoiseAsync");
        var expectedAsync = await noiseAsync(18, 2);
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        Assert.Equal(3, add(1, 2));
        var cuts = 0;
        var warnings = 0;
        void CutAfterTheFirstChunk()
        {
            warnings = Log.Warnings.Count;
            AnotherProcess();
            AkCacheRuntime.State.Redis!.AfterFirstChunk = _ =>
            {
                Interlocked.Increment(ref cuts);
                Assert.Equal(1, (int)Redis.Execute("CLIENT", "KILL", "ID", BulkClient()!["id"]));
            };
        }

        void AssertCostAtMostOneComputation(string method, int computedBefore)
        {
            var again = WovenAssembly.Calls(method) - computedBefore;
            Assert.InRange(again, 0, 1);
            var warned = Log.Warnings.Skip(warnings).ToList();
            Assert.Equal(again, warned.Count);
            Assert.All(warned, w => Assert.Contains("could not be moved on the connection of large values", w, StringComparison.Ordinal));
            Console.WriteLine($"{method}: {(again == 0 ? "the read went on after the reconnect" : "the chunk on the dead socket failed: computed again")}");
            var redis = AkCacheRuntime.State.Redis!;
            Assert.True(redis.Breaker.IsClosed);
            Assert.Equal(3, add(1, 2));
            Assert.Equal(1, WovenAssembly.Calls("Add"));
        }

        CutAfterTheFirstChunk();
        Assert.True(expected.AsSpan().SequenceEqual(_noise(17, 2)));
        Assert.Equal(1, cuts);
        AssertCostAtMostOneComputation("Noise", 1);

        CutAfterTheFirstChunk();
        var again = await noiseAsync(18, 2);
        Assert.True(expectedAsync.AsSpan().SequenceEqual(again));
        Assert.Equal(2, cuts);
        AssertCostAtMostOneComputation("NoiseAsync", 1);
    }

    /// <summary>The fields of the bulk connection's CLIENT LIST line of the current configuration (the newest one; its subscription connection, flag P, left out), or null.</summary>
    private System.Collections.Generic.Dictionary<string, string>? BulkClient()
    {
        var lines = ((string)Redis.Execute("CLIENT", "LIST")!).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim().Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]))
            .Where(f => f.TryGetValue("name", out var name) && name == "akcache-bulk" && !f["flags"].Contains('P'))
            .OrderBy(f => long.Parse(f["id"], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        return lines.Count == 0 ? null : lines[^1];
    }

    /// <summary>
    /// A large result stored without the lock (its caller stopped waiting for another process's) and
    /// invalidated while its chunks are written: the caller gets it, but it is not moved into place
    /// in Redis, nothing staged is left, and the next call computes again. (Asked only before the
    /// chunks, the store would put the invalidated value back.)
    /// </summary>
    [Fact]
    public async Task A_large_result_stored_without_the_lock_and_invalidated_during_its_chunks_is_not_moved_into_place()
    {
        var noiseAsync = WovenAssembly.Method<Func<int, int, Task<byte[]>>>("LargeValues.NoiseAsync");
        var rounds = 0;
        foreach (var synchronous in new[] { true, false })
        {
            rounds++;
            Func<Task<byte[]>> call = synchronous ? () => Task.FromResult(_noise(23, 2)) : () => noiseAsync(23, 2);
            var name = synchronous ? "Noise" : "NoiseAsync";
            var expected = await call();
            var key = Assert.Single(StoredKeys($"*LargeValues.{name}(*"));

            // Another process holds the lock and never stores: this caller waits LockWaitTimeout, then stores without the lock.
            Redis.KeyDelete(key);
            Redis.StringSet(key + ":lock", "another-process", TimeSpan.FromMinutes(1));
            AnotherProcess(o => o.LockWaitTimeout = TimeSpan.FromMilliseconds(300));
            var invalidated = 0;
            AkCacheRuntime.State.Redis!.AfterFirstChunk = k =>
            {
                if (k.StartsWith(key + ":staged:", StringComparison.Ordinal) && Interlocked.Increment(ref invalidated) == 1)
                {
                    Assert.False(synchronous ? AkCacheRuntime.Invalidate(() => _noise(23, 2)) : AkCacheRuntime.Invalidate(() => noiseAsync(23, 2)));
                }
            };

            Assert.Equal(expected, await call());
            Assert.Equal(1, invalidated);
            Assert.Equal(2, WovenAssembly.Calls(name));
            Assert.False(Redis.KeyExists(key), "an invalidated value was moved into place");
            // The staged bytes are deleted without waiting for the reply (fire and forget, on the connection of large values).
            Wait.Until(() => StoredKeys("*:staged:*").Length == 0, "the staged bytes of the invalidated store are deleted", TimeSpan.FromSeconds(10));
            Assert.Equal(rounds, Log.Warnings.Count);
            Assert.All(Log.Warnings, w => Assert.Contains("stopped waiting", w));

            // The next call computes again and stores, under the lock this time.
            AkCacheRuntime.State.Redis!.AfterFirstChunk = null;
            Assert.Equal(expected, await call());
            Assert.Equal(3, WovenAssembly.Calls(name));
            Assert.True(Redis.KeyExists(key));
            Assert.Empty(StoredKeys("*:staged:*"));
        }
    }

    private static bool IsCompressed(byte[] stored) => (stored[2] & ValueSerializer.Compressed) != 0;

    /// <summary>A new configuration on the same prefix: an empty local layer, as in another process.</summary>
    private void AnotherProcess(Action<AkCacheOptions>? more = null) => Configure(o => more?.Invoke(o));
}
