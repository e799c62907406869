using System;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed.Redis;

namespace AkCache.Benchmarks.Peers;

/// <summary>FusionCache and HybridCache set up as their documentation shows, on the same Redis as AkCache, serializing with plain MessagePack (<see cref="BenchSerializer"/>).</summary>
internal static class PeerCaches
{
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(30);

    /// <summary>FusionCache, memory only (L1).</summary>
    public static FusionCache FusionMemory() =>
        new(new FusionCacheOptions { CacheName = "bench-l1", DefaultEntryOptions = new FusionCacheEntryOptions(Duration) });

    /// <summary>FusionCache with Redis as L2 (Microsoft.Extensions.Caching.StackExchangeRedis), and optionally its Redis distributed locker.</summary>
    public static FusionCache FusionWithRedis(string endpoint, string instanceName, bool distributedLocker)
    {
        var cache = new FusionCache(new FusionCacheOptions
        {
            CacheName = "bench-l2",
            DefaultEntryOptions = new FusionCacheEntryOptions(Duration),
        });
        cache.SetupDistributedCache(
            new RedisCache(Options.Create(new RedisCacheOptions { Configuration = endpoint, InstanceName = instanceName })),
            new MessagePackFusionSerializer());
        if (distributedLocker)
        {
            cache.SetupDistributedLocker(new RedisDistributedLocker(Options.Create(new RedisDistributedLockerOptions { Configuration = endpoint })));
        }

        return cache;
    }

    /// <summary>HybridCache, memory only (L1), or with Redis as L2 when <paramref name="endpoint"/> is given.</summary>
    public static Hybrid CreateHybrid(string? endpoint, string instanceName)
    {
        var services = new ServiceCollection();
        if (endpoint is not null)
        {
            services.AddStackExchangeRedisCache(options =>
            {
                options.Configuration = endpoint;
                options.InstanceName = instanceName;
            });
        }

        services.AddHybridCache(options =>
        {
            options.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = Duration, LocalCacheExpiration = Duration };
            options.MaximumPayloadBytes = 64 * 1024 * 1024;
        }).AddSerializerFactory(new MessagePackHybridSerializerFactory());
        var provider = services.BuildServiceProvider();
        return new Hybrid(provider, provider.GetRequiredService<HybridCache>());
    }

    internal sealed class Hybrid : IDisposable
    {
        private readonly ServiceProvider _provider;

        public Hybrid(ServiceProvider provider, HybridCache cache)
        {
            _provider = provider;
            Cache = cache;
        }

        public HybridCache Cache { get; }

        public void Dispose() => _provider.Dispose();
    }
}
