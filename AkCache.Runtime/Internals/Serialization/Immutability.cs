using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Numerics;
using System.Reflection;

namespace AkCache.Internals.Serialization;

/// <summary>
/// Whether one value of a type can be handed to every caller (shared), because whoever holds a
/// reference to it cannot change anything another holder can observe. Only what can be proved
/// from the type is shareable: primitives and the framework's immutable scalars, the immutable
/// collections of shareable elements, structs of shareable fields, sealed classes (and records)
/// whose every instance field, inherited ones included, is readonly and shareable, and types the
/// user marks [ImmutableObject(true)]. Everything else gets a fresh copy per hit.
/// </summary>
internal static class Immutability
{
    /// <summary>
    /// Deeper than this the walk answers "not shareable": a generic type whose field is the same
    /// generic over a bigger argument (Node&lt;T&gt; holding a Node&lt;Box&lt;T&gt;&gt;) never
    /// repeats a type, so the co-inductive guard alone would not stop it.
    /// </summary>
    private const int MaxDepth = 64;

    /// <summary>Longer reasons keep only their first step and their cause (see <see cref="Chain"/>).</summary>
    private const int MaxReasonLength = 1000;

    private static readonly ConcurrentDictionary<Type, string?> Verdicts = new();

    /// <summary>
    /// Immutable scalars that netstandard2.0 may not have (compared by name, so the check holds on
    /// every runtime), and BigInteger, whose uint[] is never exposed or written after construction.
    /// </summary>
    private static readonly HashSet<string> ImmutableScalars = new(StringComparer.Ordinal)
    {
        "System.DateOnly", "System.TimeOnly", "System.Half", "System.Int128", "System.UInt128",
    };

    /// <summary>
    /// System.Collections.Immutable, matched by name because the runtime does not reference that
    /// package. Their internal nodes hold arrays and lazily set fields that no public member can
    /// change, so the field rule would refuse them: they are taken as the library documents them.
    /// The dictionaries and sets also hold comparers: the defaults are stateless, and a custom one is
    /// the user's object, which the collection only calls; the container itself stays immutable.
    /// </summary>
    private static readonly HashSet<string> ImmutableCollections = new(StringComparer.Ordinal)
    {
        "System.Collections.Immutable.ImmutableArray`1",
        "System.Collections.Immutable.ImmutableList`1",
        "System.Collections.Immutable.ImmutableHashSet`1",
        "System.Collections.Immutable.ImmutableSortedSet`1",
        "System.Collections.Immutable.ImmutableDictionary`2",
        "System.Collections.Immutable.ImmutableSortedDictionary`2",
        "System.Collections.Immutable.ImmutableQueue`1",
        "System.Collections.Immutable.ImmutableStack`1",
    };

    /// <summary>
    /// System.Tuple is not sealed, but its items are readonly fields and the value the local layer
    /// shares is the one the serializer reads back, which MessagePack's tuple formatter always builds
    /// as exactly this Tuple (no subclass state survives a write). So a tuple is judged by its fields
    /// only; a user's subclass of Tuple is a different type and goes through the class rule.
    /// </summary>
    private static readonly HashSet<Type> Tuples = new()
    {
        typeof(Tuple<>), typeof(Tuple<,>), typeof(Tuple<,,>), typeof(Tuple<,,,>),
        typeof(Tuple<,,,,>), typeof(Tuple<,,,,,>), typeof(Tuple<,,,,,,>), typeof(Tuple<,,,,,,,>),
    };

    /// <summary>Wrappers that are read-only to their holder but show the changes of whoever kept the wrapped collection.</summary>
    private static readonly HashSet<string> ReadOnlyViews = new(StringComparer.Ordinal)
    {
        "System.Collections.ObjectModel.ReadOnlyCollection`1",
        "System.Collections.ObjectModel.ReadOnlyDictionary`2",
        "System.Collections.ObjectModel.ReadOnlyObservableCollection`1",
    };

    /// <summary>True when one value of <paramref name="type"/> may be returned to every caller.</summary>
    /// <param name="type">The declared type of the value (a result type).</param>
    public static bool IsShareable(Type type) => WhyNotShareable(type) is null;

