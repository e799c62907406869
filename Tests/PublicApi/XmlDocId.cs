using System;
using System.Linq;
using System.Reflection;

namespace AkCache.Tests.PublicApi;

/// <summary>
/// The ID the C# compiler gives a type or member in its XML documentation file
/// ("T:AkCache.AkCacheRuntime", "M:AkCache.CompilerServices.MemoizedMethod.TryGet``1(AkCache.CompilerServices.MemoKey,``0@)").
/// </summary>
internal static class XmlDocId
{
    public static string Of(Type type) => "T:" + TypeName(type);

    public static string Of(MemberInfo member) => member switch
    {
        Type type => Of(type),
        FieldInfo field => "F:" + TypeName(field.DeclaringType!) + "." + field.Name,
        PropertyInfo property => "P:" + TypeName(property.DeclaringType!) + "." + property.Name + Parameters(property.GetIndexParameters()),
        EventInfo @event => "E:" + TypeName(@event.DeclaringType!) + "." + @event.Name,
        ConstructorInfo constructor => "M:" + TypeName(constructor.DeclaringType!) + "." + (constructor.IsStatic ? "#cctor" : "#ctor") + Parameters(constructor.GetParameters()),
        MethodInfo method => "M:" + TypeName(method.DeclaringType!) + "." + method.Name.Replace('.', '#')
                             + (method.IsGenericMethodDefinition ? "``" + method.GetGenericArguments().Length : string.Empty)
                             + Parameters(method.GetParameters())
                             + (method.Name is "op_Implicit" or "op_Explicit" ? "~" + ParameterType(method.ReturnType) : string.Empty),
        _ => throw new NotSupportedException(member.GetType().Name),
    };

    private static string Parameters(ParameterInfo[] parameters) =>
        parameters.Length == 0 ? string.Empty : "(" + string.Join(",", parameters.Select(p => ParameterType(p.ParameterType))) + ")";

    /// <summary>A type declaration's name: nested types joined with '.', generic arity kept as `N.</summary>
    private static string TypeName(Type type) =>
        type.IsNested ? TypeName(type.DeclaringType!) + "." + type.Name : (type.Namespace is { Length: > 0 } ns ? ns + "." : string.Empty) + type.Name;

    /// <summary>A type as it appears in a parameter list: generic arguments in braces, by-ref as @.</summary>
    private static string ParameterType(Type type)
    {
        if (type.IsByRef)
        {
            return ParameterType(type.GetElementType()!) + "@";
        }

        if (type.IsPointer)
        {
            return ParameterType(type.GetElementType()!) + "*";
        }

        if (type.IsArray)
        {
            var rank = type.GetArrayRank();
            var dimensions = rank == 1 ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", rank)) + "]";
            return ParameterType(type.GetElementType()!) + dimensions;
        }

        if (type.IsGenericParameter)
        {
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        }

        if (!type.IsGenericType)
        {
            return TypeName(type);
        }

        // Generic arguments of an enclosing type belong to the enclosing type's part of the name.
        var arguments = type.GetGenericArguments();
        var used = 0;
        string Part(Type declaration)
        {
            var prefix = declaration.IsNested
                ? Part(declaration.DeclaringType!) + "."
                : declaration.Namespace is { Length: > 0 } ns ? ns + "." : string.Empty;
            var name = declaration.Name;
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            if (tick < 0)
            {
                return prefix + name;
            }

            var arity = int.Parse(name[(tick + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            var own = arguments.Skip(used).Take(arity).Select(ParameterType);
            used += arity;
            return prefix + name[..tick] + "{" + string.Join(",", own) + "}";
        }

        return Part(type.GetGenericTypeDefinition());
    }
}
