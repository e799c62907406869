using System;
using System.Linq;
using AkCache.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Support;

/// <summary>
/// Points AkCache at the collection's Redis with a prefix of its own, so that every test starts
/// on a cold cache, and gives the test a direct connection to look at what AkCache stored.
/// </summary>
public abstract class MemoizeTestBase : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _inspector;

    protected MemoizeTestBase(RedisServerFixture fixture)
    {
        Server = fixture.Server;
        Prefix = "akt" + Guid.NewGuid().ToString("N").Substring(0, 12);
        Log = new ListLoggerFactory();
        Configure(_ => { });
        WovenAssembly.ResetCalls();
        Woven.Debug.ResetCalls();
        Woven.Release.ResetCalls();
        _inspector = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(Server.Endpoint + ",allowAdmin=true"));
    }

    /// <summary>The build configurations every woven shape is run from.</summary>
    public static TheoryData<string> Configurations => new() { "Debug", "Release" };

    protected RedisTestServer Server { get; }

    protected string Prefix { get; }

    protected ListLoggerFactory Log { get; }

    protected IDatabase Redis => _inspector.Value.GetDatabase();

    protected void Configure(Action<AkCacheOptions> more) => AkCacheRuntime.Configure(o =>
    {
        o.RedisUrl = Server.Url;
        o.Prefix = Prefix;
        o.LoggerFactory = Log;
        more(o);
    });

    /// <summary>Every key under this test's prefix, found with SCAN as an operator would.</summary>
    protected string[] StoredKeys(string pattern = "*") =>
        _inspector.Value.GetServer(Server.Endpoint).Keys(pattern: Prefix + ":" + pattern).Select(k => k.ToString()).OrderBy(k => k, StringComparer.Ordinal).ToArray();

    public virtual void Dispose()
    {
        AkCacheRuntime.Reset();
        if (_inspector.IsValueCreated)
        {
            _inspector.Value.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
