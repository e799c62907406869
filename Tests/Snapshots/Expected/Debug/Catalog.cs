using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Catalog
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Name$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, string> <AkCache>Name$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ShortLived$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, string> <AkCache>ShortLived$Body3;

    private static string Name$Original(int id)
    {
        Calls.Record("Catalog.Name");
        return "item " + Helper(id);
    }

    private static string ShortLived$Original(int id)
    {
        Calls.Record("Catalog.ShortLived");
        return "short " + id;
    }

    public static void Log(string message)
    {
        Calls.Record("Catalog.Log " + message);
    }

    public static int Swap(ref int value)
    {
        value = -value;
        return value;
    }

    private static int Helper(int id)
    {
        Calls.Record("Catalog.Helper");
        return id * 10;
    }

    [DebuggerStepThrough]
    public static string Name(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>Name$Method0 ?? (<AkCache>Name$Method0 = MemoizedMethod.Create("AssemblyToProcess.Catalog.Name(System.Int32)", "<il-hash>", 60));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>Name$Body1 ?? (<AkCache>Name$Body1 = Name$Invoke), default);
    }

    [CompilerGenerated]
    private static string Name$Invoke(ValueTuple<int> arguments)
    {
        return Name$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string ShortLived(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>ShortLived$Method2 ?? (<AkCache>ShortLived$Method2 = MemoizedMethod.Create("AssemblyToProcess.Catalog.ShortLived(System.Int32)", "<il-hash>", 5));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>ShortLived$Body3 ?? (<AkCache>ShortLived$Body3 = ShortLived$Invoke), default);
    }

    [CompilerGenerated]
    private static string ShortLived$Invoke(ValueTuple<int> arguments)
    {
        return ShortLived$Original(arguments.Item1);
    }
}
