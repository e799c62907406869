using System;
using System.Collections.Concurrent;
using System.Linq;

namespace AkCache.Internals.Hashing;

/// <summary>
/// A type's name for keys: namespace, name and generic arguments, without assembly names or
/// versions, so that upgrading a dependency does not change keys.
/// </summary>
internal static class TypeName<T>
{
    public static readonly string Canonical = TypeNames.Canonical(typeof(T));
}

internal static class TypeNames
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    /// <summary><see cref="Canonical"/>, computed once per type.</summary>
    public static string Cached(Type type) => Names.GetOrAdd(type, Canonical);

    public static string Canonical(Type type)
    {
        if (type.IsArray)
        {
            return Canonical(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        var name = type.IsNested ? Canonical(type.DeclaringType!) + "+" + type.Name : (type.Namespace is null ? type.Name : type.Namespace + "." + type.Name);
        if (!type.IsGenericType || type.IsGenericTypeDefinition)
        {
            return name;
        }

        var arguments = type.GetGenericArguments();
        var inherited = type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0;
        var own = arguments.Skip(inherited).ToArray();
        return own.Length == 0 ? name : name + "[" + string.Join(",", own.Select(Canonical)) + "]";
    }
}
