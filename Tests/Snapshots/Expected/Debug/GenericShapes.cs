using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class GenericShapes
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Describe$Method0;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Echo$Method1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Largest$Method2;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>RepeatAsync$Method3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Pair$Method4;

    private static string Describe$Original<T>(int id)
    {
        Calls.Record("Describe");
        return typeof(T).Name + " " + id;
    }

    private static T Echo$Original<T>(T value)
    {
        Calls.Record("Echo");
        return value;
    }

    private static T Largest$Original<T>(T[] values) where T : struct, IComparable<T>
    {
        Calls.Record("Largest");
        T val = values[0];
        for (int i = 0; i < values.Length; i++)
        {
            T val2 = values[i];
            if (val2.CompareTo(val) > 0)
            {
                val = val2;
            }
        }
        return val;
    }

    private static async Task<List<T>> RepeatAsync$Original<T>(T value, int count)
    {
        await Task.Yield();
        Calls.Record("RepeatAsync");
        List<T> list = new List<T>();
        for (int i = 0; i < count; i++)
        {
            list.Add(value);
        }
        return list;
    }

    private static KeyValuePair<TKey, TValue> Pair$Original<TKey, TValue>(TKey key, TValue value) where TKey : notnull
    {
        Calls.Record("Pair");
        return new KeyValuePair<TKey, TValue>(key, value);
    }

    [DebuggerStepThrough]
    public static string Describe<T>(int id)
    {
        MemoizedMethod memoizedMethod = <AkCache>Describe$Method0 ?? (<AkCache>Describe$Method0 = MemoizedMethod.Create("AssemblyToProcess.GenericShapes.Describe<T>(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(id);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(id), Describe$Invoke<T>, default);
    }

    [CompilerGenerated]
    private static string Describe$Invoke<T>(ValueTuple<int> arguments)
    {
        return Describe$Original<T>(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static T Echo<T>(T value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Echo$Method1 ?? (<AkCache>Echo$Method1 = MemoizedMethod.Create("AssemblyToProcess.GenericShapes.Echo<T>(T)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<T>(value), Echo$Invoke, default);
    }

    [CompilerGenerated]
    private static T Echo$Invoke<T>(ValueTuple<T> arguments)
    {
        return Echo$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static T Largest<T>(T[] values) where T : struct, IComparable<T>
    {
        MemoizedMethod memoizedMethod = <AkCache>Largest$Method2 ?? (<AkCache>Largest$Method2 = MemoizedMethod.Create("AssemblyToProcess.GenericShapes.Largest<T>(T[])", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(values);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<T[]>(values), Largest$Invoke, default);
    }

    [CompilerGenerated]
    private static T Largest$Invoke<T>(ValueTuple<T[]> arguments) where T : struct, IComparable<T>
    {
        return Largest$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Task<List<T>> RepeatAsync<T>(T value, int count)
    {
        MemoizedMethod memoizedMethod = <AkCache>RepeatAsync$Method3 ?? (<AkCache>RepeatAsync$Method3 = MemoizedMethod.Create("AssemblyToProcess.GenericShapes.RepeatAsync<T>(T,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<T>();
        keyBuilder.Add(value);
        keyBuilder.Add(count);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), (value, count), RepeatAsync$Invoke, default);
    }

    [CompilerGenerated]
    private static Task<List<T>> RepeatAsync$Invoke<T>((T, int) arguments)
    {
        return RepeatAsync$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static KeyValuePair<TKey, TValue> Pair<TKey, TValue>(TKey key, TValue value) where TKey : notnull
    {
        MemoizedMethod memoizedMethod = <AkCache>Pair$Method4 ?? (<AkCache>Pair$Method4 = MemoizedMethod.Create("AssemblyToProcess.GenericShapes.Pair<TKey,TValue>(TKey,TValue)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.AddType<TKey>();
        keyBuilder.AddType<TValue>();
        keyBuilder.Add(key);
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (key, value), Pair$Invoke, default);
    }

    [CompilerGenerated]
    private static KeyValuePair<TKey, TValue> Pair$Invoke<TKey, TValue>((TKey, TValue) arguments) where TKey : notnull
    {
        return Pair$Original(arguments.Item1, arguments.Item2);
    }
}
