using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Data;
using System.Numerics;
using System.Reflection;
using AkCache.Internals.Serialization.Data;
using AkCache.Internals.Serialization.Formatters;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace AkCache.Internals.Serialization;

/// <summary>
/// Chooses, once per type, how AkCache stores it (the rules are docs/values.md). Every type gets a
/// formatter: either one that round-trips the value equal in every respect, or one that refuses it
/// with a <see cref="NotFaithfulException"/> naming the reason and the fix. It never falls through to
/// MessagePack's contractless resolver, which drops non-public members and subclasses.
/// </summary>
internal sealed class FaithfulResolver : IFormatterResolver
{
    public static readonly FaithfulResolver Instance = new();

    /// <summary>Generic collections whose MessagePack formatters keep order and element types, and have no comparer.</summary>
    private static readonly HashSet<Type> DelegatedGenerics = new()
    {
        typeof(Nullable<>),
        typeof(List<>),
        typeof(LinkedList<>),
        typeof(Queue<>),
        typeof(Stack<>),
        typeof(KeyValuePair<,>),
        typeof(ReadOnlyCollection<>),
        typeof(Tuple<>), typeof(Tuple<,>), typeof(Tuple<,,>), typeof(Tuple<,,,>), typeof(Tuple<,,,,>), typeof(Tuple<,,,,,>), typeof(Tuple<,,,,,,>), typeof(Tuple<,,,,,,,>),
        typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>), typeof(ValueTuple<,,,,>), typeof(ValueTuple<,,,,,>), typeof(ValueTuple<,,,,,,>), typeof(ValueTuple<,,,,,,,>),
    };

    private FaithfulResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static object Create(Type type)
    {
        if (Special(type) is object special)
        {
            return special;
        }

        if (type.IsEnum || IsBuiltInScalar(type))
        {
            return StandardResolver.Instance.GetFormatterDynamic(type)
                ?? throw new InvalidOperationException($"MessagePack has no formatter for {type}.");
        }

        if (type.IsArray)
        {
            return Array(type);
        }

        if (Refusal(type) is string reason)
        {
            return Refused(type, reason, "Return or pass a type listed in docs/values.md, or mark the parameter [NotKey]");
        }

        if (type.IsGenericType && Generic(type) is object generic)
        {
            return generic;
        }

        if (IsFramework(type))
        {
            return FrameworkType(type);
        }

        return UserType(type);
    }

    private static object? Special(Type type)
    {
        if (type == typeof(object))
        {
            return TaggedObjectFormatter.Instance;
        }

        if (type == typeof(DateTime))
        {
            return ExactDateTimeFormatter.Instance;
        }

        if (type == typeof(DateTimeOffset))
        {
            return ExactDateTimeOffsetFormatter.Instance;
        }

        if (type == typeof(decimal))
        {
            return ExactDecimalFormatter.Instance;
        }

        if (type == typeof(Guid))
        {
            return NativeGuidFormatter.Instance;
        }

        if (type == typeof(DBNull))
        {
            return DBNullFormatter.Instance;
        }

        if (type == typeof(DataTable))
        {
            return DataTableFormatter.Instance;
        }

        if (type == typeof(DataSet))
        {
            return DataSetFormatter.Instance;
        }

        return OptionalFormatters.For(type);
    }

    /// <summary>Types whose standard MessagePack form is already exact.</summary>
    private static bool IsBuiltInScalar(Type type) =>
        (type.IsPrimitive && type != typeof(IntPtr) && type != typeof(UIntPtr))
        || type == typeof(string) || type == typeof(byte[]) || type == typeof(TimeSpan)
        || type == typeof(Uri) || type == typeof(Version) || type == typeof(BigInteger)
        || type == typeof(Complex);

    private static object Array(Type type)
    {
        var element = type.GetElementType()!;
        if (type.GetArrayRank() == 1 && !type.IsSZArrayOfRankOne())
        {
            return Refused(type, "it is an array with a lower bound other than zero", "Use a zero-based array");
        }

        // Arrays of primitives: MessagePack's own loops, which read and write the very same bytes as
        // the generic array formatter (an array header, then each element as its scalar formatter
        // writes it) without an interface call per element: several times faster on a double[].
        // double[] and float[]: the same bytes again, a block at a time. A primitive array cannot hold
        // a subtype, nor an element be refused, so these need no ExactTypeFormatter around them.
        if (type == typeof(double[]))
        {
            return DoubleBlockFormatter.Instance;
        }

        if (type == typeof(float[]))
        {
            return SingleBlockFormatter.Instance;
        }

        if (type.GetArrayRank() == 1 && element.IsPrimitive && element != typeof(IntPtr) && element != typeof(UIntPtr)
            && BuiltinResolver.Instance.GetFormatterDynamic(type) is { } primitive)
        {
            return Make(typeof(ExactTypeFormatter<>), type, primitive);
        }

        return type.GetArrayRank() <= 4
            ? Make(typeof(ExactTypeFormatter<>), type, DynamicGenericResolver.Instance.GetFormatterDynamic(type)!)
            : Refused(type, "it is an array of more than four dimensions", "Use an array of at most four dimensions");
    }

    /// <summary>Types no form could keep: their state is a handle, a pointer, code or a thread.</summary>
    private static string? Refusal(Type type)
    {
        if (type == typeof(IntPtr) || type == typeof(UIntPtr) || type.IsPointer)
        {
            return $"{TypeDisplay.Short(type)} is a native handle or pointer, meaningful only in the process that made it";
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return $"{TypeDisplay.Short(type)} is a delegate: code, not data";
        }

        if (typeof(System.IO.Stream).IsAssignableFrom(type) || typeof(System.Threading.Tasks.Task).IsAssignableFrom(type)
            || typeof(System.Threading.WaitHandle).IsAssignableFrom(type) || typeof(Type).IsAssignableFrom(type)
            || typeof(MemberInfo).IsAssignableFrom(type) || typeof(Exception).IsAssignableFrom(type))
        {
            return $"{TypeDisplay.Short(type)} holds process state, not data";
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Lazy`1")
        {
            return $"{TypeDisplay.Short(type)} holds code that has not run yet";
        }

        return null;
    }

    private static object? Generic(Type type)
    {
        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        if (definition == typeof(Nullable<>))
        {
            return DynamicGenericResolver.Instance.GetFormatterDynamic(type)!;
        }

        var formatter = DelegatedGenerics.Contains(definition)
            ? DynamicGenericResolver.Instance.GetFormatterDynamic(type)
            : KeyedCollections.Formatter(definition, arguments) ?? ImmutableCollections.Formatter(definition, arguments);
        return formatter is null ? null : Make(typeof(ExactTypeFormatter<>), type, formatter);
    }

    /// <summary>
    /// A framework type without a form of AkCache's own: an interface or abstract type is stored
    /// through the concrete collections it can name by a tag of its own; a plain struct of
    /// primitives (DateOnly, TimeOnly, Half, Int128) field by field; anything else is refused,
    /// because its fields are private details of a framework version.
    /// </summary>
    private static object FrameworkType(Type type)
    {
        if (type.IsInterface || type.IsAbstract)
        {
            return Make(typeof(InterfaceFormatter<>), type);
        }

        if (type.IsValueType && FieldwiseLayout.AllFieldsArePrimitive(type))
        {
            return Make(typeof(FieldwiseFormatter<>), type);
        }

        return Refused(type, $"{TypeDisplay.Short(type)} is a framework type whose state AkCache cannot store faithfully", "Return or pass a type listed in docs/values.md, or mark the parameter [NotKey]");
    }

    /// <summary>
    /// The user's own classes, records and structs: every instance field, public or not, read and
    /// written directly (no constructor runs when reading). A type that may hold subclasses (not
    /// sealed, abstract, an interface) is guarded: only its exact type, or the subclasses it names
    /// with MessagePack's [Union], are stored.
    /// </summary>
    private static object UserType(Type type)
    {
        if (type.IsInterface || type.IsAbstract)
        {
            return Make(typeof(UnionFormatter<>), type, new object?[] { null });
        }

        if (FieldwiseLayout.FrameworkBase(type) is Type frameworkBase)
        {
            return Refused(type, $"{TypeDisplay.Short(type)} derives from {TypeDisplay.Short(frameworkBase)}, whose private state AkCache cannot store faithfully", $"Hold the {TypeDisplay.Short(frameworkBase)} in a field instead of deriving from it");
        }

        var fieldwise = Make(typeof(FieldwiseFormatter<>), type);
        return type.IsValueType || type.IsSealed ? fieldwise : Make(typeof(UnionFormatter<>), type, fieldwise);
    }

    internal static bool IsFramework(Type type)
    {
        var ns = type.Namespace;
        return ns is not null && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns == "Microsoft" || ns.StartsWith("Microsoft.", StringComparison.Ordinal));
    }

    private static object Refused(Type type, string reason, string fix) => Make(typeof(RefusedFormatter<>), type, new NotFaithfulException(reason, fix));

    private static object Make(Type formatter, Type type, params object?[] arguments) =>
        Activator.CreateInstance(formatter.MakeGenericType(type), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, arguments, null)!;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T> Formatter = (IMessagePackFormatter<T>)Create(typeof(T));
    }
}

internal static class ArrayTypeExtensions
{
    /// <summary>False for the rank-1 arrays with a non-zero lower bound that reflection can make (int[*]).</summary>
    public static bool IsSZArrayOfRankOne(this Type type) => type == type.GetElementType()!.MakeArrayType();
}
