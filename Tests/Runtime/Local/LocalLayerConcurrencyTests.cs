using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using AkCache.CompilerServices;
using AkCache.Internals.Local;
using Xunit;
using static AkCache.Tests.Runtime.Local.LocalLayerTests;

namespace AkCache.Tests.Runtime.Local;

/// <summary>Threads storing, reading, keeping values, invalidating and trimming at once: the counters never drift and the bounds hold.</summary>
public sealed class LocalLayerConcurrencyTests
{
    private const int MaxEntries = 300;
    private const long MaxBytes = 40_000;
    private const int MethodBound = 40;
    private const int Threads = 4;
    private const int Operations = 50_000;
    private const int Keys = 128;

    /// <summary>Races show up only now and then (more so on few cores): three rounds, each with its own seeds.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Counters_equal_a_recount_after_threads_hammer_the_layer(int round)
    {
        // The background trims are queued and run by the hammering threads themselves, in the midst of the rest.
        var work = new ConcurrentQueue<Action>();
        var layer = new LocalLayer(MaxEntries, MaxBytes, TimeProvider.System, work.Enqueue);
        var methods = new[] { NewMethod(), NewMethod(), NewMethod() };
        layer.SetMethodLimit(methods[2], MethodBound);

        var start = new Barrier(Threads);
        var failures = new ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, Threads).Select(seed => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                Hammer(layer, methods, work, new Random((round * Threads) + seed));
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        while (work.TryDequeue(out var trim))
        {
            trim();
        }

        AssertCountersMatchRecount(layer, methods);
        Assert.InRange(layer.Count, 0, MaxEntries);
        Assert.True(layer.Evictions > 0, "the bounds never made the layer evict: the test exercised nothing");

        // Keeping a value may pass the byte bound between stores (a read never trims in place): the
        // next store trims.
        foreach (var method in methods)
        {
            Assert.True(layer.Set(method, Key(1_000_000), new LocalEntry(new byte[1], UnixNow() + 60_000)));
        }

        Assert.InRange(layer.Bytes, 0, MaxBytes);
        Assert.InRange(layer.Usage(methods[2]).Entries, 1, MethodBound);
        AssertCountersMatchRecount(layer, methods);
    }

    /// <summary>
    /// One thread fills the layer from a stand-in for Redis (a version number) as a miss would;
    /// the other writes a new version and then invalidates, as another process and its invalidation
    /// message would. After each round, whatever the layer holds is the latest version.
    /// </summary>
    [Fact]
    public void A_value_read_before_an_invalidation_is_never_left_stored_after_it()
    {
        const int rounds = 2_000;
        var layer = new LocalLayer(MaxEntries, MaxBytes, TimeProvider.System, _ => { });
        var method = NewMethod();
        var key = Key(1);
        long redis = 0;
        var stop = 0;
        long fills = 0;
        using var barrier = new Barrier(2);
        var reader = new Thread(() =>
        {
            for (var round = 0; round < rounds; round++)
            {
                barrier.SignalAndWait();
                while (Volatile.Read(ref stop) == 0)
                {
                    var sequence = layer.Sequence(method, key);
                    var version = Volatile.Read(ref redis);
                    layer.SetUnlessInvalidated(method, key, new LocalEntry(BitConverter.GetBytes(version), UnixNow() + 60_000), sequence);
                    Interlocked.Increment(ref fills);
                }

                barrier.SignalAndWait();
            }
        });
        reader.Start();

        var random = new Random(7);
        var stale = 0;
        for (var round = 0; round < rounds; round++)
        {
            Volatile.Write(ref stop, 0);
            barrier.SignalAndWait();

            // The invalidation lands in the midst of the reader's fills, not before it woke up.
            var begun = Volatile.Read(ref fills);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref fills) < begun + 2)
            {
                spinner.SpinOnce();
            }

            Thread.SpinWait(random.Next(0, 200));
            Interlocked.Increment(ref redis);
            layer.Remove(method, key);
            Volatile.Write(ref stop, 1);
            barrier.SignalAndWait();

            if (layer.TryGet(method, key, out var entry) && BitConverter.ToInt64(entry.Envelope, 0) != redis)
            {
                stale++;
            }
        }

        reader.Join();
        Assert.Equal(0, stale);
    }

    private static void Hammer(LocalLayer layer, MemoizedMethod[] methods, ConcurrentQueue<Action> work, Random random)
    {
        for (var i = 0; i < Operations; i++)
        {
            var method = methods[random.Next(methods.Length)];
            var key = Key((ulong)random.Next(Keys));
            var choice = random.Next(1_000);
            if (choice < 400)
            {
                // One entry in ten expires within milliseconds, so that hits and sweeps meet expired entries.
                var ttl = random.Next(10) == 0 ? random.Next(1, 5) : 60_000;
                layer.Set(method, key, new LocalEntry(new byte[random.Next(0, 300)], UnixNow() + ttl));
            }
            else if (choice < 700)
            {
                if (layer.TryGet(method, key, out var entry) && random.Next(4) == 0)
                {
                    entry.KeepValue(i);
                }
            }
            else if (choice < 800)
            {
                var sequence = layer.Sequence(method, key);
                layer.SetUnlessInvalidated(method, key, new LocalEntry(new byte[random.Next(0, 300)], UnixNow() + 60_000), sequence);
            }
            else if (choice < 880)
            {
                layer.Remove(method, key);
            }
            else if (choice < 950)
            {
                if (layer.TryGet(method, key, out var entry))
                {
                    layer.Remove(entry);
                }
            }
            else if (choice < 980)
            {
                if (work.TryDequeue(out var trim))
                {
                    trim();
                }
            }
            else if (choice < 990)
            {
                layer.RemoveMethod(method);
            }
            else if (choice < 992)
            {
                layer.Clear();
            }
            else if (layer.TryGet(method, key, out var entry))
            {
                layer.DistrustAll();
                layer.Confirm(entry);
            }
        }
    }

    private static long UnixNow() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
}
