using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Data;
using MessagePack;

namespace TestWorker;

public sealed class Order
{
    private readonly List<string> _notes = new();

    private Order()
    {
    }

    public string Symbol { get; private set; } = "";

    public int Quantity { get; private set; }

    public IReadOnlyList<string> Notes => _notes;

    public static Order Create(string symbol, int quantity, params string[] notes)
    {
        var order = new Order { Symbol = symbol, Quantity = quantity };
        order._notes.AddRange(notes);
        return order;
    }
}

public sealed record Sector(string Code, string Name)
{
    public int Members { get; private set; }

    public static Sector Create(string code, string name, int members) => new(code, name) { Members = members };
}

public sealed class Counter
{
    public string Name { get; internal set; } = "";

    public long Count { get; internal set; }
}

public sealed record Listing
{
    public required string Symbol { get; init; }

    public DateTime ListedOn { get; init; }

    public ImmutableArray<string> Boards { get; init; }
}

public readonly struct Span2
{
    private readonly int _low;
    private readonly int _high;

    public Span2(int low, int high)
    {
        _low = low;
        _high = high;
    }

    public int Width => _high - _low;
}

public class Security
{
    public string Code { get; set; } = "";
}

public sealed class Bond : Security
{
    public decimal Coupon { get; set; }

    public DateTime Maturity { get; set; }
}

public sealed class Holding
{
    public Security? Main { get; set; }
}

[Union(0, typeof(Stock))]
[Union(1, typeof(Future))]
public abstract class Instrument
{
    public string Code { get; set; } = "";
}

public sealed class Stock : Instrument
{
    public decimal LastPrice { get; set; }
}

public sealed class Future : Instrument
{
    public DateTime Expiry { get; set; }
}

public sealed class Catalogue
{
    public IReadOnlyList<int> Ids { get; set; } = Array.Empty<int>();

    public IDictionary<string, decimal> Prices { get; set; } = new Dictionary<string, decimal>();

    public IEnumerable<string> Names { get; set; } = new List<string>();

    public ISet<string> Tags { get; set; } = new HashSet<string>();
}

public sealed class Portfolio
{
    public string Owner { get; set; } = "";

    public List<Order> Orders { get; set; } = new();

    public Dictionary<string, Sector> Sectors { get; set; } = new();

    public Listing? Main { get; set; }
}

public sealed class LengthComparer : IEqualityComparer<string>
{
    public bool Equals(string? x, string? y) => x?.Length == y?.Length;

    public int GetHashCode(string obj) => obj.Length;
}

