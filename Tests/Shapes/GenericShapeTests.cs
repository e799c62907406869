using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Shapes;

[Collection(RedisCollection.Name)]
public sealed class GenericShapeTests : MemoizeTestBase
{
    public GenericShapeTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Type_arguments_are_part_of_the_key(string configuration)
    {
        var woven = Woven.For(configuration);
        var ofInt = woven.Method<Func<int, string>>("GenericShapes.Describe", typeof(int));
        var ofLong = woven.Method<Func<int, string>>("GenericShapes.Describe", typeof(long));
        Assert.Equal("Int32 1", ofInt(1));
        Assert.Equal("Int64 1", ofLong(1));
        Assert.Equal("Int32 1", ofInt(1));
        Assert.Equal("Int64 1", ofLong(1));
        Assert.Equal(2, woven.Calls("Describe"));
        Assert.Equal(2, StoredKeys("*GenericShapes.Describe<T>(System.Int32)*").Length);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Generic_values_and_constraints_work(string configuration)
    {
        var woven = Woven.For(configuration);
        Assert.Equal("x", woven.Method<Func<string, string>>("GenericShapes.Echo", typeof(string))("x"));
        Assert.Equal(9.5, woven.Method<Func<double, double>>("GenericShapes.Echo", typeof(double))(9.5));
        Assert.Equal("x", woven.Method<Func<string, string>>("GenericShapes.Echo", typeof(string))("x"));
        Assert.Equal(2, woven.Calls("Echo"));

        var largest = woven.Method<Func<int[], int>>("GenericShapes.Largest", typeof(int));
        Assert.Equal(9, largest(new[] { 3, 9, 1 }));
        Assert.Equal(9, largest(new[] { 3, 9, 1 }));
        Assert.Equal(1, woven.Calls("Largest"));

        var pair = woven.Method<Func<string, int, KeyValuePair<string, int>>>("GenericShapes.Pair", typeof(string), typeof(int));
        Assert.Equal(new KeyValuePair<string, int>("a", 1), pair("a", 1));
        Configure(_ => { });
        Assert.Equal(new KeyValuePair<string, int>("a", 1), pair("a", 1));
        Assert.Equal(1, woven.Calls("Pair"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public async Task Generic_async_methods_are_memoized(string configuration)
    {
        var woven = Woven.For(configuration);
        var repeat = woven.Method<Func<string, int, Task<List<string>>>>("GenericShapes.RepeatAsync", typeof(string));
        Assert.Equal(new List<string> { "z", "z" }, await repeat("z", 2));
        Configure(_ => { });
        Assert.Equal(new List<string> { "z", "z" }, await repeat("z", 2));
        Assert.Equal(1, woven.Calls("RepeatAsync"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Methods_of_generic_types_key_by_the_type_arguments(string configuration)
    {
        var woven = Woven.For(configuration);
        var ofInt = woven.Method<Func<int, string>>("GenericHolder`1[System.Int32].Name");
        var ofString = woven.Method<Func<int, string>>("GenericHolder`1[System.String].Name");
        var throughCaller = woven.Method<Func<int, string>>("GenericHolder`1[System.Int32].NameThroughCaller");
        Assert.Equal("Int32#5", ofInt(5));
        Assert.Equal("String#5", ofString(5));
        Assert.Equal("Int32#5", throughCaller(5));
        Assert.Equal(2, woven.Calls("GenericHolder.Name"));

        var wrap = woven.Method<Func<Guid, List<Guid>>>("GenericHolder`1[System.Guid].Wrap");
        var id = Guid.NewGuid();
        Assert.Equal(new List<Guid> { id, id }, wrap(id));
        Configure(_ => { });
        Assert.Equal(new List<Guid> { id, id }, wrap(id));
        Assert.Equal(1, woven.Calls("GenericHolder.Wrap"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Overloads_in_a_generic_type_keep_their_own_results(string configuration)
    {
        var woven = Woven.For(configuration);
        var plain = woven.Method<Func<int, string>>("OverloadHolder`1[System.String].Get");
        var withToken = woven.Method<Func<int, System.Threading.CancellationToken, string>>("OverloadHolder`1[System.String].Get");
        var ofLong = woven.Method<Func<long, string>>("OverloadHolder`1[System.String].Get");
        Assert.Equal("String plain 5", plain(5));
        Assert.Equal("String token 5", withToken(5, default));
        Assert.Equal("String long 5", ofLong(5));
        Assert.Equal("String token 5", withToken(5, default));
        Assert.Equal(1, woven.Calls("OverloadHolder.Get(int)"));
        Assert.Equal(1, woven.Calls("OverloadHolder.Get(int,token)"));
        Assert.Equal(1, woven.Calls("OverloadHolder.Get(long)"));
        Assert.Equal(3, StoredKeys("*OverloadHolder*").Length);
    }
}
