using System;
using AkCache;

namespace AssemblyToProcess;

public enum Market
{
    Shanghai = 1,
    Shenzhen = 2,
}

public sealed class Filter
{
    public string Region { get; set; } = "";

    public int MinimumSize { get; set; }
}

public static class ArgumentShapes
{
    [Memoize]
    public static string ByEnum(Market market)
    {
        Calls.Record(nameof(ByEnum));
        return market.ToString();
    }

    [Memoize]
    public static string ByFilter(Filter? filter)
    {
        Calls.Record(nameof(ByFilter));
        return filter is null ? "none" : $"{filter.Region}>{filter.MinimumSize}";
    }

    [Memoize]
    public static int Sum(int[] values)
    {
        Calls.Record(nameof(Sum));
        var sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }

    [Memoize]
    public static string ByNullable(int? value)
    {
        Calls.Record(nameof(ByNullable));
        return value?.ToString() ?? "null";
    }

    [Memoize]
    public static string ByDate(DateTime value)
    {
        Calls.Record(nameof(ByDate));
        return value.Kind + " " + value.Ticks;
    }

    [Memoize]
    public static int ByReadOnlyReference(in Range range)
    {
        Calls.Record(nameof(ByReadOnlyReference));
        return range.High - range.Low;
    }
}
