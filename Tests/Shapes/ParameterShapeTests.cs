using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Shapes;

[Collection(RedisCollection.Name)]
public sealed class ParameterShapeTests : MemoizeTestBase
{
    public ParameterShapeTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    private static object? Invoke(Woven woven, string method, params object?[] arguments) =>
        woven.Type("ParameterShapes").GetMethod(method)!.Invoke(null, arguments);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Sixteen_parameters_are_packed_and_all_keyed(string configuration)
    {
        var woven = Woven.For(configuration);
        var method = woven.Type("ParameterShapes").GetMethod("Sixteen")!;
        var arguments = Enumerable.Range(1, 16).Cast<object>().ToArray();
        var expected = Enumerable.Range(1, 16).Sum(i => i * i);
        Assert.Equal(expected, method.Invoke(null, arguments));
        Assert.Equal(expected, method.Invoke(null, arguments));
        arguments[15] = 0;
        Assert.Equal(expected - 256, method.Invoke(null, arguments));
        Assert.Equal(2, woven.Calls("Sixteen"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Seventeen_parameters_of_seventeen_types_are_keyed(string configuration)
    {
        var woven = Woven.For(configuration);
        var market = Enum.ToObject(woven.Type("Market"), 2);
        object?[] Arguments(int last) => new object?[]
        {
            "s", 1, 2L, 3.5, true, 'c', (byte)7, (short)8, 9.10m, Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
            TimeSpan.FromMinutes(3), new byte[] { 1, 2, 3 }, (int?)null, market, (last, "u"),
        };
        var first = Invoke(woven, "Mixed17", Arguments(1));
        Assert.Equal(first, Invoke(woven, "Mixed17", Arguments(1)));
        Invoke(woven, "Mixed17", Arguments(2));
        Assert.Equal(2, woven.Calls("Mixed17"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Optional_and_params_arguments_work_as_before(string configuration)
    {
        var woven = Woven.For(configuration);
        var optional = woven.Type("ParameterShapes").GetMethod("Optional")!;
        Assert.Equal("1/default/7", optional.Invoke(null, new object?[] { 1, Type.Missing, Type.Missing }));
        Assert.Equal("1/default/7", optional.Invoke(null, new object?[] { 1, "default", 7 }));
        Assert.Equal("1/x/7", optional.Invoke(null, new object?[] { 1, "x", Type.Missing }));
        Assert.Equal(2, woven.Calls("Optional"));
        Assert.Equal("default", optional.GetParameters()[1].DefaultValue);
        Assert.True(woven.Type("ParameterShapes").GetMethod("SumAll")!.GetParameters()[0].IsDefined(typeof(ParamArrayAttribute), false));

        var sumAll = woven.Method<Func<int[], int>>("ParameterShapes.SumAll");
        Assert.Equal(6, sumAll(new[] { 1, 2, 3 }));
        Assert.Equal(6, sumAll(new[] { 1, 2, 3 }));
        Assert.Equal(1, woven.Calls("SumAll"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void In_parameters_records_and_lists_are_keyed_by_value(string configuration)
    {
        var woven = Woven.For(configuration);
        object Point(int x, int y) => Activator.CreateInstance(woven.Type("Point"), x, y)!;
        object Order(string symbol, int quantity, decimal price) => Activator.CreateInstance(woven.Type("Order"), symbol, quantity, price)!;
        Assert.Equal(7, Invoke(woven, "Distance", Point(1, 2), Point(4, 6)));
        Assert.Equal(7, Invoke(woven, "Distance", Point(1, 2), Point(4, 6)));
        Assert.Equal(1, woven.Calls("Distance"));

        var listType = typeof(List<>).MakeGenericType(woven.Type("Order"));
        object Orders(params object[] items)
        {
            var list = (System.Collections.IList)Activator.CreateInstance(listType)!;
            foreach (var item in items)
            {
                list.Add(item);
            }

            return list;
        }

        Assert.Equal(35m, Invoke(woven, "Total", Order("A", 1, 5m), Orders(Order("B", 3, 10m))));
        Assert.Equal(35m, Invoke(woven, "Total", Order("A", 1, 5m), Orders(Order("B", 3, 10m))));
        Assert.Equal(45m, Invoke(woven, "Total", Order("A", 1, 5m), Orders(Order("B", 4, 10m))));
        Assert.Equal(2, woven.Calls("Total"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Dictionaries_and_sets_with_the_same_content_share_a_key_in_any_order(string configuration)
    {
        var woven = Woven.For(configuration);
        var countWeights = woven.Method<Func<Dictionary<string, int>, int>>("ParameterShapes.CountWeights");
        Assert.Equal(3, countWeights(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }));
        Assert.Equal(3, countWeights(new Dictionary<string, int> { ["b"] = 2, ["a"] = 1 }));
        Assert.Equal(4, countWeights(new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 }));
        Assert.Equal(2, woven.Calls("CountWeights"));

        var countDistinct = woven.Method<Func<HashSet<string>, int>>("ParameterShapes.CountDistinct");
        Assert.Equal(3, countDistinct(new HashSet<string> { "x", "y", "z" }));
        Assert.Equal(3, countDistinct(new HashSet<string> { "z", "x", "y" }));
        Assert.Equal(1, woven.Calls("CountDistinct"));

        var immutable = woven.Method<Func<ImmutableArray<int>, ImmutableDictionary<string, int>, int>>("ParameterShapes.ImmutableSum");
        Assert.Equal(10, immutable(ImmutableArray.Create(1, 2), ImmutableDictionary<string, int>.Empty.Add("a", 3).Add("b", 4)));
        Assert.Equal(10, immutable(ImmutableArray.Create(1, 2), ImmutableDictionary<string, int>.Empty.Add("b", 4).Add("a", 3)));
        Assert.Equal(10, immutable(ImmutableArray.Create(2, 1), ImmutableDictionary<string, int>.Empty.Add("a", 3).Add("b", 4)));
        Assert.Equal(2, woven.Calls("ImmutableSum"));

        var readOnly = woven.Method<Func<IReadOnlyList<int>, int>>("ParameterShapes.ReadOnlyList");
        Assert.Equal(3, readOnly(new List<int> { 1, 2, 3 }));
        Assert.Equal(3, readOnly(new[] { 1, 2, 3 }));
        Assert.Equal(1, woven.Calls("ReadOnlyList"));
    }

    /// <summary>1.0m and 1.00m print differently, so they are different keys (docs/keys.md).</summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void Decimal_scale_and_DateTimeOffset_offset_are_part_of_the_key(string configuration)
    {
        var woven = Woven.For(configuration);
        var scale = woven.Method<Func<decimal, string>>("ParameterShapes.Scale");
        Assert.Equal("1.0", scale(1.0m));
        Assert.Equal("1.00", scale(1.00m));
        Assert.Equal(2, woven.Calls("Scale"));

        var moment = woven.Method<Func<DateTimeOffset, string>>("ParameterShapes.Moment");
        var instant = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.EndsWith("+00:00", moment(instant));
        Assert.EndsWith("+08:00", moment(instant.ToOffset(TimeSpan.FromHours(8))));
        Assert.Equal(2, woven.Calls("Moment"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void NotKey_parameters_are_left_out_of_the_key_but_reach_the_body(string configuration)
    {
        var woven = Woven.For(configuration);
        var logged = woven.Method<Func<int, IProgress<string>?, Action<string>?, int>>("ParameterShapes.Logged");
        var messages = new List<string>();
        Assert.Equal(6, logged(2, null, messages.Add));
        Assert.Equal(6, logged(2, new Progress<string>(), m => messages.Add("other " + m)));
        Assert.Equal(new[] { "computing 2" }, messages);
        Assert.Equal(1, woven.Calls("Logged"));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_sync_method_with_a_CancellationToken_keys_without_it(string configuration)
    {
        var woven = Woven.For(configuration);
        var cancellable = woven.Method<Func<int, CancellationToken, int>>("ParameterShapes.Cancellable");
        using var source = new CancellationTokenSource();
        Assert.Equal(101, cancellable(1, source.Token));
        Assert.Equal(101, cancellable(1, CancellationToken.None));
        Assert.Equal(1, woven.Calls("Cancellable"));

        source.Cancel();
        Assert.Throws<OperationCanceledException>(() => cancellable(2, source.Token));
    }
}
