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
    /// Drops the reference to AkCache.Attributes once nothing but the removed attributes used it,
    /// so that the woven assembly does not need AkCache.Attributes.dll at run time.
    /// </summary>
    private void RemoveAttributesReference()
    {
        var reference = ModuleDefinition.AssemblyReferences.FirstOrDefault(r => r.Name == AttributesAssemblyName);
        if (reference is null)
        {
            return;
        }

        var stillUsed = ModuleDefinition.GetTypeReferences()
            .Any(t => IsFromAttributesAssembly(t) && IsReferencedInCode(t));
        if (!stillUsed)
        {
            ModuleDefinition.AssemblyReferences.Remove(reference);
        }
    }

    private static bool IsFromAttributesAssembly(TypeReference type) =>
        type.Scope is AssemblyNameReference assembly && assembly.Name == AttributesAssemblyName;

    private bool IsReferencedInCode(TypeReference type) =>
        ModuleDefinition.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody)
            .SelectMany(m => m.Body.Instructions)
            .Any(i => i.Operand is MemberReference member && (member == type || member.DeclaringType == type));

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
