using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

/// <summary>
/// Finds, from declared types alone, the result and key types that the runtime is certain to
/// refuse, so that they fail the build instead of warning on every run. It mirrors the refusals of
/// AkCache.Runtime/Internals/Serialization/FaithfulResolver.cs (Refusal, and UserType's framework
/// base and [Union] rules) and, for keys, how Internals/Hashing/ArgumentWriter.cs hands collections
/// over element by element. What it cannot be sure of (an unresolved type, a generic parameter, the
/// private fields of a framework type, a framework class the runtime may or may not store) is left
/// to the runtime's warning: a build error must never refuse a value the runtime would store.
/// </summary>
internal sealed class FaithfulShapes
{
    private const string UnionAttribute = "MessagePack.UnionAttribute";

    /// <summary>
    /// Deeper than this the walk gives up without refusing: a generic type can hold ever larger
    /// instances of itself (Node&lt;T&gt; holding a Node&lt;List&lt;T&gt;&gt;), which no set of seen types ends.
    /// </summary>
    private const int MaxDepth = 64;

    private static readonly string[] DictionaryInterfaces =
    {
        "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.IReadOnlyDictionary`2",
    };

    private static readonly string[] SequenceInterfaces = { "System.Collections.Generic.IEnumerable`1" };

    /// <summary>Refused as exactly these types (ValueTask is a struct; a subclass of Lazy&lt;T&gt; is refused for deriving from a framework class).</summary>
    private static readonly Dictionary<string, ShapeKind> RefusedTypes = new(StringComparer.Ordinal)
    {
        ["System.Threading.Tasks.ValueTask"] = ShapeKind.Task,
        ["System.Threading.Tasks.ValueTask`1"] = ShapeKind.Task,
        ["System.Lazy`1"] = ShapeKind.Lazy,
    };

    /// <summary>Refused with every type deriving from them, the user's own included.</summary>
    private static readonly Dictionary<string, ShapeKind> RefusedBases = new(StringComparer.Ordinal)
    {
        ["System.Delegate"] = ShapeKind.Delegate,
        ["System.MulticastDelegate"] = ShapeKind.Delegate,
        ["System.IO.Stream"] = ShapeKind.Stream,
        ["System.Threading.Tasks.Task"] = ShapeKind.Task,
        ["System.Threading.WaitHandle"] = ShapeKind.WaitHandle,
        ["System.Reflection.MemberInfo"] = ShapeKind.Reflection,
        ["System.Exception"] = ShapeKind.Exception,
    };

    private readonly bool _forKeys;

    /// <summary>Types already walked: a type that holds itself (a linked node) is walked once.</summary>
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    private FaithfulShapes(bool forKeys) => _forKeys = forKeys;

    /// <summary>Why no result of this type can be stored; null when one may be.</summary>
    public static ShapeProblem? InResult(TypeReference type) => new FaithfulShapes(forKeys: false).Stored(type, Spot.Declared);

    /// <summary>Why no argument of this type can be keyed; null when one may be.</summary>
    public static ShapeProblem? InKey(TypeReference type) => new FaithfulShapes(forKeys: true).Argument(type, Spot.Declared);

    /// <summary>A type as FaithfulResolver writes it, for stored values and for keys' MessagePack part.</summary>
    private ShapeProblem? Stored(TypeReference type, Spot spot)
    {
        type = WithoutModifiers(type);
        if (IsHandle(type))
        {
            return spot.Problem(type, ShapeKind.Handle);
        }

        if (type is ArrayType array)
        {
            return spot.Depth > MaxDepth ? null : Stored(array.ElementType, spot.Within(type));
        }

        if (spot.Depth > MaxDepth || type.IsGenericParameter || IsScalar(type) || !_seen.Add("stored " + type.FullName) || MethodValidator.Resolve(type) is not TypeDefinition definition)
        {
            return null;
        }

        if (KindOf(type, definition) is ShapeKind kind)
        {
            return spot.Problem(type, kind);
        }

        // Only a framework type's type arguments are walked: its fields are private details, and the
        // runtime stores the allowed ones by their elements.
        if (IsFramework(definition))
        {
            return type is GenericInstanceType generic ? First(generic.GenericArguments, a => Stored(a, spot.Within(type))) : null;
        }

        return UserType(type, definition, spot);
    }

