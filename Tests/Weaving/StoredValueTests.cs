using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Weaving;

[Collection(RedisCollection.Name)]
public sealed class StoredValueTests : MemoizeTestBase
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public StoredValueTests(RedisServerFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
        : base(fixture)
    {
        _output = output;
    }

    [Theory]
    [InlineData("plain text written by another program")]
    [InlineData("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u00c1")]
    [InlineData("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u00a5abc")]
    [InlineData("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u00a3abc\u0000")]
    [InlineData("\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u00a3abc")]
    public void A_corrupted_or_foreign_value_is_a_miss_and_is_overwritten(string foreign)
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        greet("Bob");
        var key = Assert.Single(StoredKeys());
        Redis.StringSet(key, System.Text.Encoding.Latin1.GetBytes(foreign));
        Configure(_ => { });

        Assert.Equal("Hello, Bob", greet("Bob"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
        Assert.Single(Log.Warnings, w => w.Contains("cannot be read") && w.Contains("Greet"));

        Configure(_ => { });
        Assert.Equal("Hello, Bob", greet("Bob"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
    }

    [Fact]
    public void A_value_of_another_type_under_the_key_is_a_miss()
    {
        var describe = WovenAssembly.Method<Func<int, string>>("Overloads.Describe");
        var squares = WovenAssembly.Method<Func<int, int[]>>("ReturnShapes.Squares");
        squares(2);
        describe(2);
        var keys = StoredKeys();
        var squaresKey = keys.Single(k => k.Contains("Squares"));
        var describeKey = keys.Single(k => k.Contains("Describe"));
        Redis.StringSet(describeKey, Redis.StringGet(squaresKey));
        Configure(_ => { });

        Assert.Equal("int 2", describe(2));
        Assert.Equal(2, WovenAssembly.Calls("Describe(int)"));
    }

    [Fact]
    public void Thirty_two_threads_on_one_key_share_one_computation()
    {
        var slowSquare = WovenAssembly.Method<Func<int, long>>("Concurrency.SlowSquare");
        using var start = new ManualResetEventSlim();
        var results = new long[32];
        var threads = Enumerable.Range(0, 32).Select(i => new Thread(() =>
        {
            start.Wait();
            for (var n = 0; n < 20; n++)
            {
                results[i] += slowSquare(12345);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        threads.ForEach(t => t.Join());

        Assert.All(results, r => Assert.Equal(20 * 12345L * 12345L, r));
        Assert.Equal(1, WovenAssembly.Calls("SlowSquare"));
        Assert.Single(StoredKeys());
    }

    [Fact]
    public void Thirty_two_threads_on_fifty_shared_keys_compute_each_key_once_and_all_get_its_result()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        using var start = new ManualResetEventSlim();
        var results = new int[32, 50];

        // Every thread calls the same keys in the same order, so that they meet on each key: some
        // wait for its computation in this process, some find it stored, none computes it again.
        var threads = Enumerable.Range(0, 32).Select(i => new Thread(() =>
        {
            start.Wait();
            for (var n = 0; n < 50; n++)
            {
                results[i, n] = add(n, 1000);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        var scriptRunsBefore = ScriptRuns();
        start.Set();
        threads.ForEach(t => t.Join());
        var scriptRuns = ScriptRuns() - scriptRunsBefore;
        _output.WriteLine($"{scriptRuns} lock and store script runs for 50 keys and 32 threads");

        for (var i = 0; i < 32; i++)
        {
            for (var n = 0; n < 50; n++)
            {
                Assert.Equal(n + 1000, results[i, n]);
            }
        }

        Assert.True(WovenAssembly.Calls("Add") == 50, $"{WovenAssembly.Calls("Add")} computations for 50 keys\n" + string.Join("\n", Log.Entries));
        Assert.Equal(50, StoredKeys("*Add*").Length);

        // The threads of this process share one flight per key: its owner alone takes the lock and
        // stores (2 scripts); a thread that missed just before the store looks once more (118 to 131
        // runs in all, seen here). Without the flights every thread that misses takes its turn at the
        // lock: 2,259 runs when they were switched off by hand.
        Assert.True(scriptRuns <= 8 * 50, $"{scriptRuns} script runs for 50 keys: the threads did not share their computations in this process");
    }

    /// <summary>EVAL and EVALSHA calls the server has run so far (its own statistics).</summary>
    private long ScriptRuns()
    {
        var stats = Redis.Multiplexer.GetServer(Server.Endpoint).Info("commandstats").SelectMany(g => g);
        return stats.Where(kv => kv.Key is "cmdstat_evalsha" or "cmdstat_eval")
            .Sum(kv => long.Parse(kv.Value.Split(',')[0].Substring("calls=".Length), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Blocking every pool thread starves the socket reads that Redis replies need (see
    /// docs/configuration.md): Redis may then time out, and the calls must still be right.
    /// </summary>
    [Fact]
    public void Starving_the_thread_pool_never_gives_a_wrong_result()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        var failures = 0;
        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 32 }, i =>
        {
            for (var n = 0; n < 50; n++)
            {
                if (add(i, n) != i + n)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        Assert.Equal(0, failures);
    }
}
