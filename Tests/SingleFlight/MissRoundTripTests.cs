using System;
using System.Linq;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.SingleFlight;

/// <summary>
/// What a miss sends to Redis, counted on AkCache's own connection with StackExchange.Redis's
/// profiler: the first GET, the script that takes the lock (or returns the value), and the script
/// that stores, releases and announces. Three round trips, synchronous or not.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class MissRoundTripTests : MemoizeTestBase
{
    private readonly ITestOutputHelper _output;

    public MissRoundTripTests(RedisServerFixture fixture, ITestOutputHelper output)
        : base(fixture) => _output = output;

    private string[] CommandsOf(Action call) => CommandsOfAsync(() =>
    {
        call();
        return Task.CompletedTask;
    }).GetAwaiter().GetResult();

    /// <summary>The commands AkCache's connection sent during <paramref name="call"/>, in order.</summary>
    private async Task<string[]> CommandsOfAsync(Func<Task> call)
    {
        var connection = AkCacheRuntime.State.Redis!.Connection!;
        var session = new ProfilingSession();
        connection.RegisterProfiler(() => session);
        try
        {
            await call();
        }
        finally
        {
            connection.RegisterProfiler(null!);
        }

        // The library's own keep-alive may fall into the window; it is not the miss's doing.
        var commands = session.FinishProfiling().Select(c => c.Command).Where(c => c is not ("PING" or "ECHO")).ToArray();
        _output.WriteLine(string.Join(", ", commands));
        return commands;
    }

    private static string Normalized(string command) => command == "EVAL" ? "EVALSHA" : command;

    [Fact]
    public void A_miss_is_three_round_trips_and_a_hit_one()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        // Connects, subscribes and loads both scripts, on a key of its own.
        Assert.Equal(3, add(1, 2));

        var miss = CommandsOf(() => Assert.Equal(7, add(3, 4)));
        Assert.Equal(new[] { "GETRANGE", "EVALSHA", "EVALSHA" }, miss.Select(Normalized));
        Assert.Equal(2, WovenAssembly.Calls("Add"));

        // Redis is read first, so the same call again is a hit there.
        var hit = CommandsOf(() => Assert.Equal(7, add(3, 4)));
        Assert.Equal(new[] { "GETRANGE" }, hit);
        Assert.Equal(2, WovenAssembly.Calls("Add"));
    }

    [Fact]
    public async Task An_asynchronous_miss_is_three_round_trips()
    {
        var add = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");
        Assert.Equal(3, await add(1, 2));

        var miss = await CommandsOfAsync(async () => Assert.Equal(7, await add(3, 4)));
        Assert.Equal(new[] { "GETRANGE", "EVALSHA", "EVALSHA" }, miss.Select(Normalized));
        Assert.Equal(2, WovenAssembly.Calls("AddAsync"));
    }
}
