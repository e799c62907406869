using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using AkCache;

namespace AssemblyToProcess;

public static class GenericShapes
{
    [Memoize]
    public static string Describe<T>(int id)
    {
        Calls.Record(nameof(Describe));
        return typeof(T).Name + " " + id;
    }

    [Memoize]
    public static T Echo<T>(T value)
    {
        Calls.Record(nameof(Echo));
        return value;
    }

    [Memoize]
    public static T Largest<T>(T[] values)
        where T : struct, IComparable<T>
    {
        Calls.Record(nameof(Largest));
        var largest = values[0];
        foreach (var value in values)
        {
            if (value.CompareTo(largest) > 0)
            {
                largest = value;
            }
        }

        return largest;
    }

    [Memoize]
    public static async Task<List<T>> RepeatAsync<T>(T value, int count)
    {
        await Task.Yield();
        Calls.Record(nameof(RepeatAsync));
        var list = new List<T>();
        for (var i = 0; i < count; i++)
        {
            list.Add(value);
        }

        return list;
    }

    [Memoize]
    public static KeyValuePair<TKey, TValue> Pair<TKey, TValue>(TKey key, TValue value)
        where TKey : notnull
    {
        Calls.Record(nameof(Pair));
        return new KeyValuePair<TKey, TValue>(key, value);
    }
}

public static class GenericHolder<T>
{
    [Memoize]
    public static string Name(int id)
    {
        Calls.Record("GenericHolder.Name");
        return typeof(T).Name + "#" + id;
    }

    [Memoize]
    public static List<T> Wrap(T value)
    {
        Calls.Record("GenericHolder.Wrap");
        return new List<T> { value, value };
    }

    public static string NameThroughCaller(int id) => Name(id);
}

/// <summary>Overloads in a generic type: each must keep its own cached method and delegate.</summary>
public static class OverloadHolder<T>
{
    [Memoize]
    public static string Get(int id)
    {
        Calls.Record("OverloadHolder.Get(int)");
        return typeof(T).Name + " plain " + id;
    }

    [Memoize]
    public static string Get(int id, System.Threading.CancellationToken cancellationToken)
    {
        Calls.Record("OverloadHolder.Get(int,token)");
        return typeof(T).Name + " token " + id;
    }

    [Memoize]
    public static string Get(long id)
    {
        Calls.Record("OverloadHolder.Get(long)");
        return typeof(T).Name + " long " + id;
    }
}
