using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

/// <summary>
/// Says why a [Memoize] method cannot be woven, as a build error that names the method and tells
/// how to fix it; null when it can.
/// </summary>
internal static class MethodValidator
{
    public static string? FindProblem(MemoizeCandidate candidate)
    {
        var method = candidate.Method;
        var name = $"AkCache: cannot memoize '{candidate.DisplayName}'";
        if (candidate.MaxAgeSeconds < 0)
        {
            return $"{name}: MaxAgeSeconds is {candidate.MaxAgeSeconds}. Use a positive number of seconds, or 0 for the configured default.";
        }

        if (!method.IsStatic)
        {
            return $"{name}: it is an instance method. Make it static, or remove [Memoize].";
        }

        if (!method.HasBody)
        {
            return $"{name}: it has no body (abstract, extern or partial without implementation). Memoize a method with a body, or remove [Memoize].";
        }

        if (method.ReturnType.MetadataType == MetadataType.Void)
        {
            return $"{name}: it returns void, so there is nothing to cache. Return the value, or remove [Memoize].";
        }

        if (IsTaskLike(method.ReturnType) || HasAttribute(method, "System.Runtime.CompilerServices.AsyncStateMachineAttribute"))
        {
            return $"{name}: async and Task-returning methods are not supported yet. Memoize a synchronous helper that the async method calls, or remove [Memoize].";
        }

        if (HasAttribute(method, "System.Runtime.CompilerServices.IteratorStateMachineAttribute"))
        {
            return $"{name}: it is an iterator (yield return), whose results are produced lazily. Return a materialized collection such as List<T> or an array, or remove [Memoize].";
        }

        if (method.HasGenericParameters || IsInGenericType(method.DeclaringType))
        {
            return $"{name}: generic methods and methods of generic types are not supported yet. Memoize a non-generic overload, or remove [Memoize].";
        }

        if (method.ReturnType.IsByReference || method.ReturnType.IsPointer || IsByRefLike(method.ReturnType))
        {
            return $"{name}: it returns a reference, pointer or ref struct ({method.ReturnType.Name}), which cannot be stored. Return a value, or remove [Memoize].";
        }

        foreach (var parameter in method.Parameters)
        {
            var type = parameter.ParameterType;
            if (type.IsByReference && !parameter.IsIn)
            {
                return $"{name}: parameter '{parameter.Name}' is ref or out. Return every result through the return value, or remove [Memoize].";
            }

            var valueType = type is ByReferenceType byRef ? byRef.ElementType : type;
            if (valueType.IsPointer || valueType.IsFunctionPointer || IsByRefLike(valueType))
            {
                return $"{name}: parameter '{parameter.Name}' is a pointer or ref struct ({valueType.Name}), which cannot be part of a key. Pass an array or a string instead, or remove [Memoize].";
            }
        }

        return null;
    }

    private static bool HasAttribute(ICustomAttributeProvider provider, string fullName) =>
        provider.CustomAttributes.Any(a => a.AttributeType.FullName == fullName);

    private static bool IsInGenericType(TypeDefinition? type)
    {
        for (; type is not null; type = type.DeclaringType)
        {
            if (type.HasGenericParameters)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTaskLike(TypeReference type)
    {
        var name = type.IsGenericInstance ? type.GetElementType().FullName : type.FullName;
        return name is "System.Threading.Tasks.Task" or "System.Threading.Tasks.Task`1"
            or "System.Threading.Tasks.ValueTask" or "System.Threading.Tasks.ValueTask`1";
    }

    private static bool IsByRefLike(TypeReference type)
    {
        TypeDefinition? definition;
        try
        {
            definition = type.Resolve();
        }
        catch (AssemblyResolutionException)
        {
            return false;
        }

        return definition is not null && definition.IsValueType && HasAttribute(definition, "System.Runtime.CompilerServices.IsByRefLikeAttribute");
    }
}
