using System;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Shapes;

[Collection(RedisCollection.Name)]
public sealed class TypeLevelAndRecursionTests : MemoizeTestBase
{
    public TypeLevelAndRecursionTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Memoize_on_a_type_covers_its_non_private_static_methods_that_return_a_value(string configuration)
    {
        var woven = Woven.For(configuration);
        var name = woven.Method<Func<int, string>>("Catalog.Name");
        Assert.Equal("item 30", name(3));
        Assert.Equal("item 30", name(3));
        Assert.Equal(1, woven.Calls("Catalog.Name"));
        Assert.Equal(1, woven.Calls("Catalog.Helper"));

        var log = woven.Method<Action<string>>("Catalog.Log");
        log("a");
        log("a");
        Assert.Equal(2, woven.Calls("Catalog.Log a"));

        var nameTtl = Redis.KeyTimeToLive(StoredKeys("*Catalog.Name*").Single())!.Value;
        Assert.InRange(nameTtl, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        woven.Method<Func<int, string>>("Catalog.ShortLived")(1);
        var shortTtl = Redis.KeyTimeToLive(StoredKeys("*Catalog.ShortLived*").Single())!.Value;
        Assert.InRange(shortTtl, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_method_the_type_level_attribute_cannot_cover_is_skipped_with_a_warning(string configuration)
    {
        var woven = Woven.For(configuration);
        var warning = Assert.Single(woven.Result.Warnings);
        Assert.Equal(
            "AkCache: cannot memoize 'AssemblyToProcess.Catalog.Swap(System.Int32&)': parameter 'value' is ref or out. Return every result through the return value, or remove [Memoize]. (It is skipped: [Memoize] is on its type.)",
            warning.Text);
        Assert.Null(woven.Type("Catalog").GetMethod("Swap$Original", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Memoized_recursion_computes_each_value_once(string configuration)
    {
        var woven = Woven.For(configuration);
        var fibonacci = woven.Method<Func<int, long>>("Recursion.Fibonacci");
        Assert.Equal(2880067194370816120L, fibonacci(90));
        Assert.Equal(91, woven.Calls("Fibonacci"));
        Assert.Equal(2880067194370816120L, fibonacci(90));
        Assert.Equal(91, woven.Calls("Fibonacci"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_call_that_re_enters_its_own_key_does_not_deadlock(string configuration)
    {
        var woven = Woven.For(configuration);
        var sameKey = woven.Method<Func<int, int, int>>("Recursion.SameKey");
        Assert.Equal(42, sameKey(41, 0));
        Assert.Equal(2, woven.Calls("SameKey"));
        Assert.Equal(42, sameKey(41, 0));
        Assert.Equal(2, woven.Calls("SameKey"));
    }
}
