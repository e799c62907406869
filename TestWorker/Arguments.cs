using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Data;
using System.Globalization;
using System.Linq;
using AkCache;

namespace TestWorker;

/// <summary>
/// Memoized methods whose result spells out every member of their argument. <c>TestWorker
/// --arguments</c> calls each with arguments that differ in exactly one member (a private setter, an
/// init-only property, a base class's field, a nested element, a DataTable cell...) and prints
/// <c>SAME name#i</c> or <c>DIFFERENT name#i: got ...</c>, then <c>COMPUTED name#i</c> for each call
/// whose body ran here. Two arguments sharing a key would return each other's results; a second process
/// that computes nothing shows that equal data gives equal keys across processes.
/// </summary>
public static class Arguments
{
    private static readonly ConcurrentDictionary<string, int> Computed = new();

    public static int Run()
    {
        var cases = Cases().ToList();
        for (var i = 0; i < cases.Count; i++)
        {
            var (name, call, expected) = cases[i];
            var id = $"{name}#{i}";
            Current = id;
            var actual = call();
            Program.Emit(actual == expected ? $"SAME {id}" : $"DIFFERENT {id}: got '{actual}', expected '{expected}'");
        }

        foreach (var id in Computed.Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            Program.Emit($"COMPUTED {id} {Computed[id]}");
        }

        return 0;
    }

    /// <summary>The case being called, so that a body that runs can say which one it was.</summary>
    private static string Current { get; set; } = "";

    private static string Record(string text)
    {
        Computed.AddOrUpdate(Current, 1, (_, n) => n + 1);
        return text;
    }

    private static IEnumerable<(string Name, Func<string> Call, string Expected)> Cases()
    {
        foreach (var (symbol, quantity, note) in new[] { ("600519", 100, "a"), ("000858", 999, "a"), ("600519", 101, "a"), ("600519", 100, "b") })
        {
            var order = Order.Create(symbol, quantity, note);
            yield return ("DescribeOrder", () => DescribeOrder(order), Spell(order));
        }

        foreach (var members in new[] { 19, 20 })
        {
            var sector = Sector.Create("BK0477", "Liquor", members);
            yield return ("DescribeSector", () => DescribeSector(sector), $"{sector.Code} {sector.Name} {sector.Members}");
        }

        foreach (var boards in new[] { new[] { "SH" }, new[] { "SH", "SSE50" } })
        {
            var listing = new Listing { Symbol = "601318", ListedOn = new DateTime(2007, 3, 1, 0, 0, 0, DateTimeKind.Utc), Boards = ImmutableArray.Create(boards) };
            yield return ("DescribeListing", () => DescribeListing(listing), $"{listing.Symbol} {string.Join("+", listing.Boards)}");
        }

        foreach (var coupon in new[] { 2.5m, 2.50m, 3.1m })
        {
            var bond = new Bond { Code = "019547", Coupon = coupon };
            yield return ("DescribeSecurity", () => DescribeSecurity(bond), $"Bond 019547 {coupon.ToString(CultureInfo.InvariantCulture)}");
        }

        yield return ("DescribeSecurity", () => DescribeSecurity(new Security { Code = "019547" }), "Security 019547");

        foreach (var last in new[] { 1700.50m, 1700.5m, 1701m })
        {
            var table = new DataTable("Quotes");
            table.Columns.Add("Symbol", typeof(string));
            table.Columns.Add("Last", typeof(decimal));
            table.Rows.Add("600519", last);
            yield return ("DescribeTable", () => DescribeTable(table), "600519=" + last.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var pe in new object[] { 28.35m, 28.35, "28.35" })
        {
            var info = new Dictionary<string, object> { ["pe"] = pe };
            yield return ("DescribeInfo", () => DescribeInfo(info), pe.GetType().Name + ":" + Convert.ToString(pe, CultureInfo.InvariantCulture));
        }
    }

    [Memoize] public static string DescribeOrder(Order order) => Record(Spell(order));

    [Memoize] public static string DescribeSector(Sector sector) => Record($"{sector.Code} {sector.Name} {sector.Members}");

    [Memoize] public static string DescribeListing(Listing listing) => Record($"{listing.Symbol} {string.Join("+", listing.Boards)}");

    [Memoize] public static string DescribeSecurity(Security security) =>
        Record(security is Bond bond ? $"Bond {bond.Code} {bond.Coupon.ToString(CultureInfo.InvariantCulture)}" : $"Security {security.Code}");

    [Memoize] public static string DescribeTable(DataTable table) =>
        Record(string.Join(";", table.Rows.Cast<DataRow>().Select(r => r[0] + "=" + ((decimal)r[1]).ToString(CultureInfo.InvariantCulture))));

    [Memoize] public static string DescribeInfo(Dictionary<string, object> info) =>
        Record(string.Join(";", info.Select(p => p.Value.GetType().Name + ":" + Convert.ToString(p.Value, CultureInfo.InvariantCulture))));

    private static string Spell(Order order) => $"{order.Symbol} x{order.Quantity} [{string.Join(",", order.Notes)}]";
}
