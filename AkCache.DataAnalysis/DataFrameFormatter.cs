using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AkCache.Internals.Serialization;
using MessagePack;
using MessagePack.Formatters;
using Microsoft.Data.Analysis;

namespace AkCache.DataAnalysis;

/// <summary>
/// The column classes a stored DataFrame may hold. The payload names a column class only by this
/// code, so reading never creates a type the payload chose; the numbers are part of the stored
/// format and never change. The named classes (Int32DataFrameColumn) and
/// PrimitiveDataFrameColumn&lt;T&gt; itself are different codes, so each comes back as the class it was.
/// </summary>
internal enum DataFrameColumnCode
{
    BooleanColumn = 1,
    ByteColumn = 2,
    SByteColumn = 3,
    Int16Column = 4,
    UInt16Column = 5,
    Int32Column = 6,
    UInt32Column = 7,
    Int64Column = 8,
    UInt64Column = 9,
    SingleColumn = 10,
    DoubleColumn = 11,
    DecimalColumn = 12,
    CharColumn = 13,
    DateTimeColumn = 14,
    StringColumn = 15,

    PrimitiveBoolean = 65,
    PrimitiveByte = 66,
    PrimitiveSByte = 67,
    PrimitiveInt16 = 68,
    PrimitiveUInt16 = 69,
    PrimitiveInt32 = 70,
    PrimitiveUInt32 = 71,
    PrimitiveInt64 = 72,
    PrimitiveUInt64 = 73,
    PrimitiveSingle = 74,
    PrimitiveDouble = 75,
    PrimitiveDecimal = 76,
    PrimitiveChar = 77,
    PrimitiveDateTime = 78,
}

/// <summary>A primitive column class's constructor from buffers, as the library declares it for each class.</summary>
internal delegate PrimitiveDataFrameColumn<T> FromBuffers<T>(string name, ReadOnlyMemory<byte> values, ReadOnlyMemory<byte> validity, int length, int nullCount)
    where T : unmanaged;

/// <summary>
/// Stores a Microsoft.Data.Analysis <see cref="DataFrame"/> for AkCache so that it comes back equal
/// in every respect, or refuses it. AkCache.Runtime finds this class by name at run time
/// (docs/dataframes.md): an application only has to reference the AkCache.DataAnalysis package.
/// </summary>
/// <remarks>
/// <para>
/// Layout: nil for null; else the array [format version (1), column...]. A column is [name,
/// column class code, length, cells], in the frame's column order; the frame's row count is the
/// columns' common length (a frame without columns has none). Cells is an array of one element per
/// row: nil for a null cell, else the value: integers, bool and char as MessagePack integers and
/// booleans, float and double as float32 and float64 (every bit), decimal as 16 bytes that keep its
/// scale, DateTime as one unsigned integer holding its ticks and Kind, string as str.
/// </para>
/// <para>
/// Refused: a column of any other class (ArrowStringDataFrameColumn, VBufferDataFrameColumn,
/// PrimitiveDataFrameColumn of another element type, a subclass of the classes above), a subclass of
/// DataFrame, a column whose length is not the frame's row count, and a column whose NullCount does
/// not match the null cells it holds.
/// </para>
/// <para>
/// The same frame gives the same bytes in every process: AkCache also hashes them into keys when a
/// DataFrame is an argument. The payload is untrusted when read: codes come from
/// <see cref="DataFrameColumnCode"/> only, counts are checked against the bytes left, and anything
/// malformed throws <see cref="MessagePackSerializationException"/>.
/// </para>
/// </remarks>
public sealed class DataFrameFormatter : IMessagePackFormatter<DataFrame?>
{
    /// <summary>The one instance, which AkCache.Runtime looks up by reflection the first time it stores a DataFrame.</summary>
    public static readonly DataFrameFormatter Instance = new();

    /// <summary>The first element of a stored DataFrame; a later layout takes another number.</summary>
    internal const int FormatVersion = 1;

    private const int ColumnFieldCount = 4;

    /// <summary>The smallest column: a one-byte array header, name, code, length and cells header.</summary>
    private const int MinimumColumnBytes = 5;

    /// <summary>The largest buffer of one column (ReadOnlyDataFrameBuffer.MaxCapacity in bytes, as the library sets it).</summary>
    private const int MaxBufferBytes = 2146435071;

