using System;
using System.Threading;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Weaving;

[Collection(RedisCollection.Name)]
public sealed class TimeToLiveTests : MemoizeTestBase
{
    public TimeToLiveTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public void A_result_expires_after_MaxAgeSeconds_and_is_computed_again()
    {
        var oneSecond = WovenAssembly.Method<Func<int, int>>("TimeToLive.OneSecond");
        Assert.Equal(1007, oneSecond(7));
        Assert.Equal(1007, oneSecond(7));
        var ttl = Redis.KeyTimeToLive(Assert.Single(StoredKeys()));
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));

        Thread.Sleep(1300);

        Assert.Equal(2007, oneSecond(7));
        Assert.Equal(2, WovenAssembly.Calls("OneSecond"));
    }

    [Fact]
    public void Without_MaxAgeSeconds_the_default_is_one_day()
    {
        WovenAssembly.Method<Func<int, int>>("TimeToLive.ConfiguredDefault")(1);
        var ttl = Redis.KeyTimeToLive(Assert.Single(StoredKeys()));
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(86390), TimeSpan.FromSeconds(86400));
    }

    [Fact]
    public void The_configured_default_applies_to_methods_without_MaxAgeSeconds()
    {
        Configure(o => o.DefaultMaxAgeSeconds = 120);
        WovenAssembly.Method<Func<int, int>>("TimeToLive.ConfiguredDefault")(1);
        WovenAssembly.Method<Func<int, int>>("TimeToLive.OneSecond")(1);
        var keys = StoredKeys();
        Assert.InRange(Redis.KeyTimeToLive(Array.Find(keys, k => k.Contains("ConfiguredDefault"))!)!.Value, TimeSpan.FromSeconds(110), TimeSpan.FromSeconds(120));
        Assert.InRange(Redis.KeyTimeToLive(Array.Find(keys, k => k.Contains("OneSecond"))!)!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }
}
