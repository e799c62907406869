using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Observed
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Square$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int> <AkCache>Square$Body1;

    private static int Square$Original(int value)
    {
        Calls.Record("Square");
        return value * value;
    }

    [DebuggerStepThrough]
    public static int Square(int value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Square$Method0 ?? (<AkCache>Square$Method0 = MemoizedMethod.Create("AssemblyToProcess.Observed.Square(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(value), <AkCache>Square$Body1 ?? (<AkCache>Square$Body1 = Square$Invoke), default);
    }

    [CompilerGenerated]
    private static int Square$Invoke(ValueTuple<int> arguments)
    {
        return Square$Original(arguments.Item1);
    }
}
