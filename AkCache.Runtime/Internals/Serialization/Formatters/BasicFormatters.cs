using System;
using MessagePack;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization.Formatters;

/// <summary>A formatter for a type AkCache will not store; writing it throws the reason and the fix.</summary>
internal sealed class RefusedFormatter<T> : IMessagePackFormatter<T>
{
    private readonly NotFaithfulException _refusal;

    public RefusedFormatter(NotFaithfulException refusal) => _refusal = refusal;

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) =>
        throw new NotFaithfulException(_refusal.Reason, _refusal.Fix);

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new MessagePackSerializationException($"AkCache never stores a {typeof(T)}: {_refusal.Reason}.");
}

/// <summary>
/// Wraps the formatter of a collection or array type that could be subclassed (or, for arrays, hold
/// a covariant array of a subtype): only the exact declared type is stored, since it is the type that
/// comes back. A refusal inside an element is reported as inside this collection.
/// </summary>
internal sealed class ExactTypeFormatter<T> : IMessagePackFormatter<T>
{
    private static readonly bool MayDiffer = !typeof(T).IsValueType;
    private readonly IMessagePackFormatter<T> _inner;

    public ExactTypeFormatter(IMessagePackFormatter<T> inner) => _inner = inner;

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (MayDiffer && value is not null && value.GetType() != typeof(T))
        {
            throw new NotFaithfulException(
                $"it holds a {TypeDisplay.Short(value.GetType())} where {TypeDisplay.Short(typeof(T))} is declared, and would come back as a plain {TypeDisplay.Short(typeof(T))}",
                "Declare the exact type");
        }

        try
        {
            _inner.Serialize(ref writer, value, options);
        }
        catch (NotFaithfulException ex)
        {
            throw ex.WithinElement(typeof(T));
        }
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => _inner.Deserialize(ref reader, options);
}

/// <summary>
/// The exact encodings of DateTime, DateTimeOffset and decimal, in one place for the formatters below
/// and for DataTable cells:
/// - DateTime: one unsigned integer, its ticks with its Kind in the top two bits, so Ticks and Kind
///   come back exactly. (The standard MessagePack form converts to UTC; DateTime.ToBinary adjusts
///   Local times to the reading machine's zone.) A Local time read in another zone keeps its ticks.
/// - DateTimeOffset: <c>[clock ticks, offset in minutes]</c> (an offset is always whole minutes).
/// - decimal: bin 16, its four GetBits parts (low, middle, high, flags), each little endian. The flags
///   hold the sign and the scale, so 1.0m and 1.00m stay apart.
/// </summary>
internal static class ExactEncodings
{
    private const int KindShift = 62;
    private const ulong TicksMask = (1UL << KindShift) - 1;
    private const int MaxOffsetMinutes = 14 * 60;

    public static void Write(ref MessagePackWriter writer, DateTime value) =>
        writer.Write((ulong)value.Ticks | ((ulong)value.Kind << KindShift));

    public static DateTime ReadDateTime(ref MessagePackReader reader)
    {
        var packed = reader.ReadUInt64();
        var kind = (int)(packed >> KindShift);
        var ticks = (long)(packed & TicksMask);
        if (kind > (int)DateTimeKind.Local || ticks > DateTime.MaxValue.Ticks)
        {
            throw new MessagePackSerializationException("A stored DateTime is out of range.");
        }

        return new DateTime(ticks, (DateTimeKind)kind);
    }

    public static void Write(ref MessagePackWriter writer, DateTimeOffset value)
    {
        writer.WriteArrayHeader(2);
        writer.Write(value.Ticks);
        writer.Write((short)(value.Offset.Ticks / TimeSpan.TicksPerMinute));
    }

    public static DateTimeOffset ReadDateTimeOffset(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("A stored DateTimeOffset is not two numbers.");
        }

