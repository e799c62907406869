using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Logging;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>
/// Large values travel on a connection of their own ("akcache-bulk", made at the first one), so
/// that moving 60 MB does not hold up the replies of small calls behind it on the shared
/// connection. A store of an envelope over <see cref="LargeValueBytes"/> runs there; so does every
/// read of a key this process knows to hold a large value (it stored one there, or read one). The
/// first read of a key by a process is a GETRANGE of its first mebibyte and one byte on the shared
/// connection: the whole of a small value, at the cost of a GET (a script that checks the length
/// first halved the throughput of small hits); longer, the key is remembered as large and read
/// whole on the bulk connection, so the shared connection never carries more than a mebibyte of
/// a value, which under load would have held up the small calls behind it past their timeout. The acquire script answers "{ length }" for a large
/// stored value, which is then read on the bulk connection. A failure on the bulk
/// connection costs that call a miss (or its result is not stored), warned at most once a minute,
/// and never opens the breaker: small calls go on. A refusal to store (OOM...) pauses the writes as
/// on the shared connection.
/// </summary>
internal sealed partial class RedisAccessor
{
    /// <summary>Values longer than this (stored bytes) are read and written on the bulk connection.</summary>
    internal const int LargeValueBytes = AkCache.Internals.Serialization.ValueSerializer.LargeEnvelopeBytes;

    /// <summary>
    /// The largest chunk of a large value's read: below the 85,000 bytes of the large object heap, so
    /// that a chunk's reply costs no gen2 collection.
    /// </summary>
    private const int MaxChunkBytes = 64 * 1024;

    /// <summary>
    /// A large value is read in GETRANGEs of this many bytes, <see cref="ChunksInFlight"/> at a time
    /// (AkCacheOptions.LargeValueBytesInFlight, 16 KiB by default). Redis, single-threaded, serves a
    /// chunk in one go: what one read has asked for and not yet received is what a small call of any
    /// client may wait behind. Measured (docs/benchmarks.md, item 13): one chunk of 16 KiB at a time
    /// kept small calls' p99 within twice their quiet one in every run, reads and stores; 32 KiB in most
    /// runs; 256 KiB four at a time, 12 times.
    /// </summary>
    internal int ChunkBytes { get; }

    /// <summary>How many chunk reads of one value are sent before the first one is awaited.</summary>
    internal int ChunksInFlight { get; }

    /// <summary>
    /// For tests: called with the key after the first chunk of a chunked read came back (a test
    /// replaces the value there), and with the staging key after the first chunk of a chunked write
    /// was written (a test invalidates there).
    /// </summary>
    internal Action<string>? AfterFirstChunk { get; set; }

    /// <summary>How many keys known to be large are remembered; then the memory starts over.</summary>
    private const int MaxKnownLargeKeys = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _largeKeys = new(StringComparer.Ordinal);
    private int _largeKeyCount;
    private long _bulkWarnedAt;

    /// <summary>The bulk connection once made, for tests.</summary>
    internal IConnectionMultiplexer? BulkConnection => _bulk.Multiplexer;

    private static bool IsLarge(byte[]? envelope) => envelope is not null && envelope.Length > LargeValueBytes;

    /// <summary>Whether <paramref name="key"/> held a large value at this process's last look: its reads go on the bulk connection. Costs one field read while no key is known.</summary>
    internal bool IsKnownLarge(string key) => Volatile.Read(ref _largeKeyCount) != 0 && _largeKeys.ContainsKey(key);

    private void RememberLarge(string key)
    {
        if (Volatile.Read(ref _largeKeyCount) >= MaxKnownLargeKeys)
        {
            _largeKeys.Clear();
            Volatile.Write(ref _largeKeyCount, 0);
        }

        if (_largeKeys.TryAdd(key, 0))
        {
            Interlocked.Increment(ref _largeKeyCount);
        }
    }

    /// <summary>The key holds a small value or none: its reads go on the shared connection again. Always true, to chain in a condition.</summary>
    private bool Forget(string key)
    {
        if (Volatile.Read(ref _largeKeyCount) != 0 && _largeKeys.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _largeKeyCount);
        }

