using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

public partial class ModuleWeaver
{
    private const string AttributesAssemblyName = "AkCache.Attributes";

    /// <summary>AkCache's attributes exist for the weaver only: remove every use of them.</summary>
    private void RemoveBuildTimeAttributes()
    {
        Strip(ModuleDefinition.Assembly);
        Strip(ModuleDefinition);
        foreach (var type in ModuleDefinition.GetTypes())
        {
            Strip(type);
            foreach (var method in type.Methods)
            {
                Strip(method);
                Strip(method.MethodReturnType);
                foreach (var parameter in method.Parameters)
                {
                    Strip(parameter);
                }
            }

            foreach (var member in type.Properties.Cast<ICustomAttributeProvider>().Concat(type.Fields).Concat(type.Events))
            {
                Strip(member);
            }
        }
    }

    /// <summary>
    /// Drops the reference to AkCache.Attributes once the attributes are stripped, so that the woven
    /// assembly does not need AkCache.Attributes.dll at run time: the package gives it to the
    /// compiler only. Anything that still names one of its types (typeof(MemoizeAttribute),
    /// GetCustomAttribute&lt;MemoizeAttribute&gt;(), a field, a variable, a base type) would fail
    /// with FileNotFoundException when it runs: each is a build error, and the reference stays, so
    /// that no type reference is left pointing at a removed assembly.
    /// </summary>
    private void RemoveAttributesReference()
    {
        var reference = ModuleDefinition.AssemblyReferences.FirstOrDefault(r => r.Name == AttributesAssemblyName);
        if (reference is null)
        {
            return;
        }

        var uses = 0;
        foreach (var type in ModuleDefinition.GetTypes())
        {
            foreach (var (member, used) in MembersOfTypeNaming(type))
            {
                uses++;
                WriteError(AttributeUseMessage($"'{type.FullName}.{member}'", used));
            }

            foreach (var method in type.Methods)
            {
                if (FirstAttributeType(method) is { } used)
                {
                    uses++;
                    WriteError(AttributeUseMessage(UserVisibleName(method), used), SourcePoints.First(method));
                }
            }
        }

        if (uses == 0)
        {
            ModuleDefinition.AssemblyReferences.Remove(reference);
        }
    }

    private static string AttributeUseMessage(string where, TypeReference type) =>
        $"AkCache: {where} uses {type.Name} from AkCache.Attributes at run time. " +
        "The AkCache.Fody package gives AkCache.Attributes to the compiler only and does not copy it to the application, so this would throw FileNotFoundException when it runs. " +
        "Remove that use of the attribute type: the weaver removes the attributes themselves, so they cannot be read by reflection either.";

    /// <summary>The method's name as its author wrote it: code the compiler moved into a lambda or state machine class is named by its enclosing type.</summary>
    private static string UserVisibleName(MethodDefinition method)
    {
        var type = method.DeclaringType;
        if (!type.Name.StartsWith("<", StringComparison.Ordinal))
        {
            return $"'{MethodIdentity.Describe(method)}'";
        }

        while (type.DeclaringType is not null && type.Name.StartsWith("<", StringComparison.Ordinal))
        {
            type = type.DeclaringType;
        }

        return $"code in '{type.FullName}' (a lambda, local function, iterator or async method)";
    }

    /// <summary>The type's own declarations that name a type of AkCache.Attributes: base type, interfaces, fields, properties, events, the attributes left on it.</summary>
    private static IEnumerable<(string Member, TypeReference Used)> MembersOfTypeNaming(TypeDefinition type)
    {
        var declared = new List<(string, TypeReference?)> { ("base type", type.BaseType) };
        declared.AddRange(type.Interfaces.Select(i => ("interface", (TypeReference?)i.InterfaceType)));
        declared.AddRange(type.Fields.Select(f => (f.Name, (TypeReference?)f.FieldType)));
        declared.AddRange(type.Properties.Select(p => (p.Name, (TypeReference?)p.PropertyType)));
        declared.AddRange(type.Events.Select(e => (e.Name, (TypeReference?)e.EventType)));
        declared.AddRange(AttributeTypes(type).Select(t => ("attribute", (TypeReference?)t)));
        declared.AddRange(type.Fields.SelectMany(f => AttributeTypes(f).Select(t => (f.Name, (TypeReference?)t))));
        declared.AddRange(type.Properties.SelectMany(p => AttributeTypes(p).Select(t => (p.Name, (TypeReference?)t))));
        foreach (var (member, used) in declared)
        {
            if (used is not null && NamesAttributeType(used))
            {
                yield return (member, used);
            }
        }
    }

