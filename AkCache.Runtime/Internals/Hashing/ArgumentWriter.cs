using System;
using System.Reflection;
using System.Runtime.InteropServices;
using AkCache.CompilerServices;
using AkCache.Internals.Serialization;
using AkCache.Internals.Serialization.Formatters;
using MessagePack;

namespace AkCache.Internals.Hashing;

internal delegate void ArgumentWriteAction<in T>(ref KeyBuilder builder, T value);

/// <summary>
/// Writes one argument of type <typeparamref name="T"/> in AkCache's canonical binary form (see
/// docs/keys.md): fixed-width little-endian primitives, length-prefixed strings and arrays, a
/// presence byte before anything that can be null, and MessagePack for everything else. The form
/// depends only on the value, never on GetHashCode, ToString, the process or the machine.
/// </summary>
internal static class ArgumentWriter<T>
{
    public static readonly ArgumentWriteAction<T> Write = Create();

    private static ArgumentWriteAction<T> Create()
    {
        var type = typeof(T);
        if (Primitive() is Delegate primitive)
        {
            return (ArgumentWriteAction<T>)primitive;
        }

        if (type.IsEnum)
        {
            return Build(typeof(EnumWriter<,>).MakeGenericType(type, Enum.GetUnderlyingType(type)));
        }

        if (Nullable.GetUnderlyingType(type) is Type inner)
        {
            return Build(typeof(NullableWriter<>).MakeGenericType(inner));
        }

        if (type.IsArray && type.GetArrayRank() == 1 && type != typeof(byte[]))
        {
            var arrayElement = type.GetElementType()!;
            var writer = BlockArrayWriter.Fits(arrayElement) ? typeof(BlockArrayWriter<>) : typeof(ArrayWriter<>);
            return Build(writer.MakeGenericType(arrayElement));
        }

        if (CollectionShapes.Dictionary(type) is Type[] keyValue)
        {
            return Build(typeof(DictionaryWriter<,,>).MakeGenericType(type, keyValue[0], keyValue[1]));
        }

        if (CollectionShapes.Set(type) is Type setElement)
        {
            return Build(typeof(SetWriter<,>).MakeGenericType(type, setElement));
        }

        if (CollectionShapes.Sequence(type) is Type element)
        {
            return Build(typeof(SequenceWriter<,>).MakeGenericType(type, element));
        }

        return ObjectWriter<T>.Write;
    }

    private static ArgumentWriteAction<T> Build(Type writer) =>
        (ArgumentWriteAction<T>)Delegate.CreateDelegate(
            typeof(ArgumentWriteAction<T>),
            writer.GetMethod("Write", BindingFlags.Public | BindingFlags.Static)!);

    private static Delegate? Primitive()
    {
        var t = typeof(T);
        // The fixed-width primitives have one definition of their form: KeyBuilder.TryWritePrimitive.
        if (t.IsPrimitive && t != typeof(IntPtr) && t != typeof(UIntPtr))
        {
            return new ArgumentWriteAction<T>(static (ref KeyBuilder b, T v) => b.WritePrimitive(v));
        }

        if (t == typeof(decimal))
        {
            return new ArgumentWriteAction<decimal>(static (ref KeyBuilder b, decimal v) => WriteDecimal(ref b, v));
        }

        if (t == typeof(string))
        {
            return new ArgumentWriteAction<string?>(static (ref KeyBuilder b, string? v) => b.WriteNullableString(v));
        }

        if (t == typeof(byte[]))
        {
            return new ArgumentWriteAction<byte[]?>(static (ref KeyBuilder b, byte[]? v) => WriteByteArray(ref b, v));
        }

        if (t == typeof(Guid))
        {
            return new ArgumentWriteAction<Guid>(static (ref KeyBuilder b, Guid v) => WriteGuid(ref b, v));
        }

        if (t == typeof(TimeSpan))
        {
            return new ArgumentWriteAction<TimeSpan>(static (ref KeyBuilder b, TimeSpan v) => b.WriteInt64(v.Ticks));
        }

        if (t == typeof(DateTime))
        {
            return new ArgumentWriteAction<DateTime>(static (ref KeyBuilder b, DateTime v) => WriteDateTime(ref b, v));
        }

        if (t == typeof(DateTimeOffset))
        {
            return new ArgumentWriteAction<DateTimeOffset>(static (ref KeyBuilder b, DateTimeOffset v) => WriteDateTimeOffset(ref b, v));
        }

        return null;
    }

    /// <summary>
    /// The 16 bytes of <see cref="Guid.ToByteArray()"/>. On little-endian machines they are the Guid's
    /// memory (a little-endian int and two shorts, then eight bytes), copied without an array.
    /// </summary>
    private static void WriteGuid(ref KeyBuilder builder, Guid value)
    {
        if (!BitConverter.IsLittleEndian)
        {
            builder.WriteBytes(value.ToByteArray());
            return;
        }

        Span<byte> bytes = stackalloc byte[16];
#if NET8_0_OR_GREATER
        System.Runtime.InteropServices.MemoryMarshal.Write(bytes, in value);
#else
        System.Runtime.InteropServices.MemoryMarshal.Write(bytes, ref value);
#endif
        builder.WriteBytes(bytes);
    }

