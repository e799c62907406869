using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using MessagePack;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization.Formatters;

/// <summary>
/// The System.Collections.Immutable types: <c>[comparers..., [elements...]]</c> in enumeration order,
/// with the key and value comparers coded as in <see cref="Comparers"/>. A default (uninitialized)
/// ImmutableArray is nil.
/// </summary>
internal static class ImmutableCollections
{
    public static object? Formatter(Type definition, Type[] arguments)
    {
        Type? formatter =
            definition == typeof(ImmutableArray<>) ? typeof(ImmutableArrayFormatter<>)
            : definition == typeof(ImmutableList<>) ? typeof(ImmutableListFormatter<>)
            : definition == typeof(ImmutableQueue<>) ? typeof(ImmutableQueueFormatter<>)
            : definition == typeof(ImmutableStack<>) ? typeof(ImmutableStackFormatter<>)
            : definition == typeof(ImmutableHashSet<>) ? typeof(ImmutableHashSetFormatter<>)
            : definition == typeof(ImmutableSortedSet<>) ? typeof(ImmutableSortedSetFormatter<>)
            : definition == typeof(ImmutableDictionary<,>) ? typeof(ImmutableDictionaryFormatter<,>)
            : definition == typeof(ImmutableSortedDictionary<,>) ? typeof(ImmutableSortedDictionaryFormatter<,>)
            : null;
        return formatter is null ? null : Activator.CreateInstance(formatter.MakeGenericType(arguments));
    }

    internal static void WriteElements<T>(ref MessagePackWriter writer, int count, IEnumerable<T> elements, MessagePackSerializerOptions options)
    {
        var formatter = options.Resolver.GetFormatterWithVerify<T>();
        writer.WriteArrayHeader(count);
        foreach (var element in elements)
        {
            formatter.Serialize(ref writer, element, options);
        }
    }

    internal static T[] ReadElements<T>(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var formatter = options.Resolver.GetFormatterWithVerify<T>();
        var count = reader.ReadArrayHeader();
        var elements = new T[count];
        options.Security.DepthStep(ref reader);
        try
        {
            for (var i = 0; i < count; i++)
            {
                elements[i] = formatter.Deserialize(ref reader, options);
            }
        }
        finally
        {
            reader.Depth--;
        }

        return elements;
    }

    internal static void WritePairs<TKey, TValue>(ref MessagePackWriter writer, int count, IEnumerable<KeyValuePair<TKey, TValue>> pairs, MessagePackSerializerOptions options)
    {
        var keys = options.Resolver.GetFormatterWithVerify<TKey>();
        var values = options.Resolver.GetFormatterWithVerify<TValue>();
        writer.WriteMapHeader(count);
        foreach (var pair in pairs)
        {
            keys.Serialize(ref writer, pair.Key, options);
            values.Serialize(ref writer, pair.Value, options);
        }
    }

    internal static KeyValuePair<TKey, TValue>[] ReadPairs<TKey, TValue>(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var keys = options.Resolver.GetFormatterWithVerify<TKey>();
        var values = options.Resolver.GetFormatterWithVerify<TValue>();
        var count = reader.ReadMapHeader();
        var pairs = new KeyValuePair<TKey, TValue>[count];
        options.Security.DepthStep(ref reader);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var key = keys.Deserialize(ref reader, options);
                pairs[i] = new KeyValuePair<TKey, TValue>(key, values.Deserialize(ref reader, options));
            }
        }
        finally
        {
            reader.Depth--;
        }

        return pairs;
    }

    internal static void ExpectHeader(ref MessagePackReader reader, int count, Type type)
    {
        if (reader.ReadArrayHeader() != count)
        {
            throw new MessagePackSerializationException($"The stored {type} does not have the expected layout.");
        }
    }
}

internal sealed class ImmutableArrayFormatter<T> : IMessagePackFormatter<ImmutableArray<T>>
{
    public void Serialize(ref MessagePackWriter writer, ImmutableArray<T> value, MessagePackSerializerOptions options)
    {
        if (value.IsDefault)
        {
            writer.WriteNil();
            return;
        }

        ImmutableCollections.WriteElements(ref writer, value.Length, value, options);
    }

    public ImmutableArray<T> Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? default : ImmutableArray.Create(ImmutableCollections.ReadElements<T>(ref reader, options));
}

internal sealed class ImmutableListFormatter<T> : IMessagePackFormatter<ImmutableList<T>?>
{
    public void Serialize(ref MessagePackWriter writer, ImmutableList<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        ImmutableCollections.WriteElements(ref writer, value.Count, value, options);
    }

    public ImmutableList<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? null : ImmutableList.Create(ImmutableCollections.ReadElements<T>(ref reader, options));
}

internal sealed class ImmutableQueueFormatter<T> : IMessagePackFormatter<ImmutableQueue<T>?>
{
    public void Serialize(ref MessagePackWriter writer, ImmutableQueue<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var elements = value.ToArray();
        ImmutableCollections.WriteElements(ref writer, elements.Length, elements, options);
    }

    public ImmutableQueue<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? null : ImmutableQueue.Create(ImmutableCollections.ReadElements<T>(ref reader, options));
}

/// <summary>Top first, as a stack enumerates; rebuilt by pushing from the bottom.</summary>
internal sealed class ImmutableStackFormatter<T> : IMessagePackFormatter<ImmutableStack<T>?>
{
    public void Serialize(ref MessagePackWriter writer, ImmutableStack<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var elements = value.ToArray();
        ImmutableCollections.WriteElements(ref writer, elements.Length, elements, options);
    }