    /// <summary>The user's own type: all instance fields of it and its base classes (FieldwiseLayout.Fields).</summary>
    private ShapeProblem? UserType(TypeReference type, TypeDefinition definition, Spot spot)
    {
        if (definition.IsEnum)
        {
            return null;
        }

        // Stored values hold an interface or abstract type only as the subclasses it names; keys name any runtime type.
        if ((definition.IsInterface || definition.IsAbstract) && !_forKeys && !MethodValidator.HasAttribute(definition, UnionAttribute))
        {
            return spot.Problem(type, ShapeKind.NoUnion);
        }

        if (definition.IsInterface)
        {
            return null;
        }

        var chain = Chain(type, definition).ToList();
        if (chain.Skip(1).FirstOrDefault(link => IsFramework(link.Definition)) is Link frameworkBase)
        {
            return spot.Problem(type, ShapeKind.FrameworkBase, frameworkBase.Reference);
        }

        return First(chain, link => First(link.Definition.Fields.Where(f => !f.IsStatic), field =>
            Stored(Substitute(field.FieldType, link.Reference), spot.Field(type, MemberName(field)))));
    }

    /// <summary>
    /// An argument as ArgumentWriter dispatches it: arrays, nullables, dictionaries and other
    /// enumerables by their elements, each again an argument; anything else through MessagePack.
    /// </summary>
    private ShapeProblem? Argument(TypeReference type, Spot spot)
    {
        type = WithoutModifiers(type);
        if (IsHandle(type))
        {
            return spot.Problem(type, ShapeKind.Handle);
        }

        if (type is ArrayType array)
        {
            return spot.Depth > MaxDepth ? null
                : !array.IsVector ? Stored(type, spot)
                : array.ElementType.MetadataType == MetadataType.Byte ? null
                : Argument(array.ElementType, spot.Within(type));
        }

        if (spot.Depth > MaxDepth || type.IsGenericParameter || IsScalar(type) || !_seen.Add("argument " + type.FullName) || MethodValidator.Resolve(type) is not TypeDefinition definition || definition.IsEnum)
        {
            return null;
        }

        return ElementTypes(type, definition) is IList<TypeReference> elements
            ? First(elements, e => Argument(e, spot.Within(type)))
            : Stored(type, spot);
    }

    /// <summary>
    /// What ArgumentWriter writes a value by instead of MessagePack: a nullable's value, a
    /// dictionary's keys and values, another enumerable's elements. Empty when it is a collection of
    /// more than one kind (the runtime's choice cannot be told here); null when it is no collection.
    /// </summary>
    private static IList<TypeReference>? ElementTypes(TypeReference type, TypeDefinition definition)
    {
        if (type is GenericInstanceType { ElementType.FullName: "System.Nullable`1" } nullable)
        {
            return nullable.GenericArguments;
        }

        var interfaces = GenericInterfaces(type, definition);
        foreach (var names in new[] { DictionaryInterfaces, SequenceInterfaces })
        {
            var matches = interfaces.Where(i => names.Contains(i.ElementType.FullName)).GroupBy(i => i.FullName).ToList();
            if (matches.Count > 0)
            {
                return matches.Count == 1 ? matches[0].First().GenericArguments : Array.Empty<TypeReference>();
            }
        }

        return null;
    }

    /// <summary>Every generic interface the type is or implements, itself, its base classes' and its interfaces' included.</summary>
    private static List<GenericInstanceType> GenericInterfaces(TypeReference type, TypeDefinition definition)
    {
        var found = new List<GenericInstanceType>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<Link>(Chain(type, definition));
        while (pending.Count > 0)
        {
            var link = pending.Dequeue();
            // The bound ends interfaces that expand forever (I<T> : I<List<T>>); real ones are a few dozen.
            if (!seen.Add(link.Reference.FullName) || seen.Count > 256)
            {
                continue;
            }

            if (link.Definition.IsInterface && link.Reference is GenericInstanceType generic)
            {
                found.Add(generic);
            }

            foreach (var implementation in link.Definition.Interfaces)
            {
                var implemented = Substitute(implementation.InterfaceType, link.Reference);
                if (MethodValidator.Resolve(implemented) is TypeDefinition resolved)
                {
                    pending.Enqueue(new Link(implemented, resolved));
                }
            }
        }

        return found;
    }

