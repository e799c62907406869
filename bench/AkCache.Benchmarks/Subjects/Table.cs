using System;
using System.Data;
using System.Globalization;

namespace AkCache.Benchmarks.Subjects;

/// <summary>
/// Item 10's value: a DataTable of 1,000 rows and 8 columns, as a market-data helper returns it
/// (symbol, price, volume, return, time, a flag, an id, a count). The same id gives the same table,
/// cell for cell, in every process.
/// </summary>
public static class MarketTable
{
    public const int Rows = 1_000;

    public static DataTable Create(long id)
    {
        var table = new DataTable("bars") { Locale = CultureInfo.InvariantCulture };
        table.Columns.Add("symbol", typeof(string));
        table.Columns.Add("price", typeof(decimal));
        table.Columns.Add("volume", typeof(long));
        table.Columns.Add("return", typeof(double));
        table.Columns.Add("time", typeof(DateTime));
        table.Columns.Add("suspended", typeof(bool));
        table.Columns.Add("trade_id", typeof(Guid));
        table.Columns.Add("count", typeof(int));
        var start = new DateTime(2026, 1, 5, 1, 30, 0, DateTimeKind.Utc);
        var guid = new byte[16];
        var random = new Random(unchecked((int)id));
        table.BeginLoadData();
        for (var i = 0; i < Rows; i++)
        {
            random.NextBytes(guid);
            table.Rows.Add(
                (600_000 + ((id + i) % 500)).ToString(CultureInfo.InvariantCulture) + ".SH",
                10m + (((id + i) % 9_973) / 100m),
                100L * random.Next(1, 1_000_000),
                (random.NextDouble() - 0.5) / 10,
                start.AddMinutes(i),
                i % 97 == 0,
                new Guid(guid),
                random.Next(1, 10_000));
        }

        table.EndLoadData();
        table.AcceptChanges();
        return table;
    }
}
