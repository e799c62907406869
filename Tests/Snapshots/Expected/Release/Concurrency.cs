using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Concurrency
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>SlowSquare$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, long> <AkCache>SlowSquare$Body1;

    private static long SlowSquare$Original(int value)
    {
        Calls.Record("SlowSquare");
        Thread.Sleep(20);
        return (long)value * (long)value;
    }

    [DebuggerStepThrough]
    public static long SlowSquare(int value)
    {
        MemoizedMethod memoizedMethod = <AkCache>SlowSquare$Method0 ?? (<AkCache>SlowSquare$Method0 = MemoizedMethod.Create("AssemblyToProcess.Concurrency.SlowSquare(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(value), <AkCache>SlowSquare$Body1 ?? (<AkCache>SlowSquare$Body1 = SlowSquare$Invoke), default);
    }

    [CompilerGenerated]
    private static long SlowSquare$Invoke(ValueTuple<int> arguments)
    {
        return SlowSquare$Original(arguments.Item1);
    }
}
