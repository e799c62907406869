using System;
using AkCache.Internals.Serialization.Formatters;
using MessagePack;

namespace AkCache.DataAnalysis;

/// <summary>
/// How one non-null cell of a primitive column is written and read. Each is a struct, so that the
/// generic cell loops of <see cref="DataFrameFormatter"/> are compiled once per cell type with the
/// calls inlined: no boxing, virtual call or reflection per cell.
/// </summary>
internal interface ICellCodec<T>
    where T : unmanaged
{
    void Write(ref MessagePackWriter writer, T value);

    T Read(ref MessagePackReader reader);
}

internal readonly struct BooleanCodec : ICellCodec<bool>
{
    public void Write(ref MessagePackWriter writer, bool value) => writer.Write(value);

    public bool Read(ref MessagePackReader reader) => reader.ReadBoolean();
}

internal readonly struct ByteCodec : ICellCodec<byte>
{
    public void Write(ref MessagePackWriter writer, byte value) => writer.Write(value);

    public byte Read(ref MessagePackReader reader) => reader.ReadByte();
}

internal readonly struct SByteCodec : ICellCodec<sbyte>
{
    public void Write(ref MessagePackWriter writer, sbyte value) => writer.Write(value);

    public sbyte Read(ref MessagePackReader reader) => reader.ReadSByte();
}

internal readonly struct Int16Codec : ICellCodec<short>
{
    public void Write(ref MessagePackWriter writer, short value) => writer.Write(value);

    public short Read(ref MessagePackReader reader) => reader.ReadInt16();
}

internal readonly struct UInt16Codec : ICellCodec<ushort>
{
    public void Write(ref MessagePackWriter writer, ushort value) => writer.Write(value);

    public ushort Read(ref MessagePackReader reader) => reader.ReadUInt16();
}

internal readonly struct Int32Codec : ICellCodec<int>
{
    public void Write(ref MessagePackWriter writer, int value) => writer.Write(value);

    public int Read(ref MessagePackReader reader) => reader.ReadInt32();
}

internal readonly struct UInt32Codec : ICellCodec<uint>
{
    public void Write(ref MessagePackWriter writer, uint value) => writer.Write(value);

    public uint Read(ref MessagePackReader reader) => reader.ReadUInt32();
}

internal readonly struct Int64Codec : ICellCodec<long>
{
    public void Write(ref MessagePackWriter writer, long value) => writer.Write(value);

    public long Read(ref MessagePackReader reader) => reader.ReadInt64();
}

internal readonly struct UInt64Codec : ICellCodec<ulong>
{
    public void Write(ref MessagePackWriter writer, ulong value) => writer.Write(value);

    public ulong Read(ref MessagePackReader reader) => reader.ReadUInt64();
}

/// <summary>float32, every bit (NaN payloads and -0.0 included).</summary>
internal readonly struct SingleCodec : ICellCodec<float>
{
    public void Write(ref MessagePackWriter writer, float value) => writer.Write(value);

    public float Read(ref MessagePackReader reader) => reader.ReadSingle();
}

/// <summary>float64, every bit (NaN payloads and -0.0 included).</summary>
internal readonly struct DoubleCodec : ICellCodec<double>
{
    public void Write(ref MessagePackWriter writer, double value) => writer.Write(value);

    public double Read(ref MessagePackReader reader) => reader.ReadDouble();
}

/// <summary>The runtime's exact form: 16 bytes, so the scale is kept (1.0m and 1.00m stay apart).</summary>
internal readonly struct DecimalCodec : ICellCodec<decimal>
{
    public void Write(ref MessagePackWriter writer, decimal value) => ExactEncodings.Write(ref writer, value);

    public decimal Read(ref MessagePackReader reader) => ExactEncodings.ReadDecimal(ref reader);
}

internal readonly struct CharCodec : ICellCodec<char>
{
    public void Write(ref MessagePackWriter writer, char value) => writer.Write(value);

    public char Read(ref MessagePackReader reader) => reader.ReadChar();
}

/// <summary>The runtime's exact form: ticks and Kind in one unsigned integer (not converted to UTC, unlike MessagePack's own).</summary>
internal readonly struct DateTimeCodec : ICellCodec<DateTime>
{
    public void Write(ref MessagePackWriter writer, DateTime value) => ExactEncodings.Write(ref writer, value);

    public DateTime Read(ref MessagePackReader reader) => ExactEncodings.ReadDateTime(ref reader);
}
