using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Linq;
using System.Reflection;
using AkCache.Internals.Hashing;
using MessagePack;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization.Formatters;

/// <summary>
/// A user type that may hold a subclass (a class that is not sealed, an abstract class, an
/// interface). Stored values are <c>[nil, fields]</c> for exactly the declared type, or
/// <c>[key, value]</c> for a subclass that the type names with MessagePack's
/// <c>[Union(key, typeof(Subclass))]</c>: a closed set written in code, so reading never takes a type
/// from the payload. Any other subclass is refused. In keys, any subclass is <c>[its type's name, value]</c>.
/// </summary>
internal sealed class UnionFormatter<T> : IMessagePackFormatter<T>
{
    private static readonly UnionAttribute[] Cases = typeof(T).GetCustomAttributes<UnionAttribute>(inherit: false)
        .Where(c => typeof(T).IsAssignableFrom(c.SubType) && c.SubType != typeof(T))
        .ToArray();

    private readonly IMessagePackFormatter<T>? _exact;

    public UnionFormatter(IMessagePackFormatter<T>? exact) => _exact = exact;

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var runtime = value.GetType();
        writer.WriteArrayHeader(2);
        if (runtime == typeof(T) && _exact is not null)
        {
            writer.WriteNil();
            _exact.Serialize(ref writer, value, options);
            return;
        }

        if (FaithfulOptions.IsForKeys(options))
        {
            writer.Write(TypeNames.Cached(runtime));
            RuntimeTypeFormatter.Serialize(ref writer, runtime, value, options);
            return;
        }

        foreach (var @case in Cases)
        {
            if (@case.SubType == runtime)
            {
                writer.Write(@case.Key);
                RuntimeTypeFormatter.Serialize(ref writer, runtime, value, options);
                return;
            }
        }

        throw new NotFaithfulException(
            $"it holds a {TypeDisplay.Short(runtime)} where {TypeDisplay.Short(typeof(T))} is declared, and AkCache stores only the declared type and the subclasses it names",
            $"Declare the exact type, or name the subclasses with [MessagePack.Union(0, typeof({runtime.Name}))] on {typeof(T).Name}");
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }

        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException($"The stored {typeof(T)} is not a pair of a case and a value.");
        }

        if (reader.TryReadNil())
        {
            return _exact is not null
                ? _exact.Deserialize(ref reader, options)
                : throw new MessagePackSerializationException($"The stored value claims to be exactly {typeof(T)}, which cannot be created.");
        }

        var key = reader.ReadInt32();
        foreach (var @case in Cases)
        {
            if (@case.Key == key)
            {
                return (T)RuntimeTypeFormatter.Deserialize(ref reader, @case.SubType, options)!;
            }
        }

        throw new MessagePackSerializationException($"The stored value names case {key}, which {typeof(T)} does not declare.");
    }
}

/// <summary>
/// A framework interface or abstract type (IReadOnlyList&lt;T&gt;, IDictionary&lt;K, V&gt;, ISet&lt;T&gt;):
/// stored as <c>[code, value]</c> when the value is one of the concrete collections below built from
/// the same type arguments, the code being its place in the list (AkCache's own numbering, never a type
/// name). Any other implementation is refused. In keys, the runtime type's name comes first instead.
/// </summary>
internal sealed class InterfaceFormatter<T> : IMessagePackFormatter<T>
{
    /// <summary>Append only: a code is this list's index.</summary>
    private static readonly Type[] Definitions =
    {
        typeof(List<>), typeof(Array), typeof(HashSet<>), typeof(Dictionary<,>), typeof(SortedSet<>),
        typeof(SortedDictionary<,>), typeof(SortedList<,>), typeof(LinkedList<>), typeof(Queue<>), typeof(Stack<>),
        typeof(ReadOnlyCollection<>), typeof(ImmutableArray<>), typeof(ImmutableList<>), typeof(ImmutableHashSet<>),
        typeof(ImmutableDictionary<,>), typeof(ImmutableSortedSet<>), typeof(ImmutableSortedDictionary<,>),
        typeof(ImmutableQueue<>), typeof(ImmutableStack<>),
    };