    private static TypeReference? FirstAttributeType(MethodDefinition method)
    {
        var named = new List<TypeReference?> { method.ReturnType };
        named.AddRange(method.Parameters.Select(p => p.ParameterType));
        named.AddRange(method.GenericParameters.SelectMany(g => g.Constraints).Select(c => c.ConstraintType));
        named.AddRange(AttributeTypes(method));
        named.AddRange(method.Parameters.SelectMany(p => AttributeTypes(p)));
        named.AddRange(AttributeTypes(method.MethodReturnType));
        if (method.HasBody)
        {
            named.AddRange(method.Body.Variables.Select(v => v.VariableType));
            foreach (var instruction in method.Body.Instructions)
            {
                named.AddRange(TypesNamedBy(instruction.Operand));
            }
        }

        return named.FirstOrDefault(t => t is not null && NamesAttributeType(t));
    }

    /// <summary>Every type an instruction's operand names: itself, or a member's declaring type and signature, and a generic method's arguments.</summary>
    private static IEnumerable<TypeReference?> TypesNamedBy(object? operand)
    {
        switch (operand)
        {
            case TypeReference type:
                yield return type;
                break;
            case FieldReference field:
                yield return field.DeclaringType;
                yield return field.FieldType;
                break;
            case MethodReference method:
                yield return method.DeclaringType;
                yield return method.ReturnType;
                foreach (var parameter in method.Parameters)
                {
                    yield return parameter.ParameterType;
                }

                if (method is GenericInstanceMethod generic)
                {
                    foreach (var argument in generic.GenericArguments)
                    {
                        yield return argument;
                    }
                }

                break;
        }
    }

    /// <summary>The types that attributes still on <paramref name="provider"/> name: their own type, and Type-valued arguments.</summary>
    private static IEnumerable<TypeReference> AttributeTypes(ICustomAttributeProvider provider)
    {
        if (!provider.HasCustomAttributes)
        {
            yield break;
        }

        foreach (var attribute in provider.CustomAttributes)
        {
            yield return attribute.AttributeType;
            var arguments = attribute.ConstructorArguments
                .Concat(attribute.Properties.Select(p => p.Argument))
                .Concat(attribute.Fields.Select(f => f.Argument));
            foreach (var argument in arguments)
            {
                if (argument.Value is TypeReference type)
                {
                    yield return type;
                }
            }
        }
    }

    private static bool NamesAttributeType(TypeReference type) => type switch
    {
        GenericInstanceType generic => NamesAttributeType(generic.ElementType) || generic.GenericArguments.Any(NamesAttributeType),
        TypeSpecification specification => NamesAttributeType(specification.ElementType),
        GenericParameter => false,
        _ => IsFromAttributesAssembly(type),
    };

    private static bool IsFromAttributesAssembly(TypeReference type) =>
        type.Scope is AssemblyNameReference assembly && assembly.Name == AttributesAssemblyName;

    private static void Strip(ICustomAttributeProvider provider)
    {
        if (!provider.HasCustomAttributes)
        {
            return;
        }

        var buildTime = new List<CustomAttribute>();
        foreach (var attribute in provider.CustomAttributes)
        {
            if (IsFromAttributesAssembly(attribute.AttributeType))
            {
                buildTime.Add(attribute);
            }
        }

        foreach (var attribute in buildTime)
        {
            provider.CustomAttributes.Remove(attribute);
        }
    }
}
