using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AkCache.DataAnalysis;
using AkCache.Internals.Serialization;
using MessagePack;
using MessagePack.Formatters;
using Microsoft.Data.Analysis;
using Xunit;

namespace AkCache.Tests.Runtime.Serialization;

/// <summary>
/// Microsoft.Data.Analysis DataFrames through the value serializer, as AkCache stores results: the
/// runtime finds AkCache.DataAnalysis's formatter by name (docs/dataframes.md), and every frame comes
/// back with the same column classes, names, order, lengths, null cells and values, or is refused.
/// </summary>
public sealed class DataFrameTests
{
    private static readonly DateTime Utc = new(2026, 3, 14, 9, 30, 0, 123, DateTimeKind.Utc);

    // ---- What comes back ----

    [Fact]
    public void Every_column_class_comes_back_as_itself_with_its_null_cells()
    {
        var frame = new DataFrame(EveryColumnClass());

        var copy = RoundTrip(frame);

        Assert.Equal(29, copy.Columns.Count);
        Assert.IsType<Int32DataFrameColumn>(copy.Columns["Int32"]);
        Assert.IsType<PrimitiveDataFrameColumn<int>>(copy.Columns["PrimitiveInt32"]);
        Assert.IsType<StringDataFrameColumn>(copy.Columns["String"]);
        Assert.Null(copy.Columns["Decimal"][1]);
        Assert.Null(copy.Columns["String"][1]);
        Assert.Equal("", copy.Columns["String"][2]);
        Assert.All(copy.Columns, column => Assert.Equal(1, column.NullCount));

        // Writable as a column built from values is: Append works at once (on columns made on buffers it needs a set first).
        foreach (var column in copy.Columns.Where(c => c is not StringDataFrameColumn))
        {
            column.GetType().GetMethod("Append", new[] { typeof(Nullable<>).MakeGenericType(column.DataType) })!.Invoke(column, new object?[] { null });
            Assert.Equal(4, column.Length);
            Assert.Equal(2, column.NullCount);
        }
    }

    [Fact]
    public void A_null_DataFrame_comes_back_null()
    {
        Assert.Null(RoundTrip<DataFrame?>(null));
    }

    [Fact]
    public void An_empty_frame_comes_back_empty()
    {
        var copy = RoundTrip(new DataFrame());

        Assert.Empty(copy.Columns);
        Assert.Equal(0, copy.Rows.Count);
    }

    [Fact]
    public void A_frame_with_columns_and_no_rows_keeps_its_columns()
    {
        var frame = new DataFrame(new DoubleDataFrameColumn("Price", 0), new StringDataFrameColumn("Symbol", 0), new PrimitiveDataFrameColumn<DateTime>("At", 0));

        var copy = RoundTrip(frame);

        Assert.Equal(new[] { "Price", "Symbol", "At" }, copy.Columns.Select(c => c.Name));
        Assert.Equal(0, copy.Rows.Count);
        Assert.Empty(((DoubleDataFrameColumn)copy.Columns["Price"]).GetReadOnlyDataBuffers());
    }

    [Fact]
    public void Column_order_and_names_are_kept()
    {
        var frame = new DataFrame(
            new Int32DataFrameColumn("z", new[] { 1 }),
            new Int32DataFrameColumn("", new[] { 2 }),
            new Int32DataFrameColumn("A b", new[] { 3 }),
            new Int32DataFrameColumn("价格", new[] { 4 }),
            new Int32DataFrameColumn("a", new[] { 5 }));

        var copy = RoundTrip(frame);

        Assert.Equal(new[] { "z", "", "A b", "价格", "a" }, copy.Columns.Select(c => c.Name));
        Assert.Equal(4, copy.Columns["价格"][0]);
        Assert.Equal(2, copy.Columns.IndexOf("A b"));
    }

