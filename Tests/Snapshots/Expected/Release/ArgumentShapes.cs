using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class ArgumentShapes
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ByEnum$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<Market>, string> <AkCache>ByEnum$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ByFilter$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<Filter>, string> <AkCache>ByFilter$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Sum$Method4;

    [CompilerGenerated]
    private static Func<ValueTuple<int[]>, int> <AkCache>Sum$Body5;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ByNullable$Method6;

    [CompilerGenerated]
    private static Func<ValueTuple<int?>, string> <AkCache>ByNullable$Body7;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ByDate$Method8;

    [CompilerGenerated]
    private static Func<ValueTuple<DateTime>, string> <AkCache>ByDate$Body9;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ByReadOnlyReference$Method10;

    [CompilerGenerated]
    private static Func<ValueTuple<Range>, int> <AkCache>ByReadOnlyReference$Body11;

    private static string ByEnum$Original(Market market)
    {
        Calls.Record("ByEnum");
        return market.ToString();
    }

    private static string ByFilter$Original(Filter? filter)
    {
        Calls.Record("ByFilter");
        if (filter != null)
        {
            return $"{filter.Region}>{filter.MinimumSize}";
        }
        return "none";
    }

    private static int Sum$Original(int[] values)
    {
        Calls.Record("Sum");
        int num = 0;
        foreach (int num2 in values)
        {
            num += num2;
        }
        return num;
    }

    private static string ByNullable$Original(int? value)
    {
        Calls.Record("ByNullable");
        return value?.ToString() ?? "null";
    }

    private static string ByDate$Original(DateTime value)
    {
        Calls.Record("ByDate");
        return value.Kind.ToString() + " " + value.Ticks;
    }

    private static int ByReadOnlyReference$Original(in Range range)
    {
        Calls.Record("ByReadOnlyReference");
        return range.High - range.Low;
    }

    [DebuggerStepThrough]
    public static string ByEnum(Market market)
    {
        MemoizedMethod memoizedMethod = <AkCache>ByEnum$Method0 ?? (<AkCache>ByEnum$Method0 = MemoizedMethod.Create("AssemblyToProcess.ArgumentShapes.ByEnum(AssemblyToProcess.Market)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(market);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<Market>(market), <AkCache>ByEnum$Body1 ?? (<AkCache>ByEnum$Body1 = ByEnum$Invoke), default);
    }

    [CompilerGenerated]
    private static string ByEnum$Invoke(ValueTuple<Market> arguments)
    {
        return ByEnum$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string ByFilter(Filter? filter)
    {
        MemoizedMethod memoizedMethod = <AkCache>ByFilter$Method2 ?? (<AkCache>ByFilter$Method2 = MemoizedMethod.Create("AssemblyToProcess.ArgumentShapes.ByFilter(AssemblyToProcess.Filter)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(filter);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<Filter>(filter), <AkCache>ByFilter$Body3 ?? (<AkCache>ByFilter$Body3 = ByFilter$Invoke), default);
    }

    [CompilerGenerated]
    private static string ByFilter$Invoke(ValueTuple<Filter> arguments)
    {
        return ByFilter$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int Sum(int[] values)
    {
        MemoizedMethod memoizedMethod = <AkCache>Sum$Method4 ?? (<AkCache>Sum$Method4 = MemoizedMethod.Create("AssemblyToProcess.ArgumentShapes.Sum(System.Int32[])", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(values);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int[]>(values), <AkCache>Sum$Body5 ?? (<AkCache>Sum$Body5 = Sum$Invoke), default);
    }

    [CompilerGenerated]
    private static int Sum$Invoke(ValueTuple<int[]> arguments)
    {
        return Sum$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string ByNullable(int? value)
    {
        MemoizedMethod memoizedMethod = <AkCache>ByNullable$Method6 ?? (<AkCache>ByNullable$Method6 = MemoizedMethod.Create("AssemblyToProcess.ArgumentShapes.ByNullable(System.Nullable`1<System.Int32>)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int?>(value), <AkCache>ByNullable$Body7 ?? (<AkCache>ByNullable$Body7 = ByNullable$Invoke), default);
    }

    [CompilerGenerated]
    private static string ByNullable$Invoke(ValueTuple<int?> arguments)
    {
        return ByNullable$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string ByDate(DateTime value)
    {
        MemoizedMethod memoizedMethod = <AkCache>ByDate$Method8 ?? (<AkCache>ByDate$Method8 = MemoizedMethod.Create("AssemblyToProcess.ArgumentShapes.ByDate(System.DateTime)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<DateTime>(value), <AkCache>ByDate$Body9 ?? (<AkCache>ByDate$Body9 = ByDate$Invoke), default);
    }

    [CompilerGenerated]
    private static string ByDate$Invoke(ValueTuple<DateTime> arguments)
    {
        return ByDate$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int ByReadOnlyReference(in Range range)
    {
        MemoizedMethod memoizedMethod = <AkCache>ByReadOnlyReference$Method10 ?? (<AkCache>ByReadOnlyReference$Method10 = MemoizedMethod.Create("AssemblyToProcess.ArgumentShapes.ByReadOnlyReference(AssemblyToProcess.Range&)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(range);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<Range>(range), <AkCache>ByReadOnlyReference$Body11 ?? (<AkCache>ByReadOnlyReference$Body11 = ByReadOnlyReference$Invoke), default);
    }

    [CompilerGenerated]
    private static int ByReadOnlyReference$Invoke(ValueTuple<Range> arguments)
    {
        return ByReadOnlyReference$Original(in arguments.Item1);
    }
}