    private static readonly Type?[] Concretes = Definitions.Select(Concrete).ToArray();

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var runtime = value.GetType();
        writer.WriteArrayHeader(2);
        if (FaithfulOptions.IsForKeys(options))
        {
            writer.Write(TypeNames.Cached(runtime));
            RuntimeTypeFormatter.Serialize(ref writer, runtime, value, options);
            return;
        }

        var code = Array.IndexOf(Concretes, runtime);
        if (code < 0)
        {
            throw new NotFaithfulException(
                $"it holds a {TypeDisplay.Short(runtime)} where {TypeDisplay.Short(typeof(T))} is declared, and AkCache can create again only the collections listed in docs/values.md",
                "Declare the concrete type");
        }

        writer.Write(code);
        RuntimeTypeFormatter.Serialize(ref writer, runtime, value, options);
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }

        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException($"The stored {typeof(T)} is not a pair of a code and a value.");
        }

        var code = reader.ReadInt32();
        if (code < 0 || code >= Concretes.Length || Concretes[code] is not Type concrete)
        {
            throw new MessagePackSerializationException($"The stored {typeof(T)} names collection code {code}, which it cannot hold.");
        }

        return (T)RuntimeTypeFormatter.Deserialize(ref reader, concrete, options)!;
    }

    private static Type? Concrete(Type definition)
    {
        if (!typeof(T).IsGenericType)
        {
            return null;
        }

        var arguments = typeof(T).GetGenericArguments();
        Type candidate;
        if (definition == typeof(Array))
        {
            if (arguments.Length != 1)
            {
                return null;
            }

            candidate = arguments[0].MakeArrayType();
        }
        else
        {
            if (definition.GetGenericArguments().Length != arguments.Length)
            {
                return null;
            }

            try
            {
                candidate = definition.MakeGenericType(arguments);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        return typeof(T).IsAssignableFrom(candidate) ? candidate : null;
    }
}

/// <summary>
/// A member, element or value declared as <c>object</c>. Stored values are <c>[tag, value]</c> for the
/// types below, the tag being AkCache's own number (never a type name from the payload); any other
/// type is refused. In keys, any type is written, after its name.
/// </summary>
internal sealed class TaggedObjectFormatter : IMessagePackFormatter<object?>
{
    public static readonly TaggedObjectFormatter Instance = new();

    /// <summary>Append only: a tag is this list's index.</summary>
    internal static readonly Type[] Types =
    {
        typeof(bool), typeof(char), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
        typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(string), typeof(DateTime),
        typeof(DateTimeOffset), typeof(TimeSpan), typeof(Guid), typeof(byte[]), typeof(DBNull), typeof(object[]),
        typeof(List<object>), typeof(Dictionary<string, object>), typeof(string[]), typeof(int[]), typeof(long[]),
        typeof(double[]), typeof(decimal[]), typeof(bool[]), typeof(DateTime[]),
    };

    private static readonly Dictionary<Type, int> Tags = Types.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);

    public void Serialize(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        var runtime = value.GetType();
        WriteDepth.Enter();
        try
        {
            writer.WriteArrayHeader(2);
            if (FaithfulOptions.IsForKeys(options))
            {
                writer.Write(TypeNames.Cached(runtime));
            }
            else if (Tags.TryGetValue(runtime, out var tag))
            {
                writer.Write(tag);
            }
            else
            {
                throw new NotFaithfulException(
                    $"it holds a {TypeDisplay.Short(runtime)} where object is declared, and AkCache keeps in object members only the types listed in docs/values.md",
                    "Declare the member with its own type");
            }

            RuntimeTypeFormatter.Serialize(ref writer, runtime, value, options);
        }
        finally
        {
            WriteDepth.Leave();
        }
    }

    public object? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("The stored object is not a pair of a tag and a value.");
        }

        var tag = reader.ReadInt32();
        if (tag < 0 || tag >= Types.Length)
        {
            throw new MessagePackSerializationException($"The stored object has tag {tag}, which AkCache does not know.");
        }

        options.Security.DepthStep(ref reader);
        try
        {
            return RuntimeTypeFormatter.Deserialize(ref reader, Types[tag], options);
        }
        finally
        {
            reader.Depth--;
        }
    }
}