    [Fact]
    public void Decimal_scale_and_sign_are_kept()
    {
        var values = new decimal?[] { 1.0m, 1.00m, 1m, -0.0m, 0.0000000000000000000000000001m, decimal.MaxValue, decimal.MinValue, null };
        var frame = new DataFrame(new DecimalDataFrameColumn("Named", values), new PrimitiveDataFrameColumn<decimal>("Generic", values));

        var copy = RoundTrip(frame);

        foreach (var column in new[] { "Named", "Generic" })
        {
            var cells = (PrimitiveDataFrameColumn<decimal>)copy.Columns[column];
            Assert.Equal(new[] { 10, 0, 0, 0x10000 }, decimal.GetBits(cells[0]!.Value));
            Assert.Equal(new[] { 100, 0, 0, 0x20000 }, decimal.GetBits(cells[1]!.Value));
            Assert.Equal(unchecked((int)0x80010000), decimal.GetBits(cells[3]!.Value)[3]);
        }
    }

    [Fact]
    public void DateTime_ticks_and_Kind_are_kept()
    {
        var values = new DateTime?[]
        {
            Utc,
            new DateTime(Utc.Ticks + 7, DateTimeKind.Local),
            new DateTime(Utc.Ticks, DateTimeKind.Unspecified),
            DateTime.MinValue,
            DateTime.MaxValue,
            null,
        };
        var frame = new DataFrame(new DateTimeDataFrameColumn("Named", values), new PrimitiveDataFrameColumn<DateTime>("Generic", values));

        var copy = RoundTrip(frame);

        var cells = (PrimitiveDataFrameColumn<DateTime>)copy.Columns["Named"];
        Assert.Equal(DateTimeKind.Utc, cells[0]!.Value.Kind);
        Assert.Equal(DateTimeKind.Local, cells[1]!.Value.Kind);
        Assert.Equal(Utc.Ticks + 7, cells[1]!.Value.Ticks);
        Assert.Equal(DateTimeKind.Unspecified, cells[2]!.Value.Kind);
    }

    [Fact]
    public void Float_and_double_keep_every_bit()
    {
        var doubles = new double?[] { double.NaN, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0ABC), -0.0, double.PositiveInfinity, double.Epsilon, 0.1 + 0.2 };
        var floats = new float?[] { float.NaN, -0.0f, float.NegativeInfinity, float.Epsilon, 0.1f, 3.4028235e38f };

