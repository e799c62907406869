using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class LocalShapes
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>AlwaysFromRedis$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, string> <AkCache>AlwaysFromRedis$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Bounded$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int> <AkCache>Bounded$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Numbers$Method4;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, List<int>> <AkCache>Numbers$Body5;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Block$Method6;

    [CompilerGenerated]
    private static Func<(int, int), byte[]> <AkCache>Block$Body7;

    private static string AlwaysFromRedis$Original(string name)
    {
        Calls.Record("AlwaysFromRedis");
        return "fresh " + name;
    }

    private static int Bounded$Original(int value)
    {
        Calls.Record("Bounded");
        return value * 10;
    }

    private static List<int> Numbers$Original(int count)
    {
        Calls.Record("Numbers");
        List<int> list = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(i);
        }
        return list;
    }

    private static byte[] Block$Original(int seed, int megabytes)
    {
        Calls.Record("Block");
        byte[] array = new byte[megabytes * 1024 * 1024];
        for (int i = 0; i < array.Length; i += 4096)
        {
            array[i] = (byte)(seed + i);
        }
        return array;
    }

    [DebuggerStepThrough]
    public static string AlwaysFromRedis(string name)
    {
        MemoizedMethod memoizedMethod = <AkCache>AlwaysFromRedis$Method0 ?? (<AkCache>AlwaysFromRedis$Method0 = MemoizedMethod.Create("AssemblyToProcess.LocalShapes.AlwaysFromRedis(System.String)", "<il-hash>", 0, null, -1));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(name);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(name), <AkCache>AlwaysFromRedis$Body1 ?? (<AkCache>AlwaysFromRedis$Body1 = AlwaysFromRedis$Invoke), default);
    }

    [CompilerGenerated]
    private static string AlwaysFromRedis$Invoke(ValueTuple<string> arguments)
    {
        return AlwaysFromRedis$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int Bounded(int value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Bounded$Method2 ?? (<AkCache>Bounded$Method2 = MemoizedMethod.Create("AssemblyToProcess.LocalShapes.Bounded(System.Int32)", "<il-hash>", 0, null, 2));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(value), <AkCache>Bounded$Body3 ?? (<AkCache>Bounded$Body3 = Bounded$Invoke), default);
    }

    [CompilerGenerated]
    private static int Bounded$Invoke(ValueTuple<int> arguments)
    {
        return Bounded$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static List<int> Numbers(int count)
    {
        MemoizedMethod memoizedMethod = <AkCache>Numbers$Method4 ?? (<AkCache>Numbers$Method4 = MemoizedMethod.Create("AssemblyToProcess.LocalShapes.Numbers(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(count);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(count), <AkCache>Numbers$Body5 ?? (<AkCache>Numbers$Body5 = Numbers$Invoke), default);
    }

    [CompilerGenerated]
    private static List<int> Numbers$Invoke(ValueTuple<int> arguments)
    {
        return Numbers$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static byte[] Block(int seed, int megabytes)
    {
        MemoizedMethod memoizedMethod = <AkCache>Block$Method6 ?? (<AkCache>Block$Method6 = MemoizedMethod.Create("AssemblyToProcess.LocalShapes.Block(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(seed);
        keyBuilder.Add(megabytes);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (seed, megabytes), <AkCache>Block$Body7 ?? (<AkCache>Block$Body7 = Block$Invoke), default);
    }

    [CompilerGenerated]
    private static byte[] Block$Invoke((int, int) arguments)
    {
        return Block$Original(arguments.Item1, arguments.Item2);
    }
}
