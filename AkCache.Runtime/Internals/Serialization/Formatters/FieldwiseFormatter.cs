using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization.Formatters;

/// <summary>Which fields a type is stored by, and what to call them in messages.</summary>
internal static class FieldwiseLayout
{
    /// <summary>Every instance field, public or not, the base type's first, each type's in declaration order.</summary>
    public static FieldInfo[] Fields(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            chain.Add(t);
        }

        chain.Reverse();
        return chain
            .SelectMany(t => t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).OrderBy(f => f.MetadataToken))
            .ToArray();
    }

    /// <summary>The first base type that belongs to the framework (List&lt;T&gt;, Exception), if any.</summary>
    public static Type? FrameworkBase(Type type)
    {
        for (var t = type.BaseType; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            if (FaithfulResolver.IsFramework(t))
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>True for a struct whose fields are all numbers, chars or bools (DateOnly, TimeOnly, Half, Int128).</summary>
    public static bool AllFieldsArePrimitive(Type type) =>
        Fields(type).All(f => f.FieldType.IsPrimitive && f.FieldType != typeof(IntPtr) && f.FieldType != typeof(UIntPtr));

    /// <summary>The property an auto-property's backing field belongs to, else the field's own name.</summary>
    public static string MemberName(FieldInfo field)
    {
        var name = field.Name;
        var end = name.IndexOf(">k__BackingField", StringComparison.Ordinal);
        return name.StartsWith("<", StringComparison.Ordinal) && end > 1 ? name.Substring(1, end - 1) : name;
    }
}

/// <summary>
/// A class, record or struct as the array of all its instance fields (<see cref="FieldwiseLayout.Fields"/>).
/// Reading creates the object without running a constructor and sets every field, readonly and
/// init-only ones included, so the copy equals the original whatever its setters allow. The number
/// of fields is checked when reading: a value written by a build whose type had other fields is
/// unreadable (a miss), never half filled.
/// </summary>
internal sealed class FieldwiseFormatter<T> : IMessagePackFormatter<T>
{
    private static readonly bool IsReference = !typeof(T).IsValueType;
    private FieldMember<T>[]? _members;

    private FieldMember<T>[] Members => _members ??= FieldwiseLayout.Fields(typeof(T))
        .Select(f => (FieldMember<T>)Activator.CreateInstance(typeof(FieldMember<,>).MakeGenericType(typeof(T), f.FieldType), f)!)
        .ToArray();

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (IsReference && value is null)
        {
            writer.WriteNil();
            return;
        }

        var members = Members;
        WriteDepth.Enter();
        try
        {
            writer.WriteArrayHeader(members.Length);
            foreach (var member in members)
            {
                try
                {
                    member.Serialize(ref writer, ref value, options);
                }
                catch (NotFaithfulException ex)
                {
                    throw ex.Within(typeof(T), member.Name);
                }
            }
        }
        finally
        {
            WriteDepth.Leave();
        }
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return IsReference ? default! : throw new MessagePackSerializationException($"The stored {typeof(T)} is nil.");
        }

        var members = Members;
        var count = reader.ReadArrayHeader();
        if (count != members.Length)
        {
            throw new MessagePackSerializationException($"The stored {typeof(T)} has {count} fields where this build's has {members.Length}.");
        }

        options.Security.DepthStep(ref reader);
        try
        {
            var value = IsReference ? (T)Uninitialized.Create(typeof(T)) : default!;
            foreach (var member in members)
            {
                member.Deserialize(ref reader, ref value, options);
            }

            return value;
        }
        finally
        {
            reader.Depth--;
        }
    }
}

internal abstract class FieldMember<T>
{
    protected FieldMember(FieldInfo field) => Name = FieldwiseLayout.MemberName(field);

    public string Name { get; }

    public abstract void Serialize(ref MessagePackWriter writer, ref T owner, MessagePackSerializerOptions options);

    public abstract void Deserialize(ref MessagePackReader reader, ref T owner, MessagePackSerializerOptions options);
}

internal delegate TField FieldGetter<TOwner, out TField>(ref TOwner owner);

internal delegate void FieldSetter<TOwner, in TField>(ref TOwner owner, TField value);

/// <summary>One field: read and written through small dynamic methods (readonly fields included), or reflection where code cannot be emitted.</summary>
internal sealed class FieldMember<T, TField> : FieldMember<T>
{
    private readonly FieldGetter<T, TField> _get;
    private readonly FieldSetter<T, TField> _set;

    public FieldMember(FieldInfo field)
        : base(field)
    {
        try
        {
            _get = EmitGetter(field);
            _set = EmitSetter(field);
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or NotSupportedException or InvalidOperationException)
        {
            _get = (ref T owner) => (TField)field.GetValue(owner)!;
            _set = (ref T owner, TField value) =>
            {
                object boxed = owner!;
                field.SetValue(boxed, value);
                owner = (T)boxed;
            };
        }
    }

    public override void Serialize(ref MessagePackWriter writer, ref T owner, MessagePackSerializerOptions options) =>
        options.Resolver.GetFormatterWithVerify<TField>().Serialize(ref writer, _get(ref owner), options);

    public override void Deserialize(ref MessagePackReader reader, ref T owner, MessagePackSerializerOptions options) =>
        _set(ref owner, options.Resolver.GetFormatterWithVerify<TField>().Deserialize(ref reader, options));

    private static FieldGetter<T, TField> EmitGetter(FieldInfo field)
    {
        var method = new DynamicMethod("get_" + field.Name, typeof(TField), new[] { typeof(T).MakeByRefType() }, typeof(FieldMember<T, TField>).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        if (!typeof(T).IsValueType)
        {
            il.Emit(OpCodes.Ldind_Ref);
        }

        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        return (FieldGetter<T, TField>)method.CreateDelegate(typeof(FieldGetter<T, TField>));
    }

    private static FieldSetter<T, TField> EmitSetter(FieldInfo field)
    {
        var method = new DynamicMethod("set_" + field.Name, null, new[] { typeof(T).MakeByRefType(), typeof(TField) }, typeof(FieldMember<T, TField>).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        if (!typeof(T).IsValueType)
        {
            il.Emit(OpCodes.Ldind_Ref);
        }

        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);
        return (FieldSetter<T, TField>)method.CreateDelegate(typeof(FieldSetter<T, TField>));
    }
}

/// <summary>An object of a type, all fields zero, no constructor run.</summary>
internal static class Uninitialized
{
    private static readonly Func<Type, object> Factory = Find();

    public static object Create(Type type) => Factory(type);

    private static Func<Type, object> Find()
    {
#if NET8_0_OR_GREATER
        return RuntimeHelpers.GetUninitializedObject;
#else
        var method = typeof(RuntimeHelpers).GetMethod("GetUninitializedObject", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(Type) }, null);
        return method is not null
            ? (Func<Type, object>)Delegate.CreateDelegate(typeof(Func<Type, object>), method)
            : System.Runtime.Serialization.FormatterServices.GetUninitializedObject;
#endif
    }
}
