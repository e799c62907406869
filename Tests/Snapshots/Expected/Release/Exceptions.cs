using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Exceptions
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>FailUntil$Method0;

    [CompilerGenerated]
    private static Func<(int, int), int> <AkCache>FailUntil$Body1;

    private static int FailUntil$Original(int id, int failures)
    {
        Calls.Record("FailUntil");
        if (Calls.Count("FailUntil") <= failures)
        {
            throw new InvalidOperationException($"failure {Calls.Count("FailUntil")} for {id}");
        }
        return id * 10;
    }

    [DebuggerStepThrough]
    public static int FailUntil(int id, int failures)
    {
        MemoizedMethod memoizedMethod = <AkCache>FailUntil$Method0 ?? (<AkCache>FailUntil$Method0 = MemoizedMethod.Create("AssemblyToProcess.Exceptions.FailUntil(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(id);
        keyBuilder.Add(failures);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (id, failures), <AkCache>FailUntil$Body1 ?? (<AkCache>FailUntil$Body1 = FailUntil$Invoke), default);
    }

    [CompilerGenerated]
    private static int FailUntil$Invoke((int, int) arguments)
    {
        return FailUntil$Original(arguments.Item1, arguments.Item2);
    }
}