    /// <summary>
    /// Null when <paramref name="type"/> is shareable, otherwise why not, naming the member and
    /// type that can be changed. Never throws: a type reflection cannot read is not shareable.
    /// </summary>
    /// <param name="type">The declared type of the value (a result type).</param>
    public static string? WhyNotShareable(Type type)
    {
        if (type is null)
        {
            return "no type was given";
        }

        if (Verdicts.TryGetValue(type, out var known))
        {
            return known;
        }

        string? reason;
        try
        {
            var walk = new Walk();
            reason = walk.Reason(type, 0);
            walk.Commit(reason is null);
        }
        catch (Exception e)
        {
            // Reflection can fail on types it cannot load (a missing dependency of a field's type).
            reason = $"AkCache could not inspect {Display(type)} ({e.GetType().Name}: {e.Message})";
        }

        return Verdicts.GetOrAdd(type, reason);
    }

    private static string Display(Type type)
    {
        try
        {
            return TypeDisplay.Short(type);
        }
        catch (Exception)
        {
            return type.Name;
        }
    }

    /// <summary>
    /// One question's walk through the types a type is made of. A type met again while it is still
    /// being judged is taken as shareable (co-inductive: a cycle adds no mutable state of its own).
    /// Every rule is a conjunction over the parts, so a "no" is final wherever it was found, but a
    /// "yes" found under an assumption about a type still open is only proved once the whole walk
    /// says yes: only then are the yeses kept for later questions.
    /// </summary>
    private sealed class Walk
    {
        private readonly Dictionary<Type, string?> _judged = new();
        private readonly HashSet<Type> _open = new();

        public string? Reason(Type type, int depth)
        {
            if (Verdicts.TryGetValue(type, out var known))
            {
                return known;
            }

            if (_judged.TryGetValue(type, out var judged))
            {
                return judged;
            }

            if (_open.Contains(type))
            {
                return null;
            }

            if (depth > MaxDepth)
            {
                // Not named: the type at this depth may have a name too long to print.
                return $"its types nest more than {MaxDepth} deep, further than AkCache looks";
            }

            _open.Add(type);
            var reason = Judge(type, depth + 1);
            _open.Remove(type);
            _judged[type] = reason;
            return reason;
        }

        public void Commit(bool everyYesProved)
        {
            foreach (var pair in _judged)
            {
                if (pair.Value is not null || everyYesProved)
                {
                    Verdicts.TryAdd(pair.Key, pair.Value);
                }
            }
        }

        private string? Judge(Type type, int depth)
        {
            if (Unshareable(type) is string shape)
            {
                return shape;
            }

            if (MarkedImmutable(type) is bool marked)
            {
                return marked ? null : $"{Display(type)} is marked [ImmutableObject(false)]";
            }

            if (IsImmutableScalar(type))
            {
                return null;
            }

            if (Nullable.GetUnderlyingType(type) is Type underlying)
            {
                return Reason(underlying, depth) is string inner ? Chain($"{Display(type)} holds a {Display(underlying)}", inner) : null;
            }

            if (type.IsGenericType && Generic(type, depth, out var generic))
            {
                return generic;
            }

            return type.IsValueType ? StructFields(type, depth) : ClassFields(type, depth, mustBeSealed: true);
        }

        /// <summary>The rules of the generic framework types; false when none applies.</summary>
        private bool Generic(Type type, int depth, out string? reason)
        {
            var definition = type.GetGenericTypeDefinition();
            if (ImmutableCollections.Contains(definition.FullName ?? "") && definition.Assembly.GetName().Name == "System.Collections.Immutable")
            {
                reason = null;
                foreach (var argument in type.GetGenericArguments())
                {
                    if (Reason(argument, depth) is string inner)
                    {
                        reason = Chain($"{Display(type)} holds {Display(argument)}", inner);
                        break;
                    }
                }

                return true;
            }

            if (Tuples.Contains(definition))
            {
                reason = ClassFields(type, depth, mustBeSealed: false);
                return true;
            }

            if (ReadOnlyViews.Contains(definition.FullName ?? ""))
            {
                reason = $"{Display(type)} is a read-only view of a collection that whoever built it can still change";
                return true;
            }

            reason = null;
            return false;
        }

        /// <summary>A struct is copied on return, so its own fields need not be readonly; what they refer to must be shareable.</summary>
        private string? StructFields(Type type, int depth)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (Reason(field.FieldType, depth) is string inner)
                {
                    return Chain($"{Member(field)} of {Display(type)} is a {Display(field.FieldType)}", inner);
                }
            }

