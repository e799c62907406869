using System;
using AkCache.Tests.Support;

namespace AkCache.Tests.Runtime.Hashing;

/// <summary>
/// Key tests need no Redis: AkCache points at a closed loopback port. BeginKey reads the runtime
/// state; nothing connects unless a value is read or stored.
/// </summary>
public abstract class OfflineKeyTest : IDisposable
{
    protected OfflineKeyTest()
    {
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = "redis://127.0.0.1:1";
            o.LoggerFactory = Log;
        });
    }

    /// <summary>The warnings the key builder logs.</summary>
    protected ListLoggerFactory Log { get; } = new();

    public void Dispose()
    {
        AkCacheRuntime.Reset();
        GC.SuppressFinalize(this);
    }
}