    /// <summary>
    /// decimal keeps its scale: 1.0m and 1.00m are different keys, since a method may format or
    /// round them differently.
    /// </summary>
    private static void WriteDecimal(ref KeyBuilder builder, decimal value)
    {
        // GetBits' order (low, middle, high, flags), read from memory: GetBits allocates an array.
        var parts = System.Runtime.CompilerServices.Unsafe.As<decimal, DecimalParts>(ref value);
        builder.WriteInt32(parts.Low);
        builder.WriteInt32(parts.Middle);
        builder.WriteInt32(parts.High);
        builder.WriteInt32(parts.Flags);
    }

    private static void WriteByteArray(ref KeyBuilder builder, byte[]? value)
    {
        builder.WriteByte(value is null ? (byte)0 : (byte)1);
        if (value is not null)
        {
            builder.WriteBytes(value);
        }
    }

    /// <summary>Ticks and Kind: the same instant as Local and as Utc gives two keys.</summary>
    private static void WriteDateTime(ref KeyBuilder builder, DateTime value)
    {
        builder.WriteInt64(value.Ticks);
        builder.WriteByte((byte)value.Kind);
    }

    private static void WriteDateTimeOffset(ref KeyBuilder builder, DateTimeOffset value)
    {
        builder.WriteInt64(value.Ticks);
        builder.WriteInt64(value.Offset.Ticks);
    }
}

internal static class EnumWriter<TEnum, TUnderlying>
    where TEnum : struct
{
    public static void Write(ref KeyBuilder builder, TEnum value) =>
        builder.WriteElement(System.Runtime.CompilerServices.Unsafe.As<TEnum, TUnderlying>(ref value));
}

internal static class NullableWriter<TValue>
    where TValue : struct
{
    public static void Write(ref KeyBuilder builder, TValue? value)
    {
        builder.WriteByte(value.HasValue ? (byte)1 : (byte)0);
        if (value.HasValue)
        {
            builder.WriteElement(value.GetValueOrDefault());
        }
    }
}

internal static class ArrayWriter<TElement>
{
    public static void Write(ref KeyBuilder builder, TElement[]? value)
    {
        builder.WriteByte(value is null ? (byte)0 : (byte)1);
        if (value is null)
        {
            return;
        }

        builder.WriteInt32(value.Length);
        foreach (var element in value)
        {
            builder.WriteElement(element);
        }
    }
}

/// <summary>
/// Arrays whose elements' canonical form is exactly their memory on a little-endian machine, so the
/// whole array is one copy: the same bytes as <see cref="ArrayWriter{TElement}"/>, not a new form.
/// </summary>
internal static class BlockArrayWriter
{
    /// <summary>
    /// int, long, ulong, sbyte, float and double (written as their IEEE bits), and enums over int,
    /// long, ulong, byte or sbyte. Not short, ushort, char or uint, which are widened, nor bool,
    /// which is written as 0 or 1 whatever byte it holds.
    /// </summary>
    public static bool Fits(Type element)
    {
        if (element.IsEnum)
        {
            var underlying = Enum.GetUnderlyingType(element);
            return underlying == typeof(byte) || Fits(underlying);
        }

        return element == typeof(int) || element == typeof(long) || element == typeof(ulong) || element == typeof(sbyte)
            || element == typeof(float) || element == typeof(double);
    }
}

internal static class BlockArrayWriter<TElement>
    where TElement : struct
{
    public static void Write(ref KeyBuilder builder, TElement[]? value)
    {
        if (!BitConverter.IsLittleEndian)
        {
            ArrayWriter<TElement>.Write(ref builder, value);
            return;
        }

        builder.WriteByte(value is null ? (byte)0 : (byte)1);
        if (value is null)
        {
            return;
        }

        builder.WriteInt32(value.Length);
        builder.WriteRaw(MemoryMarshal.AsBytes(value.AsSpan()));
    }
}

/// <summary>
/// Everything without a dedicated form: a presence byte, then the length and bytes of the value as
/// <see cref="FaithfulOptions.Keys"/> writes it: every instance field, public or not, and the name of
/// the runtime type wherever a member may hold a subclass (docs/keys.md).
/// </summary>
internal static class ObjectWriter<T>
{
    public static void Write(ref KeyBuilder builder, T value)
    {
        if (value is null)
        {
            builder.WriteByte(0);
            return;
        }

        builder.WriteByte(1);

        // Serialized in place after a length that is filled in afterwards: no byte[] per call.
        var lengthAt = builder.ReserveLength();
        var sink = builder.LendBuffer();
        try
        {
            MessagePackSerializer.Serialize(sink, value, FaithfulOptions.Keys);
        }
        finally
        {
            builder.TakeBackBuffer(sink);
        }

        builder.WriteLengthSince(lengthAt);
    }
}
