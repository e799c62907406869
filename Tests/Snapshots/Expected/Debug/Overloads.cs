using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Overloads
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Describe$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, string> <AkCache>Describe$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Describe$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<long>, string> <AkCache>Describe$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Describe$Method4;

    [CompilerGenerated]
    private static Func<(int, int), string> <AkCache>Describe$Body5;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Subtract$Method6;

    [CompilerGenerated]
    private static Func<(int, int), int> <AkCache>Subtract$Body7;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Concat$Method8;

    [CompilerGenerated]
    private static Func<(string, string), string> <AkCache>Concat$Body9;

    private static string Describe$Original(int value)
    {
        Calls.Record("Describe(int)");
        return "int " + value;
    }

    private static string Describe$Original(long value)
    {
        Calls.Record("Describe(long)");
        return "long " + value;
    }

    private static string Describe$Original(int first, int second)
    {
        Calls.Record("Describe(int,int)");
        return $"pair {first},{second}";
    }

    private static int Subtract$Original(int a, int b)
    {
        Calls.Record("Subtract");
        return a - b;
    }

    private static string Concat$Original(string? a, string? b)
    {
        Calls.Record("Concat");
        return (a ?? "<null>") + "+" + (b ?? "<null>");
    }

    [DebuggerStepThrough]
    public static string Describe(int value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Describe$Method0 ?? (<AkCache>Describe$Method0 = MemoizedMethod.Create("AssemblyToProcess.Overloads.Describe(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(value), <AkCache>Describe$Body1 ?? (<AkCache>Describe$Body1 = Describe$Invoke), default);
    }

    [CompilerGenerated]
    private static string Describe$Invoke(ValueTuple<int> arguments)
    {
        return Describe$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string Describe(long value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Describe$Method2 ?? (<AkCache>Describe$Method2 = MemoizedMethod.Create("AssemblyToProcess.Overloads.Describe(System.Int64)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<long>(value), <AkCache>Describe$Body3 ?? (<AkCache>Describe$Body3 = Describe$Invoke), default);
    }

    [CompilerGenerated]
    private static string Describe$Invoke(ValueTuple<long> arguments)
    {
        return Describe$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string Describe(int first, int second)
    {
        MemoizedMethod memoizedMethod = <AkCache>Describe$Method4 ?? (<AkCache>Describe$Method4 = MemoizedMethod.Create("AssemblyToProcess.Overloads.Describe(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(first);
        keyBuilder.Add(second);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (first, second), <AkCache>Describe$Body5 ?? (<AkCache>Describe$Body5 = Describe$Invoke), default);
    }

    [CompilerGenerated]
    private static string Describe$Invoke((int, int) arguments)
    {
        return Describe$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static int Subtract(int a, int b)
    {
        MemoizedMethod memoizedMethod = <AkCache>Subtract$Method6 ?? (<AkCache>Subtract$Method6 = MemoizedMethod.Create("AssemblyToProcess.Overloads.Subtract(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(a);
        keyBuilder.Add(b);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (a, b), <AkCache>Subtract$Body7 ?? (<AkCache>Subtract$Body7 = Subtract$Invoke), default);
    }

    [CompilerGenerated]
    private static int Subtract$Invoke((int, int) arguments)
    {
        return Subtract$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static string Concat(string? a, string? b)
    {
        MemoizedMethod memoizedMethod = <AkCache>Concat$Method8 ?? (<AkCache>Concat$Method8 = MemoizedMethod.Create("AssemblyToProcess.Overloads.Concat(System.String,System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(a);
        keyBuilder.Add(b);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (a, b), <AkCache>Concat$Body9 ?? (<AkCache>Concat$Body9 = Concat$Invoke), default);
    }

    [CompilerGenerated]
    private static string Concat$Invoke((string, string) arguments)
    {
        return Concat$Original(arguments.Item1, arguments.Item2);
    }
}
