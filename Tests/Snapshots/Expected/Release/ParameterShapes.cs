using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class ParameterShapes
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Sixteen$Method0;

    [CompilerGenerated]
    private static Func<(int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int), int> <AkCache>Sixteen$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Mixed17$Method2;

    [CompilerGenerated]
    private static Func<(string, int, long, double, bool, char, byte, short, decimal, Guid, DateTime, DateTimeOffset, TimeSpan, byte[], int?, Market, (int, string)), string> <AkCache>Mixed17$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Optional$Method4;

    [CompilerGenerated]
    private static Func<(int, string, int), string> <AkCache>Optional$Body5;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>SumAll$Method6;

    [CompilerGenerated]
    private static Func<ValueTuple<int[]>, int> <AkCache>SumAll$Body7;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Distance$Method8;

    [CompilerGenerated]
    private static Func<(Point, Point), int> <AkCache>Distance$Body9;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Total$Method10;

    [CompilerGenerated]
    private static Func<(Order, List<Order>), decimal> <AkCache>Total$Body11;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>CountWeights$Method12;

    [CompilerGenerated]
    private static Func<ValueTuple<Dictionary<string, int>>, int> <AkCache>CountWeights$Body13;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>CountDistinct$Method14;

    [CompilerGenerated]
    private static Func<ValueTuple<HashSet<string>>, int> <AkCache>CountDistinct$Body15;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ImmutableSum$Method16;

    [CompilerGenerated]
    private static Func<(ImmutableArray<int>, ImmutableDictionary<string, int>), int> <AkCache>ImmutableSum$Body17;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ReadOnlyList$Method18;

    [CompilerGenerated]
    private static Func<ValueTuple<IReadOnlyList<int>>, int> <AkCache>ReadOnlyList$Body19;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Scale$Method20;

    [CompilerGenerated]
    private static Func<ValueTuple<decimal>, string> <AkCache>Scale$Body21;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Moment$Method22;

    [CompilerGenerated]
    private static Func<ValueTuple<DateTimeOffset>, string> <AkCache>Moment$Body23;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Logged$Method24;

    [CompilerGenerated]
    private static Func<(int, IProgress<string>, Action<string>), int> <AkCache>Logged$Body25;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Cancellable$Method26;

    [CompilerGenerated]
    private static Func<(int, CancellationToken), int> <AkCache>Cancellable$Body27;

    private static int Sixteen$Original(int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, int a9, int a10, int a11, int a12, int a13, int a14, int a15, int a16)
    {
        Calls.Record("Sixteen");
        return a1 + 2 * a2 + 3 * a3 + 4 * a4 + 5 * a5 + 6 * a6 + 7 * a7 + 8 * a8 + 9 * a9 + 10 * a10 + 11 * a11 + 12 * a12 + 13 * a13 + 14 * a14 + 15 * a15 + 16 * a16;
    }

    private static string Mixed17$Original(string s1, int i2, long l3, double d4, bool b5, char c6, byte y7, short h8, decimal m9, Guid g10, DateTime t11, DateTimeOffset o12, TimeSpan p13, byte[] a14, int? n15, Market e16, (int, string) u17)
    {
        Calls.Record("Mixed17");
        <>y__InlineArray17<object> buffer = default;
        buffer[0] = s1;
        buffer[1] = i2;
        buffer[2] = l3;
        buffer[3] = d4;
        buffer[4] = b5;
        buffer[5] = c6;
        buffer[6] = y7;
        buffer[7] = h8;
        buffer[8] = m9;
        buffer[9] = g10;
        buffer[10] = t11.Ticks;
        buffer[11] = o12.Offset;
        buffer[12] = p13;
        buffer[13] = a14.Length;
        buffer[14] = n15;
        buffer[15] = e16;
        buffer[16] = u17.Item2;
        return string.Join("|", (ReadOnlySpan<object?>)buffer);
    }

    private static string Optional$Original(int a, string b = "default", int c = 7)
    {
        Calls.Record("Optional");
        return $"{a}/{b}/{c}";
    }

    private static int SumAll$Original(params int[] values)
    {
        Calls.Record("SumAll");
        int num = 0;
        foreach (int num2 in values)
        {
            num += num2;
        }
        return num;
    }

    private static int Distance$Original(in Point a, in Point b)
    {
        Calls.Record("Distance");
        return Math.Abs(a.X - b.X) + Math.Abs(a.Y - b.Y);
    }

    private static decimal Total$Original(Order order, List<Order> more)
    {
        Calls.Record("Total");
        decimal result = (decimal)order.Quantity * order.Price;
        foreach (Order item in more)
        {
            result += (decimal)item.Quantity * item.Price;
        }
        return result;
    }

    private static int CountWeights$Original(Dictionary<string, int> weights)
    {
        Calls.Record("CountWeights");
        int num = 0;
        foreach (KeyValuePair<string, int> weight in weights)
        {
            num += weight.Value;
        }
        return num;
    }

    private static int CountDistinct$Original(HashSet<string> items)
    {
        Calls.Record("CountDistinct");
        return items.Count;
    }

    private static int ImmutableSum$Original(ImmutableArray<int> values, ImmutableDictionary<string, int> extra)
    {
        Calls.Record("ImmutableSum");
        int num = 0;
        foreach (int item in values)
        {
            num += item;
        }
        foreach (KeyValuePair<string, int> item2 in extra)
        {
            num += item2.Value;
        }
        return num;
    }

    private static int ReadOnlyList$Original(IReadOnlyList<int> values)
    {
        Calls.Record("ReadOnlyList");
        return values.Count;
    }

    private static string Scale$Original(decimal value)
    {
        Calls.Record("Scale");
        return value.ToString(CultureInfo.InvariantCulture);
    }

    private static string Moment$Original(DateTimeOffset value)
    {
        Calls.Record("Moment");
        return value.ToString("o", CultureInfo.InvariantCulture);
    }

    private static int Logged$Original(int value, IProgress<string>? progress, Action<string>? log)
    {
        Calls.Record("Logged");
        progress?.Report("computing " + value);
        log?.Invoke("computing " + value);
        return value * 3;
    }

    private static int Cancellable$Original(int value, CancellationToken cancellationToken)
    {
        Calls.Record("Cancellable");
        cancellationToken.ThrowIfCancellationRequested();
        return value + 100;
    }

    [DebuggerStepThrough]
    public static int Sixteen(int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, int a9, int a10, int a11, int a12, int a13, int a14, int a15, int a16)
    {
        MemoizedMethod memoizedMethod = <AkCache>Sixteen$Method0 ?? (<AkCache>Sixteen$Method0 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Sixteen(System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(a1);
        keyBuilder.Add(a2);
        keyBuilder.Add(a3);
        keyBuilder.Add(a4);
        keyBuilder.Add(a5);
        keyBuilder.Add(a6);
        keyBuilder.Add(a7);
        keyBuilder.Add(a8);
        keyBuilder.Add(a9);
        keyBuilder.Add(a10);
        keyBuilder.Add(a11);
        keyBuilder.Add(a12);
        keyBuilder.Add(a13);
        keyBuilder.Add(a14);
        keyBuilder.Add(a15);
        keyBuilder.Add(a16);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16), <AkCache>Sixteen$Body1 ?? (<AkCache>Sixteen$Body1 = Sixteen$Invoke), default);
    }

    [CompilerGenerated]
    private static int Sixteen$Invoke((int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int) arguments)
    {
        return Sixteen$Original(arguments.Item1, arguments.Item2, arguments.Item3, arguments.Item4, arguments.Item5, arguments.Item6, arguments.Item7, arguments.Item8, arguments.Item9, arguments.Item10, arguments.Item11, arguments.Item12, arguments.Item13, arguments.Item14, arguments.Item15, arguments.Item16);
    }

    [DebuggerStepThrough]
    public static string Mixed17(string s1, int i2, long l3, double d4, bool b5, char c6, byte y7, short h8, decimal m9, Guid g10, DateTime t11, DateTimeOffset o12, TimeSpan p13, byte[] a14, int? n15, Market e16, (int, string) u17)
    {
        MemoizedMethod memoizedMethod = <AkCache>Mixed17$Method2 ?? (<AkCache>Mixed17$Method2 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Mixed17(System.String,System.Int32,System.Int64,System.Double,System.Boolean,System.Char,System.Byte,System.Int16,System.Decimal,System.Guid,System.DateTime,System.DateTimeOffset,System.TimeSpan,System.Byte[],System.Nullable`1<System.Int32>,AssemblyToProcess.Market,System.ValueTuple`2<System.Int32,System.String>)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(s1);
        keyBuilder.Add(i2);
        keyBuilder.Add(l3);
        keyBuilder.Add(d4);
        keyBuilder.Add(b5);
        keyBuilder.Add(c6);
        keyBuilder.Add(y7);
        keyBuilder.Add(h8);
        keyBuilder.Add(m9);
        keyBuilder.Add(g10);
        keyBuilder.Add(t11);
        keyBuilder.Add(o12);
        keyBuilder.Add(p13);
        keyBuilder.Add(a14);
        keyBuilder.Add(n15);
        keyBuilder.Add(e16);
        keyBuilder.Add(u17);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (s1, i2, l3, d4, b5, c6, y7, h8, m9, g10, t11, o12, p13, a14, n15, e16, u17), <AkCache>Mixed17$Body3 ?? (<AkCache>Mixed17$Body3 = Mixed17$Invoke), default);
    }

    [CompilerGenerated]
    private static string Mixed17$Invoke((string, int, long, double, bool, char, byte, short, decimal, Guid, DateTime, DateTimeOffset, TimeSpan, byte[], int?, Market, (int, string)) arguments)
    {
        return Mixed17$Original(arguments.Item1, arguments.Item2, arguments.Item3, arguments.Item4, arguments.Item5, arguments.Item6, arguments.Item7, arguments.Item8, arguments.Item9, arguments.Item10, arguments.Item11, arguments.Item12, arguments.Item13, arguments.Item14, arguments.Item15, arguments.Item16, arguments.Item17);
    }

    [DebuggerStepThrough]
    public static string Optional(int a, string b = "default", int c = 7)
    {
        MemoizedMethod memoizedMethod = <AkCache>Optional$Method4 ?? (<AkCache>Optional$Method4 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Optional(System.Int32,System.String,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(a);
        keyBuilder.Add(b);
        keyBuilder.Add(c);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (a, b, c), <AkCache>Optional$Body5 ?? (<AkCache>Optional$Body5 = Optional$Invoke), default);
    }

    [CompilerGenerated]
    private static string Optional$Invoke((int, string, int) arguments)
    {
        return Optional$Original(arguments.Item1, arguments.Item2, arguments.Item3);
    }

    [DebuggerStepThrough]
    public static int SumAll(params int[] values)
    {
        MemoizedMethod memoizedMethod = <AkCache>SumAll$Method6 ?? (<AkCache>SumAll$Method6 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.SumAll(System.Int32[])", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(values);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int[]>(values), <AkCache>SumAll$Body7 ?? (<AkCache>SumAll$Body7 = SumAll$Invoke), default);
    }

    [CompilerGenerated]
    private static int SumAll$Invoke(ValueTuple<int[]> arguments)
    {
        return SumAll$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int Distance(in Point a, in Point b)
    {
        MemoizedMethod memoizedMethod = <AkCache>Distance$Method8 ?? (<AkCache>Distance$Method8 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Distance(AssemblyToProcess.Point&,AssemblyToProcess.Point&)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(a);
        keyBuilder.Add(b);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (a, b), <AkCache>Distance$Body9 ?? (<AkCache>Distance$Body9 = Distance$Invoke), default);
    }

    [CompilerGenerated]
    private static int Distance$Invoke((Point, Point) arguments)
    {
        return Distance$Original(in arguments.Item1, in arguments.Item2);
    }

    [DebuggerStepThrough]
    public static decimal Total(Order order, List<Order> more)
    {
        MemoizedMethod memoizedMethod = <AkCache>Total$Method10 ?? (<AkCache>Total$Method10 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Total(AssemblyToProcess.Order,System.Collections.Generic.List`1<AssemblyToProcess.Order>)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(order);
        keyBuilder.Add(more);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (order, more), <AkCache>Total$Body11 ?? (<AkCache>Total$Body11 = Total$Invoke), default);
    }

    [CompilerGenerated]
    private static decimal Total$Invoke((Order, List<Order>) arguments)
    {
        return Total$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static int CountWeights(Dictionary<string, int> weights)
    {
        MemoizedMethod memoizedMethod = <AkCache>CountWeights$Method12 ?? (<AkCache>CountWeights$Method12 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.CountWeights(System.Collections.Generic.Dictionary`2<System.String,System.Int32>)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(weights);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<Dictionary<string, int>>(weights), <AkCache>CountWeights$Body13 ?? (<AkCache>CountWeights$Body13 = CountWeights$Invoke), default);
    }

    [CompilerGenerated]
    private static int CountWeights$Invoke(ValueTuple<Dictionary<string, int>> arguments)
    {
        return CountWeights$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int CountDistinct(HashSet<string> items)
    {
        MemoizedMethod memoizedMethod = <AkCache>CountDistinct$Method14 ?? (<AkCache>CountDistinct$Method14 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.CountDistinct(System.Collections.Generic.HashSet`1<System.String>)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(items);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<HashSet<string>>(items), <AkCache>CountDistinct$Body15 ?? (<AkCache>CountDistinct$Body15 = CountDistinct$Invoke), default);
    }

    [CompilerGenerated]
    private static int CountDistinct$Invoke(ValueTuple<HashSet<string>> arguments)
    {
        return CountDistinct$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int ImmutableSum(ImmutableArray<int> values, ImmutableDictionary<string, int> extra)
    {
        MemoizedMethod memoizedMethod = <AkCache>ImmutableSum$Method16 ?? (<AkCache>ImmutableSum$Method16 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.ImmutableSum(System.Collections.Immutable.ImmutableArray`1<System.Int32>,System.Collections.Immutable.ImmutableDictionary`2<System.String,System.Int32>)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(values);
        keyBuilder.Add(extra);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (values, extra), <AkCache>ImmutableSum$Body17 ?? (<AkCache>ImmutableSum$Body17 = ImmutableSum$Invoke), default);
    }

    [CompilerGenerated]
    private static int ImmutableSum$Invoke((ImmutableArray<int>, ImmutableDictionary<string, int>) arguments)
    {
        return ImmutableSum$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static int ReadOnlyList(IReadOnlyList<int> values)
    {
        MemoizedMethod memoizedMethod = <AkCache>ReadOnlyList$Method18 ?? (<AkCache>ReadOnlyList$Method18 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.ReadOnlyList(System.Collections.Generic.IReadOnlyList`1<System.Int32>)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(values);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<IReadOnlyList<int>>(values), <AkCache>ReadOnlyList$Body19 ?? (<AkCache>ReadOnlyList$Body19 = ReadOnlyList$Invoke), default);
    }

    [CompilerGenerated]
    private static int ReadOnlyList$Invoke(ValueTuple<IReadOnlyList<int>> arguments)
    {
        return ReadOnlyList$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string Scale(decimal value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Scale$Method20 ?? (<AkCache>Scale$Method20 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Scale(System.Decimal)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<decimal>(value), <AkCache>Scale$Body21 ?? (<AkCache>Scale$Body21 = Scale$Invoke), default);
    }

    [CompilerGenerated]
    private static string Scale$Invoke(ValueTuple<decimal> arguments)
    {
        return Scale$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string Moment(DateTimeOffset value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Moment$Method22 ?? (<AkCache>Moment$Method22 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Moment(System.DateTimeOffset)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<DateTimeOffset>(value), <AkCache>Moment$Body23 ?? (<AkCache>Moment$Body23 = Moment$Invoke), default);
    }

    [CompilerGenerated]
    private static string Moment$Invoke(ValueTuple<DateTimeOffset> arguments)
    {
        return Moment$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int Logged(int value, IProgress<string>? progress, Action<string>? log)
    {
        MemoizedMethod memoizedMethod = <AkCache>Logged$Method24 ?? (<AkCache>Logged$Method24 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Logged(System.Int32,System.IProgress`1<System.String>,System.Action`1<System.String>)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (value, progress, log), <AkCache>Logged$Body25 ?? (<AkCache>Logged$Body25 = Logged$Invoke), default);
    }

    [CompilerGenerated]
    private static int Logged$Invoke((int, IProgress<string>, Action<string>) arguments)
    {
        return Logged$Original(arguments.Item1, arguments.Item2, arguments.Item3);
    }

    [DebuggerStepThrough]
    public static int Cancellable(int value, CancellationToken cancellationToken)
    {
        MemoizedMethod memoizedMethod = <AkCache>Cancellable$Method26 ?? (<AkCache>Cancellable$Method26 = MemoizedMethod.Create("AssemblyToProcess.ParameterShapes.Cancellable(System.Int32,System.Threading.CancellationToken)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (value, cancellationToken), <AkCache>Cancellable$Body27 ?? (<AkCache>Cancellable$Body27 = Cancellable$Invoke), cancellationToken);
    }

    [CompilerGenerated]
    private static int Cancellable$Invoke((int, CancellationToken) arguments)
    {
        return Cancellable$Original(arguments.Item1, arguments.Item2);
    }
}