        RoundTrip(new DataFrame(new DoubleDataFrameColumn("d", doubles), new SingleDataFrameColumn("f", floats)));
    }

    [Fact]
    public void A_10000_by_8_frame_comes_back_equal()
    {
        var frame = LargeFrame(10_000);

        var envelope = ValueSerializer.Serialize(frame, 0, default);
        var copy = ValueSerializer.Deserialize<DataFrame>(envelope, envelope.Length - ValueSerializer.HeaderLength);

        AssertSame(frame, copy);
        Assert.Equal(10_000, copy.Rows.Count);
        Assert.Equal(8, copy.Columns.Count);
        Assert.Equal(envelope, ValueSerializer.Serialize(copy, 0, default));
    }

    [Fact]
    public void What_comes_back_is_an_ordinary_writable_frame()
    {
        var copy = RoundTrip(new DataFrame(new Int32DataFrameColumn("n", new int?[] { 1, null }), new StringDataFrameColumn("s", new[] { "a", null })));

        var numbers = (Int32DataFrameColumn)copy.Columns["n"];
        Assert.Single(numbers.GetReadOnlyDataBuffers());
        numbers.Append(null);
        numbers[1] = 5;
        ((StringDataFrameColumn)copy.Columns["s"]).Append("c");

        Assert.Equal(5, numbers[1]);
        Assert.Equal(1, numbers.NullCount);
        Assert.Equal(3, numbers.Length);
        Assert.Equal(6, ((Int32DataFrameColumn)(numbers + 1))[1]);
    }

    // ---- The same frame, the same bytes ----

    [Fact]
    public void Equal_frames_give_identical_bytes_and_one_changed_cell_changes_them()
    {
        var first = Bytes(LargeFrame(500));
        var second = Bytes(LargeFrame(500));
        Assert.Equal(first, second);

        var changedValue = LargeFrame(500);
        changedValue.Columns["Price"][250] = 1.5;
        Assert.NotEqual(first, Bytes(changedValue));

        var changedToNull = LargeFrame(500);
        changedToNull.Columns["Symbol"][3] = null;
        Assert.NotEqual(first, Bytes(changedToNull));

        // Keys are written with the key options: the same holds there.
        Assert.Equal(
            MessagePackSerializer.Serialize(LargeFrame(50), FaithfulOptions.Keys),
            MessagePackSerializer.Serialize(LargeFrame(50), FaithfulOptions.Keys));
    }

    [Fact]
    public void Frames_equal_cell_by_cell_give_the_same_bytes_whatever_their_history()
    {
        var appended = new PrimitiveDataFrameColumn<int>("n", new int?[] { 2, null, 6 });

        // Arithmetic leaves a computed value in the slot of a null cell; the cell is still null.
        var computed = new PrimitiveDataFrameColumn<int>("n", new int?[] { 1, 2, 3 }).Add(new PrimitiveDataFrameColumn<int>("m", new int?[] { 1, null, 3 }));
        computed.SetName("n");
        var setOneByOne = new PrimitiveDataFrameColumn<int>("n", 3);
        setOneByOne[2] = 6;
        setOneByOne[0] = 2;

        Assert.Null(computed[1]);
        Assert.Equal(Bytes(new DataFrame(appended)), Bytes(new DataFrame(computed)));
        Assert.Equal(Bytes(new DataFrame(appended)), Bytes(new DataFrame(setOneByOne)));
    }

    // ---- What is refused ----

    [Fact]
    public void An_unsupported_column_type_is_refused_naming_the_column_and_its_type()
    {
        Refused(
            new DataFrame(new Int32DataFrameColumn("Id", 0), new ArrowStringDataFrameColumn("Feed")),
            "column 'Feed' of the DataFrame has class ArrowStringDataFrameColumn");
        Refused(new DataFrame(new VBufferDataFrameColumn<int>("Vectors", 1)), "column 'Vectors' of the DataFrame has class VBufferDataFrameColumn<int>");
        Refused(new DataFrame(new PrimitiveDataFrameColumn<Guid>("Ids", new[] { Guid.Empty })), "column 'Ids' of the DataFrame has class PrimitiveDataFrameColumn<Guid>");
        Refused(new DataFrame(new CentsColumn("Cents", new[] { 1 })), "column 'Cents' of the DataFrame has class CentsColumn");
    }

    [Fact]
    public void A_subclass_of_DataFrame_is_refused()
    {
        Refused<DataFrame>(new TaggedFrame(), "the value's class is TaggedFrame, a subclass of DataFrame, which AkCache would read back as a plain DataFrame");
    }

    [Fact]
    public void A_column_whose_length_is_not_the_frames_row_count_is_refused()
    {
        // A frame without rows does not check the length of a column that replaces another.
        var frame = new DataFrame(new Int32DataFrameColumn("a", 0), new Int32DataFrameColumn("b", 0));
        frame.Columns[0] = new Int32DataFrameColumn("a", 3);

        Refused(frame, "column 'a' of the DataFrame has 3 rows where the DataFrame has 0");
    }

    [Fact]
    public void A_DataFrame_in_a_record_field_round_trips_and_a_refusal_names_the_field()
    {
        var holder = new Snapshot("close", new DataFrame(new DoubleDataFrameColumn("Price", new double?[] { 1.5, null })));

        var envelope = ValueSerializer.Serialize(holder, 0, default);
        var copy = ValueSerializer.Deserialize<Snapshot>(envelope, envelope.Length - ValueSerializer.HeaderLength);

        Assert.Equal("close", copy.Name);
        AssertSame(holder.Frame!, copy.Frame!);
        Assert.Null(RoundTrip(new Snapshot("none", null)).Frame);

        var refusal = Assert.Throws<NotFaithfulException>(() => ValueSerializer.Serialize(new Snapshot("arrow", new DataFrame(new ArrowStringDataFrameColumn("Feed"))), 0, default));
        Assert.Equal("Snapshot.Frame", refusal.Path);
        Assert.Contains("column 'Feed'", refusal.Message);
    }

    // ---- Finding the formatter ----

    [Fact]
    public void The_runtime_finds_the_formatter_of_AkCache_DataAnalysis_by_name()
    {
        Assert.Same(DataFrameFormatter.Instance, FaithfulResolver.Instance.GetFormatter<DataFrame>());
        Assert.Equal(typeof(DataFrameFormatter).AssemblyQualifiedName!.Split(',').Take(2).Select(p => p.Trim()), OptionalFormatters.DataFrameFormatterName.Split(',').Select(p => p.Trim()));
    }

    [Fact]
    public void Without_the_package_a_DataFrame_is_refused_naming_the_package()
    {
        foreach (var missing in new[] { "AkCache.DataAnalysis.DataFrameFormatter, AkCache.DataAnalysis.NotInstalled", "AkCache.DataAnalysis.NoSuchFormatter, AkCache.DataAnalysis" })
        {
            var formatter = (IMessagePackFormatter<DataFrame>)OptionalFormatters.Find(typeof(DataFrame), missing, OptionalFormatters.DataFrameMissingReason, OptionalFormatters.DataFrameMissingFix);

            var refusal = Assert.IsType<NotFaithfulException>(Record.Exception(() => Write(formatter, new DataFrame())));
            Assert.Equal("a DataFrame needs the AkCache.DataAnalysis package to be cached. Add the AkCache.DataAnalysis package (dotnet add package AkCache.DataAnalysis)", refusal.Message);
        }
    }

    [Fact]
    public void A_formatter_that_does_not_fit_the_loaded_type_is_refused_not_used()
    {
        var formatter = (IMessagePackFormatter<Snapshot>)OptionalFormatters.Find(typeof(Snapshot), OptionalFormatters.DataFrameFormatterName, "unused", "unused");

        var refusal = Assert.IsType<NotFaithfulException>(Record.Exception(() => Write(formatter, new Snapshot("x", null))));
        Assert.Contains("DataFrameFormatter", refusal.Message);
        Assert.Contains("cannot store", refusal.Message);
    }

    // ---- Malformed payloads ----

    [Fact]
    public void Every_truncation_of_a_payload_is_rejected()
    {
        var envelope = ValueSerializer.Serialize(new DataFrame(EveryColumnClass()), 0, default);
        for (var length = ValueSerializer.HeaderLength + 1; length < envelope.Length; length++)
        {
            AssertMalformed(envelope.AsMemory(0, length));
        }
    }

    [Fact]
    public void Corrupted_bytes_are_read_as_another_frame_or_rejected_never_anything_else()
    {
        var envelope = ValueSerializer.Serialize(new DataFrame(EveryColumnClass().Take(16)), 0, default);
        foreach (var replacement in new byte[] { 0x00, 0x7F, 0xC0, 0xC1, 0xCF, 0xDD, 0xFF })
        {
            for (var at = ValueSerializer.HeaderLength; at < envelope.Length; at++)
            {
                var corrupt = (byte[])envelope.Clone();
                corrupt[at] = replacement;
                var thrown = Record.Exception(() => ValueSerializer.Deserialize<DataFrame>(corrupt, corrupt.Length - ValueSerializer.HeaderLength));
                if (thrown is not null)
                {
                    AssertRejection(thrown);
                }
            }
        }
    }

    [Fact]
    public void Payloads_this_format_never_writes_are_rejected_with_the_reason()
    {
        Assert.Contains("format version 2", Malformed(w => { w.WriteArrayHeader(1); w.Write(2); }));
        Assert.Contains("no format version", Malformed(w => w.WriteArrayHeader(0)));
        Assert.Contains("column code 99", Malformed(w => Frame(w, c => Column(c, "a", 99, 0))));
        Assert.Contains("column code 16", Malformed(w => Frame(w, c => Column(c, "a", 16, 0))));
        Assert.Contains("has no name", Malformed(w => Frame(w, c => Column(c, null, 6, 0))));
        Assert.Contains("has length 2 but 1 cells", Malformed(w => Frame(w, c => { c.WriteArrayHeader(4); c.Write("a"); c.Write(6); c.Write(2); c.WriteArrayHeader(1); c.Write(1); })));
        Assert.Contains("does not fit the frame", Malformed(w => Frame(w, c => Column(c, "a", 6, 1, 7), c => Column(c, "b", 6, 2, 7, 8))));
        Assert.Contains("does not fit the frame", Malformed(w => Frame(w, c => Column(c, "a", 6, -1))));
        Assert.Contains("claims 1000 columns", Malformed(w => { w.WriteArrayHeader(1001); w.Write(1); w.Write(new byte[3000]); }));

        // Counts far beyond the bytes left: MessagePack's reader refuses them before the formatter can.
        Malformed(w => Frame(w, c => { c.WriteArrayHeader(4); c.Write("a"); c.Write(6); c.Write(1_000_000); c.WriteArrayHeader(1_000_000); }));
        Malformed(w => { w.WriteArrayHeader(100_000); w.Write(1); });
        Assert.Contains("fields, not 4", Malformed(w => Frame(w, c => { c.WriteArrayHeader(3); c.Write("a"); c.Write(6); c.Write(0); })));
        Assert.Contains("not 16 bytes", Malformed(w => Frame(w, c => { c.WriteArrayHeader(4); c.Write("a"); c.Write(12); c.Write(1); c.WriteArrayHeader(1); c.Write(new byte[3]); })));
        Assert.Contains("out of range", Malformed(w => Frame(w, c => { c.WriteArrayHeader(4); c.Write("a"); c.Write(14); c.Write(1); c.WriteArrayHeader(1); c.Write(ulong.MaxValue); })));

        // What Microsoft.Data.Analysis refuses while rebuilding: two columns of one name, a value out of the column's range.
        Assert.Contains("cannot be read", Malformed(w => Frame(w, c => Column(c, "a", 6, 1, 7), c => Column(c, "a", 6, 1, 8))));
        Assert.Contains("cannot be read", Malformed(w => Frame(w, c => Column(c, "a", 2, 1, 300))));
    }

    // ---- Helpers ----

    private static T RoundTrip<T>(T value)
    {
        var envelope = ValueSerializer.Serialize(value, 0, default);
        var copy = ValueSerializer.Deserialize<T>(envelope, envelope.Length - ValueSerializer.HeaderLength);
        if (value is DataFrame frame)
        {
            AssertSame(frame, (DataFrame)(object)copy!);

            // Read back and written again, it gives the same bytes: nothing was lost or added.
            Assert.Equal(envelope, ValueSerializer.Serialize(copy, 0, default));
        }

        return copy;
    }

    private static byte[] Bytes(DataFrame frame) => ValueSerializer.Serialize(frame, 0, default);

    private static void Refused<T>(T value, string reason)
    {
        var refusal = Assert.Throws<NotFaithfulException>(() => ValueSerializer.Serialize(value, 0, default));
        Assert.Contains(reason, refusal.Message);
    }

    private static void Write<T>(IMessagePackFormatter<T> formatter, T value)
    {
        var writer = new MessagePackWriter(new ArrayBufferWriter<byte>());
        formatter.Serialize(ref writer, value, ValueSerializer.Options);
        writer.Flush();
    }

    private static void AssertMalformed(ReadOnlyMemory<byte> envelope)
    {
        var thrown = Record.Exception(() => ValueSerializer.Deserialize<DataFrame>(envelope, envelope.Length - ValueSerializer.HeaderLength));
        Assert.NotNull(thrown);
        AssertRejection(thrown!);
    }

    /// <summary>MessagePack wraps what a formatter throws; the formatter's own must say the payload is malformed.</summary>
    private static Exception AssertRejection(Exception thrown)
    {
        Assert.IsType<MessagePackSerializationException>(thrown);
        var inner = thrown.InnerException ?? thrown;
        if (inner is not (MessagePackSerializationException or EndOfStreamException))
        {
            Assert.Fail($"Reading the corrupt payload failed with {inner.GetType().FullName}: {inner}");
        }

        return inner;
    }

    /// <summary>The message of the rejection of a payload written by <paramref name="write"/>.</summary>
    private static string Malformed(Action<MessagePackWriterBox> write)
    {
        var box = new MessagePackWriterBox();
        write(box);
        var payload = box.ToArray();
        var thrown = Record.Exception(() => MessagePackSerializer.Deserialize<DataFrame>(payload, ValueSerializer.Options));
        Assert.NotNull(thrown);
        var inner = AssertRejection(thrown!);
        return inner.Message;
    }

    private static void Frame(MessagePackWriterBox writer, params Action<MessagePackWriterBox>[] columns)
    {
        writer.WriteArrayHeader(1 + columns.Length);
        writer.Write(1);
        foreach (var column in columns)
        {
            column(writer);
        }
    }

    private static void Column(MessagePackWriterBox writer, string? name, int code, long length, params long[] cells)
    {
        writer.WriteArrayHeader(4);
        writer.Write(name);
        writer.Write(code);
        writer.Write(length);
        writer.WriteArrayHeader(cells.Length);
        foreach (var cell in cells)
        {
            writer.Write(cell);
        }
    }

    private static void AssertSame(DataFrame expected, DataFrame actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Rows.Count, actual.Rows.Count);
        Assert.Equal(expected.Columns.Count, actual.Columns.Count);
        for (var c = 0; c < expected.Columns.Count; c++)
        {
            var want = expected.Columns[c];
            var got = actual.Columns[c];
            Assert.Equal(want.GetType(), got.GetType());
            Assert.Equal(want.Name, got.Name);
            Assert.Equal(want.DataType, got.DataType);
            Assert.Equal(want.Length, got.Length);
            Assert.Equal(want.NullCount, got.NullCount);
            Assert.Equal(c, actual.Columns.IndexOf(want.Name));
            for (long r = 0; r < want.Length; r++)
            {
                AssertSameCell(want[r], got[r], $"{want.Name}[{r}]");
            }
        }
    }

    private static void AssertSameCell(object? want, object? got, string where)
    {
        if (want is null || got is null)
        {
            Assert.True(want is null && got is null, $"{where}: {want ?? "null"} came back as {got ?? "null"}");
            return;
        }

        Assert.Equal(want.GetType(), got.GetType());
        switch (want)
        {
            case decimal d:
                Assert.Equal(decimal.GetBits(d), decimal.GetBits((decimal)got));
                break;
            case DateTime t:
                Assert.True(t.Ticks == ((DateTime)got).Ticks && t.Kind == ((DateTime)got).Kind, where);
                break;
            case double x:
                Assert.True(BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits((double)got), where);
                break;
            case float f:
                Assert.True(BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits((float)got), where);
                break;
            default:
                Assert.True(Equals(want, got), $"{where}: {want} came back as {got}");
                break;
        }
    }

    /// <summary>Each column class AkCache stores, three rows each, the second null.</summary>
    private static IEnumerable<DataFrameColumn> EveryColumnClass()
    {
        yield return new BooleanDataFrameColumn("Boolean", new bool?[] { true, null, false });
        yield return new ByteDataFrameColumn("Byte", new byte?[] { 0, null, byte.MaxValue });
        yield return new SByteDataFrameColumn("SByte", new sbyte?[] { sbyte.MinValue, null, sbyte.MaxValue });
        yield return new Int16DataFrameColumn("Int16", new short?[] { short.MinValue, null, short.MaxValue });
        yield return new UInt16DataFrameColumn("UInt16", new ushort?[] { 0, null, ushort.MaxValue });
        yield return new Int32DataFrameColumn("Int32", new int?[] { int.MinValue, null, int.MaxValue });
        yield return new UInt32DataFrameColumn("UInt32", new uint?[] { 0, null, uint.MaxValue });
        yield return new Int64DataFrameColumn("Int64", new long?[] { long.MinValue, null, long.MaxValue });
        yield return new UInt64DataFrameColumn("UInt64", new ulong?[] { 0, null, ulong.MaxValue });
        yield return new SingleDataFrameColumn("Single", new float?[] { -1.5f, null, float.NaN });
        yield return new DoubleDataFrameColumn("Double", new double?[] { -0.0, null, 1e308 });
        yield return new DecimalDataFrameColumn("Decimal", new decimal?[] { 1.10m, null, -79228162514264337593543950335m });
        yield return new CharDataFrameColumn("Char", new char?[] { 'A', null, '\uFFFF' });
        yield return new DateTimeDataFrameColumn("DateTime", new DateTime?[] { Utc, null, new DateTime(1, DateTimeKind.Local) });
        yield return new StringDataFrameColumn("String", new[] { "600519", null, "" });
        yield return new PrimitiveDataFrameColumn<bool>("PrimitiveBoolean", new bool?[] { false, null, true });
        yield return new PrimitiveDataFrameColumn<byte>("PrimitiveByte", new byte?[] { 7, null, 8 });
        yield return new PrimitiveDataFrameColumn<sbyte>("PrimitiveSByte", new sbyte?[] { -7, null, 8 });
        yield return new PrimitiveDataFrameColumn<short>("PrimitiveInt16", new short?[] { -300, null, 300 });
        yield return new PrimitiveDataFrameColumn<ushort>("PrimitiveUInt16", new ushort?[] { 300, null, 3 });
        yield return new PrimitiveDataFrameColumn<int>("PrimitiveInt32", new int?[] { -70000, null, 70000 });
        yield return new PrimitiveDataFrameColumn<uint>("PrimitiveUInt32", new uint?[] { 70000, null, 7 });
        yield return new PrimitiveDataFrameColumn<long>("PrimitiveInt64", new long?[] { -5_000_000_000, null, 5 });
        yield return new PrimitiveDataFrameColumn<ulong>("PrimitiveUInt64", new ulong?[] { 5_000_000_000, null, 5 });
        yield return new PrimitiveDataFrameColumn<float>("PrimitiveSingle", new float?[] { float.Epsilon, null, -0.0f });
        yield return new PrimitiveDataFrameColumn<double>("PrimitiveDouble", new double?[] { double.NaN, null, double.NegativeInfinity });
        yield return new PrimitiveDataFrameColumn<decimal>("PrimitiveDecimal", new decimal?[] { 0.00m, null, 5m });
        yield return new PrimitiveDataFrameColumn<char>("PrimitiveChar", new char?[] { '\0', null, '价' });
        yield return new PrimitiveDataFrameColumn<DateTime>("PrimitiveDateTime", new DateTime?[] { DateTime.MaxValue, null, new DateTime(Utc.Ticks, DateTimeKind.Unspecified) });
    }

    /// <summary>A quotes table: eight columns of mixed classes, with nulls spread through them.</summary>
    private static DataFrame LargeFrame(int rows)
    {
        var symbol = new StringDataFrameColumn("Symbol", 0);
        var price = new DoubleDataFrameColumn("Price", 0);
        var volume = new Int64DataFrameColumn("Volume", 0);
        var amount = new DecimalDataFrameColumn("Amount", 0);
        var at = new DateTimeDataFrameColumn("At", 0);
        var halted = new BooleanDataFrameColumn("Halted", 0);
        var board = new CharDataFrameColumn("Board", 0);
        var level = new PrimitiveDataFrameColumn<int>("Level", 0);
        for (var i = 0; i < rows; i++)
        {
            symbol.Append(i % 97 == 0 ? null : "SH" + (600000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            price.Append(i % 89 == 0 ? null : 10 + (i * 0.01));
            volume.Append(i % 83 == 0 ? null : i * 1000L);
            amount.Append(i % 79 == 0 ? null : new decimal(i, 0, 0, false, (byte)(i % 5)));
            at.Append(i % 73 == 0 ? null : Utc.AddSeconds(i));
            halted.Append(i % 71 == 0 ? null : i % 2 == 0);
            board.Append(i % 67 == 0 ? null : (char)('A' + (i % 26)));
            level.Append(i % 61 == 0 ? null : i % 10);
        }

        return new DataFrame(symbol, price, volume, amount, at, halted, board, level);
    }

    public sealed record Snapshot(string Name, DataFrame? Frame);

    /// <summary>A user's subclass of a column class: it would come back as an Int32DataFrameColumn.</summary>
    public sealed class CentsColumn : Int32DataFrameColumn
    {
        public CentsColumn(string name, IEnumerable<int> values)
            : base(name, values)
        {
        }
    }

    public sealed class TaggedFrame : DataFrame
    {
    }

    /// <summary>A MessagePackWriter for lambdas, which cannot capture one (it is a ref struct).</summary>
    private sealed class MessagePackWriterBox
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();
        public void WriteArrayHeader(int count) => Step((ref MessagePackWriter w) => w.WriteArrayHeader(count));

        public void Write(int value) => Step((ref MessagePackWriter w) => w.Write(value));

        public void Write(long value) => Step((ref MessagePackWriter w) => w.Write(value));

        public void Write(ulong value) => Step((ref MessagePackWriter w) => w.Write(value));

        public void Write(string? value) => Step((ref MessagePackWriter w) => w.Write(value));

        public void Write(byte[] value) => Step((ref MessagePackWriter w) => w.Write(value));

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

        private delegate void WriterStep(ref MessagePackWriter writer);

        private void Step(WriterStep step)
        {
            var writer = new MessagePackWriter(_buffer);
            step(ref writer);
            writer.Flush();
        }
    }
}