    private const string ColumnTypesFix = "Use the column types listed in docs/dataframes.md (for an ArrowStringDataFrameColumn, a StringDataFrameColumn of its values), or return another type";

    /// <summary>Exact column classes only: a subclass would come back as its base class.</summary>
    private static readonly Dictionary<Type, DataFrameColumnCode> Codes = new()
    {
        [typeof(BooleanDataFrameColumn)] = DataFrameColumnCode.BooleanColumn,
        [typeof(ByteDataFrameColumn)] = DataFrameColumnCode.ByteColumn,
        [typeof(SByteDataFrameColumn)] = DataFrameColumnCode.SByteColumn,
        [typeof(Int16DataFrameColumn)] = DataFrameColumnCode.Int16Column,
        [typeof(UInt16DataFrameColumn)] = DataFrameColumnCode.UInt16Column,
        [typeof(Int32DataFrameColumn)] = DataFrameColumnCode.Int32Column,
        [typeof(UInt32DataFrameColumn)] = DataFrameColumnCode.UInt32Column,
        [typeof(Int64DataFrameColumn)] = DataFrameColumnCode.Int64Column,
        [typeof(UInt64DataFrameColumn)] = DataFrameColumnCode.UInt64Column,
        [typeof(SingleDataFrameColumn)] = DataFrameColumnCode.SingleColumn,
        [typeof(DoubleDataFrameColumn)] = DataFrameColumnCode.DoubleColumn,
        [typeof(DecimalDataFrameColumn)] = DataFrameColumnCode.DecimalColumn,
        [typeof(CharDataFrameColumn)] = DataFrameColumnCode.CharColumn,
        [typeof(DateTimeDataFrameColumn)] = DataFrameColumnCode.DateTimeColumn,
        [typeof(StringDataFrameColumn)] = DataFrameColumnCode.StringColumn,
        [typeof(PrimitiveDataFrameColumn<bool>)] = DataFrameColumnCode.PrimitiveBoolean,
        [typeof(PrimitiveDataFrameColumn<byte>)] = DataFrameColumnCode.PrimitiveByte,
        [typeof(PrimitiveDataFrameColumn<sbyte>)] = DataFrameColumnCode.PrimitiveSByte,
        [typeof(PrimitiveDataFrameColumn<short>)] = DataFrameColumnCode.PrimitiveInt16,
        [typeof(PrimitiveDataFrameColumn<ushort>)] = DataFrameColumnCode.PrimitiveUInt16,
        [typeof(PrimitiveDataFrameColumn<int>)] = DataFrameColumnCode.PrimitiveInt32,
        [typeof(PrimitiveDataFrameColumn<uint>)] = DataFrameColumnCode.PrimitiveUInt32,
        [typeof(PrimitiveDataFrameColumn<long>)] = DataFrameColumnCode.PrimitiveInt64,
        [typeof(PrimitiveDataFrameColumn<ulong>)] = DataFrameColumnCode.PrimitiveUInt64,
        [typeof(PrimitiveDataFrameColumn<float>)] = DataFrameColumnCode.PrimitiveSingle,
        [typeof(PrimitiveDataFrameColumn<double>)] = DataFrameColumnCode.PrimitiveDouble,
        [typeof(PrimitiveDataFrameColumn<decimal>)] = DataFrameColumnCode.PrimitiveDecimal,
        [typeof(PrimitiveDataFrameColumn<char>)] = DataFrameColumnCode.PrimitiveChar,
        [typeof(PrimitiveDataFrameColumn<DateTime>)] = DataFrameColumnCode.PrimitiveDateTime,
    };

    private DataFrameFormatter()
    {
    }

    /// <summary>Writes <paramref name="value"/>, or nil for null.</summary>
    /// <exception cref="Exception">A NotFaithfulException (internal to AkCache) when the frame would not come back equal; AkCache then returns the value uncached and warns.</exception>
    public void Serialize(ref MessagePackWriter writer, DataFrame? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        if (value.GetType() != typeof(DataFrame))
        {
            throw new NotFaithfulException(
                $"the value's class is {TypeDisplay.Short(value.GetType())}, a subclass of DataFrame, which AkCache would read back as a plain DataFrame",
                "Return a plain DataFrame, or return another type");
        }

        var columns = value.Columns;
        var rows = value.Rows.Count;
        writer.WriteArrayHeader(1 + columns.Count);
        writer.Write(FormatVersion);
        for (var i = 0; i < columns.Count; i++)
        {
            WriteColumn(ref writer, columns[i], rows);
        }
    }

