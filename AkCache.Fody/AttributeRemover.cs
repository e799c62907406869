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
    /// compiler only. Code that still uses one of its types (typeof(MemoizeAttribute), a field or a
    /// variable of that type) would fail with FileNotFoundException when it runs: that is a build error.
    /// </summary>
    private void RemoveAttributesReference()
    {
        var reference = ModuleDefinition.AssemblyReferences.FirstOrDefault(r => r.Name == AttributesAssemblyName);
        if (reference is null)
        {
            return;
        }

        var users = MembersUsingAttributeTypes().ToList();
        foreach (var (method, type) in users)
        {
            WriteError(
                $"AkCache: '{MethodIdentity.Describe(method)}' uses {type.Name} from AkCache.Attributes at run time. " +
                "AkCache's attributes are for the weaver only and AkCache.Attributes.dll is not copied to the application, so this code would throw FileNotFoundException. " +
                "Remove that use of the attribute type (the weaver removes the attributes themselves).",
                SourcePoints.First(method));
        }

        var fields = ModuleDefinition.GetTypes().SelectMany(t => t.Fields).Where(f => NamesAttributeType(f.FieldType)).ToList();
        foreach (var field in fields)
        {
            WriteError(
                $"AkCache: field '{field.DeclaringType.FullName}.{field.Name}' is of type {field.FieldType.Name} from AkCache.Attributes. " +
                "AkCache's attributes are for the weaver only and AkCache.Attributes.dll is not copied to the application, so this type would fail to load. " +
                "Remove the field or change its type.");
        }

        if (users.Count == 0 && fields.Count == 0)
        {
            ModuleDefinition.AssemblyReferences.Remove(reference);
        }
    }

    /// <summary>Every method whose code or signature names a type of AkCache.Attributes, with the first such type.</summary>
    private IEnumerable<(MethodDefinition Method, TypeReference Type)> MembersUsingAttributeTypes()
    {
        foreach (var type in ModuleDefinition.GetTypes())
        {
            foreach (var method in type.Methods)
            {
                if (FirstAttributeType(method) is { } used)
                {
                    yield return (method, used);
                }
            }
        }
    }

    private static TypeReference? FirstAttributeType(MethodDefinition method)
    {
        var signature = new[] { method.ReturnType }.Concat(method.Parameters.Select(p => p.ParameterType));
        var locals = method.HasBody ? method.Body.Variables.Select(v => v.VariableType) : Enumerable.Empty<TypeReference>();
        var operands = method.HasBody
            ? method.Body.Instructions.Select(i => i.Operand switch
            {
                TypeReference t => t,
                MemberReference m => m.DeclaringType,
                _ => null,
            })
            : Enumerable.Empty<TypeReference?>();
        var fieldTypes = method.HasBody
            ? method.Body.Instructions.Select(i => (i.Operand as FieldReference)?.FieldType)
            : Enumerable.Empty<TypeReference?>();
        return signature.Concat(locals).Concat(operands).Concat(fieldTypes).FirstOrDefault(t => t is not null && NamesAttributeType(t));
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