            return null;
        }

        /// <summary>
        /// A class is shared by reference: every instance field, private and inherited ones too,
        /// must be readonly and of a shareable type, and the class sealed, since a value of a
        /// declared class that is not sealed may be a subclass with fields of its own.
        /// </summary>
        private string? ClassFields(Type type, int depth, bool mustBeSealed)
        {
            if (mustBeSealed && !type.IsSealed)
            {
                return NotSealed(type);
            }

            for (var level = type; level is not null && level != typeof(object); level = level.BaseType)
            {
                if (level != type && MarkedImmutable(level) == false)
                {
                    return $"{Display(type)} derives from {Display(level)}, which is marked [ImmutableObject(false)]";
                }

                foreach (var field in level.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    var owner = level == type ? Display(type) : $"{Display(level)} (inherited by {Display(type)})";
                    if (!field.IsInitOnly)
                    {
                        return $"{Member(field)} of {owner} is not readonly, so whoever holds the value can change it";
                    }

                    if (Reason(field.FieldType, depth) is string inner)
                    {
                        return Chain($"{Member(field)} of {owner} is a {Display(field.FieldType)}", inner);
                    }
                }
            }

            return null;
        }
    }

    /// <summary>Shapes no value of which can be proved unchangeable, whatever their members.</summary>
    private static string? Unshareable(Type type)
    {
        var shape = type.IsByRef || type.IsPointer ? "points at memory that can be changed"
            : type.IsGenericParameter || type.ContainsGenericParameters ? "is an open generic type"
            : type.IsArray ? "is an array, whose elements can be changed"
            : type.IsInterface ? "is an interface, so a value of it may be of any type that implements it"
            : type == typeof(object) ? "may hold a value of any type"
            : typeof(Delegate).IsAssignableFrom(type) ? "is a delegate, whose target may hold state that can be changed"
            : type.IsAbstract ? "is abstract, so a value of it may be any subclass"
            : IsByRefLike(type) ? "is a ref struct, which may refer to memory that can be changed"
            : null;
        return shape is null ? null : $"{Display(type)} {shape}";
    }

    private static bool IsImmutableScalar(Type type) =>
        type.IsPrimitive
        || type.IsEnum
        || type == typeof(string) // sealed, but its first char is a writable field (the runtime's, never written after creation)
        || type == typeof(decimal)
        || type == typeof(DateTime)
        || type == typeof(DateTimeOffset)
        || type == typeof(TimeSpan)
        || type == typeof(Guid)
        || type == typeof(BigInteger)
        || (type.Namespace == "System" && ImmutableScalars.Contains(type.FullName ?? ""));

    /// <summary>[ImmutableObject] declared on the type itself (not inherited: a subclass may add state its base promised not to have).</summary>
    private static bool? MarkedImmutable(Type type) =>
        type.GetCustomAttribute<ImmutableObjectAttribute>(inherit: false)?.Immutable;

    /// <summary>netstandard2.0 has no Type.IsByRefLike: the compiler marks ref structs with this attribute.</summary>
    private static bool IsByRefLike(Type type)
    {
        if (!type.IsValueType)
        {
            return false;
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            if (attribute.AttributeType.FullName == "System.Runtime.CompilerServices.IsByRefLikeAttribute")
            {
                return true;
            }
        }

        return false;
    }

    private static string NotSealed(Type type)
    {
        // Records have a compiler-generated clone method; naming the record case tells the user the fix.
        var kind = type.GetMethod("<Clone>$", BindingFlags.Instance | BindingFlags.Public) is not null ? "record" : "class";
        return $"{Display(type)} is a {kind} that is not sealed, so a value of it may be a subclass with state that can be changed (seal it to share it)";
    }

    /// <summary>
    /// "head, which can be changed: inner", the path from the type asked about down to what can
    /// change. A path too long to read (types nested dozens deep) keeps its first step and the
    /// cause, the last step, only.
    /// </summary>
    private static string Chain(string head, string inner)
    {
        const string Link = ", which can be changed: ";
        if (inner.Length > MaxReasonLength)
        {
            var last = inner.LastIndexOf(Link, StringComparison.Ordinal);
            var cause = last < 0 ? inner : inner.Substring(last + Link.Length);
            inner = cause.StartsWith("… ", StringComparison.Ordinal) ? cause : "… " + cause;
        }

        return head + Link + inner;
    }

    /// <summary>The member as the user wrote it: an auto-property's backing field is named by its property.</summary>
    private static string Member(FieldInfo field)
    {
        var name = field.Name;
        var end = name.IndexOf(">k__BackingField", StringComparison.Ordinal);
        return name.StartsWith("<", StringComparison.Ordinal) && end > 1 ? $"property '{name.Substring(1, end - 1)}'" : $"field '{name}'";
    }
}

/// <summary><see cref="Immutability.IsShareable"/> of <typeparamref name="T"/>, computed once per type.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal static class Shareable<T>
{
    public static readonly bool Value = Immutability.IsShareable(typeof(T));
}