        return true;
    }

    /// <summary>
    /// What a read found, on either connection, remembered for the key's next read: a large value
    /// sends it to the bulk connection, a small one or none back to the shared one. While no key is
    /// known to be large, a small hit costs one length and one field read.
    /// </summary>
    private RedisRead Noted(string key, RedisRead read)
    {
        if (read.Status == RedisReadStatus.Hit && read.Value.Length() > LargeValueBytes)
        {
            RememberLarge(key);
        }
        else if (read.Status != RedisReadStatus.Unavailable)
        {
            Forget(key);
        }

        return read;
    }

    /// <summary>The acquire script's "{ length }" reply: the value is large, to read on the bulk connection.</summary>
    private static bool IsLargeReply(RedisResult result) => result.Resp2Type == ResultType.Array && result.Length == 1;

    /// <summary>GET of a large value on the bulk connection: a hit, a miss (gone since), or unavailable (warned).</summary>
    public RedisRead ReadLarge(string key)
    {
        if (OpenBulk() is not { } database)
        {
            return RedisRead.Unavailable;
        }

        try
        {
            var read = new RedisRead(ReadWhole(database, key));
            RecordSuccess(writes: false, key);
            return Noted(key, read);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return BulkFailed(ex, writes: false, key) == RedisFailureKind.WrongType ? new RedisRead(RedisValue.Null) : RedisRead.Unavailable;
        }
    }

    /// <inheritdoc cref="ReadLarge"/>
    public async ValueTask<RedisRead> ReadLargeAsync(string key, CancellationToken cancellationToken)
    {
        if (await OpenBulkAsync().ConfigureAwait(false) is not { } database)
        {
            return RedisRead.Unavailable;
        }

        try
        {
            var pending = ReadWholeAsync(database, key);
            var read = new RedisRead(cancellationToken.CanBeCanceled ? await pending.WithCancellation(cancellationToken).ConfigureAwait(false) : await pending.ConfigureAwait(false));
            RecordSuccess(writes: false, key);
            return Noted(key, read);
        }
        catch (Exception ex) when (IsRedisFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            return BulkFailed(ex, writes: false, key) == RedisFailureKind.WrongType ? new RedisRead(RedisValue.Null) : RedisRead.Unavailable;
        }
    }

    /// <summary>
    /// The whole value at <paramref name="key"/>, on the bulk connection: STRLEN, then a GET of a value
    /// that is not large, or GETRANGEs of <see cref="ChunkBytes"/> for a large one, checked whole by
    /// its checksum (<see cref="AkCache.Internals.Serialization.ValueSerializer.IsWhole"/>). A value replaced
    /// between two chunks fails the check and is read once more; failing twice (damaged, or large
    /// without a checksum: not written by this format) it is deleted and a miss, warned; the call's result replaces it.
    /// </summary>
    private RedisValue ReadWhole(IDatabase database, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            var length = database.StringLength(key);
            if (length <= LargeValueBytes)
            {
                return length == 0 ? RedisValue.Null : database.StringGet(key);
            }

            var read = new ChunkedRead(this, database, key, length);
            try
            {
                while (!read.Done)
                {
                    read.Take(read.Next().GetAwaiter().GetResult());
                }
            }
            catch
            {
                read.Abandon();
                throw;
            }

            if (read.IsWhole)
            {
                return read.Envelope;
            }

            if (attempt == 2)
            {
                return NotWhole(database, key, length);
            }
        }
    }

    /// <inheritdoc cref="ReadWhole"/>
    private async Task<RedisValue> ReadWholeAsync(IDatabase database, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            var length = await database.StringLengthAsync(key).ConfigureAwait(false);
            if (length <= LargeValueBytes)
            {
                return length == 0 ? RedisValue.Null : await database.StringGetAsync(key).ConfigureAwait(false);
            }

            var read = new ChunkedRead(this, database, key, length);
            try
            {
                while (!read.Done)
                {
                    read.Take(await read.Next().ConfigureAwait(false));
                }
            }
            catch
            {
                read.Abandon();
                throw;
            }

            if (read.IsWhole)
            {
                return read.Envelope;
            }

            if (attempt == 2)
            {
                return NotWhole(database, key, length);
            }
        }
    }

    /// <summary>
    /// One pass over a large value's chunks, shared by the synchronous and asynchronous reads: <see cref="Next"/>
    /// keeps <see cref="ChunksInFlight"/> GETRANGEs sent and gives the oldest, whose reply goes to <see cref="Take"/>.
    /// </summary>
    private sealed class ChunkedRead
    {
        private readonly RedisAccessor _owner;
        private readonly IDatabase _database;
        private readonly string _key;
        private readonly System.Collections.Generic.Queue<(long Offset, Task<RedisValue> Chunk)> _pending = new();
        private long _sent;
        private long _offset;
        private long _received;
        private bool _complete = true;

        public ChunkedRead(RedisAccessor owner, IDatabase database, string key, long length)
        {
            _owner = owner;
            _database = database;
            _key = key;
            // Every byte is written by a chunk before the envelope is used (a read cut short is thrown away): not zeroed first.
            Envelope = ByteArrays.Uninitialized(checked((int)length));
        }

        public byte[] Envelope { get; }

        public bool Done => _received >= Envelope.Length;

        /// <summary>Every chunk came back the length asked for, and the whole matches its checksum.</summary>
        public bool IsWhole => _complete && AkCache.Internals.Serialization.ValueSerializer.IsWhole(Envelope);

        public Task<RedisValue> Next()
        {
            for (; _sent < Envelope.Length && _pending.Count < _owner.ChunksInFlight; _sent += _owner.ChunkBytes)
            {
                _pending.Enqueue((_sent, _database.StringGetRangeAsync(_key, _sent, Math.Min(_sent + _owner.ChunkBytes, Envelope.Length) - 1)));
            }

            var (offset, chunk) = _pending.Dequeue();
            _offset = offset;
            return chunk;
        }

        /// <summary>A chunk failed: the ones still on their way are observed (their failures are that one's).</summary>
        public void Abandon()
        {
            while (_pending.Count > 0)
            {
                Observe(_pending.Dequeue().Chunk);
            }
        }

        /// <summary>Copies the reply of the chunk <see cref="Next"/> gave into place; one that is not the length asked for (the value was replaced by a shorter one, or deleted) makes the read incomplete.</summary>
        public void Take(RedisValue chunk)
        {
            _received = _offset + _owner.ChunkBytes;
            var bytes = (ReadOnlyMemory<byte>)chunk;
            if (bytes.Length != (int)Math.Min(_owner.ChunkBytes, Envelope.Length - _offset))
            {
                _complete = false;
                return;
            }

            bytes.Span.CopyTo(Envelope.AsSpan((int)_offset));
            if (_offset == 0)
            {
                _owner.AfterFirstChunk?.Invoke(_key);
            }
        }
    }

    private RedisValue NotWhole(IDatabase database, string key, long length)
    {
        database.KeyDelete(key, CommandFlags.FireAndForget);
        AkCacheLog.ChecksumFailedTwice(_logger, length, key, Description);
        return RedisValue.Null;
    }

    /// <summary>
    /// A large value's store without a lock, on the bulk connection: written in chunks to a staging key
    /// of its own, made at its full length first (<see cref="ChunkedWrite"/>), then moved into place by a RENAME when it is whole
    /// (<see cref="LuaScripts.MoveStaged"/>), so that it is paced as a read is and that no reader ever sees
    /// it half written; staged bytes of a write that failed, or that are not whole, are deleted.
    /// </summary>
    private bool TrySetLarge(string key, byte[] value, TimeSpan timeToLive, Func<bool>? stillWanted)
    {
        if (!_writes.TryEnter() || OpenBulk() is not { } database)
        {
            return false;
        }

        var staging = StagingKeyOf(key);
        var write = new ChunkedWrite(this, database, staging, value, timeToLive);
        write.Run();
        try
        {
            return write.Failure is { } failure
                ? StagingFailed(database, staging, failure, key)
                : write.Remade ? NotWholeStaged(database, staging)
                : !Wanted(stillWanted) ? NoLongerWanted(database, staging)
                : Moved(database.ScriptEvaluate(LuaScripts.MoveStaged, new RedisKey[] { staging, key }, new RedisValue[] { value.Length }), key);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return StagingFailed(database, staging, ex, key);
        }
    }

    /// <inheritdoc cref="TrySetLarge"/>
    private async ValueTask<bool> TrySetLargeAsync(string key, byte[] value, TimeSpan timeToLive, Func<bool>? stillWanted)
    {
        if (!_writes.TryEnter() || await OpenBulkAsync().ConfigureAwait(false) is not { } database)
        {
            return false;
        }

        var staging = StagingKeyOf(key);
        var write = new ChunkedWrite(this, database, staging, value, timeToLive);
        await write.RunAsync().ConfigureAwait(false);
        try
        {
            return write.Failure is { } failure
                ? StagingFailed(database, staging, failure, key)
                : write.Remade ? NotWholeStaged(database, staging)
                : !Wanted(stillWanted) ? NoLongerWanted(database, staging)
                : Moved(await database.ScriptEvaluateAsync(LuaScripts.MoveStaged, new RedisKey[] { staging, key }, new RedisValue[] { value.Length }).ConfigureAwait(false), key);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return StagingFailed(database, staging, ex, key);
        }
    }

    /// <summary>Whether a store without a lock still wants its value moved into place, asked once its chunks are written.</summary>
    private static bool Wanted(Func<bool>? stillWanted) => stillWanted is null || stillWanted();

    /// <summary>
    /// A store without a lock whose value is no longer wanted once its chunks are written (an
    /// invalidation reached this process meanwhile): its staged bytes are deleted, nothing is
    /// moved into place; false. Not a failure: nothing is reported.
    /// </summary>
    private static bool NoLongerWanted(IDatabase database, string staging)
    {
        database.KeyDelete(staging, CommandFlags.FireAndForget);
        return false;
    }

    /// <summary>A store without a lock whose staging key was deleted while its chunks were written (<see cref="ChunkedWrite.Remade"/>): what a chunk made again is deleted, warned; false.</summary>
    private bool NotWholeStaged(IDatabase database, string staging)
    {
        database.KeyDelete(staging, CommandFlags.FireAndForget);
        WarnBulk(IncompleteStaging);
        return false;
    }

    /// <summary>A store without a lock that failed (a chunk or the move): its staged bytes are deleted, the failure reported; false.</summary>
    private bool StagingFailed(IDatabase database, string staging, Exception failure, string key)
    {
        database.KeyDelete(staging, CommandFlags.FireAndForget);
        BulkFailed(failure, writes: true, key);
        return false;
    }

    /// <summary>The move script's answer for a store without a lock: 1, moved into place; -1, the staged bytes were not whole (warned).</summary>
    private bool Moved(RedisResult result, string key)
    {
        if ((long)result == 1)
        {
            RecordSuccess(writes: true, key);
            RememberLarge(key);
            return true;
        }

        WarnBulk(IncompleteStaging);
        return false;
    }

    /// <summary>Why a large value was not stored although every chunk was written.</summary>
    private const string IncompleteStaging = "its chunks were written, but the staging key was deleted, evicted or expired before the value was moved into place (a ClearMethod or ClearAll meanwhile, eviction under maxmemory, or a time to live shorter than the write)";

    /// <summary>A staging key for a store of <paramref name="key"/> without a lock: the same hash tag (cluster slot), a token of its own.</summary>
    private static string StagingKeyOf(string key) => key + ":staged:" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// A large value's store under its lock, on the bulk connection: its bytes are written to the
    /// lock's staging key in chunks, paced as reads are (<see cref="ChunkedWrite"/>: the key made at its
    /// full length with the value's time to live, then SETRANGEs), and the script then moves them into place if they
    /// are all there (no chunk failed) and the lock is still this process's, and releases the lock in any case
    /// (<see cref="LuaScripts.StoreStagedAndRelease"/>). A value passed to a script would be copied into
    /// Lua and out while the server waits (60 MiB: over 100 ms for every client), and one SET of 60 MiB
    /// lets no small call of this process through for as long. A chunk refused (OOM) stops the writing,
    /// the script still releases the lock, and the failure pauses the writes. If the script cannot run
    /// there, the lock is released on the shared connection, so that nobody waits for it (staged bytes
    /// left behind expire with the value's time to live; a staging key deleted and made again by a
    /// chunk has none, and is deleted by the writer that notices it, at its next chunk).
    /// </summary>
    private bool StoreLargeAndRelease(OwnedLock owned, byte[] envelope, TimeSpan timeToLive)
    {
        if (_writes.TryEnter() && OpenBulk() is { } database)
        {
            try
            {
                var write = new ChunkedWrite(this, database, owned.StagingKey, envelope, timeToLive);
                write.Run();
                return Staged(owned, write, database.ScriptEvaluate(LuaScripts.StoreStagedAndRelease, owned.StagedKeys, owned.StagedArguments(_channels.StoredChannelName, write.LengthToMove)));
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                BulkFailed(ex, writes: true, owned.ValueKey);
            }
        }

        StoreAndRelease(owned, null, timeToLive);
        return false;
    }

    /// <inheritdoc cref="StoreLargeAndRelease"/>
    private async ValueTask<bool> StoreLargeAndReleaseAsync(OwnedLock owned, byte[] envelope, TimeSpan timeToLive)
    {
        if (_writes.TryEnter() && await OpenBulkAsync().ConfigureAwait(false) is { } database)
        {
            try
            {
                var write = new ChunkedWrite(this, database, owned.StagingKey, envelope, timeToLive);
                await write.RunAsync().ConfigureAwait(false);
                return Staged(owned, write, await database.ScriptEvaluateAsync(LuaScripts.StoreStagedAndRelease, owned.StagedKeys, owned.StagedArguments(_channels.StoredChannelName, write.LengthToMove)).ConfigureAwait(false));
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                BulkFailed(ex, writes: true, owned.ValueKey);
            }
        }

        await StoreAndReleaseAsync(owned, null, timeToLive).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// After the staged store's script ran (the lock is released; its error, a refused RENAME, was
    /// thrown and is handled by the caller): true when the value was moved into place or the lock was
    /// no longer this process's (nothing to store, as with a small value); a chunk's failure, or staged
    /// bytes that were not whole, is reported here.
    /// </summary>
    private bool Staged(OwnedLock owned, ChunkedWrite write, RedisResult moved)
    {
        if (write.Failure is { } failure)
        {
            BulkFailed(failure, writes: true, owned.ValueKey);
            return false;
        }

        RecordSuccess(writes: true, owned.ValueKey);
        switch ((long)moved)
        {
            case 1:
                RememberLarge(owned.ValueKey);
                return true;
            case -1:
                WarnBulk(IncompleteStaging);
                return false;
            default:
                return true;
        }
    }

    /// <summary>
    /// The chunks of a large value written to its staging key, shared by the synchronous and asynchronous
    /// stores. The key is first made at the value's full length with its time to live
    /// (<see cref="LuaScripts.Stage"/>), so that Redis allocates the string once: grown by APPENDs, it
    /// was reallocated and copied whole several times per store while every client waited (docs/benchmarks.md,
    /// item 13). Then <see cref="Next"/> keeps <see cref="ChunksInFlight"/> SETRANGEs of <see cref="ChunkBytes"/>
    /// sent and gives the oldest to await.
    /// </summary>
    private sealed class ChunkedWrite
    {
        private readonly RedisAccessor _owner;
        private readonly IDatabase _database;
        private readonly string _key;
        private readonly byte[] _envelope;
        private readonly TimeSpan _timeToLive;
        private readonly System.Collections.Generic.Queue<(Task Reply, bool Chunk)> _pending = new();
        private int _sent;
        private bool _staged;
        private bool _toldFirst;

        public ChunkedWrite(RedisAccessor owner, IDatabase database, string key, byte[] envelope, TimeSpan timeToLive)
        {
            _owner = owner;
            _database = database;
            _key = key;
            _envelope = envelope;
            _timeToLive = timeToLive;
        }

        /// <summary>The staging key was made, every chunk was sent and answered; or one of them failed, or the key was made again.</summary>
        public bool Done => Failure is not null || Remade || (_staged && _sent >= _envelope.Length && _pending.Count == 0);

        /// <summary>The failure of the staging key's making or of a chunk, once one failed: the chunks after it are not sent.</summary>
        public Exception? Failure { get; private set; }

        /// <summary>
        /// A chunk's SETRANGE answered another length than the value's: the staging key was deleted
        /// (a ClearMethod, eviction) and that chunk made it again, zeros before it and without a time
        /// to live. No more chunks are sent; the staged bytes are not whole.
        /// </summary>
        public bool Remade { get; private set; }

        /// <summary>
        /// The length the staged store's script must find to move the staged bytes into place: the
        /// value's, or -1 when a chunk failed or the key was made again, which no staged string has, so
        /// the script deletes them and only releases the lock. (The staging key has the value's full
        /// length from the start, zeros where no chunk arrived: its length alone says nothing of a failure.)
        /// </summary>
        public long LengthToMove => Failure is null && !Remade ? _envelope.Length : -1;

        /// <summary>Writes every chunk, the window kept full; a chunk's failure stops the writing and is kept in <see cref="Failure"/>.</summary>
        public void Run()
        {
            try
            {
                while (!Done)
                {
                    var (reply, chunk) = Next();
                    reply.GetAwaiter().GetResult();
                    Answered(reply, chunk);
                }
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                Failed(ex);
            }
        }

        /// <inheritdoc cref="Run"/>
        public async Task RunAsync()
        {
            try
            {
                while (!Done)
                {
                    var (reply, chunk) = Next();
                    await reply.ConfigureAwait(false);
                    Answered(reply, chunk);
                }
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                Failed(ex);
            }
        }

        private (Task Reply, bool Chunk) Next()
        {
            if (!_staged)
            {
                _staged = true;
                _pending.Enqueue((_database.ScriptEvaluateAsync(LuaScripts.Stage, new RedisKey[] { _key }, new RedisValue[] { _envelope.Length, (long)_timeToLive.TotalMilliseconds }), false));
            }

            for (; _sent < _envelope.Length && _pending.Count < _owner.ChunksInFlight; _sent += _owner.ChunkBytes)
            {
                var chunk = new ReadOnlyMemory<byte>(_envelope, _sent, Math.Min(_owner.ChunkBytes, _envelope.Length - _sent));
                _pending.Enqueue((_database.StringSetRangeAsync(_key, _sent, chunk), true));
            }

            return _pending.Dequeue();
        }

        /// <summary>
        /// After a reply: a chunk's is the staged string's length, the value's unless the key was made
        /// again (<see cref="Remade"/>: the chunks still on their way are observed, and their replies
        /// ignored). Calls <see cref="AfterFirstChunk"/> once, when the first chunk was written.
        /// </summary>
        private void Answered(Task reply, bool chunk)
        {
            if (!chunk)
            {
                return;
            }

            if ((long)((Task<RedisValue>)reply).Result != _envelope.Length)
            {
                Remade = true;
                ObservePending();
                return;
            }

            if (!_toldFirst)
            {
                _toldFirst = true;
                _owner.AfterFirstChunk?.Invoke(_key);
            }
        }

        /// <summary>A chunk failed: no more are sent, and the ones still on their way are observed (their failures are this one's).</summary>
        private void Failed(Exception failure)
        {
            Failure = failure;
            ObservePending();
        }

        /// <summary>The writes still on their way are observed and dropped: their failures or replies are of a write already given up.</summary>
        private void ObservePending()
        {
            while (_pending.Count > 0)
            {
                Observe(_pending.Dequeue().Reply);
            }
        }
    }

    /// <summary>Marks a task whose failure is reported otherwise as observed, so that it never reaches TaskScheduler.UnobservedTaskException.</summary>
    private static void Observe(Task? task) =>
        task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>A lock attempt that found a large value: read on the bulk connection; gone since, the lock is tried again.</summary>
    private LockAttempt LargeStored(string valueKey, TimeSpan timeToLive)
    {
        var read = ReadLarge(valueKey);
        return read.Status switch
        {
            RedisReadStatus.Hit => LockAttempt.StoredValue(read.Value),
            RedisReadStatus.Miss => TryAcquireLock(valueKey, timeToLive, readValue: false),
            _ => LockAttempt.Unavailable,
        };
    }

    /// <inheritdoc cref="LargeStored"/>
    private async ValueTask<LockAttempt> LargeStoredAsync(string valueKey, TimeSpan timeToLive)
    {
        var read = await ReadLargeAsync(valueKey, default).ConfigureAwait(false);
        return read.Status switch
        {
            RedisReadStatus.Hit => LockAttempt.StoredValue(read.Value),
            RedisReadStatus.Miss => await TryAcquireLockAsync(valueKey, timeToLive, readValue: false).ConfigureAwait(false),
            _ => LockAttempt.Unavailable,
        };
    }

    private IDatabase? OpenBulk()
    {
        try
        {
            return _bulk.Database ?? _bulk.Connect();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            WarnBulk(Reason(ex), ex);
            return null;
        }
    }

    private async ValueTask<IDatabase?> OpenBulkAsync()
    {
        try
        {
            return _bulk.Database ?? await _bulk.ConnectAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            WarnBulk(Reason(ex), ex);
            return null;
        }
    }

    /// <summary>A wrong-type key or a refusal to store is handled as on the shared connection; anything else costs this call alone.</summary>
    private RedisFailureKind BulkFailed(Exception ex, bool writes, string key)
    {
        var kind = RedisFailures.Classify(ex, writes);
        if (kind is RedisFailureKind.WrongType or RedisFailureKind.WritesRefused)
        {
            return ProcessError(ex, writes, key);
        }

        WarnBulk($"{ex.GetType().Name}: {Scrub(ex.Message)}", ex);
        return kind;
    }

    private void WarnBulk(string reason, Exception? exception = null)
    {
        var now = _clock.Milliseconds();
        var warnedAt = Interlocked.Read(ref _bulkWarnedAt);
        if ((warnedAt != 0 && now - warnedAt < WrongTypeWarningInterval) || Interlocked.CompareExchange(ref _bulkWarnedAt, now == 0 ? 1 : now, warnedAt) != warnedAt)
        {
            return;
        }

        AkCacheLog.LargeValueFailed(_logger, LargeValueBytes, Description, reason, Scrubbed(exception));
    }
}
