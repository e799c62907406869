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
    private const int Operations = 30_000;

    [Fact]
    public void Counters_equal_a_recount_after_threads_hammer_the_layer()
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
                Hammer(layer, methods, work, new Random(seed));
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

    private static void Hammer(LocalLayer layer, MemoizedMethod[] methods, ConcurrentQueue<Action> work, Random random)
    {
        for (var i = 0; i < Operations; i++)
        {
            var method = methods[random.Next(methods.Length)];
            var key = Key((ulong)random.Next(500));
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
