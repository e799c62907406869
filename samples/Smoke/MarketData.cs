using System;
using System.Collections.Generic;
using System.Threading;
using AkCache;

namespace Smoke;

public sealed record Bar(DateTime Day, decimal Close);

/// <summary>Slow helpers, as a task runner would call them: each one stands for a market-data API call.</summary>
public static class MarketData
{
    private static int s_apiCalls;

    public static int ApiCalls => Volatile.Read(ref s_apiCalls);

    [Memoize]
    public static List<string> SectorCodes(string board)
    {
        CallApi();
        return new List<string> { board + ".BK0001", board + ".BK0002", board + ".BK0003" };
    }

    [Memoize(MaxAgeSeconds = 3600)]
    public static Bar[] History(string symbol, int days)
    {
        CallApi();
        var bars = new Bar[days];
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < days; i++)
        {
            bars[i] = new Bar(start.AddDays(i), 10m + (symbol.Length * i % 7) / 4m);
        }

        return bars;
    }

    [Memoize]
    public static string? SectorOf(string symbol)
    {
        CallApi();
        return symbol.StartsWith("6", StringComparison.Ordinal) ? "Banks" : null;
    }

    [Memoize]
    public static async System.Threading.Tasks.Task<decimal> LastPriceAsync(string symbol, CancellationToken cancellationToken)
    {
        await System.Threading.Tasks.Task.Delay(1, cancellationToken);
        CallApi();
        return 10m + symbol.Length;
    }

    [Memoize]
    public static T[] Repeat<T>(T value, int count, [NotKey] Action<string>? log)
    {
        log?.Invoke("fetching " + value);
        CallApi();
        var items = new T[count];
        Array.Fill(items, value);
        return items;
    }

    private static void CallApi()
    {
        Interlocked.Increment(ref s_apiCalls);
        Thread.Sleep(300);
    }
}

/// <summary>[Memoize] on a class: each of its public static methods that return a value is memoized.</summary>
[Memoize(MaxAgeSeconds = 600)]
public static class TradingCalendar
{
    private static int s_calls;

    public static int Calls => Volatile.Read(ref s_calls);

    public static Dictionary<string, int> TradingDays(int year, HashSet<string> markets)
    {
        Interlocked.Increment(ref s_calls);
        Thread.Sleep(100);
        var days = new Dictionary<string, int>();
        foreach (var market in markets)
        {
            days[market] = 240 + (year % 10) + market.Length;
        }

        return days;
    }
}
