using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Basic
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Add$Method0;

    [CompilerGenerated]
    private static Func<(int, int), int> <AkCache>Add$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Greet$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, string> <AkCache>Greet$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>NoArguments$Method4;

    [CompilerGenerated]
    private static Func<ValueTuple, long> <AkCache>NoArguments$Body5;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Join$Method6;

    [CompilerGenerated]
    private static Func<(string, int, double, bool, char, decimal, Guid, DateTime, byte[], int[], long, string), string> <AkCache>Join$Body7;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Pinned$Method8;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int> <AkCache>Pinned$Body9;

    private static int Add$Original(int a, int b)
    {
        Calls.Record("Add");
        return a + b;
    }

    private static string Greet$Original(string name)
    {
        Calls.Record("Greet");
        return "Hello, " + name;
    }

    private static long NoArguments$Original()
    {
        Calls.Record("NoArguments");
        return 42L;
    }

    private static string Join$Original(string? a, int b, double c, bool d, char e, decimal f, Guid g, DateTime h, byte[]? i, int[]? j, long k, string l)
    {
        Calls.Record("Join");
        InlineArray12<object> buffer = default;
        buffer[0] = a ?? "null";
        buffer[1] = b;
        buffer[2] = c;
        buffer[3] = d;
        buffer[4] = e;
        buffer[5] = f;
        buffer[6] = g;
        buffer[7] = h.Ticks;
        buffer[8] = ((i == null) ? "null" : i.Length.ToString());
        buffer[9] = ((j == null) ? "null" : string.Join(",", j));
        buffer[10] = k;
        buffer[11] = l;
        return string.Join("|", (ReadOnlySpan<object?>)buffer);
    }

    private static int Pinned$Original(int value)
    {
        Calls.Record("Pinned");
        return value;
    }

    [DebuggerStepThrough]
    public static int Add(int a, int b)
    {
        MemoizedMethod memoizedMethod = <AkCache>Add$Method0 ?? (<AkCache>Add$Method0 = MemoizedMethod.Create("AssemblyToProcess.Basic.Add(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(a);
        keyBuilder.Add(b);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (a, b), <AkCache>Add$Body1 ?? (<AkCache>Add$Body1 = Add$Invoke), default);
    }

    [CompilerGenerated]
    private static int Add$Invoke((int, int) arguments)
    {
        return Add$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static string Greet(string name)
    {
        MemoizedMethod memoizedMethod = <AkCache>Greet$Method2 ?? (<AkCache>Greet$Method2 = MemoizedMethod.Create("AssemblyToProcess.Basic.Greet(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(name);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(name), <AkCache>Greet$Body3 ?? (<AkCache>Greet$Body3 = Greet$Invoke), default);
    }

    [CompilerGenerated]
    private static string Greet$Invoke(ValueTuple<string> arguments)
    {
        return Greet$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static long NoArguments()
    {
        MemoizedMethod memoizedMethod = <AkCache>NoArguments$Method4 ?? (<AkCache>NoArguments$Method4 = MemoizedMethod.Create("AssemblyToProcess.Basic.NoArguments()", "<il-hash>", 0));
        return memoizedMethod.Invoke(memoizedMethod.BeginKey().Complete(), default, <AkCache>NoArguments$Body5 ?? (<AkCache>NoArguments$Body5 = NoArguments$Invoke), default);
    }

    [CompilerGenerated]
    private static long NoArguments$Invoke(ValueTuple arguments)
    {
        return NoArguments$Original();
    }

    [DebuggerStepThrough]
    public static string Join(string? a, int b, double c, bool d, char e, decimal f, Guid g, DateTime h, byte[]? i, int[]? j, long k, string l)
    {
        MemoizedMethod memoizedMethod = <AkCache>Join$Method6 ?? (<AkCache>Join$Method6 = MemoizedMethod.Create("AssemblyToProcess.Basic.Join(System.String,System.Int32,System.Double,System.Boolean,System.Char,System.Decimal,System.Guid,System.DateTime,System.Byte[],System.Int32[],System.Int64,System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(a);
        keyBuilder.Add(b);
        keyBuilder.Add(c);
        keyBuilder.Add(d);
        keyBuilder.Add(e);
        keyBuilder.Add(f);
        keyBuilder.Add(g);
        keyBuilder.Add(h);
        keyBuilder.Add(i);
        keyBuilder.Add(j);
        keyBuilder.Add(k);
        keyBuilder.Add(l);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (a, b, c, d, e, f, g, h, i, j, k, l), <AkCache>Join$Body7 ?? (<AkCache>Join$Body7 = Join$Invoke), default);
    }

    [CompilerGenerated]
    private static string Join$Invoke((string, int, double, bool, char, decimal, Guid, DateTime, byte[], int[], long, string) arguments)
    {
        return Join$Original(arguments.Item1, arguments.Item2, arguments.Item3, arguments.Item4, arguments.Item5, arguments.Item6, arguments.Item7, arguments.Item8, arguments.Item9, arguments.Item10, arguments.Item11, arguments.Item12);
    }

    [DebuggerStepThrough]
    public static int Pinned(int value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Pinned$Method8 ?? (<AkCache>Pinned$Method8 = MemoizedMethod.Create("AssemblyToProcess.Basic.Pinned(System.Int32)", "pinned-1", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(value), <AkCache>Pinned$Body9 ?? (<AkCache>Pinned$Body9 = Pinned$Invoke), default);
    }

    [CompilerGenerated]
    private static int Pinned$Invoke(ValueTuple<int> arguments)
    {
        return Pinned$Original(arguments.Item1);
    }
}
