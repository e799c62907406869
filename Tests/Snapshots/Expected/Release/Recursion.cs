using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Recursion
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Fibonacci$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, long> <AkCache>Fibonacci$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>SameKey$Method2;

    [CompilerGenerated]
    private static Func<(int, int), int> <AkCache>SameKey$Body3;

    private static long Fibonacci$Original(int n)
    {
        Calls.Record("Fibonacci");
        if (n >= 2)
        {
            return Fibonacci(n - 1) + Fibonacci(n - 2);
        }
        return n;
    }

    private static int SameKey$Original(int n, int depth)
    {
        Calls.Record("SameKey");
        if (depth != 0)
        {
            return n;
        }
        return SameKey(n, 1) + 1;
    }

    [DebuggerStepThrough]
    public static long Fibonacci(int n)
    {
        MemoizedMethod memoizedMethod = <AkCache>Fibonacci$Method0 ?? (<AkCache>Fibonacci$Method0 = MemoizedMethod.Create("AssemblyToProcess.Recursion.Fibonacci(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(n);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(n), <AkCache>Fibonacci$Body1 ?? (<AkCache>Fibonacci$Body1 = Fibonacci$Invoke), default);
    }

    [CompilerGenerated]
    private static long Fibonacci$Invoke(ValueTuple<int> arguments)
    {
        return Fibonacci$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int SameKey(int n, int depth)
    {
        MemoizedMethod memoizedMethod = <AkCache>SameKey$Method2 ?? (<AkCache>SameKey$Method2 = MemoizedMethod.Create("AssemblyToProcess.Recursion.SameKey(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(n);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (n, depth), <AkCache>SameKey$Body3 ?? (<AkCache>SameKey$Body3 = SameKey$Invoke), default);
    }

    [CompilerGenerated]
    private static int SameKey$Invoke((int, int) arguments)
    {
        return SameKey$Original(arguments.Item1, arguments.Item2);
    }
}
