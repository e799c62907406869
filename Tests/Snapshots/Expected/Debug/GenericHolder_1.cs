using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class GenericHolder<T>
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Name$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, string> <AkCache>Name$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Wrap$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<T>, List<T>> <AkCache>Wrap$Body3;

    private static string Name$Original(int id)
    {
        Calls.Record("GenericHolder.Name");
        return typeof(T).Name + "#" + id;
    }

    private static List<T> Wrap$Original(T value)
    {
        Calls.Record("GenericHolder.Wrap");
        return new List<T> { value, value };
    }

    public static string NameThroughCaller(int id)
    {
        return Name(id);
    }

    [DebuggerStepThrough]
    public static string Name(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>Name$Method0 ?? (<AkCache>Name$Method0 = MemoizedMethod.Create("AssemblyToProcess.GenericHolder`1.Name(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), <AkCache>Name$Body1 ?? (<AkCache>Name$Body1 = Name$Invoke), default);
    }

    [CompilerGenerated]
    private static string Name$Invoke(ValueTuple<int> arguments)
    {
        return Name$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static List<T> Wrap(T value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Wrap$Method2 ?? (<AkCache>Wrap$Method2 = MemoizedMethod.Create("AssemblyToProcess.GenericHolder`1.Wrap(T)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<T>(value), <AkCache>Wrap$Body3 ?? (<AkCache>Wrap$Body3 = Wrap$Invoke), default);
    }

    [CompilerGenerated]
    private static List<T> Wrap$Invoke(ValueTuple<T> arguments)
    {
        return Wrap$Original(arguments.Item1);
    }
}
