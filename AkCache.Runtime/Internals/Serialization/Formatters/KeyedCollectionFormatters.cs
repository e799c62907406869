using System;
using System.Collections.Generic;
using MessagePack;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization.Formatters;

/// <summary>
/// The comparers a dictionary or set can be stored with, by AkCache's own code: the type's default
/// and the four culture-independent string comparers. A custom comparer, or one of the current
/// culture (which differs between machines), is refused: the copy would find other keys.
/// </summary>
internal static class Comparers
{
    private static readonly StringComparer[] Strings =
    {
        StringComparer.Ordinal, StringComparer.OrdinalIgnoreCase, StringComparer.InvariantCulture, StringComparer.InvariantCultureIgnoreCase,
    };

    public static int EqualityCode<T>(IEqualityComparer<T>? comparer, Type collection)
    {
        if (comparer is null || ReferenceEquals(comparer, EqualityComparer<T>.Default) || comparer.Equals(EqualityComparer<T>.Default))
        {
            return 0;
        }

        return StringCode(comparer, collection);
    }

    public static int OrderCode<T>(IComparer<T>? comparer, Type collection)
    {
        if (comparer is null || ReferenceEquals(comparer, Comparer<T>.Default) || comparer.Equals(Comparer<T>.Default))
        {
            return 0;
        }

        return StringCode(comparer, collection);
    }

    public static IEqualityComparer<T>? Equality<T>(int code) =>
        code == 0 ? null : (IEqualityComparer<T>)(object)StringFor<T>(code);

    public static IComparer<T>? Order<T>(int code) =>
        code == 0 ? null : (IComparer<T>)(object)StringFor<T>(code);

    private static int StringCode(object comparer, Type collection)
    {
        for (var i = 0; i < Strings.Length; i++)
        {
            if (Strings[i].Equals(comparer))
            {
                return i + 1;
            }
        }

        throw new NotFaithfulException(
            $"it uses the comparer {TypeDisplay.Short(comparer.GetType())}, which AkCache cannot create again",
            $"Build the {TypeDisplay.Short(collection)} with the default comparer or StringComparer.Ordinal, OrdinalIgnoreCase, InvariantCulture or InvariantCultureIgnoreCase");
    }

    private static StringComparer StringFor<T>(int code) =>
        typeof(T) == typeof(string) && code >= 1 && code <= Strings.Length
            ? Strings[code - 1]
            : throw new MessagePackSerializationException($"The stored collection names comparer {code}, which a collection of {typeof(T)} cannot have.");
}

/// <summary>The comparer-aware formatters of the mutable keyed collections, by generic definition.</summary>
internal static class KeyedCollections
{
    public static object? Formatter(Type definition, Type[] arguments)
    {
        Type? formatter =
            definition == typeof(Dictionary<,>) ? typeof(DictionaryFormatter<,>)
            : definition == typeof(SortedDictionary<,>) ? typeof(SortedDictionaryFormatter<,>)
            : definition == typeof(SortedList<,>) ? typeof(SortedListFormatter<,>)
            : definition == typeof(HashSet<>) ? typeof(HashSetFormatter<>)
            : definition == typeof(SortedSet<>) ? typeof(SortedSetFormatter<>)
            : null;
        return formatter is null ? null : Activator.CreateInstance(formatter.MakeGenericType(arguments));
    }
}

