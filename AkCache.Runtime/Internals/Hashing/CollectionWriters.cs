using System;
using System.Collections.Generic;
using System.Linq;
using AkCache.CompilerServices;

namespace AkCache.Internals.Hashing;

/// <summary>Which collection interface a type implements, for the canonical form.</summary>
internal static class CollectionShapes
{
    /// <summary>The key and value types of an IDictionary or IReadOnlyDictionary.</summary>
    public static Type[]? Dictionary(Type type) =>
        Implemented(type, typeof(IDictionary<,>)) ?? Implemented(type, typeof(IReadOnlyDictionary<,>));

    /// <summary>The element type of an ISet (or, on .NET 5+, IReadOnlySet).</summary>
    public static Type? Set(Type type) =>
        (Implemented(type, typeof(ISet<>)) ?? ImplementedByName(type, "System.Collections.Generic.IReadOnlySet`1"))?[0];

    /// <summary>The element type of any other IEnumerable, strings excepted.</summary>
    public static Type? Sequence(Type type) =>
        type == typeof(string) ? null : Implemented(type, typeof(IEnumerable<>))?[0];

    private static Type[]? Implemented(Type type, Type generic) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() == generic
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic))?.GetGenericArguments();

    private static Type[]? ImplementedByName(Type type, string fullName) =>
        (type.IsGenericType && type.GetGenericTypeDefinition().FullName == fullName
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition().FullName == fullName))?.GetGenericArguments();
}

/// <summary>Lists and other sequences: the count, then each element in order.</summary>
internal static class SequenceWriter<TCollection, TElement>
{
    public static void Write(ref KeyBuilder builder, TCollection value)
    {
        if (value is null)
        {
            builder.WriteByte(0);
            return;
        }

        builder.WriteByte(1);
        if (value is TElement[] array)
        {
            builder.WriteInt32(array.Length);
            foreach (var item in array)
            {
                builder.WriteElement(item);
            }

            return;
        }

        // The exact type only: a subclass may enumerate differently from its indexer.
        if (value.GetType() == typeof(List<TElement>))
        {
            var list = (List<TElement>)(object)value;
            builder.WriteInt32(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                builder.WriteElement(list[i]);
            }

            return;
        }

        var items = ((IEnumerable<TElement>)value).ToList();
        builder.WriteInt32(items.Count);
        foreach (var item in items)
        {
            builder.WriteElement(item);
        }
    }
}

/// <summary>
/// Sets and dictionaries are unordered: each element (or key and value pair) is hashed on its own,
/// and the sorted hashes are written, so the same content gives the same key in any insertion order.
/// </summary>
internal static class SetWriter<TCollection, TElement>
{
    public static void Write(ref KeyBuilder builder, TCollection value)
    {
        if (value is null)
        {
            builder.WriteByte(0);
            return;
        }

        var hashes = new List<MemoKey>();
        var element = KeyBuilder.Detached();
        foreach (var item in (IEnumerable<TElement>)value)
        {
            element.WriteElement(item);
            hashes.Add(element.HashAndRestart());
        }

        builder.WriteByte(1);
        UnorderedHashes.Write(ref builder, hashes);
    }
}

internal static class DictionaryWriter<TCollection, TKey, TValue>
{
    public static void Write(ref KeyBuilder builder, TCollection value)
    {
        if (value is null)
        {
            builder.WriteByte(0);
            return;
        }

        var hashes = new List<MemoKey>();
        var element = KeyBuilder.Detached();
        foreach (var pair in (IEnumerable<KeyValuePair<TKey, TValue>>)value)
        {
            element.WriteElement(pair.Key);
            element.WriteElement(pair.Value);
            hashes.Add(element.HashAndRestart());
        }

        builder.WriteByte(1);
        UnorderedHashes.Write(ref builder, hashes);
    }
}

internal static class UnorderedHashes
{
    public static void Write(ref KeyBuilder builder, List<MemoKey> hashes)
    {
        hashes.Sort(static (a, b) => a.High != b.High ? a.High.CompareTo(b.High) : a.Low.CompareTo(b.Low));
        builder.WriteInt32(hashes.Count);
        foreach (var hash in hashes)
        {
            builder.WriteUInt64(hash.High);
            builder.WriteUInt64(hash.Low);
        }
    }
}
