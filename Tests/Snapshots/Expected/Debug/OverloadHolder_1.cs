using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class OverloadHolder<T>
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Get$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, string> <AkCache>Get$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Get$Method2;

    [CompilerGenerated]
    private static Func<(int, CancellationToken), string> <AkCache>Get$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Get$Method4;

    [CompilerGenerated]
    private static Func<ValueTuple<long>, string> <AkCache>Get$Body5;

    private static string Get$Original(int id)
    {
        Calls.Record("OverloadHolder.Get(int)");
        return typeof(T).Name + " plain " + id;
    }

    private static string Get$Original(int id, CancellationToken cancellationToken)
    {
        Calls.Record("OverloadHolder.Get(int,token)");
        return typeof(T).Name + " token " + id;
    }

    private static string Get$Original(long id)
    {
        Calls.Record("OverloadHolder.Get(long)");
        return typeof(T).Name + " long " + id;
    }

    [DebuggerStepThrough]
    public static string Get(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>Get$Method0 ?? (<AkCache>Get$Method0 = MemoizedMethod.Create("AssemblyToProcess.OverloadHolder`1.Get(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>Get$Body1 ?? (<AkCache>Get$Body1 = Get$Invoke), default);
    }

    [CompilerGenerated]
    private static string Get$Invoke(ValueTuple<int> arguments)
    {
        return Get$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string Get(int id, CancellationToken cancellationToken)
    {
        MemoizedMethod memoizedMethod = <AkCache>Get$Method2 ?? (<AkCache>Get$Method2 = MemoizedMethod.Create("AssemblyToProcess.OverloadHolder`1.Get(System.Int32,System.Threading.CancellationToken)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (id, cancellationToken), <AkCache>Get$Body3 ?? (<AkCache>Get$Body3 = Get$Invoke), cancellationToken);
    }

    [CompilerGenerated]
    private static string Get$Invoke((int, CancellationToken) arguments)
    {
        return Get$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static string Get(long id)
    {
        MemoizedMethod memoizedMethod = <AkCache>Get$Method4 ?? (<AkCache>Get$Method4 = MemoizedMethod.Create("AssemblyToProcess.OverloadHolder`1.Get(System.Int64)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<long>(id), <AkCache>Get$Body5 ?? (<AkCache>Get$Body5 = Get$Invoke), default);
    }

    [CompilerGenerated]
    private static string Get$Invoke(ValueTuple<long> arguments)
    {
        return Get$Original(arguments.Item1);
    }
}
