using System.Linq;
using System.Text.RegularExpressions;
using Mono.Cecil;

namespace AkCache.Fody;

/// <summary>
/// Says why a method cannot be memoized, as a build error that names the method and tells how to
/// fix it; null when it can.
/// </summary>
internal static class MethodValidator
{
    private static readonly Regex VersionPattern = new("^[A-Za-z0-9._-]{1,64}$");

    private static readonly string[] LazyReturnTypes =
    {
        "System.Collections.IEnumerable",
        "System.Collections.Generic.IEnumerable`1",
        "System.Collections.Generic.IAsyncEnumerable`1",
    };

    /// <summary>The generic collection interfaces: materialized, stored by AkCache, and keyable.</summary>
    private static readonly string[] CollectionInterfaces =
    {
        "System.Collections.Generic.ICollection`1",
        "System.Collections.Generic.IList`1",
        "System.Collections.Generic.IReadOnlyCollection`1",
        "System.Collections.Generic.IReadOnlyList`1",
        "System.Collections.Generic.ISet`1",
        "System.Collections.Generic.IReadOnlySet`1",
        "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.IReadOnlyDictionary`2",
    };

    /// <summary>Sequence interfaces whose values are materialized collections: never refused as lazy.</summary>
    private static readonly string[] MaterializedInterfaces =
        CollectionInterfaces.Concat(new[] { "System.Collections.ICollection", "System.Collections.IList", "System.Collections.IDictionary" }).ToArray();

    /// <summary>Interfaces whose content AkCache can key: IEnumerable&lt;T&gt; and the collection interfaces.</summary>
    private static readonly string[] KeyableInterfaces =
        new[] { "System.Collections.Generic.IEnumerable`1" }.Concat(CollectionInterfaces).ToArray();

    private const string NotKeyFix = "Mark it [NotKey] if it does not change the result, or pass the values the result depends on.";

    public static string? FindProblem(MemoizeCandidate candidate)
    {
        var problem = AttributeProblem(candidate) ?? MethodProblem(candidate.Method) ?? ResultProblem(candidate.Method)
            ?? StoredResultProblem(candidate) ?? ParametersProblem(candidate);
        return problem is null ? null : $"AkCache: cannot memoize '{candidate.DisplayName}': {problem}";
    }

    private static string? AttributeProblem(MemoizeCandidate candidate)
    {
        if (candidate.MaxAgeSeconds < 0)
        {
            return $"MaxAgeSeconds is {candidate.MaxAgeSeconds}. Use a positive number of seconds, or 0 for the configured default.";
        }

        if (candidate.LocalMaxEntries < 0)
        {
            return $"LocalMaxEntries is {candidate.LocalMaxEntries}. Use a positive number of entries, or 0 for no bound of the method's own (LocalCache = false keeps it out of the local layer).";
        }

        if (candidate.PinnedVersion is string version && !VersionPattern.IsMatch(version))
        {
            return $"Version \"{version}\" is not allowed. Use 1 to 64 letters, digits, '.', '-' or '_'.";
        }

        return null;
    }

    private static string? MethodProblem(MethodDefinition method)
    {
        if (!method.IsStatic)
        {
            return "it is an instance method, and its result may depend on the instance. Make it static, or remove [Memoize].";
        }

        if (!method.HasBody)
        {
            return "it has no body (abstract, extern or interface method). Memoize a static method with a body, or remove [Memoize].";
        }

        return null;
    }

    private static string? ResultProblem(MethodDefinition method)
    {
        var returnType = method.ReturnType;
        if (returnType.MetadataType == MetadataType.Void)
        {
            return "it returns void, so there is nothing to cache. Return the value, or remove [Memoize].";
        }

        if (returnType.FullName is "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask")
        {
            return $"it returns {returnType.Name} without a result, so there is nothing to cache. Return Task<T> or ValueTask<T>, or remove [Memoize].";
        }

        var result = AwaitedType(returnType);
        if (HasAttribute(method, "System.Runtime.CompilerServices.IteratorStateMachineAttribute")
            || HasAttribute(method, "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute")
            || IsLazySequence(result))
        {
            return $"it returns a lazily evaluated sequence ({ShortName(result)}), which is computed only when enumerated. Return a materialized collection such as List<T>, T[] or IReadOnlyList<T>, or remove [Memoize].";
        }

        if (returnType.IsByReference || returnType.IsPointer || IsByRefLike(returnType))
        {
            return $"it returns a reference, pointer or ref struct ({ShortName(returnType)}), which cannot be stored. Return a value, or remove [Memoize].";
        }

        return null;
    }

    /// <summary>
    /// A result AkCache's own serializer can never store. Only its rules are known here: a method
    /// that names another serializer is left to that one.
    /// </summary>
    private static string? StoredResultProblem(MemoizeCandidate candidate)
    {
        if (candidate.Serializer is not (null or "messagepack"))
        {
            return null;
        }

        var resultType = StoredResultType(candidate.Method.ReturnType);
        return FaithfulShapes.InResult(resultType)?.ForResult(resultType);
    }

    /// <summary>What the runtime stores: the T of Task&lt;T&gt; and ValueTask&lt;T&gt;, else the return type.</summary>
    private static TypeReference StoredResultType(TypeReference returnType) =>
        returnType is GenericInstanceType { ElementType.FullName: "System.Threading.Tasks.Task`1" or "System.Threading.Tasks.ValueTask`1" } task
            ? task.GenericArguments[0]
            : returnType;

