using System;
using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace AkCache.Internals.Serialization.Formatters;

/// <summary>Writes or reads a value whose type is known only at run time, with that type's formatter.</summary>
internal static class RuntimeTypeFormatter
{
    private delegate void SerializeAction(ref MessagePackWriter writer, object value, MessagePackSerializerOptions options);

    private delegate object? DeserializeFunc(ref MessagePackReader reader, MessagePackSerializerOptions options);

    private static readonly ConcurrentDictionary<Type, Entry> Entries = new();

    public static void Serialize(ref MessagePackWriter writer, Type type, object value, MessagePackSerializerOptions options) =>
        Get(type).Serialize(ref writer, value, options);

    public static object? Deserialize(ref MessagePackReader reader, Type type, MessagePackSerializerOptions options) =>
        Get(type).Deserialize(ref reader, options);

    private static Entry Get(Type type) => Entries.GetOrAdd(type, static t =>
    {
        var typed = typeof(Typed<>).MakeGenericType(t);
        return new Entry(
            (SerializeAction)Delegate.CreateDelegate(typeof(SerializeAction), typed.GetMethod(nameof(Typed<int>.Serialize), BindingFlags.Public | BindingFlags.Static)!),
            (DeserializeFunc)Delegate.CreateDelegate(typeof(DeserializeFunc), typed.GetMethod(nameof(Typed<int>.Deserialize), BindingFlags.Public | BindingFlags.Static)!));
    });

    private sealed class Entry
    {
        public Entry(SerializeAction serialize, DeserializeFunc deserialize)
        {
            Serialize = serialize;
            Deserialize = deserialize;
        }

        public SerializeAction Serialize { get; }

        public DeserializeFunc Deserialize { get; }
    }

    private static class Typed<T>
    {
        public static void Serialize(ref MessagePackWriter writer, object value, MessagePackSerializerOptions options) =>
            options.Resolver.GetFormatterWithVerify<T>().Serialize(ref writer, (T)value, options);

        public static object? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            options.Resolver.GetFormatterWithVerify<T>().Deserialize(ref reader, options);
    }
}
