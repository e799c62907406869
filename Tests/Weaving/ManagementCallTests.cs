using System;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Weaving;

/// <summary>
/// AssemblyToProcess.CacheManagement calls AkCacheRuntime with lambdas that do reach a memoized
/// method: the weaver accepts every one (no build error in either configuration), and each does
/// what it says when it runs.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ManagementCallTests : MemoizeTestBase
{
    public ManagementCallTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Lambdas_that_reach_a_memoized_method_are_no_build_error(string configuration)
    {
        Assert.Empty(Woven.For(configuration).Result.Errors);
    }

    [Fact]
    public void A_helper_that_computes_the_argument_leaves_the_memoized_call_as_the_target()
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        var invalidate = WovenAssembly.Method<Func<int, bool>>("CacheManagement.InvalidateGreetOfUser");
        Assert.Equal("Hello, user7", greet("user7"));

        Assert.True(invalidate(7));

        Assert.False(invalidate(7));
        Assert.Equal("Hello, user7", greet("user7"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
    }

    [Fact]
    public void A_helper_that_calls_the_memoized_method_leads_to_it()
    {
        var info = WovenAssembly.Method<Func<CacheInfo>>("CacheManagement.InfoOfAddThroughHelper");
        Assert.Equal("AssemblyToProcess.Basic.Add(System.Int32,System.Int32)", info().Method);
    }

    [Fact]
    public void A_method_group_of_a_memoized_method_is_its_target()
    {
        var info = WovenAssembly.Method<Func<CacheInfo>>("CacheManagement.InfoOfNoArguments");
        Assert.Equal("AssemblyToProcess.Basic.NoArguments()", info().Method);
    }
}
