using System;
using System.Linq;
using System.Threading;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Values;

/// <summary>
/// Envelope format 2 (docs/values.md) against a real Redis: a stored value that does not match its
/// key, its serializer, its type's shape or its own expiry is a miss with one warning, recomputed
/// and overwritten; it is never returned.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class StoredFormatTests : MemoizeTestBase
{
    public StoredFormatTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public void A_valid_value_copied_under_another_key_is_a_miss()
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        greet("Ann");
        var annKey = Assert.Single(StoredKeys());
        greet("Bob");
        var bobKey = Assert.Single(StoredKeys(), k => k != annKey);
        Redis.StringSet(bobKey, Redis.StringGet(annKey));
        Configure(_ => { });

        Assert.Equal("Hello, Bob", greet("Bob"));
        Assert.Equal(3, WovenAssembly.Calls("Greet"));
        Assert.Single(Log.Warnings, w => w.Contains("written for another key") && w.Contains("Greet"));

        // Overwritten with its own value: the next process reads it.
        Configure(_ => { });
        Assert.Equal("Hello, Bob", greet("Bob"));
        Assert.Equal(3, WovenAssembly.Calls("Greet"));
    }

    [Theory]
    [InlineData(1, (byte)7, "written by another serializer")]
    [InlineData(26, (byte)0x5a, "the result type had other fields")]
    [InlineData(0, (byte)1, "not in AkCache's format")]
    public void A_value_with_another_serializer_shape_or_format_is_a_miss(int offset, byte replacement, string reason)
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        greet("Cy");
        var key = Assert.Single(StoredKeys());
        var bytes = (byte[])Redis.StringGet(key)!;
        Assert.NotEqual(replacement, bytes[offset]);
        bytes[offset] = replacement;
        Redis.StringSet(key, bytes);
        Configure(_ => { });

        Assert.Equal("Hello, Cy", greet("Cy"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
        Assert.Single(Log.Warnings, w => w.Contains(reason) && w.Contains("Greet"));
    }

    [Fact]
    public void A_value_that_Redis_keeps_past_its_expiry_is_not_served()
    {
        var oneSecond = WovenAssembly.Method<Func<int, int>>("TimeToLive.OneSecond");
        var first = oneSecond(5);
        var key = Assert.Single(StoredKeys());
        Assert.True(Redis.KeyPersist(key));

        // Past the envelope's expiry (max age 1 s), while Redis, told to keep the key, still holds it.
        Thread.Sleep(1_300);
        Assert.True(Redis.KeyExists(key));
        Configure(_ => { });

        var second = oneSecond(5);
        Assert.NotEqual(first, second);
        Assert.Equal(2, WovenAssembly.Calls("OneSecond"));
        Assert.Single(Log.Warnings, w => w.Contains("past the expiry") && w.Contains("OneSecond"));
        Assert.True(Redis.KeyTimeToLive(key) is { } ttl && ttl > TimeSpan.Zero);
    }
}