/// <summary>
/// <c>[comparer, {key: value, ...}]</c> in the collection's enumeration order. Rebuilt by adding the
/// entries in that order, a Dictionary enumerates in the same order as the original.
/// </summary>
internal abstract class MapFormatter<TMap, TKey, TValue> : IMessagePackFormatter<TMap?>
    where TMap : class, IDictionary<TKey, TValue>
{
    public void Serialize(ref MessagePackWriter writer, TMap? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var keys = options.Resolver.GetFormatterWithVerify<TKey>();
        var values = options.Resolver.GetFormatterWithVerify<TValue>();
        writer.WriteArrayHeader(2);
        writer.Write(ComparerCode(value));
        writer.WriteMapHeader(value.Count);
        foreach (var pair in value)
        {
            keys.Serialize(ref writer, pair.Key, options);
            values.Serialize(ref writer, pair.Value, options);
        }
    }

    public TMap? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException($"The stored {typeof(TMap)} is not a comparer and its entries.");
        }

        var map = Create(reader.ReadInt32());
        var keys = options.Resolver.GetFormatterWithVerify<TKey>();
        var values = options.Resolver.GetFormatterWithVerify<TValue>();
        var count = reader.ReadMapHeader();
        options.Security.DepthStep(ref reader);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var key = keys.Deserialize(ref reader, options);
                map.Add(key, values.Deserialize(ref reader, options));
            }
        }
        catch (ArgumentException ex)
        {
            throw new MessagePackSerializationException($"The stored {typeof(TMap)} holds a key twice or a null key.", ex);
        }
        finally
        {
            reader.Depth--;
        }

        return map;
    }

    protected abstract int ComparerCode(TMap map);

    protected abstract TMap Create(int comparerCode);
}

internal sealed class DictionaryFormatter<TKey, TValue> : MapFormatter<Dictionary<TKey, TValue>, TKey, TValue>
    where TKey : notnull
{
    protected override int ComparerCode(Dictionary<TKey, TValue> map) => Comparers.EqualityCode(map.Comparer, map.GetType());

    protected override Dictionary<TKey, TValue> Create(int comparerCode) => new(Comparers.Equality<TKey>(comparerCode));
}

internal sealed class SortedDictionaryFormatter<TKey, TValue> : MapFormatter<SortedDictionary<TKey, TValue>, TKey, TValue>
    where TKey : notnull
{
    protected override int ComparerCode(SortedDictionary<TKey, TValue> map) => Comparers.OrderCode(map.Comparer, map.GetType());

    protected override SortedDictionary<TKey, TValue> Create(int comparerCode) => new(Comparers.Order<TKey>(comparerCode));
}

internal sealed class SortedListFormatter<TKey, TValue> : MapFormatter<SortedList<TKey, TValue>, TKey, TValue>
    where TKey : notnull
{
    protected override int ComparerCode(SortedList<TKey, TValue> map) => Comparers.OrderCode(map.Comparer, map.GetType());

    protected override SortedList<TKey, TValue> Create(int comparerCode) => new(Comparers.Order<TKey>(comparerCode));
}

/// <summary><c>[comparer, [element, ...]]</c> in enumeration order.</summary>
internal abstract class SetFormatter<TSet, T> : IMessagePackFormatter<TSet?>
    where TSet : class, ISet<T>
{
    public void Serialize(ref MessagePackWriter writer, TSet? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var elements = options.Resolver.GetFormatterWithVerify<T>();
        writer.WriteArrayHeader(2);
        writer.Write(ComparerCode(value));
        writer.WriteArrayHeader(value.Count);
        foreach (var element in value)
        {
            elements.Serialize(ref writer, element, options);
        }
    }

    public TSet? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException($"The stored {typeof(TSet)} is not a comparer and its elements.");
        }

        var set = Create(reader.ReadInt32());
        var elements = options.Resolver.GetFormatterWithVerify<T>();
        var count = reader.ReadArrayHeader();
        options.Security.DepthStep(ref reader);
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (!set.Add(elements.Deserialize(ref reader, options)))
                {
                    throw new MessagePackSerializationException($"The stored {typeof(TSet)} holds an element twice.");
                }
            }
        }
        finally
        {
            reader.Depth--;
        }

        return set;
    }

    protected abstract int ComparerCode(TSet set);

    protected abstract TSet Create(int comparerCode);
}

internal sealed class HashSetFormatter<T> : SetFormatter<HashSet<T>, T>
{
    protected override int ComparerCode(HashSet<T> set) => Comparers.EqualityCode(set.Comparer, set.GetType());

    protected override HashSet<T> Create(int comparerCode) => new(Comparers.Equality<T>(comparerCode));
}

internal sealed class SortedSetFormatter<T> : SetFormatter<SortedSet<T>, T>
{
    protected override int ComparerCode(SortedSet<T> set) => Comparers.OrderCode(set.Comparer, set.GetType());

    protected override SortedSet<T> Create(int comparerCode) => new(Comparers.Order<T>(comparerCode));
}