        var ticks = reader.ReadInt64();
        var minutes = reader.ReadInt16();
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks || minutes < -MaxOffsetMinutes || minutes > MaxOffsetMinutes)
        {
            throw new MessagePackSerializationException("A stored DateTimeOffset is out of range.");
        }

        try
        {
            return new DateTimeOffset(ticks, new TimeSpan(minutes * TimeSpan.TicksPerMinute));
        }
        catch (ArgumentOutOfRangeException ex)
        {
            // The UTC time falls outside DateTime's range.
            throw new MessagePackSerializationException("A stored DateTimeOffset is out of range.", ex);
        }
    }

    public static void Write(ref MessagePackWriter writer, decimal value)
    {
        var span = writer.GetSpan(18);
        span[0] = MessagePackCode.Bin8;
        span[1] = 16;
        var parts = System.Runtime.CompilerServices.Unsafe.As<decimal, DecimalParts>(ref value);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span.Slice(2), parts.Low);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span.Slice(6), parts.Middle);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span.Slice(10), parts.High);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span.Slice(14), parts.Flags);
        writer.Advance(18);
    }

    public static decimal ReadDecimal(ref MessagePackReader reader)
    {
        if (reader.ReadBytes() is not { Length: 16 } bytes)
        {
            throw new MessagePackSerializationException("A stored decimal is not 16 bytes.");
        }

        Span<byte> span = stackalloc byte[16];
        System.Buffers.BuffersExtensions.CopyTo(bytes, span);
        var flags = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span.Slice(12));
        var scale = (flags >> 16) & 0xFF;
        if ((flags & 0x7F00FFFF) != 0 || scale > 28)
        {
            throw new MessagePackSerializationException("A stored decimal has invalid flags.");
        }

        return new decimal(
            System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span.Slice(4)),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(span.Slice(8)),
            flags < 0,
            (byte)scale);
    }
}

/// <summary>DateTime in <see cref="ExactEncodings"/>' form.</summary>
internal sealed class ExactDateTimeFormatter : IMessagePackFormatter<DateTime>
{
    public static readonly ExactDateTimeFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, DateTime value, MessagePackSerializerOptions options) => ExactEncodings.Write(ref writer, value);

    public DateTime Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => ExactEncodings.ReadDateTime(ref reader);
}

/// <summary>DateTimeOffset in <see cref="ExactEncodings"/>' form.</summary>
internal sealed class ExactDateTimeOffsetFormatter : IMessagePackFormatter<DateTimeOffset>
{
    public static readonly ExactDateTimeOffsetFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, DateTimeOffset value, MessagePackSerializerOptions options) => ExactEncodings.Write(ref writer, value);

    public DateTimeOffset Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => ExactEncodings.ReadDateTimeOffset(ref reader);
}

/// <summary>decimal in <see cref="ExactEncodings"/>' form.</summary>
internal sealed class ExactDecimalFormatter : IMessagePackFormatter<decimal>
{
    public static readonly ExactDecimalFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, decimal value, MessagePackSerializerOptions options) => ExactEncodings.Write(ref writer, value);

    public decimal Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => ExactEncodings.ReadDecimal(ref reader);
}

/// <summary>
/// A decimal's memory, in the order every .NET runtime lays it out (flags, high, low, middle): its
/// GetBits parts without the array GetBits allocates.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
internal readonly struct DecimalParts
{
    public readonly int Flags;
    public readonly int High;
    public readonly int Low;
    public readonly int Middle;
}

/// <summary>DBNull.Value, as nil.</summary>
internal sealed class DBNullFormatter : IMessagePackFormatter<DBNull>
{
    public static readonly DBNullFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, DBNull value, MessagePackSerializerOptions options) => writer.WriteNil();

    public DBNull Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (!reader.TryReadNil())
        {
            throw new MessagePackSerializationException("The stored DBNull is not nil.");
        }

        return DBNull.Value;
    }
}

/// <summary>
/// Counts how deep a value being written nests, per thread: a value that refers to itself would
/// otherwise recurse until the process dies. Reading is bounded by MessagePack's own depth limit.
/// </summary>
internal static class WriteDepth
{
    public const int Limit = 500;

    [ThreadStatic]
    private static int t_depth;

    public static void Enter()
    {
        if (++t_depth > Limit)
        {
            t_depth = 0;
            throw new NotFaithfulException($"the value nests more than {Limit} levels deep, or refers to itself", "Return a value without cycles");
        }
    }

    public static void Leave()
    {
        if (t_depth > 0)
        {
            t_depth--;
        }
    }
}