    /// <summary>Reads a DataFrame this formatter wrote, or null for nil.</summary>
    /// <exception cref="MessagePackSerializationException">The payload is not a DataFrame this format wrote.</exception>
    public DataFrame? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        try
        {
            return ReadFrame(ref reader);
        }
        catch (Exception e) when (IsRejection(e))
        {
            throw new MessagePackSerializationException($"The stored DataFrame cannot be read: {e.Message}", e);
        }
        finally
        {
            reader.Depth--;
        }
    }

    // ---- Writing ----

    private static void WriteColumn(ref MessagePackWriter writer, DataFrameColumn column, long rows)
    {
        if (!Codes.TryGetValue(column.GetType(), out var code))
        {
            throw new NotFaithfulException(
                $"column '{column.Name}' of the DataFrame has class {TypeDisplay.Short(column.GetType())}, which AkCache cannot store faithfully",
                ColumnTypesFix);
        }

        // DataFrame checks lengths when a column is added, but not when one replaces another in a frame without rows.
        if (column.Length != rows)
        {
            throw new NotFaithfulException(
                $"column '{column.Name}' of the DataFrame has {column.Length} rows where the DataFrame has {rows}",
                "Give every column the DataFrame's row count");
        }

        if (column.Length > int.MaxValue)
        {
            throw new NotFaithfulException($"column '{column.Name}' of the DataFrame has more than {int.MaxValue} rows", "Return fewer rows");
        }

        writer.WriteArrayHeader(ColumnFieldCount);
        writer.Write(column.Name);
        writer.Write((byte)code);
        writer.Write(column.Length);
        switch (code)
        {
            case DataFrameColumnCode.BooleanColumn or DataFrameColumnCode.PrimitiveBoolean:
                WriteCells<bool, BooleanCodec>(ref writer, (PrimitiveDataFrameColumn<bool>)column);
                break;
            case DataFrameColumnCode.ByteColumn or DataFrameColumnCode.PrimitiveByte:
                WriteCells<byte, ByteCodec>(ref writer, (PrimitiveDataFrameColumn<byte>)column);
                break;
            case DataFrameColumnCode.SByteColumn or DataFrameColumnCode.PrimitiveSByte:
                WriteCells<sbyte, SByteCodec>(ref writer, (PrimitiveDataFrameColumn<sbyte>)column);
                break;
            case DataFrameColumnCode.Int16Column or DataFrameColumnCode.PrimitiveInt16:
                WriteCells<short, Int16Codec>(ref writer, (PrimitiveDataFrameColumn<short>)column);
                break;
            case DataFrameColumnCode.UInt16Column or DataFrameColumnCode.PrimitiveUInt16:
                WriteCells<ushort, UInt16Codec>(ref writer, (PrimitiveDataFrameColumn<ushort>)column);
                break;
            case DataFrameColumnCode.Int32Column or DataFrameColumnCode.PrimitiveInt32:
                WriteCells<int, Int32Codec>(ref writer, (PrimitiveDataFrameColumn<int>)column);
                break;
            case DataFrameColumnCode.UInt32Column or DataFrameColumnCode.PrimitiveUInt32:
                WriteCells<uint, UInt32Codec>(ref writer, (PrimitiveDataFrameColumn<uint>)column);
                break;
            case DataFrameColumnCode.Int64Column or DataFrameColumnCode.PrimitiveInt64:
                WriteCells<long, Int64Codec>(ref writer, (PrimitiveDataFrameColumn<long>)column);
                break;
            case DataFrameColumnCode.UInt64Column or DataFrameColumnCode.PrimitiveUInt64:
                WriteCells<ulong, UInt64Codec>(ref writer, (PrimitiveDataFrameColumn<ulong>)column);
                break;
            case DataFrameColumnCode.SingleColumn or DataFrameColumnCode.PrimitiveSingle:
                WriteCells<float, SingleCodec>(ref writer, (PrimitiveDataFrameColumn<float>)column);
                break;
            case DataFrameColumnCode.DoubleColumn or DataFrameColumnCode.PrimitiveDouble:
                WriteCells<double, DoubleCodec>(ref writer, (PrimitiveDataFrameColumn<double>)column);
                break;
            case DataFrameColumnCode.DecimalColumn or DataFrameColumnCode.PrimitiveDecimal:
                WriteCells<decimal, DecimalCodec>(ref writer, (PrimitiveDataFrameColumn<decimal>)column);
                break;
            case DataFrameColumnCode.CharColumn or DataFrameColumnCode.PrimitiveChar:
                WriteCells<char, CharCodec>(ref writer, (PrimitiveDataFrameColumn<char>)column);
                break;
            case DataFrameColumnCode.DateTimeColumn or DataFrameColumnCode.PrimitiveDateTime:
                WriteCells<DateTime, DateTimeCodec>(ref writer, (PrimitiveDataFrameColumn<DateTime>)column);
                break;
            case DataFrameColumnCode.StringColumn:
                WriteStrings(ref writer, (StringDataFrameColumn)column);
                break;
            default:
                throw new InvalidOperationException("Unknown column code " + code);
        }
    }

    /// <summary>
    /// Reads the column's buffers and validity bitmaps directly (one pair per buffer, not per cell).
    /// A cell is null as the column's indexer sees it: only while NullCount is not zero, and then
    /// where its validity bit is clear. A null cell's slot holds whatever was there, so it is written
    /// as nil, never as its slot.
    /// </summary>
    private static void WriteCells<T, TCodec>(ref MessagePackWriter writer, PrimitiveDataFrameColumn<T> column)
        where T : unmanaged
        where TCodec : struct, ICellCodec<T>
    {
        var codec = default(TCodec);
        var nullCount = column.NullCount;
        long written = 0;
        long nulls = 0;
        writer.WriteArrayHeader((int)column.Length);
        using var bitmaps = column.GetReadOnlyNullBitMapBuffers().GetEnumerator();
        foreach (var buffer in column.GetReadOnlyDataBuffers())
        {
            var values = buffer.Span;
            var validity = bitmaps.MoveNext() ? bitmaps.Current.Span : default;
            if (nullCount != 0 && validity.Length < (values.Length + 7) / 8)
            {
                throw Inconsistent(column, $"its null bitmap covers fewer than its {column.Length} rows");
            }

            for (var i = 0; i < values.Length; i++)
            {
                if (nullCount == 0 || (validity[i >> 3] & (1 << (i & 7))) != 0)
                {
                    codec.Write(ref writer, values[i]);
                }
                else
                {
                    writer.WriteNil();
                    nulls++;
                }
            }

            written += values.Length;
        }

        CheckCounts(column, written, nulls);
    }

    private static void WriteStrings(ref MessagePackWriter writer, StringDataFrameColumn column)
    {
        long written = 0;
        long nulls = 0;
        writer.WriteArrayHeader((int)column.Length);
        foreach (var value in column)
        {
            writer.Write(value);
            if (value is null)
            {
                nulls++;
            }

            written++;
        }

        CheckCounts(column, written, nulls);
    }

    /// <summary>NullCount is public and is read back from the nulls stored, so a column whose count is off would come back different.</summary>
    private static void CheckCounts(DataFrameColumn column, long written, long nulls)
    {
        if (written != column.Length)
        {
            throw Inconsistent(column, $"it holds {written} cells where its Length is {column.Length}");
        }

        if (nulls != column.NullCount)
        {
            throw Inconsistent(column, $"its NullCount is {column.NullCount} where it holds {nulls} null cells");
        }
    }

    private static NotFaithfulException Inconsistent(DataFrameColumn column, string what) =>
        new($"column '{column.Name}' of the DataFrame is inconsistent: {what}", "Build the column again from its values before returning it");

    // ---- Reading ----

    private static DataFrame ReadFrame(ref MessagePackReader reader)
    {
        var fields = reader.ReadArrayHeader();
        if (fields < 1)
        {
            throw new MessagePackSerializationException("The stored DataFrame has no format version.");
        }

        var columnCount = fields - 1;
        CheckFits(ref reader, columnCount, MinimumColumnBytes, "columns");
        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new MessagePackSerializationException($"The stored DataFrame has format version {version}; this AkCache.DataAnalysis reads version {FormatVersion}.");
        }

        var columns = new DataFrameColumn[columnCount];
        var rows = 0;
        for (var i = 0; i < columnCount; i++)
        {
            columns[i] = ReadColumn(ref reader, i == 0 ? null : rows);
            rows = (int)columns[i].Length;
        }

        // The DataFrame rejects duplicate names (an ArgumentException, reported as malformed).
        return new DataFrame(columns);
    }

    /// <summary>One column, whose length must be <paramref name="rows"/>, the columns' so far (null for the first).</summary>
    private static DataFrameColumn ReadColumn(ref MessagePackReader reader, int? rows)
    {
        var fields = reader.ReadArrayHeader();
        if (fields != ColumnFieldCount)
        {
            throw new MessagePackSerializationException($"A stored DataFrame column has {fields} fields, not {ColumnFieldCount}.");
        }

        var name = reader.ReadString() ?? throw new MessagePackSerializationException("A stored DataFrame column has no name.");
        var code = reader.ReadInt32();
        var length = reader.ReadInt64();
        if (length < 0 || length > int.MaxValue || (rows is int expected && length != expected))
        {
            throw new MessagePackSerializationException($"The stored DataFrame column '{name}' has length {length}, which does not fit the frame.");
        }

        var cells = reader.ReadArrayHeader();
        if (cells != length)
        {
            throw new MessagePackSerializationException($"The stored DataFrame column '{name}' has length {length} but {cells} cells.");
        }

        // Every cell takes at least one byte (nil, or a one-byte integer).
        CheckFits(ref reader, cells, 1, "cells");
        return (DataFrameColumnCode)code switch
        {
            DataFrameColumnCode.BooleanColumn => ReadCells<bool, BooleanCodec>(ref reader, new BooleanDataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new BooleanDataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.ByteColumn => ReadCells<byte, ByteCodec>(ref reader, new ByteDataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new ByteDataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.SByteColumn => ReadCells<sbyte, SByteCodec>(ref reader, new SByteDataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new SByteDataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.Int16Column => ReadCells<short, Int16Codec>(ref reader, new Int16DataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new Int16DataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.UInt16Column => ReadCells<ushort, UInt16Codec>(ref reader, new UInt16DataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new UInt16DataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.Int32Column => ReadCells<int, Int32Codec>(ref reader, new Int32DataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new Int32DataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.UInt32Column => ReadCells<uint, UInt32Codec>(ref reader, new UInt32DataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new UInt32DataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.Int64Column => ReadCells<long, Int64Codec>(ref reader, new Int64DataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new Int64DataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.UInt64Column => ReadCells<ulong, UInt64Codec>(ref reader, new UInt64DataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new UInt64DataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.SingleColumn => ReadCells<float, SingleCodec>(ref reader, new SingleDataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new SingleDataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.DoubleColumn => ReadCells<double, DoubleCodec>(ref reader, new DoubleDataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new DoubleDataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.DecimalColumn => ReadCells<decimal, DecimalCodec>(ref reader, new DecimalDataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new DecimalDataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.CharColumn => ReadCells<char, CharCodec>(ref reader, new CharDataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new CharDataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.DateTimeColumn => ReadCells<DateTime, DateTimeCodec>(ref reader, new DateTimeDataFrameColumn(name, 0), cells, static (n, v, b, l, c) => new DateTimeDataFrameColumn(n, v, b, l, c)),
            DataFrameColumnCode.StringColumn => ReadStrings(ref reader, name, cells),
            DataFrameColumnCode.PrimitiveBoolean => ReadCells<bool, BooleanCodec>(ref reader, new PrimitiveDataFrameColumn<bool>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<bool>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveByte => ReadCells<byte, ByteCodec>(ref reader, new PrimitiveDataFrameColumn<byte>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<byte>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveSByte => ReadCells<sbyte, SByteCodec>(ref reader, new PrimitiveDataFrameColumn<sbyte>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<sbyte>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveInt16 => ReadCells<short, Int16Codec>(ref reader, new PrimitiveDataFrameColumn<short>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<short>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveUInt16 => ReadCells<ushort, UInt16Codec>(ref reader, new PrimitiveDataFrameColumn<ushort>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<ushort>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveInt32 => ReadCells<int, Int32Codec>(ref reader, new PrimitiveDataFrameColumn<int>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<int>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveUInt32 => ReadCells<uint, UInt32Codec>(ref reader, new PrimitiveDataFrameColumn<uint>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<uint>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveInt64 => ReadCells<long, Int64Codec>(ref reader, new PrimitiveDataFrameColumn<long>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<long>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveUInt64 => ReadCells<ulong, UInt64Codec>(ref reader, new PrimitiveDataFrameColumn<ulong>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<ulong>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveSingle => ReadCells<float, SingleCodec>(ref reader, new PrimitiveDataFrameColumn<float>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<float>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveDouble => ReadCells<double, DoubleCodec>(ref reader, new PrimitiveDataFrameColumn<double>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<double>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveDecimal => ReadCells<decimal, DecimalCodec>(ref reader, new PrimitiveDataFrameColumn<decimal>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<decimal>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveChar => ReadCells<char, CharCodec>(ref reader, new PrimitiveDataFrameColumn<char>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<char>(n, v, b, l, c)),
            DataFrameColumnCode.PrimitiveDateTime => ReadCells<DateTime, DateTimeCodec>(ref reader, new PrimitiveDataFrameColumn<DateTime>(name, 0), cells, static (n, v, b, l, c) => new PrimitiveDataFrameColumn<DateTime>(n, v, b, l, c)),
            _ => throw new MessagePackSerializationException($"The stored DataFrame column '{name}' has column code {code}, which this format never writes."),
        };
    }

    /// <summary>
    /// Reads the cells into one values array and one validity bitmap, laid out as the column keeps
    /// them, and hands both to the column's public buffer constructor: a copy per column, where
    /// appending cell by cell costs about ten times as much.
    /// </summary>
    /// <param name="reader">Positioned at the first cell.</param>
    /// <param name="empty">The column of this name and class without rows: what comes back for no cells, as a column built from no values has no buffers.</param>
    /// <param name="cells">How many cells to read.</param>
    /// <param name="create">The column class's constructor from a values buffer, a validity bitmap, a length and a null count.</param>
    private static DataFrameColumn ReadCells<T, TCodec>(ref MessagePackReader reader, PrimitiveDataFrameColumn<T> empty, int cells, FromBuffers<T> create)
        where T : unmanaged
        where TCodec : struct, ICellCodec<T>
    {
        if (cells == 0)
        {
            return empty;
        }

        if ((long)cells * Unsafe.SizeOf<T>() > MaxBufferBytes)
        {
            throw new MessagePackSerializationException($"The stored DataFrame column '{empty.Name}' has {cells} cells, more than one column buffer holds.");
        }

        var codec = default(TCodec);
        var buffer = new byte[cells * Unsafe.SizeOf<T>()];
        var values = MemoryMarshal.Cast<byte, T>(buffer.AsSpan());
        var validity = new byte[(cells + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < cells; i++)
        {
            // A null cell's slot stays default(T), as Append leaves it.
            if (reader.TryReadNil())
            {
                nulls++;
            }
            else
            {
                values[i] = codec.Read(ref reader);
                validity[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        var column = create(empty.Name, buffer, validity, cells, nulls);

        // A column made on buffers wraps them read-only, and in Microsoft.Data.Analysis 0.23 such a
        // column throws on Append (it casts its bitmap to the writable kind). Setting a cell swaps in
        // writable copies of both, so the column is one like any other: Append, set, arithmetic.
        column[0] = column[0];
        return column;
    }

    private static DataFrameColumn ReadStrings(ref MessagePackReader reader, string name, int cells)
    {
        var column = new StringDataFrameColumn(name, 0);
        for (var i = 0; i < cells; i++)
        {
            column.Append(reader.ReadString());
        }

        return column;
    }

    /// <summary>Refuses a count the bytes left cannot hold, before anything is allocated for it.</summary>
    private static void CheckFits(ref MessagePackReader reader, int count, int minimumBytesEach, string what)
    {
        var remaining = reader.Sequence.Length - reader.Consumed;
        if ((long)count * minimumBytesEach > remaining)
        {
            throw new MessagePackSerializationException($"The stored DataFrame claims {count} {what}, more than its {remaining} remaining bytes can hold.");
        }
    }

    /// <summary>What the reader and Microsoft.Data.Analysis throw on bytes this format never writes.</summary>
    private static bool IsRejection(Exception e) =>
        e is ArgumentException or InvalidOperationException or OverflowException or InvalidCastException
            or IndexOutOfRangeException or FormatException or EndOfStreamException;
}
