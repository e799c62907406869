using System;
using System.Globalization;
using System.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace AkCache.Benchmarks.Infrastructure;

internal static class AkCacheSetup
{
    /// <summary>A key prefix of its own for each benchmark process, so no run reads another's entries.</summary>
    public static string NewPrefix(string name) => $"bench-{name}-{Guid.NewGuid():N}";

    /// <summary>AkCache as deployed: Redis up, default options.</summary>
    public static void UseRedis(string prefix) => AkCacheRuntime.Configure(options =>
    {
        options.RedisUrl = BenchRedis.Url;
        options.Prefix = prefix;
    });

    /// <summary>
    /// Redis unreachable (a closed loopback port): the first call opens the breaker, and calls are
    /// served by the memory layer. <paramref name="breakDuration"/> decides how often one call probes Redis.
    /// </summary>
    public static void UseClosedPort(TimeSpan breakDuration) => AkCacheRuntime.Configure(options =>
    {
        options.RedisUrl = BenchRedis.ClosedPortUrl();
        options.Prefix = NewPrefix("down");
        options.BreakDuration = breakDuration;
        options.ConnectTimeout = TimeSpan.FromMilliseconds(500);
        options.LoggerFactory = NullLoggerFactory.Instance;
    });
}

/// <summary>Checks, outside the measurement, that a contender really goes to Redis.</summary>
internal static class RedisProbe
{
    private static ConnectionMultiplexer? s_connection;

    public static ConnectionMultiplexer Connection => s_connection ??= ConnectionMultiplexer.Connect(BenchRedis.Endpoint + ",allowAdmin=true");

    public static long KeyspaceHits() =>
        long.Parse(
            Connection.GetServers()[0].Info("stats").SelectMany(g => g).First(p => p.Key == "keyspace_hits").Value,
            CultureInfo.InvariantCulture);

    /// <summary>Throws unless <paramref name="calls"/> runs of <paramref name="action"/> read Redis at least once each.</summary>
    public static void RequireRedisHits(string contender, int calls, Action action)
    {
        var before = KeyspaceHits();
        for (var i = 0; i < calls; i++)
        {
            action();
        }

        var hits = KeyspaceHits() - before;
        if (hits < calls)
        {
            throw new InvalidOperationException($"{contender}: {calls} calls made {hits} Redis hits; the benchmark would not measure Redis hits.");
        }
    }
}