/// <summary>The values of <see cref="Results"/>, built anew on every call and never cached.</summary>
public static class Build
{
    public static object? Of(string name) => name switch
    {
        "PrivateSetters" => Order.Create("600519", 100, "first", "second"),
        "RecordPrivateSet" => Sector.Create("BK0477", "Liquor", 19),
        "InternalSet" => new Counter { Name = "ticks", Count = 1L << 40 },
        "InitAndRequired" or "ValueTask" => Listing(),
        "ReadonlyStruct" => new Span2(3, 11),
        "InfoDictionary" => new Dictionary<string, object?>
        {
            ["pe"] = 28.35m,
            ["float"] = 3.0m,
            ["listed"] = new DateTime(2001, 8, 27, 9, 30, 0, DateTimeKind.Local),
            ["boards"] = new[] { "SH", "HS300" },
            ["lot"] = 100,
            ["big"] = long.MaxValue,
            ["flag"] = true,
            ["none"] = null,
            ["letter"] = 'c',
        },
        "ObjectList" => new List<object?> { 3.0m, 'c', (byte)99, 1.5, "text", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, new object?[] { 1, "nested" } },
        "SubclassInList" => new List<Security> { new() { Code = "600519" }, new Bond { Code = "019547", Coupon = 2.5m, Maturity = new DateTime(2030, 6, 1) } },
        "SubclassMember" => new Holding { Main = new Bond { Code = "019547", Coupon = 2.5m } },
        "UnionList" => new List<Instrument> { new Stock { Code = "600519", LastPrice = 1700.5m }, new Future { Code = "IF2603", Expiry = new DateTime(2026, 3, 20) } },
        "IgnoreCaseDictionary" => new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase) { ["SH600519"] = 1700.50m, ["SZ000858"] = 150.2m },
        "IgnoreCaseSet" => new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "SH600519", "sz000858" },
        "CustomComparer" => new Dictionary<string, int>(new LengthComparer()) { ["abc"] = 3 },
        "ObjectHoldingUserType" => new Dictionary<string, object> { ["sector"] = Sector.Create("BK1", "x", 1) },
        "Table" or "TableAsync" => Quotes(),
        "TableSet" => QuotesSet(),
        "ObjectColumnTable" => ObjectColumnTable(),
        "Decimals" => new[] { 1.0m, 1.00m, 28.35m, -0.0m, decimal.MaxValue, 0.0000000000000000000000000001m },
        "Times" => new[] { new DateTime(2026, 1, 1, 9, 30, 0, DateTimeKind.Local), new DateTime(2026, 1, 1, 1, 30, 0, DateTimeKind.Utc), new DateTime(638000000000000001), DateTime.MaxValue },
        "Offsets" => new[] { new DateTimeOffset(2026, 1, 1, 9, 30, 0, TimeSpan.FromHours(8)), new DateTimeOffset(2026, 1, 1, 9, 30, 0, TimeSpan.FromMinutes(-150)) },
        "Doubles" => new[] { double.NaN, -0.0, double.Epsilon, 0.1 + 0.2 },
        "Tuple" => (7, "seven", 7.70m, new DateTime(2026, 7, 7, 0, 0, 0, DateTimeKind.Local)),
        "NestedGenerics" => new Dictionary<string, List<(int, decimal[])>> { ["a"] = new() { (1, new[] { 1.10m }) }, ["b"] = new() },
        "ImmutableList" => ImmutableList.Create("x", "y"),
        "ImmutableDictionary" => ImmutableDictionary.Create<string, int>(StringComparer.OrdinalIgnoreCase).Add("Key", 1),
        "ImmutableArray" => ImmutableArray.Create(3, 1, 2),
        "ImmutableSortedSet" => ImmutableSortedSet.Create(StringComparer.Ordinal, "b", "a"),
        "ImmutableStack" => ImmutableStack.Create(1, 2, 3),
        "SortedDictionary" => new SortedDictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["b"] = 2, ["A"] = 1 },
        "SortedSet" => new SortedSet<int> { 5, 3, 9 },
        "SortedList" => new SortedList<string, decimal> { ["x"] = 1.5m, ["a"] = 2.50m },
        "LinkedList" => new LinkedList<string>(new[] { "c", "a", "b" }),
        "Queue" => new Queue<int>(new[] { 3, 1, 2 }),
        "Stack" => new Stack<string>(new[] { "bottom", "top" }),
        "ReadOnlyCollection" => new ReadOnlyCollection<int>(new[] { 4, 5 }),
        "InterfaceMembers" => new Catalogue
        {
            Ids = ImmutableArray.Create(1, 2).ToImmutableList(),
            Prices = new SortedDictionary<string, decimal> { ["b"] = 1m },
            Names = new[] { "n" },
            Tags = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "T" },
        },
        "DictionaryAfterRemoval" => AfterRemoval(),
        "Matrix" => new[,] { { 1, 2, 3 }, { 4, 5, 6 } },
        "NullableStruct" => (Span2?)new Span2(1, 2),
        "Guids" => new[] { new Guid("00112233-4455-6677-8899-aabbccddeeff"), Guid.Empty },
        "Enums" => new[] { DayOfWeek.Monday, (DayOfWeek)42 },
        "Bytes" => new byte[] { 0, 1, 255 },
        "NullResult" => null,
        "KeyValue" => new KeyValuePair<string, decimal>("pe", 28.350m),
        "Nested" => new Portfolio
        {
            Owner = "fund",
            Orders = { Order.Create("600519", 100), Order.Create("000858", 999, "odd lot") },
            Sectors = { ["liquor"] = Sector.Create("BK0477", "Liquor", 19) },
            Main = Listing(),
        },
        "Frame" => Frame(),
        _ => throw new ArgumentException("no value named " + name, nameof(name)),
    };

    private static Listing Listing() => new() { Symbol = "601318", ListedOn = new DateTime(2007, 3, 1, 0, 0, 0, DateTimeKind.Utc), Boards = ImmutableArray.Create("SH", "SSE50") };

    private static Dictionary<int, string> AfterRemoval()
    {
        var map = new Dictionary<int, string> { [1] = "a", [2] = "b", [3] = "c" };
        map.Remove(2);
        map[4] = "d";
        return map;
    }

    private static DataTable Quotes()
    {
        var table = new DataTable("Quotes");
        table.Columns.Add("Symbol", typeof(string));
        table.Columns.Add("Last", typeof(decimal));
        table.Columns.Add("Volume", typeof(long));
        table.Columns.Add("At", typeof(DateTime)).DateTimeMode = DataSetDateTime.Utc;
        table.Columns.Add("Id", typeof(Guid));
        table.Columns.Add("Raw", typeof(byte[]));
        table.Columns.Add("Halted", typeof(bool));
        table.PrimaryKey = new[] { table.Columns["Symbol"]! };
        table.Rows.Add("600519", 1700.50m, 1_000_000L, new DateTime(2026, 1, 5, 7, 0, 0, DateTimeKind.Utc), new Guid("00112233-4455-6677-8899-aabbccddeeff"), new byte[] { 1, 2 }, false);
        table.Rows.Add("000858", 150.2m, DBNull.Value, DBNull.Value, Guid.Empty, DBNull.Value, true);
        table.AcceptChanges();
        return table;
    }

    private static DataSet QuotesSet()
    {
        var set = new DataSet("Market");
        var quotes = Quotes();
        set.Tables.Add(quotes);
        var trades = new DataTable("Trades");
        trades.Columns.Add("Symbol", typeof(string));
        trades.Columns.Add("Price", typeof(decimal));
        trades.Rows.Add("600519", 1699.99m);
        set.Tables.Add(trades);
        set.Relations.Add("QuoteTrades", quotes.Columns["Symbol"]!, trades.Columns["Symbol"]!);
        set.AcceptChanges();
        return set;
    }

    private static Microsoft.Data.Analysis.DataFrame Frame() => new(
        new Microsoft.Data.Analysis.StringDataFrameColumn("Symbol", new[] { "600519", null, "000858" }),
        new Microsoft.Data.Analysis.DecimalDataFrameColumn("Last", new decimal?[] { 1700.50m, null, 150.2m }),
        new Microsoft.Data.Analysis.DateTimeDataFrameColumn("At", new DateTime?[] { new DateTime(2026, 1, 5, 9, 30, 0, DateTimeKind.Local), DateTime.MinValue, null }),
        new Microsoft.Data.Analysis.Int64DataFrameColumn("Volume", new long?[] { 1_000_000, 0, null }),
        new Microsoft.Data.Analysis.BooleanDataFrameColumn("Halted", new bool?[] { false, null, true }));

    private static DataTable ObjectColumnTable()
    {
        var table = new DataTable("Loose");
        table.Columns.Add("Anything", typeof(object));
        table.Rows.Add(1);
        table.AcceptChanges();
        return table;
    }
}
