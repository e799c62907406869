using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace AkCache.Fody;

public partial class ModuleWeaver
{
    /// <summary>
    /// Code in this assembly that called (or took a delegate to) a memoized method refers to the
    /// original definition, now renamed; point it at the stub. References through a generic type
    /// instantiation bind by name and reach the stub already. Only the generated invokers keep
    /// calling the originals.
    /// </summary>
    private void RedirectCallsToStubs(Dictionary<MethodDefinition, MethodDefinition> stubs)
    {
        if (stubs.Count == 0)
        {
            return;
        }

        var invokers = new HashSet<string>(stubs.Values.Select(s => s.DeclaringType.FullName + "::" + s.Name + "$Invoke"));
        foreach (var method in ModuleDefinition.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
        {
            if (invokers.Contains(method.DeclaringType.FullName + "::" + method.Name))
            {
                continue;
            }

            foreach (var instruction in method.Body.Instructions)
            {
                instruction.Operand = instruction.Operand switch
                {
                    MethodDefinition target when stubs.TryGetValue(target, out var stub) => stub,
                    GenericInstanceMethod { ElementMethod: MethodDefinition target } generic when stubs.TryGetValue(target, out var stub) => Reinstantiate(generic, stub),
                    var other => other,
                };
            }
        }
    }

    private static GenericInstanceMethod Reinstantiate(GenericInstanceMethod generic, MethodDefinition stub)
    {
        var instance = new GenericInstanceMethod(stub);
        foreach (var argument in generic.GenericArguments)
        {
            instance.GenericArguments.Add(argument);
        }

        return instance;
    }
}
