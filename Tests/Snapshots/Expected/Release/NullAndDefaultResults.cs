using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class NullAndDefaultResults
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>FindName$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, string> <AkCache>FindName$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>FindNumber$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int?> <AkCache>FindNumber$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Zero$Method4;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int> <AkCache>Zero$Body5;

    private static string? FindName$Original(int id)
    {
        Calls.Record("FindName");
        return null;
    }

    private static int? FindNumber$Original(int id)
    {
        Calls.Record("FindNumber");
        return null;
    }

    private static int Zero$Original(int id)
    {
        Calls.Record("Zero");
        return 0;
    }

    [DebuggerStepThrough]
    public static string? FindName(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>FindName$Method0 ?? (<AkCache>FindName$Method0 = MemoizedMethod.Create("AssemblyToProcess.NullAndDefaultResults.FindName(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>FindName$Body1 ?? (<AkCache>FindName$Body1 = FindName$Invoke), default);
    }

    [CompilerGenerated]
    private static string FindName$Invoke(ValueTuple<int> arguments)
    {
        return FindName$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int? FindNumber(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>FindNumber$Method2 ?? (<AkCache>FindNumber$Method2 = MemoizedMethod.Create("AssemblyToProcess.NullAndDefaultResults.FindNumber(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>FindNumber$Body3 ?? (<AkCache>FindNumber$Body3 = FindNumber$Invoke), default);
    }

    [CompilerGenerated]
    private static int? FindNumber$Invoke(ValueTuple<int> arguments)
    {
        return FindNumber$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int Zero(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>Zero$Method4 ?? (<AkCache>Zero$Method4 = MemoizedMethod.Create("AssemblyToProcess.NullAndDefaultResults.Zero(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>Zero$Body5 ?? (<AkCache>Zero$Body5 = Zero$Invoke), default);
    }

    [CompilerGenerated]
    private static int Zero$Invoke(ValueTuple<int> arguments)
    {
        return Zero$Original(arguments.Item1);
    }
}
