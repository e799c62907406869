using System;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Weaving;

[Collection(RedisCollection.Name)]
public sealed class ArgumentShapeTests : MemoizeTestBase
{
    public ArgumentShapeTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    private static object? Invoke(string method, params object?[] args) =>
        WovenAssembly.Type("ArgumentShapes").GetMethod(method)!.Invoke(null, args);

    [Fact]
    public void Enums_are_keyed_by_value()
    {
        var market = WovenAssembly.Type("Market");
        Assert.Equal("Shanghai", Invoke("ByEnum", Enum.ToObject(market, 1)));
        Assert.Equal("Shanghai", Invoke("ByEnum", Enum.ToObject(market, 1)));
        Assert.Equal("Shenzhen", Invoke("ByEnum", Enum.ToObject(market, 2)));
        Assert.Equal(2, WovenAssembly.Calls("ByEnum"));
    }

    [Fact]
    public void Objects_are_keyed_by_their_content_not_their_identity()
    {
        object Filter(string region, int size)
        {
            var filter = Activator.CreateInstance(WovenAssembly.Type("Filter"))!;
            filter.GetType().GetProperty("Region")!.SetValue(filter, region);
            filter.GetType().GetProperty("MinimumSize")!.SetValue(filter, size);
            return filter;
        }

        Assert.Equal("north>5", Invoke("ByFilter", Filter("north", 5)));
        Assert.Equal("north>5", Invoke("ByFilter", Filter("north", 5)));
        Assert.Equal("north>6", Invoke("ByFilter", Filter("north", 6)));
        Assert.Equal("none", Invoke("ByFilter", new object?[] { null }));
        Assert.Equal(3, WovenAssembly.Calls("ByFilter"));
    }

    [Fact]
    public void Arrays_are_keyed_by_their_elements()
    {
        var sum = WovenAssembly.Method<Func<int[], int>>("ArgumentShapes.Sum");
        Assert.Equal(6, sum(new[] { 1, 2, 3 }));
        Assert.Equal(6, sum(new[] { 1, 2, 3 }));
        Assert.Equal(6, sum(new[] { 3, 2, 1 }));
        Assert.Equal(2, WovenAssembly.Calls("Sum"));
    }

    [Fact]
    public void Nullable_values_and_null_are_different_keys()
    {
        var byNullable = WovenAssembly.Method<Func<int?, string>>("ArgumentShapes.ByNullable");
        Assert.Equal("null", byNullable(null));
        Assert.Equal("0", byNullable(0));
        Assert.Equal("null", byNullable(null));
        Assert.Equal(2, WovenAssembly.Calls("ByNullable"));
    }

    [Fact]
    public void DateTimes_that_differ_only_in_kind_are_different_keys()
    {
        var byDate = WovenAssembly.Method<Func<DateTime, string>>("ArgumentShapes.ByDate");
        var ticks = new DateTime(2026, 5, 1).Ticks;
        Assert.StartsWith("Utc", byDate(new DateTime(ticks, DateTimeKind.Utc)));
        Assert.StartsWith("Local", byDate(new DateTime(ticks, DateTimeKind.Local)));
        Assert.StartsWith("Utc", byDate(new DateTime(ticks, DateTimeKind.Utc)));
        Assert.Equal(2, WovenAssembly.Calls("ByDate"));
    }

    [Fact]
    public void In_parameters_are_keyed_by_the_value_they_refer_to()
    {
        var method = WovenAssembly.Type("ArgumentShapes").GetMethod("ByReadOnlyReference")!;
        object Range(int low, int high)
        {
            var range = Activator.CreateInstance(WovenAssembly.Type("Range"))!;
            range.GetType().GetProperty("Low")!.SetValue(range, low);
            range.GetType().GetProperty("High")!.SetValue(range, high);
            return range;
        }

        Assert.Equal(5, method.Invoke(null, new[] { Range(1, 6) }));
        Assert.Equal(5, method.Invoke(null, new[] { Range(1, 6) }));
        Assert.Equal(5, method.Invoke(null, new[] { Range(2, 7) }));
        Assert.Equal(2, WovenAssembly.Calls("ByReadOnlyReference"));
    }
}
