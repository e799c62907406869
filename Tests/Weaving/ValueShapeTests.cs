using System;
using System.Collections.Generic;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Weaving;

/// <summary>Every result comes back from Redis equal to what the method returned, whatever its shape.</summary>
[Collection(RedisCollection.Name)]
public sealed class ValueShapeTests : MemoizeTestBase
{
    public ValueShapeTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    /// <summary>Calls twice with a fresh memory layer in between, so the second result is read back from Redis.</summary>
    private T Twice<T>(Func<T> call, string name)
    {
        var first = call();
        Configure(_ => { });
        var second = call();
        Assert.True(WovenAssembly.Calls(name) == 1, $"{name} ran {WovenAssembly.Calls(name)} times; log:\n{string.Join("\n", Log.Entries)}");
        return second;
    }

    [Fact]
    public void Arrays_lists_and_dictionaries_round_trip()
    {
        Assert.Equal(new[] { 0, 1, 4, 9 }, Twice(() => WovenAssembly.Method<Func<int, int[]>>("ReturnShapes.Squares")(4), "Squares"));
        Assert.Equal(new List<string> { "sh1", "sh2", "sh3" }, Twice(() => WovenAssembly.Method<Func<string, List<string>>>("ReturnShapes.Codes")("sh"), "Codes"));
        var counts = Twice(() => WovenAssembly.Method<Func<string, Dictionary<string, int>>>("ReturnShapes.Counts")("a b a"), "Counts");
        Assert.Equal(2, counts["a"]);
        Assert.Equal(1, counts["b"]);
        Assert.Equal(new[] { 0, 1, 2 }, Twice(() => WovenAssembly.Method<Func<int, IReadOnlyList<int>>>("ReturnShapes.ReadOnlyNumbers")(3), "ReadOnlyNumbers").ToArray());
    }

    [Fact]
    public void Classes_records_and_structs_round_trip()
    {
        var getQuote = WovenAssembly.Type("ReturnShapes").GetMethod("GetQuote")!;
        var quote = Twice(() => getQuote.Invoke(null, new object[] { "600000" }), "GetQuote");
        Assert.Equal("600000", WovenAssembly.Property(quote, "Symbol"));
        Assert.Equal(12.50m, WovenAssembly.Property(quote, "Price"));
        Assert.Equal(new DateTime(2026, 11, 27, 15, 0, 0, DateTimeKind.Utc), WovenAssembly.Property(quote, "At"));
        Assert.Equal(new List<string> { "a", "b" }, WovenAssembly.Property(quote, "Tags"));

        var getSector = WovenAssembly.Type("ReturnShapes").GetMethod("GetSector")!;
        var sector = Twice(() => getSector.Invoke(null, new object[] { "BK01" }), "GetSector");
        var expected = WovenAssembly.Type("Sector").GetConstructors()[0].Invoke(new object[] { "BK01", "Sector BK01", 4 });
        Assert.Equal(expected, sector);

        var getRange = WovenAssembly.Type("ReturnShapes").GetMethod("GetRange")!;
        var range = Twice(() => getRange.Invoke(null, new object[] { 3, 9 }), "GetRange");
        Assert.Equal(3, WovenAssembly.Property(range, "Low"));
        Assert.Equal(9, WovenAssembly.Property(range, "High"));
    }

    [Fact]
    public void DateTime_keeps_its_kind_and_decimal_its_scale()
    {
        var local = Twice(() => WovenAssembly.Method<Func<int, DateTime>>("ReturnShapes.LocalTime")(9), "LocalTime");
        Assert.Equal(DateTimeKind.Local, local.Kind);
        Assert.Equal(new DateTime(2026, 1, 1, 9, 0, 0, DateTimeKind.Local), local);

        var scaled = Twice(() => WovenAssembly.Method<Func<int, decimal>>("ReturnShapes.Scaled")(2), "Scaled");
        Assert.Equal("1.00", scaled.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_subclass_returned_through_its_base_class_is_returned_but_not_cached()
    {
        var getAnimal = WovenAssembly.Type("ReturnShapes").GetMethod("GetAnimal")!;
        for (var i = 0; i < 2; i++)
        {
            var animal = getAnimal.Invoke(null, new object[] { "Rex" })!;
            Assert.Equal("Dog", animal.GetType().Name);
            Assert.Equal("collie", WovenAssembly.Property(animal, "Breed"));
        }

        Assert.Equal(2, WovenAssembly.Calls("GetAnimal"));
        Assert.Empty(StoredKeys());
        Assert.Contains(Log.Warnings, w => w.Contains("AssemblyToProcess.ReturnShapes.GetAnimal(System.String)") && w.Contains("it holds a Dog where Animal is declared") && w.Contains("Declare the exact type"));
    }

    [Fact]
    public void A_result_whose_value_cannot_be_stored_is_returned_uncached_with_one_warning()
    {
        var quoteInfo = WovenAssembly.Method<Func<string, Dictionary<string, object>>>("ReturnShapes.QuoteInfo");
        Assert.Equal("600000", WovenAssembly.Property(quoteInfo("600000")["quote"], "Symbol"));
        Assert.Equal("600000", WovenAssembly.Property(quoteInfo("600000")["quote"], "Symbol"));
        Assert.Equal("000001", quoteInfo("000001")["symbol"]);
        Assert.Equal(3, WovenAssembly.Calls("QuoteInfo"));
        Assert.Empty(StoredKeys());
        Assert.Single(Log.Warnings, w => w.Contains("is not cached") && w.Contains("it holds a Quote where object is declared") && w.Contains("QuoteInfo"));
    }
}