    public ImmutableStack<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var elements = ImmutableCollections.ReadElements<T>(ref reader, options);
        System.Array.Reverse(elements);
        return ImmutableStack.Create(elements);
    }
}

/// <summary><c>[comparer, [elements...]]</c>; a stored set that holds an element twice is refused.</summary>
internal abstract class ImmutableSetFormatter<TSet, T> : IMessagePackFormatter<TSet?>
    where TSet : class, IImmutableSet<T>
{
    public void Serialize(ref MessagePackWriter writer, TSet? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(2);
        writer.Write(ComparerCode(value));
        ImmutableCollections.WriteElements(ref writer, value.Count, value, options);
    }

    public TSet? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        ImmutableCollections.ExpectHeader(ref reader, 2, typeof(TSet));
        var code = reader.ReadInt32();
        var elements = ImmutableCollections.ReadElements<T>(ref reader, options);
        var set = Create(code, elements);
        return set.Count == elements.Length ? set : throw new MessagePackSerializationException($"The stored {typeof(TSet)} holds an element twice.");
    }

    protected abstract int ComparerCode(TSet set);

    protected abstract TSet Create(int comparerCode, T[] elements);
}

internal sealed class ImmutableHashSetFormatter<T> : ImmutableSetFormatter<ImmutableHashSet<T>, T>
{
    protected override int ComparerCode(ImmutableHashSet<T> set) => Comparers.EqualityCode(set.KeyComparer, set.GetType());

    protected override ImmutableHashSet<T> Create(int comparerCode, T[] elements) => ImmutableHashSet.CreateRange(Comparers.Equality<T>(comparerCode), elements);
}

internal sealed class ImmutableSortedSetFormatter<T> : ImmutableSetFormatter<ImmutableSortedSet<T>, T>
{
    protected override int ComparerCode(ImmutableSortedSet<T> set) => Comparers.OrderCode(set.KeyComparer, set.GetType());

    protected override ImmutableSortedSet<T> Create(int comparerCode, T[] elements) => ImmutableSortedSet.CreateRange(Comparers.Order<T>(comparerCode), elements);
}

/// <summary><c>[key comparer, value comparer, {key: value...}]</c>; a stored map that holds a key twice is refused.</summary>
internal abstract class ImmutableMapFormatter<TMap, TKey, TValue> : IMessagePackFormatter<TMap?>
    where TMap : class, IImmutableDictionary<TKey, TValue>
    where TKey : notnull
{
    public void Serialize(ref MessagePackWriter writer, TMap? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(3);
        writer.Write(KeyComparerCode(value));
        writer.Write(Comparers.EqualityCode(ValueComparer(value), value.GetType()));
        ImmutableCollections.WritePairs(ref writer, value.Count, value, options);
    }

    public TMap? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        ImmutableCollections.ExpectHeader(ref reader, 3, typeof(TMap));
        var keyCode = reader.ReadInt32();
        var values = Comparers.Equality<TValue>(reader.ReadInt32());
        var pairs = ImmutableCollections.ReadPairs<TKey, TValue>(ref reader, options);
        var map = Create(keyCode, values, pairs);
        return map.Count == pairs.Length ? map : throw new MessagePackSerializationException($"The stored {typeof(TMap)} holds a key twice.");
    }

    protected abstract int KeyComparerCode(TMap map);

    protected abstract IEqualityComparer<TValue> ValueComparer(TMap map);

    protected abstract TMap Create(int keyComparerCode, IEqualityComparer<TValue>? values, KeyValuePair<TKey, TValue>[] pairs);
}

internal sealed class ImmutableDictionaryFormatter<TKey, TValue> : ImmutableMapFormatter<ImmutableDictionary<TKey, TValue>, TKey, TValue>
    where TKey : notnull
{
    protected override int KeyComparerCode(ImmutableDictionary<TKey, TValue> map) => Comparers.EqualityCode(map.KeyComparer, map.GetType());

    protected override IEqualityComparer<TValue> ValueComparer(ImmutableDictionary<TKey, TValue> map) => map.ValueComparer;

    protected override ImmutableDictionary<TKey, TValue> Create(int keyComparerCode, IEqualityComparer<TValue>? values, KeyValuePair<TKey, TValue>[] pairs) =>
        ImmutableDictionary.CreateRange(Comparers.Equality<TKey>(keyComparerCode), values, pairs);
}

internal sealed class ImmutableSortedDictionaryFormatter<TKey, TValue> : ImmutableMapFormatter<ImmutableSortedDictionary<TKey, TValue>, TKey, TValue>
    where TKey : notnull
{
    protected override int KeyComparerCode(ImmutableSortedDictionary<TKey, TValue> map) => Comparers.OrderCode(map.KeyComparer, map.GetType());

    protected override IEqualityComparer<TValue> ValueComparer(ImmutableSortedDictionary<TKey, TValue> map) => map.ValueComparer;

    protected override ImmutableSortedDictionary<TKey, TValue> Create(int keyComparerCode, IEqualityComparer<TValue>? values, KeyValuePair<TKey, TValue>[] pairs) =>
        ImmutableSortedDictionary.CreateRange(Comparers.Order<TKey>(keyComparerCode), values, pairs);
}