    private static string? ParametersProblem(MemoizeCandidate candidate)
    {
        foreach (var parameter in candidate.Method.Parameters)
        {
            var problem = FindParameterProblem(candidate, parameter);
            if (problem is not null)
            {
                return $"parameter '{parameter.Name}' {problem}";
            }
        }

        return null;
    }

    private static string? FindParameterProblem(MemoizeCandidate candidate, ParameterDefinition parameter)
    {
        var type = parameter.ParameterType;
        if (type.IsByReference && !parameter.IsIn)
        {
            return "is ref or out. Return every result through the return value, or remove [Memoize].";
        }

        var valueType = type is ByReferenceType byReference ? byReference.ElementType : type;
        if (valueType.IsPointer || valueType.IsFunctionPointer || IsByRefLike(valueType))
        {
            return $"is a pointer or ref struct ({ShortName(valueType)}), which cannot be part of a key. Pass an array or a string instead, or remove [Memoize].";
        }

        if (!candidate.IsKeyParameter(parameter.Index))
        {
            return null;
        }

        var reason = UnkeyableReason(valueType);
        if (reason is not null)
        {
            return $"is {reason} ({ShortName(valueType)}), which has no stable key. {NotKeyFix}";
        }

        return FaithfulShapes.InKey(valueType) is ShapeProblem problem ? $"cannot be part of a key: {problem.ForKey()}. {NotKeyFix}" : null;
    }

    /// <summary>Why values of a type cannot be keyed by content, where the build can tell.</summary>
    private static string? UnkeyableReason(TypeReference type)
    {
        if (type.MetadataType == MetadataType.Object)
        {
            return "declared as object";
        }

        if (type.IsGenericParameter || type.IsArray)
        {
            return null;
        }

        var elementName = ElementName(type);
        if (elementName is "System.Threading.Tasks.Task" or "System.Threading.Tasks.Task`1" or "System.Threading.Tasks.ValueTask" or "System.Threading.Tasks.ValueTask`1")
        {
            return "a task";
        }

        TypeDefinition? definition = Resolve(type);
        if (definition is null)
        {
            return null;
        }

        if (definition.IsInterface)
        {
            return KeyableInterfaces.Contains(elementName) ? null : "an interface";
        }

        for (var current = definition; current is not null; current = current.BaseType is null ? null : Resolve(current.BaseType))
        {
            switch (current.FullName)
            {
                case "System.MulticastDelegate":
                case "System.Delegate":
                    return "a delegate";
                case "System.IO.Stream":
                    return "a stream";
            }
        }

        return null;
    }

    /// <summary>The T of Task&lt;T&gt; and ValueTask&lt;T&gt;, else the type itself.</summary>
    private static TypeReference AwaitedType(TypeReference type) =>
        type is GenericInstanceType { GenericArguments.Count: 1 } awaited
            && ElementName(type) is "System.Threading.Tasks.Task`1" or "System.Threading.Tasks.ValueTask`1"
            ? awaited.GenericArguments[0]
            : type;

    /// <summary>
    /// IEnumerable itself, and every other sequence interface that is not a materialized collection
    /// (IQueryable&lt;T&gt;, IOrderedEnumerable&lt;T&gt;, IGrouping&lt;K, T&gt;...): their values are
    /// usually queries that run when enumerated.
    /// </summary>
    private static bool IsLazySequence(TypeReference type)
    {
        var name = ElementName(type);
        if (LazyReturnTypes.Contains(name))
        {
            return true;
        }

        if (MaterializedInterfaces.Contains(name) || name.StartsWith("System.Collections.Immutable.", System.StringComparison.Ordinal))
        {
            return false;
        }

        var definition = SafeResolve(type);
        return definition is { IsInterface: true }
            && definition.Interfaces.Any(i => ElementName(i.InterfaceType) is "System.Collections.IEnumerable" or "System.Collections.Generic.IEnumerable`1");
    }

    private static TypeDefinition? SafeResolve(TypeReference type)
    {
        try
        {
            return type.Resolve();
        }
        catch (AssemblyResolutionException)
        {
            return null;
        }
    }

    private static string ElementName(TypeReference type) => type.IsGenericInstance ? type.GetElementType().FullName : type.FullName;

    /// <summary>A type as build errors print it: Func&lt;Int32&gt;, IEnumerable&lt;Int32&gt;, Holder[].</summary>
    internal static string ShortName(TypeReference type) => type switch
    {
        GenericInstanceType instance => instance.ElementType.Name.Split('`')[0] + "<" + string.Join(", ", instance.GenericArguments.Select(ShortName)) + ">",
        ArrayType array => ShortName(array.ElementType) + "[" + new string(',', array.Rank - 1) + "]",
        PointerType pointer => ShortName(pointer.ElementType) + "*",
        IModifierType modified => ShortName(modified.ElementType),
        _ => type.Name,
    };

    internal static bool HasAttribute(ICustomAttributeProvider provider, string fullName) =>
        provider.CustomAttributes.Any(a => a.AttributeType.FullName == fullName);

    internal static TypeDefinition? Resolve(TypeReference type)
    {
        try
        {
            return type.Resolve();
        }
        catch (AssemblyResolutionException)
        {
            return null;
        }
    }

    private static bool IsByRefLike(TypeReference type)
    {
        var definition = Resolve(type);
        return definition is not null && definition.IsValueType && HasAttribute(definition, "System.Runtime.CompilerServices.IsByRefLikeAttribute");
    }
}
