using System;
using System.Collections.Generic;
using System.IO.Hashing;
using System.Linq;
using System.Reflection;
using System.Text;
using AkCache.Internals.Hashing;
using AkCache.Internals.Serialization.Formatters;
using MessagePack;

namespace AkCache.Internals.Serialization;

/// <summary>
/// A fingerprint of how a result type is stored: the canonical names of the types it is made of
/// and, for the user's own types, the name and type of every field, through every member, element
/// and declared subclass. A stored value carries it, so a value written before a field was added,
/// renamed or retyped is unreadable (a miss), even under a pinned [Memoize(Version)].
/// </summary>
internal static class TypeShape<T>
{
    public static readonly ulong Fingerprint = TypeShape.Of(typeof(T));
}

internal static class TypeShape
{
    public static ulong Of(Type type)
    {
        var text = new StringBuilder();
        Describe(type, text, new HashSet<Type>());
        return XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The text the fingerprint hashes (for tests and messages).</summary>
    internal static string Describe(Type type)
    {
        var text = new StringBuilder();
        Describe(type, text, new HashSet<Type>());
        return text.ToString();
    }

    private static void Describe(Type type, StringBuilder text, HashSet<Type> seen)
    {
        text.Append(TypeNames.Canonical(type));
        if (!seen.Add(type))
        {
            return;
        }

        if (type.IsArray)
        {
            text.Append('(');
            Describe(type.GetElementType()!, text, seen);
            text.Append(')');
            return;
        }

        if (type.IsGenericType)
        {
            text.Append('<');
            foreach (var argument in type.GetGenericArguments())
            {
                Describe(argument, text, seen);
                text.Append(';');
            }

            text.Append('>');
        }

        if (FaithfulResolver.IsFramework(type) || type.IsPrimitive || type.IsEnum)
        {
            if (type.IsEnum)
            {
                text.Append(':').Append(TypeNames.Canonical(Enum.GetUnderlyingType(type)));
            }

            return;
        }

        text.Append('{');
        if (!type.IsInterface && !type.IsAbstract)
        {
            foreach (var field in FieldwiseLayout.Fields(type))
            {
                text.Append(field.Name).Append(':');
                Describe(field.FieldType, text, seen);
                text.Append(';');
            }
        }

        foreach (var @case in type.GetCustomAttributes<UnionAttribute>(inherit: false).OrderBy(c => c.Key))
        {
            text.Append('|').Append(@case.Key).Append('=');
            Describe(@case.SubType, text, seen);
        }

        text.Append('}');
    }
}
