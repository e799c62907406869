using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class TimeToLive
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>OneSecond$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int> <AkCache>OneSecond$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ConfiguredDefault$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int> <AkCache>ConfiguredDefault$Body3;

    private static int OneSecond$Original(int id)
    {
        Calls.Record("OneSecond");
        return id + Calls.Count("OneSecond") * 1000;
    }

    private static int ConfiguredDefault$Original(int id)
    {
        Calls.Record("ConfiguredDefault");
        return id;
    }

    [DebuggerStepThrough]
    public static int OneSecond(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>OneSecond$Method0 ?? (<AkCache>OneSecond$Method0 = MemoizedMethod.Create("AssemblyToProcess.TimeToLive.OneSecond(System.Int32)", "<il-hash>", 1));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>OneSecond$Body1 ?? (<AkCache>OneSecond$Body1 = OneSecond$Invoke), default);
    }

    [CompilerGenerated]
    private static int OneSecond$Invoke(ValueTuple<int> arguments)
    {
        return OneSecond$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int ConfiguredDefault(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>ConfiguredDefault$Method2 ?? (<AkCache>ConfiguredDefault$Method2 = MemoizedMethod.Create("AssemblyToProcess.TimeToLive.ConfiguredDefault(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>ConfiguredDefault$Body3 ?? (<AkCache>ConfiguredDefault$Body3 = ConfiguredDefault$Invoke), default);
    }

    [CompilerGenerated]
    private static int ConfiguredDefault$Invoke(ValueTuple<int> arguments)
    {
        return ConfiguredDefault$Original(arguments.Item1);
    }
}
