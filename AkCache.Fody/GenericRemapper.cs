using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

/// <summary>
/// Rewrites a type written against one method's generic parameters so that it uses another
/// method's parameters at the same positions (the stub's copies of the original's).
/// </summary>
internal sealed class GenericRemapper
{
    private readonly IGenericParameterProvider _from;
    private readonly IGenericParameterProvider _to;

    public GenericRemapper(IGenericParameterProvider from, IGenericParameterProvider to)
    {
        _from = from;
        _to = to;
    }

    public TypeReference Map(TypeReference type) => type switch
    {
        GenericParameter parameter when parameter.Owner == _from => _to.GenericParameters[parameter.Position],
        GenericInstanceType instance => Instance(instance),
        ArrayType array => new ArrayType(Map(array.ElementType), array.Rank),
        ByReferenceType byReference => new ByReferenceType(Map(byReference.ElementType)),
        PointerType pointer => new PointerType(Map(pointer.ElementType)),
        RequiredModifierType required => new RequiredModifierType(required.ModifierType, Map(required.ElementType)),
        OptionalModifierType optional => new OptionalModifierType(optional.ModifierType, Map(optional.ElementType)),
        _ => type,
    };

    /// <summary>Copies the generic parameters of <paramref name="source"/> onto <paramref name="target"/>, constraints included.</summary>
    public static void CopyGenericParameters(MethodDefinition source, MethodDefinition target)
    {
        foreach (var parameter in source.GenericParameters)
        {
            target.GenericParameters.Add(new GenericParameter(parameter.Name, target) { Attributes = parameter.Attributes });
        }

        var remapper = new GenericRemapper(source, target);
        for (var i = 0; i < source.GenericParameters.Count; i++)
        {
            foreach (var constraint in source.GenericParameters[i].Constraints)
            {
                var copy = new GenericParameterConstraint(remapper.Map(constraint.ConstraintType));
                foreach (var attribute in constraint.CustomAttributes)
                {
                    copy.CustomAttributes.Add(attribute);
                }

                target.GenericParameters[i].Constraints.Add(copy);
            }

            foreach (var attribute in source.GenericParameters[i].CustomAttributes)
            {
                target.GenericParameters[i].CustomAttributes.Add(attribute);
            }
        }
    }

    private TypeReference Instance(GenericInstanceType instance)
    {
        var copy = new GenericInstanceType(instance.ElementType);
        foreach (var argument in instance.GenericArguments.Select(Map))
        {
            copy.GenericArguments.Add(argument);
        }

        return copy;
    }
}
