using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

/// <summary>
/// The method part of a key: declaring type's full name, method name and parameter types, as in
/// "Shop.Pricing+Rules.Price(System.String,System.Int32)". Overloads differ by their parameter
/// types, so they never share keys, and an operator can find one method's keys with SCAN.
/// </summary>
internal static class MethodIdentity
{
    public static string For(MethodDefinition method)
    {
        var parameters = string.Join(",", method.Parameters.Select(p => Clean(p.ParameterType.FullName)));
        return $"{Clean(method.DeclaringType.FullName)}.{method.Name}{GenericParameters(method)}({parameters})";
    }

    private static string GenericParameters(MethodDefinition method) =>
        method.HasGenericParameters ? "<" + string.Join(",", method.GenericParameters.Select(p => p.Name)) + ">" : "";

    /// <summary>The name used in build errors: "Type.Method(int, string)" in C# spelling where it is short.</summary>
    public static string Describe(MethodDefinition method)
    {
        var parameters = string.Join(", ", method.Parameters.Select(p => CSharpName(p.ParameterType)));
        return $"{Clean(method.DeclaringType.FullName)}.{method.Name}{GenericParameters(method)}({parameters})";
    }

    private static string Clean(string name) => name.Replace('/', '+').Replace(' ', '_').Replace(':', '_');

    private static string CSharpName(TypeReference type) => type.FullName switch
    {
        "System.Int32" => "int",
        "System.Int64" => "long",
        "System.String" => "string",
        "System.Boolean" => "bool",
        "System.Double" => "double",
        "System.Decimal" => "decimal",
        "System.Object" => "object",
        _ => Clean(type.FullName),
    };
}
