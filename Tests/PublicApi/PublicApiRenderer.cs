using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;

namespace AkCache.Tests.PublicApi;

/// <summary>
/// Renders what other assemblies can see of an assembly (public and protected types and members,
/// their signatures with nullability, and their attributes) as C#-like text, sorted so that the
/// text changes exactly when the surface does.
/// </summary>
internal static class PublicApiRenderer
{
    private const BindingFlags DeclaredMembers =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    // Attributes the compiler emits to encode C# syntax that is rendered otherwise (nullability,
    // readonly, params, extension methods) or that carry no contract (debugger and state machine hints).
    private static readonly HashSet<string> IgnoredAttributeNamespaces = new(StringComparer.Ordinal)
    {
        "System.Runtime.CompilerServices",
        "System.Diagnostics",
        "System.Diagnostics.CodeAnalysis",
    };

    private static readonly HashSet<string> IgnoredAttributes = new(StringComparer.Ordinal)
    {
        "System.ParamArrayAttribute",
        "System.Reflection.DefaultMemberAttribute",
        "System.Runtime.InteropServices.StructLayoutAttribute",
        "System.Runtime.InteropServices.InAttribute",
        "System.Runtime.InteropServices.OutAttribute",
        "System.Runtime.InteropServices.OptionalAttribute",
    };

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void",
        [typeof(object)] = "object",
        [typeof(string)] = "string",
        [typeof(bool)] = "bool",
        [typeof(char)] = "char",
        [typeof(byte)] = "byte",
        [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(decimal)] = "decimal",
        [typeof(nint)] = "nint",
        [typeof(nuint)] = "nuint",
    };

    /// <summary>The types other assemblies can see: public types, and public or protected nested types of those.</summary>
    public static IEnumerable<Type> VisibleTypes(Assembly assembly) =>
        assembly.GetTypes().Where(IsVisible).OrderBy(t => t.FullName, StringComparer.Ordinal);

    /// <summary>The members of <paramref name="type"/> other assemblies can see, accessors and nested types left out.</summary>
    public static IEnumerable<MemberInfo> VisibleMembers(Type type) =>
        type.GetMembers(DeclaredMembers).Where(m => m switch
        {
            MethodInfo method => IsVisible(method) && !IsAccessor(method),
            ConstructorInfo constructor => IsVisible(constructor),
            FieldInfo field => IsVisible(field) && !field.IsSpecialName,
            PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsVisible),
            EventInfo @event => @event.AddMethod is { } add && IsVisible(add),
            _ => false,
        });

    public static string Render(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var group in VisibleTypes(assembly).GroupBy(t => t.Namespace ?? string.Empty).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append("namespace ").Append(group.Key).Append('\n').Append("{\n");
            var first = true;
            foreach (var type in group)
            {
                if (!first)
                {
                    text.Append('\n');
                }

                first = false;
                RenderType(type, text);
            }

            text.Append("}\n");
        }

        return text.ToString();
    }

    private static void RenderType(Type type, StringBuilder text)
    {
        const string indent = "    ";
        foreach (var attribute in Attributes(type.CustomAttributes))
        {
            text.Append(indent).Append(attribute).Append('\n');
        }

        if (IsDelegate(type))
        {
            var invoke = type.GetMethod("Invoke")!;
            text.Append(indent).Append(Accessibility(type)).Append(" delegate ")
                .Append(TypeName(invoke.ReturnType, Nullability.Of(invoke.ReturnParameter)))
                .Append(' ').Append(DeclarationName(type)).Append(Parameters(invoke))
                .Append(Constraints(type.GetGenericArguments())).Append(";\n");
            return;
        }

        text.Append(indent).Append(TypeHeader(type)).Append('\n').Append(indent).Append("{\n");
        var lines = type.IsEnum
            ? type.GetFields(BindingFlags.Public | BindingFlags.Static).OrderBy(f => Convert.ToDecimal(f.GetRawConstantValue(), CultureInfo.InvariantCulture)).ThenBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => new[] { $"{f.Name} = {Convert.ToString(f.GetRawConstantValue(), CultureInfo.InvariantCulture)}," })
            : VisibleMembers(type)
                .Select(m => (Order: MemberOrder(m), m.Name, Lines: RenderMember(m)))
                .OrderBy(m => m.Order).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => string.Join("\n", m.Lines), StringComparer.Ordinal)
                .Select(m => m.Lines);
        foreach (var member in lines)
        {
            foreach (var line in member)
            {
                text.Append(indent).Append(indent).Append(line).Append('\n');
            }
        }

        text.Append(indent).Append("}\n");
    }

    private static string TypeHeader(Type type)
    {
        var header = new StringBuilder(Accessibility(type)).Append(' ');
        if (type.IsEnum)
        {
            header.Append("enum ").Append(DeclarationName(type));
            var underlying = Enum.GetUnderlyingType(type);
            if (underlying != typeof(int))
            {
                header.Append(" : ").Append(TypeName(underlying, null));
            }

            return header.ToString();
        }

        if (type.IsInterface)
        {
            header.Append("interface ");
        }
        else if (type.IsValueType)
        {
            header.Append(HasAttribute(type.CustomAttributes, "IsReadOnlyAttribute") ? "readonly " : string.Empty)
                .Append(HasAttribute(type.CustomAttributes, "IsByRefLikeAttribute") ? "ref " : string.Empty)
                .Append("struct ");
        }
        else
        {
            header.Append(type.IsAbstract && type.IsSealed ? "static " : type.IsAbstract ? "abstract " : type.IsSealed ? "sealed " : string.Empty).Append("class ");
        }

        header.Append(DeclarationName(type));
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType))
        {
            bases.Add(TypeName(baseType, null));
        }

        bases.AddRange(type.GetInterfaces().Select(i => TypeName(i, null)).OrderBy(n => n, StringComparer.Ordinal));
        if (bases.Count > 0)
        {
            header.Append(" : ").Append(string.Join(", ", bases));
        }

        return header.Append(Constraints(type.GetGenericArguments())).ToString();
    }

    private static int MemberOrder(MemberInfo member) => member switch
    {
        FieldInfo => 0,
        ConstructorInfo => 1,
        PropertyInfo => 2,
        EventInfo => 3,
        _ => 4,
    };

    /// <returns>The member's attributes, one a line, then its declaration.</returns>
    private static string[] RenderMember(MemberInfo member)
    {
        var declaration = member switch
        {
            FieldInfo field => RenderField(field),
            ConstructorInfo constructor => $"{Accessibility(constructor)} {DeclarationName(constructor.DeclaringType!)}{Parameters(constructor)};",
            PropertyInfo property => RenderProperty(property),
            EventInfo @event => $"{Accessibility(@event.AddMethod!)} {Modifiers(@event.AddMethod!)}event {TypeName(@event.EventHandlerType!, Nullability.Of(@event))} {@event.Name};",
            MethodInfo method => RenderMethod(method),
            _ => throw new NotSupportedException(member.GetType().Name),
        };
        return Attributes(member.CustomAttributes).Append(declaration).ToArray();
    }

    private static string RenderField(FieldInfo field)
    {
        var text = new StringBuilder(Accessibility(field)).Append(' ');
        if (field.IsLiteral)
        {
            text.Append("const ");
        }
        else
        {
            text.Append(field.IsStatic ? "static " : string.Empty).Append(field.IsInitOnly ? "readonly " : string.Empty);
        }

        text.Append(TypeName(field.FieldType, Nullability.Of(field))).Append(' ').Append(field.Name);
        if (field.IsLiteral)
        {
            text.Append(" = ").Append(Literal(field.GetRawConstantValue(), field.FieldType));
        }

        return text.Append(';').ToString();
    }

    private static string RenderProperty(PropertyInfo property)
    {
        var accessors = property.GetAccessors(nonPublic: true).Where(IsVisible).ToList();
        var widest = accessors.OrderBy(a => a.IsPublic ? 0 : 1).First();
        var text = new StringBuilder(Accessibility(widest)).Append(' ').Append(Modifiers(widest))
            .Append(TypeName(property.PropertyType, Nullability.Of(property)));
        var indexParameters = property.GetIndexParameters();
        text.Append(' ').Append(indexParameters.Length == 0 ? property.Name : "this[" + string.Join(", ", indexParameters.Select(Parameter)) + "]");
        text.Append(" {");
        foreach (var accessor in new[] { property.GetMethod, property.SetMethod })
        {
            if (accessor is null || !IsVisible(accessor))
            {
                continue;
            }

            text.Append(' ');
            if (Accessibility(accessor) != Accessibility(widest))
            {
                text.Append(Accessibility(accessor)).Append(' ');
            }

            var isInit = accessor == property.SetMethod && accessor.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit");
            text.Append(accessor == property.GetMethod ? "get" : isInit ? "init" : "set").Append(';');
        }

        return text.Append(" }").ToString();
    }

    private static string RenderMethod(MethodInfo method)
    {
        var returnType = TypeName(method.ReturnType, Nullability.Of(method.ReturnParameter));
        var generics = method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;
        return $"{Accessibility(method)} {Modifiers(method)}{returnType} {method.Name}{generics}{Parameters(method)}{Constraints(method.GetGenericArguments())};";
    }

    private static string Modifiers(MethodInfo method)
    {
        if (method.DeclaringType!.IsInterface)
        {
            return method.IsStatic ? "static " : string.Empty;
        }

        var text = new StringBuilder(method.IsStatic ? "static " : string.Empty);
        var overrides = method.IsVirtual && method.GetBaseDefinition().DeclaringType != method.DeclaringType;
        if (method.IsAbstract)
        {
            text.Append(overrides ? "abstract override " : "abstract ");
        }
        else if (overrides)
        {
            text.Append(method.IsFinal ? "sealed override " : "override ");
        }
        else if (method.IsVirtual && !method.IsFinal)
        {
            text.Append("virtual ");
        }

        return text.ToString();
    }

    private static string Parameters(MethodBase method) =>
        "(" + string.Join(", ", method.GetParameters().Select((p, i) =>
            (i == 0 && HasAttribute(method.CustomAttributes, "ExtensionAttribute") ? "this " : string.Empty) + Parameter(p))) + ")";

    private static string Parameter(ParameterInfo parameter)
    {
        var text = new StringBuilder();
        foreach (var attribute in Attributes(parameter.CustomAttributes))
        {
            text.Append(attribute).Append(' ');
        }

        var type = parameter.ParameterType;
        if (type.IsByRef)
        {
            text.Append(parameter.IsOut ? "out " : HasAttribute(parameter.CustomAttributes, "IsReadOnlyAttribute") ? "in " : "ref ");
            type = type.GetElementType()!;
        }

        if (HasAttribute(parameter.CustomAttributes, "ParamArrayAttribute"))
        {
            text.Append("params ");
        }

        text.Append(TypeName(type, Nullability.Of(parameter))).Append(' ').Append(parameter.Name);
        if (parameter.HasDefaultValue)
        {
            text.Append(" = ").Append(Literal(parameter.RawDefaultValue, type));
        }

        return text.ToString();
    }

    private static string Constraints(Type[] genericArguments)
    {
        var text = new StringBuilder();
        foreach (var argument in genericArguments.Where(a => a.IsGenericParameter))
        {
            var constraints = new List<string>();
            var flags = argument.GenericParameterAttributes;
            var isUnmanaged = HasAttribute(argument.CustomAttributes, "IsUnmanagedAttribute");
            if (isUnmanaged)
            {
                constraints.Add("unmanaged");
            }
            else if ((flags & GenericParameterAttributes.NotNullableValueTypeConstraint) != 0)
            {
                constraints.Add("struct");
            }
            else if ((flags & GenericParameterAttributes.ReferenceTypeConstraint) != 0)
            {
                constraints.Add("class");
            }

            constraints.AddRange(argument.GetGenericParameterConstraints().Where(c => c != typeof(ValueType)).Select(c => TypeName(c, null)).OrderBy(c => c, StringComparer.Ordinal));
            if ((flags & GenericParameterAttributes.DefaultConstructorConstraint) != 0 && (flags & GenericParameterAttributes.NotNullableValueTypeConstraint) == 0)
            {
                constraints.Add("new()");
            }

            if ((flags & GenericParameterAttributes.AllowByRefLike) != 0)
            {
                constraints.Add("allows ref struct");
            }

            if (constraints.Count > 0)
            {
                text.Append(" where ").Append(argument.Name).Append(" : ").Append(string.Join(", ", constraints));
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> Attributes(IEnumerable<CustomAttributeData> attributes) =>
        attributes
            .Where(a => !IgnoredAttributes.Contains(a.AttributeType.FullName!) && !IgnoredAttributeNamespaces.Contains(a.AttributeType.Namespace ?? string.Empty))
            .Select(RenderAttribute)
            .OrderBy(a => a, StringComparer.Ordinal);

    private static string RenderAttribute(CustomAttributeData attribute)
    {
        var name = TypeName(attribute.AttributeType, null);
        if (name.EndsWith("Attribute", StringComparison.Ordinal))
        {
            name = name[..^"Attribute".Length];
        }

        var arguments = attribute.ConstructorArguments.Select(a => Literal(a.Value, a.ArgumentType))
            .Concat(attribute.NamedArguments.Select(a => a.MemberName + " = " + Literal(a.TypedValue.Value, a.TypedValue.ArgumentType)))
            .ToList();
        return arguments.Count == 0 ? $"[{name}]" : $"[{name}({string.Join(", ", arguments)})]";
    }

    private static string Literal(object? value, Type type)
    {
        if (value is null)
        {
            return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? "default" : "null";
        }

        if (type.IsEnum || Nullable.GetUnderlyingType(type) is { IsEnum: true })
        {
            return EnumLiteral(value, type.IsEnum ? type : Nullable.GetUnderlyingType(type)!);
        }

        return value switch
        {
            string s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
            char c => "'" + c + "'",
            bool b => b ? "true" : "false",
            Type t => "typeof(" + TypeName(t, null) + ")",
            IEnumerable<CustomAttributeTypedArgument> items => "new[] { " + string.Join(", ", items.Select(i => Literal(i.Value, i.ArgumentType))) + " }",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
    }

    private static string EnumLiteral(object value, Type enumType)
    {
        var typeName = TypeName(enumType, null);
        var underlyingValue = Convert.ChangeType(value, Enum.GetUnderlyingType(enumType), CultureInfo.InvariantCulture);
        var number = Bits(underlyingValue);
        var fields = enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (f.Name, Value: Bits(f.GetRawConstantValue()!))).ToList();
        if (fields.FirstOrDefault(f => f.Value == number) is { Name: not null } exact)
        {
            return typeName + "." + exact.Name;
        }

        if (enumType.IsDefined(typeof(FlagsAttribute), inherit: false))
        {
            var parts = fields.Where(f => f.Value != 0 && (number & f.Value) == f.Value).ToList();
            if (parts.Count > 0 && parts.Aggregate(0UL, (all, f) => all | f.Value) == number)
            {
                return string.Join(" | ", parts.Select(f => typeName + "." + f.Name));
            }
        }

        return "(" + typeName + ")" + Convert.ToString(underlyingValue, CultureInfo.InvariantCulture);
    }

    /// <summary>An enum value's bits, whatever its underlying type and sign.</summary>
    private static ulong Bits(object value) => value switch
    {
        sbyte or short or int or long => unchecked((ulong)Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        _ => Convert.ToUInt64(value, CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// A type as C# would write it in full: namespace-qualified, with keywords and generics, and with
    /// '?' where <paramref name="nullability"/> (the annotations of the declaration it appears in) says so.
    /// </summary>
    public static string TypeName(Type type, Nullability? nullability)
    {
        // Consumes the annotation bytes in the order the compiler writes them (Roslyn's nullable-metadata.md).
        if (type.IsByRef || type.IsPointer)
        {
            return TypeName(type.GetElementType()!, nullability) + (type.IsPointer ? "*" : string.Empty);
        }

        if (type.IsGenericParameter)
        {
            return type.Name + (nullability?.NextIsAnnotated() == true ? "?" : string.Empty);
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TypeName(underlying, nullability) + "?";
        }

        if (type.IsArray)
        {
            var arrayAnnotated = nullability?.NextIsAnnotated() == true;
            return TypeName(type.GetElementType()!, nullability) + "[" + new string(',', type.GetArrayRank() - 1) + "]" + (arrayAnnotated ? "?" : string.Empty);
        }

        var annotated = false;
        if (!type.IsValueType || type.IsGenericType)
        {
            annotated = nullability?.NextIsAnnotated() == true && !type.IsValueType;
        }

        var suffix = annotated ? "?" : string.Empty;
        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword + suffix;
        }

        var allArguments = type.IsGenericType ? type.GetGenericArguments().Select(a => TypeName(a, nullability)).ToArray() : Array.Empty<string>();
        return QualifiedName(type, allArguments) + suffix;
    }

    /// <summary>Namespace, containing types and name, each part with its own generic arguments taken from <paramref name="arguments"/>.</summary>
    private static string QualifiedName(Type type, string[] arguments)
    {
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        var inherited = definition.IsNested && definition.DeclaringType!.IsGenericTypeDefinition ? definition.DeclaringType.GetGenericArguments().Length : 0;
        var prefix = definition.IsNested
            ? QualifiedName(definition.DeclaringType!, arguments.Take(inherited).ToArray()) + "."
            : definition.Namespace is { Length: > 0 } ns ? ns + "." : string.Empty;
        var name = definition.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick < 0)
        {
            return prefix + name;
        }

        return prefix + name[..tick] + "<" + string.Join(", ", arguments.Skip(inherited)) + ">";
    }

    private static string DeclarationName(Type type)
    {
        var name = TypeName(type, null);
        var dot = type.IsNested ? TypeName(type.DeclaringType!, null).Length + 1 : (type.Namespace?.Length ?? -1) + 1;
        return name[dot..];
    }

    private static bool HasAttribute(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.Any(a => a.AttributeType.Name == name);

    private static bool IsDelegate(Type type) => type.IsSubclassOf(typeof(MulticastDelegate));

    private static bool IsAccessor(MethodInfo method) =>
        method.IsSpecialName && (method.Name.StartsWith("get_", StringComparison.Ordinal) || method.Name.StartsWith("set_", StringComparison.Ordinal) ||
                                 method.Name.StartsWith("add_", StringComparison.Ordinal) || method.Name.StartsWith("remove_", StringComparison.Ordinal));

    private static bool IsVisible(Type type) =>
        type.IsPublic || (type.IsNested && (type.IsNestedPublic || type.IsNestedFamily || type.IsNestedFamORAssem) && IsVisible(type.DeclaringType!));

    private static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static bool IsVisible(FieldInfo field) => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly;

    private static string Accessibility(Type type) => type.IsPublic || type.IsNestedPublic ? "public" : "protected";

    private static string Accessibility(MethodBase method) => method.IsPublic ? "public" : "protected";

    private static string Accessibility(FieldInfo field) => field.IsPublic ? "public" : "protected";
}