    /// <summary>FaithfulResolver.Refusal's types: code, handles and process state, never data.</summary>
    private static ShapeKind? KindOf(TypeReference type, TypeDefinition definition)
    {
        if (RefusedTypes.TryGetValue(type.GetElementType().FullName, out var exact))
        {
            return exact;
        }

        for (TypeDefinition? current = definition; current is not null; current = current.BaseType is null ? null : MethodValidator.Resolve(current.BaseType))
        {
            if (RefusedBases.TryGetValue(current.FullName, out var kind))
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>The type and its base classes up to object or ValueType, each with its base's type arguments filled in.</summary>
    private static IEnumerable<Link> Chain(TypeReference type, TypeDefinition definition)
    {
        var link = new Link(type, definition);
        while (true)
        {
            yield return link;
            if (link.Definition.BaseType is not TypeReference baseType)
            {
                yield break;
            }

            var reference = Substitute(baseType, link.Reference);
            if (reference.FullName is "System.Object" or "System.ValueType" || MethodValidator.Resolve(reference) is not TypeDefinition resolved)
            {
                yield break;
            }

            link = new Link(reference, resolved);
        }
    }

    /// <summary>A member's type with the type arguments of <paramref name="owner"/> in place of its generic parameters.</summary>
    private static TypeReference Substitute(TypeReference type, TypeReference owner)
    {
        if (owner is not GenericInstanceType instance || !type.ContainsGenericParameter)
        {
            return type;
        }

        return WithoutModifiers(type) switch
        {
            GenericParameter { Type: GenericParameterType.Type } parameter when parameter.Position < instance.GenericArguments.Count => instance.GenericArguments[parameter.Position],
            GenericInstanceType generic => Instance(generic.ElementType, generic.GenericArguments.Select(a => Substitute(a, owner))),
            ArrayType array => new ArrayType(Substitute(array.ElementType, owner), array.Rank),
            PointerType pointer => new PointerType(Substitute(pointer.ElementType, owner)),
            var other => other,
        };
    }

    private static GenericInstanceType Instance(TypeReference definition, IEnumerable<TypeReference> arguments)
    {
        var instance = new GenericInstanceType(definition);
        foreach (var argument in arguments)
        {
            instance.GenericArguments.Add(argument);
        }

        return instance;
    }

    /// <summary>FaithfulResolver.IsFramework: the namespace (a nested type's outermost one) is System, Microsoft or under them.</summary>
    private static bool IsFramework(TypeDefinition definition)
    {
        var outermost = definition;
        while (outermost.DeclaringType is not null)
        {
            outermost = outermost.DeclaringType;
        }

        var ns = outermost.Namespace;
        return ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns == "Microsoft" || ns.StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    private static bool IsHandle(TypeReference type) =>
        type is PointerType || type is FunctionPointerType || type.FullName is "System.IntPtr" or "System.UIntPtr";

    /// <summary>Types with nothing to walk, told apart without resolving them.</summary>
    private static bool IsScalar(TypeReference type) =>
        type.IsPrimitive || type.MetadataType is MetadataType.String or MetadataType.Object;

    private static TypeReference WithoutModifiers(TypeReference type)
    {
        while (type is IModifierType modified)
        {
            type = modified.ElementType;
        }

        return type;
    }

    /// <summary>FieldwiseLayout.MemberName: an auto-property's backing field is named by its property.</summary>
    private static string MemberName(FieldDefinition field)
    {
        var name = field.Name;
        var end = name.IndexOf(">k__BackingField", StringComparison.Ordinal);
        return name.StartsWith("<", StringComparison.Ordinal) && end > 1 ? name.Substring(1, end - 1) : name;
    }

    private static ShapeProblem? First<T>(IEnumerable<T> items, Func<T, ShapeProblem?> find)
    {
        foreach (var item in items)
        {
            if (find(item) is ShapeProblem problem)
            {
                return problem;
            }
        }

        return null;
    }

    private sealed class Link
    {
        public Link(TypeReference reference, TypeDefinition definition)
        {
            Reference = reference;
            Definition = definition;
        }

        public TypeReference Reference { get; }

        public TypeDefinition Definition { get; }
    }
}
