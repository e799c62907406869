using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using AkCache;

namespace AssemblyToProcess;

public readonly record struct Point(int X, int Y);

public sealed record Order(string Symbol, int Quantity, decimal Price);

public static class ParameterShapes
{
    [Memoize]
    public static int Sixteen(int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, int a9, int a10, int a11, int a12, int a13, int a14, int a15, int a16)
    {
        Calls.Record(nameof(Sixteen));
        return a1 + (2 * a2) + (3 * a3) + (4 * a4) + (5 * a5) + (6 * a6) + (7 * a7) + (8 * a8) + (9 * a9) + (10 * a10) + (11 * a11) + (12 * a12) + (13 * a13) + (14 * a14) + (15 * a15) + (16 * a16);
    }

    [Memoize]
    public static string Mixed17(string s1, int i2, long l3, double d4, bool b5, char c6, byte y7, short h8, decimal m9, Guid g10, DateTime t11, DateTimeOffset o12, TimeSpan p13, byte[] a14, int? n15, Market e16, (int, string) u17)
    {
        Calls.Record(nameof(Mixed17));
        return string.Join("|", s1, i2, l3, d4, b5, c6, y7, h8, m9, g10, t11.Ticks, o12.Offset, p13, a14.Length, n15, e16, u17.Item2);
    }

    [Memoize]
    public static string Optional(int a, string b = "default", int c = 7)
    {
        Calls.Record(nameof(Optional));
        return $"{a}/{b}/{c}";
    }

    [Memoize]
    public static int SumAll(params int[] values)
    {
        Calls.Record(nameof(SumAll));
        var sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }

    [Memoize]
    public static int Distance(in Point a, in Point b)
    {
        Calls.Record(nameof(Distance));
        return Math.Abs(a.X - b.X) + Math.Abs(a.Y - b.Y);
    }

    [Memoize]
    public static decimal Total(Order order, List<Order> more)
    {
        Calls.Record(nameof(Total));
        var total = order.Quantity * order.Price;
        foreach (var item in more)
        {
            total += item.Quantity * item.Price;
        }

        return total;
    }

    [Memoize]
    public static int CountWeights(Dictionary<string, int> weights)
    {
        Calls.Record(nameof(CountWeights));
        var sum = 0;
        foreach (var pair in weights)
        {
            sum += pair.Value;
        }

        return sum;
    }

    [Memoize]
    public static int CountDistinct(HashSet<string> items)
    {
        Calls.Record(nameof(CountDistinct));
        return items.Count;
    }

    [Memoize]
    public static int ImmutableSum(ImmutableArray<int> values, ImmutableDictionary<string, int> extra)
    {
        Calls.Record(nameof(ImmutableSum));
        var sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        foreach (var pair in extra)
        {
            sum += pair.Value;
        }

        return sum;
    }

    [Memoize]
    public static int ReadOnlyList(IReadOnlyList<int> values)
    {
        Calls.Record(nameof(ReadOnlyList));
        return values.Count;
    }

    [Memoize]
    public static string Scale(decimal value)
    {
        Calls.Record(nameof(Scale));
        return value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Memoize]
    public static string Moment(DateTimeOffset value)
    {
        Calls.Record(nameof(Moment));
        return value.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Memoize]
    public static int Logged(int value, [NotKey] IProgress<string>? progress, [NotKey] Action<string>? log)
    {
        Calls.Record(nameof(Logged));
        progress?.Report("computing " + value);
        log?.Invoke("computing " + value);
        return value * 3;
    }

    [Memoize]
    public static int Cancellable(int value, CancellationToken cancellationToken)
    {
        Calls.Record(nameof(Cancellable));
        cancellationToken.ThrowIfCancellationRequested();
        return value + 100;
    }
}
