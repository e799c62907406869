using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace AkCache.Tests.PublicApi;

/// <summary>
/// The nullable annotations the C# compiler wrote for one declaration's type: one byte per type
/// reference (0 oblivious, 1 not annotated, 2 annotated), read in order while the type is rendered.
/// </summary>
/// <remarks>
/// System.Reflection.NullabilityInfoContext answers a different question (can the value be null at
/// run time?) and reports an unconstrained <c>T</c> as nullable; the API text must show what the
/// source says, so the raw NullableAttribute and NullableContextAttribute are read instead.
/// </remarks>
internal sealed class Nullability
{
    private const string NullableAttribute = "System.Runtime.CompilerServices.NullableAttribute";
    private const string NullableContextAttribute = "System.Runtime.CompilerServices.NullableContextAttribute";

    private readonly byte[]? _bytes;
    private readonly byte _single;
    private int _next;

    private Nullability(byte[]? bytes, byte single)
    {
        _bytes = bytes;
        _single = single;
    }

    public static Nullability Of(ParameterInfo parameter) => From(parameter.CustomAttributes, parameter.Member);

    public static Nullability Of(MemberInfo member) => From(member.CustomAttributes, member.DeclaringType);

    public bool NextIsAnnotated()
    {
        var value = _bytes is null ? _single : _next < _bytes.Length ? _bytes[_next] : (byte)0;
        _next++;
        return value == 2;
    }

    private static Nullability From(IEnumerable<CustomAttributeData> attributes, MemberInfo? context)
    {
        var own = attributes.FirstOrDefault(a => a.AttributeType.FullName == NullableAttribute);
        if (own is not null)
        {
            var argument = own.ConstructorArguments[0];
            return argument.Value is IEnumerable<CustomAttributeTypedArgument> items
                ? new Nullability(items.Select(i => (byte)i.Value!).ToArray(), 0)
                : new Nullability(null, (byte)argument.Value!);
        }

        for (var scope = context; scope is not null; scope = scope.DeclaringType)
        {
            var contextAttribute = scope.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == NullableContextAttribute);
            if (contextAttribute is not null)
            {
                return new Nullability(null, (byte)contextAttribute.ConstructorArguments[0].Value!);
            }
        }

        return new Nullability(null, 0);
    }
}
