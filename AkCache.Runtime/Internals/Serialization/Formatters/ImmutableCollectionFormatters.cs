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

internal sealed class ImmutableHashSetFormatter<T> : IMessagePackFormatter<ImmutableHashSet<T>?>
{
    public void Serialize(ref MessagePackWriter writer, ImmutableHashSet<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(2);
        writer.Write(Comparers.EqualityCode(value.KeyComparer, value.GetType()));
        ImmutableCollections.WriteElements(ref writer, value.Count, value, options);
    }

    public ImmutableHashSet<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        ImmutableCollections.ExpectHeader(ref reader, 2, typeof(ImmutableHashSet<T>));
        var comparer = Comparers.Equality<T>(reader.ReadInt32());
        return ImmutableHashSet.CreateRange(comparer, ImmutableCollections.ReadElements<T>(ref reader, options));
    }
}

internal sealed class ImmutableSortedSetFormatter<T> : IMessagePackFormatter<ImmutableSortedSet<T>?>
{
    public void Serialize(ref MessagePackWriter writer, ImmutableSortedSet<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(2);
        writer.Write(Comparers.OrderCode(value.KeyComparer, value.GetType()));
        ImmutableCollections.WriteElements(ref writer, value.Count, value, options);
    }

    public ImmutableSortedSet<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        ImmutableCollections.ExpectHeader(ref reader, 2, typeof(ImmutableSortedSet<T>));
        var comparer = Comparers.Order<T>(reader.ReadInt32());
        return ImmutableSortedSet.CreateRange(comparer, ImmutableCollections.ReadElements<T>(ref reader, options));
    }
}

internal sealed class ImmutableDictionaryFormatter<TKey, TValue> : IMessagePackFormatter<ImmutableDictionary<TKey, TValue>?>
    where TKey : notnull
{
    public void Serialize(ref MessagePackWriter writer, ImmutableDictionary<TKey, TValue>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(3);
        writer.Write(Comparers.EqualityCode(value.KeyComparer, value.GetType()));
        writer.Write(Comparers.EqualityCode(value.ValueComparer, value.GetType()));
        ImmutableCollections.WritePairs(ref writer, value.Count, value, options);
    }

    public ImmutableDictionary<TKey, TValue>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        ImmutableCollections.ExpectHeader(ref reader, 3, typeof(ImmutableDictionary<TKey, TValue>));
        var keys = Comparers.Equality<TKey>(reader.ReadInt32());
        var values = Comparers.Equality<TValue>(reader.ReadInt32());
        var pairs = ImmutableCollections.ReadPairs<TKey, TValue>(ref reader, options);
        var result = ImmutableDictionary.CreateRange(keys, values, pairs);
        return result.Count == pairs.Length ? result : throw new MessagePackSerializationException("The stored dictionary holds a key twice.");
    }
}

internal sealed class ImmutableSortedDictionaryFormatter<TKey, TValue> : IMessagePackFormatter<ImmutableSortedDictionary<TKey, TValue>?>
    where TKey : notnull
{
    public void Serialize(ref MessagePackWriter writer, ImmutableSortedDictionary<TKey, TValue>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(3);
        writer.Write(Comparers.OrderCode(value.KeyComparer, value.GetType()));
        writer.Write(Comparers.EqualityCode(value.ValueComparer, value.GetType()));
        ImmutableCollections.WritePairs(ref writer, value.Count, value, options);
    }

    public ImmutableSortedDictionary<TKey, TValue>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        ImmutableCollections.ExpectHeader(ref reader, 3, typeof(ImmutableSortedDictionary<TKey, TValue>));
        var keys = Comparers.Order<TKey>(reader.ReadInt32());
        var values = Comparers.Equality<TValue>(reader.ReadInt32());
        var pairs = ImmutableCollections.ReadPairs<TKey, TValue>(ref reader, options);
        var result = ImmutableSortedDictionary.CreateRange(keys, values, pairs);
        return result.Count == pairs.Length ? result : throw new MessagePackSerializationException("The stored dictionary holds a key twice.");
    }
}
