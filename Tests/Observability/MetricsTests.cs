using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Observability;

/// <summary>
/// The "AkCache" meter seen by a MeterListener, against a real Redis, for a scripted sequence of
/// calls of a method that only these tests call (Observed.Square): one computation, two local hits,
/// a Redis hit and a wait for another process's computation (a "process" here is a new configuration
/// on the same prefix, with an empty local layer; the other process's lock and store are made by
/// hand in Redis); then an invalidation sent and received, and the breaker opening on a closed port.
/// Observable counters run from the process's start, so the test reads them before and after.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class MetricsTests : MemoizeTestBase
{
    private const string Method = "AssemblyToProcess.Observed.Square(System.Int32)";
    private readonly Func<int, int> _square = WovenAssembly.Method<Func<int, int>>("Observed.Square");

    public MetricsTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public async Task A_MeterListener_sees_each_outcome_the_computation_time_the_invalidations_and_the_breaker()
    {
        using var meter = new AkCacheListener();
        var start = meter.Calls(Method);

        // Settling, before the scripted sequence: the first repeat of a call this process just stored
        // may read Redis (key tracking tells the writer of its own write); from then on it is answered here.
        Assert.Equal(49, _square(7));
        Wait.Until(
            () =>
            {
                var hits = AkCacheRuntime.GetCacheInfo(() => _square(7)).LocalHits;
                return _square(7) == 49 && AkCacheRuntime.GetCacheInfo(() => _square(7)).LocalHits > hits;
            },
            "a repeated call is answered by the local layer",
            TimeSpan.FromSeconds(10));

        // The value another process will compute below (its bytes are taken from here).
        var known = StoredKeys("*Observed.Square(*");
        Assert.Equal(64, _square(8));
        var key = Assert.Single(StoredKeys("*Observed.Square(*").Except(known));
        var envelope = (byte[])Redis.StringGet(key)!;
        Redis.KeyDelete(key);

        // The scripted sequence: 2 local hits, 1 computation, 1 Redis hit (another process), 1 wait for another process's computation.
        var before = meter.Calls(Method);
        Assert.Equal(49, _square(7));
        Assert.Equal(49, _square(7));
        Assert.Equal(100, _square(10));

        // The local layer's size, as GetCacheInfo reports it: Square(7) at least is held.
        var info = AkCacheRuntime.GetCacheInfo(() => _square(7));
        Assert.InRange(info.LocalEntries, 1, 3);
        Assert.Equal(info.LocalEntries, meter.Gauge("akcache.local.entries", Method));
        Assert.Equal(info.LocalBytes, meter.Gauge("akcache.local.bytes", Method));
        Assert.InRange(info.LocalBytes, 1, 10_000);
        Configure(_ => { });
        Assert.Equal(49, _square(7));

        // Another process holds the lock of Square(8) and computes: its value, the lock's release and the announcement come 300 ms after this call starts waiting.
        Redis.StringSet(key + ":lock", "another-process", TimeSpan.FromSeconds(30));
        Configure(_ => { });
        var otherProcess = Task.Run(async () =>
        {
            await Task.Delay(300);
            Redis.StringSet(key, envelope, TimeSpan.FromMinutes(5));
            Redis.KeyDelete(key + ":lock");
            Redis.Publish(RedisChannelOf(Prefix + ":akcache:stored"), key);
        });
        Assert.Equal(64, _square(8));
        await otherProcess;

        var after = meter.Calls(Method);
        Assert.Equal(1, Delta(before, after, "computed"));
        Assert.Equal(2, Delta(before, after, "local_hit"));
        Assert.Equal(1, Delta(before, after, "redis_hit"));
        Assert.Equal(1, Delta(before, after, "waited"));
        Assert.Equal(0, Delta(before, after, "fallback"));
        Assert.Equal(3, WovenAssembly.Calls("Square"));
        Assert.Equal(3, Delta(start, after, "computed"));

        var durations = meter.Durations(Method);
        Assert.Equal(3, durations.Count);
        Assert.All(durations, d => Assert.InRange(d, 0, 60));

        // An invalidation: sent by this process, received back on the channel.
        var sentBefore = meter.Count("akcache.invalidations", ("akcache.direction", "sent"));
        Assert.True(AkCacheRuntime.Invalidate(() => _square(8)));
        Assert.Equal(sentBefore + 1, meter.Count("akcache.invalidations", ("akcache.direction", "sent")));
        Wait.Until(() => meter.Count("akcache.invalidations", ("akcache.direction", "received"), ("akcache.source", "channel")) >= 1, "the invalidation comes back on the channel", TimeSpan.FromSeconds(10));

        // The breaker opens on a closed port: counted once, with the connection's breaker named.
        var opened = meter.Count("akcache.breaker.transitions", ("akcache.breaker", "connection"), ("akcache.state", "open"));
        Configure(o => o.RedisUrl = $"redis://127.0.0.1:{RedisTestServer.FreePort()}");
        Assert.Equal(81, _square(9));
        Assert.Equal(opened + 1, meter.Count("akcache.breaker.transitions", ("akcache.breaker", "connection"), ("akcache.state", "open")));
        Assert.Equal(1, Delta(after, meter.Calls(Method), "computed"));
    }

    /// <summary>
    /// The wait of the scripted sequence, with the other process a real one: a TestWorker computes
    /// TestWorker.Slow.Compute for 1.5 s under the lock; this process calls the same method (TestWorker's
    /// own assembly, loaded here) meanwhile, waits, and gets the worker's result: one waited, no computation.
    /// </summary>
    [Fact]
    public void A_wait_for_a_computation_of_another_OS_process_is_counted_as_waited()
    {
        const string workerMethod = "TestWorker.Slow.Compute(System.String)";
        var dll = Path.Combine(ProcessRunner.RepositoryRoot(), "TestWorker", "bin", WorkerProcesses.Configuration, "net10.0", "TestWorker.dll");
        var compute = System.Reflection.Assembly.LoadFrom(dll).GetType("TestWorker.Slow", throwOnError: true)!.GetMethod("Compute")!.CreateDelegate<Func<string, string>>();
        var key = "metrics-" + Guid.NewGuid().ToString("N").Substring(0, 8);

        using var meter = new AkCacheListener();
        using var workers = new WorkerProcesses(1, new[] { "--key", key, "--threads", "1", "--compute-ms", "1500" }, Server.Url, Prefix);
        workers.Go(TimeSpan.FromSeconds(60));
        Wait.Until(() => StoredKeys("TestWorker.Slow.Compute(*:lock").Length == 1, "the worker holds the lock of its computation", TimeSpan.FromSeconds(30));

        var before = meter.Calls(workerMethod);
        var worker = workers.Workers.Single();
        Assert.Equal($"{key}-by-{worker.Id}", compute(key));
        var after = meter.Calls(workerMethod);
        workers.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.Equal(1, Delta(before, after, "waited"));
        Assert.Equal(0, Delta(before, after, "computed"));
        Assert.Equal(0, Delta(before, after, "redis_hit") + Delta(before, after, "local_hit") + Delta(before, after, "fallback"));
    }

    [Fact]
    public void Before_any_configuration_a_listener_finds_nothing_to_observe_and_configures_nothing()
    {
        AkCacheRuntime.Reset();
        using var meter = new AkCacheListener();
        Assert.Empty(meter.Calls(Method));
        Assert.Null(AkCacheRuntime.CurrentOrNull);
    }

    private static StackExchange.Redis.RedisChannel RedisChannelOf(string name) => StackExchange.Redis.RedisChannel.Literal(name);

    private static long Delta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, string outcome) =>
        after.GetValueOrDefault(outcome) - before.GetValueOrDefault(outcome);

    /// <summary>A MeterListener on the "AkCache" meter that keeps what it was given.</summary>
    private sealed class AkCacheListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _recorded = new();
        private Dictionary<(string Instrument, string Tags), long> _observed = new();

        public AkCacheListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "AkCache")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
            _listener.Start();
        }

        /// <summary>akcache.calls of <paramref name="method"/> by outcome, observed now.</summary>
        public IReadOnlyDictionary<string, long> Calls(string method)
        {
            Observe();
            return _observed.Where(o => o.Key.Instrument == "akcache.calls" && o.Key.Tags.Contains("akcache.method=" + method + ";", StringComparison.Ordinal))
                .ToDictionary(o => o.Key.Tags.Split(';').Single(t => t.StartsWith("akcache.outcome=", StringComparison.Ordinal)).Substring("akcache.outcome=".Length), o => o.Value);
        }

        public long Gauge(string instrument, string method)
        {
            Observe();
            return _observed.Single(o => o.Key.Instrument == instrument && o.Key.Tags.Contains("akcache.method=" + method + ";", StringComparison.Ordinal)).Value;
        }

        public List<double> Durations(string method) =>
            _recorded.Where(r => r.Instrument == "akcache.computation.duration" && r.Tags.Any(t => t.Key == "akcache.method" && (string?)t.Value == method)).Select(r => r.Value).ToList();

        /// <summary>The sum of what a counter recorded with every one of <paramref name="tags"/>.</summary>
        public long Count(string instrument, params (string Key, string Value)[] tags) =>
            (long)_recorded.Where(r => r.Instrument == instrument && tags.All(t => r.Tags.Any(k => k.Key == t.Key && (string?)k.Value == t.Value))).Sum(r => r.Value);

        public void Dispose() => _listener.Dispose();

        private void Observe()
        {
            _observed = new Dictionary<(string Instrument, string Tags), long>();
            _observing = true;
            _listener.RecordObservableInstruments();
            _observing = false;
        }

        private bool _observing;

        private void Keep<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            if (_observing && instrument.IsObservable)
            {
                var key = (instrument.Name, string.Concat(tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value};")));
                _observed[key] = (long)number;
                return;
            }

            _recorded.Enqueue((instrument.Name, number, tags.ToArray()));
        }
    }
}
