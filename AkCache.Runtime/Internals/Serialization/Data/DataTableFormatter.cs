using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Collections.Generic;
using System.Data;
using System.Globalization;
using System.Reflection;
using AkCache.Internals.Serialization.Formatters;
using MessagePack;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization.Data;

/// <summary>
/// The column types a stored table may have. The payload names a type only by this code, so reading
/// never creates a type the payload chose; the numbers are part of the stored format and never change.
/// </summary>
internal enum DataCellType : byte
{
    Boolean = 1,
    Byte = 2,
    SByte = 3,
    Int16 = 4,
    UInt16 = 5,
    Int32 = 6,
    UInt32 = 7,
    Int64 = 8,
    UInt64 = 9,
    Single = 10,
    Double = 11,
    Decimal = 12,
    String = 13,
    Char = 14,
    DateTime = 15,
    DateTimeOffset = 16,
    TimeSpan = 17,
    Guid = 18,
    Bytes = 19,
}

/// <summary>
/// Stores a <see cref="DataTable"/> so that it comes back equal in what it holds, and so that equal
/// tables give equal bytes: AkCache also hashes these bytes into keys when a table is an argument.
/// </summary>
/// <remarks>
/// <para>
/// Layout: nil for null; else the array [format version (1), table]. A table (shared with
/// <see cref="DataSetFormatter"/>) is the array [name, namespace, prefix, case sensitive, locale name,
/// display expression, remoting format, extended properties, columns, constraints, rows].
/// </para>
/// <para>
/// A column is [name, <see cref="DataCellType"/> code, allow DBNull, default value (nil for DBNull,
/// else a cell), max length, read only, auto increment, seed, step, next auto-increment value (nil
/// when the runtime does not expose it), caption (nil when it follows the name), expression,
/// column mapping, namespace, prefix, DateTimeMode, extended properties]. Unique is not stored:
/// DataColumn derives it from the constraints.
/// </para>
/// <para>
/// A constraint is [1, name, extended properties, is primary key, column ordinals] for a
/// <see cref="UniqueConstraint"/>, or [2, name, extended properties, column ordinals, parent table
/// index, parent column ordinals, update rule, delete rule, accept/reject rule] for a
/// <see cref="ForeignKeyConstraint"/>. The parent table index counts tables in the DataSet; a table
/// stored alone is table 0, so it can only refer to itself. The primary key is the unique
/// constraint marked as one, and relations are the DataSet's.
/// </para>
/// <para>
/// A row is [errors, one cell per column without an expression]. Errors are nil, or
/// [row error, then column ordinal and message for each column in error, in the row's order].
/// Computed columns are stored as their expression and recomputed when read. A cell is nil for
/// DBNull, else by type code: integers, bool, char, float and double as themselves; string as str;
/// decimal as 16 bytes (decimal.GetBits little endian, so 1.00m keeps its scale); DateTime as one
/// uint64, its ticks with the Kind in the top two bits (not ToBinary, which shifts Local times to
/// the reading machine's zone); DateTimeOffset as [clock ticks, offset minutes]; TimeSpan as ticks;
/// Guid as its 16 ToByteArray bytes; byte[] as bin.
/// </para>
/// <para>
/// Extended properties (a Hashtable, whose order is not stable) are a map written sorted by key
/// (ordinal) and must hold strings, so that equal tables give equal bytes.
/// </para>
/// <para>
/// Rows are stored as their current values and come back Unchanged, as after AcceptChanges:
/// pending changes are not kept, so an Added or Modified row comes back Unchanged with its current
/// values, and its original version is gone. A Deleted row has no current values, so a table holding
/// one is refused, as is a row in the middle of an edit, a column whose type is not listed above, a
/// non-string extended property, a subclass (a typed DataTable, DataColumn, constraint or relation:
/// it would come back as the plain class), a foreign key to another table, and a table that belongs
/// to a DataSet (it would come back without its DataSet and relations: store the DataSet, or the
/// table's Copy()).
/// </para>
/// <para>
/// Not kept, as not part of what the table holds: MinimumCapacity, the DefaultView's settings, and
/// whether a setting equal to the one inherited (locale, case sensitivity, namespace) had been set
/// explicitly; a setting that differs is set, one that is equal stays inherited.
/// </para>
/// <para>
/// The payload is untrusted: counts are checked against the bytes left, every code and ordinal is
/// checked, and whatever System.Data rejects while rebuilding becomes a
/// <see cref="MessagePackSerializationException"/>.
/// </para>
/// </remarks>
internal sealed class DataTableFormatter : IMessagePackFormatter<DataTable?>
{
    public static readonly DataTableFormatter Instance = new();

    /// <summary>The first element of a stored DataTable or DataSet; a later layout takes another number.</summary>
    internal const int FormatVersion = 1;

    internal const string TypesFix = "Give the column one of the types listed in docs/values.md, or return another type";

    private const int TableFieldCount = 11;
    private const int ColumnFieldCount = 17;
    private const int UniqueFieldCount = 5;
    private const int ForeignKeyFieldCount = 9;
    private const byte UniqueKind = 1;
    private const byte ForeignKeyKind = 2;

    // The smallest encodings, to reject counts the bytes left cannot hold before allocating for them.
    private const int MinimumColumnBytes = 1 + ColumnFieldCount;
    private const int MinimumConstraintBytes = 1 + UniqueFieldCount;
    internal const int MinimumTableBytes = 1 + TableFieldCount;


    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    /// <summary>
    /// The value the next added row would get. DataColumn keeps it internal, yet it is part of the
    /// table: without it a table whose last rows were removed would hand out their ids again. Read
    /// once per column, never per cell; absent on a runtime that lacks it, and then not stored.
    /// </summary>
    private static readonly PropertyInfo? AutoIncrementCurrent =
        typeof(DataColumn).GetProperty("AutoIncrementCurrent", BindingFlags.Instance | BindingFlags.NonPublic);

    private DataTableFormatter()
    {
    }

    /// <exception cref="NotFaithfulException">The table holds something that would not come back equal.</exception>
    public void Serialize(ref MessagePackWriter writer, DataTable? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        if (value.DataSet is DataSet owner)
        {
            throw new NotFaithfulException(
                $"DataTable '{value.TableName}' belongs to DataSet '{owner.DataSetName}', which would not come back with it (nor its relations)",
                "Return the DataSet, or return the table's Copy(), which belongs to no DataSet");
        }

        writer.WriteArrayHeader(2);
        writer.Write(FormatVersion);
        WriteTable(ref writer, value, dataSet: null);
    }

    /// <exception cref="MessagePackSerializationException">The payload is not a DataTable this format wrote.</exception>
    public DataTable? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        try
        {
            ExpectArray(ref reader, 2, "DataTable");
            ReadVersion(ref reader, "DataTable");
            try
            {
                var tables = new[] { ReadTable(ref reader, dataSet: null) };
                AddConstraints(tables);
                Finish(tables);
                ApplyRowErrors(tables);
                return tables[0].Table;
            }
            catch (Exception e) when (IsRejection(e))
            {
                throw Invalid("DataTable", e);
            }
        }
        finally
        {
            reader.Depth--;
        }
    }

    // ---- Writing ----

    /// <summary>Writes one table; <paramref name="dataSet"/> numbers the tables foreign keys refer to.</summary>
    internal static void WriteTable(ref MessagePackWriter writer, DataTable table, DataSet? dataSet)
    {
        if (table.GetType() != typeof(DataTable))
        {
            throw new NotFaithfulException(
                $"DataTable '{table.TableName}' is a {TypeDisplay.Short(table.GetType())}, which AkCache would read back as a plain DataTable",
                "Return a plain DataTable or DataSet (copy a typed table's rows into one), or return another type");
        }

        writer.WriteArrayHeader(TableFieldCount);
        writer.Write(table.TableName);
        writer.Write(table.Namespace);
        writer.Write(table.Prefix);
        writer.Write(table.CaseSensitive);
        writer.Write(table.Locale.Name);
        writer.Write(table.DisplayExpression);
        writer.Write((int)table.RemotingFormat);
        WriteExtendedProperties(ref writer, table.ExtendedProperties, table);

        var columns = table.Columns;
        var stored = new DataColumn[columns.Count];
        var types = new DataCellType[columns.Count];
        var storedCount = 0;
        writer.WriteArrayHeader(columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            var type = WriteColumn(ref writer, table, column);
            if (column.Expression.Length == 0)
            {
                stored[storedCount] = column;
                types[storedCount] = type;
                storedCount++;
            }
        }

        WriteConstraints(ref writer, table, dataSet);
        WriteRows(ref writer, table, stored, types, storedCount);
    }

    private static DataCellType WriteColumn(ref MessagePackWriter writer, DataTable table, DataColumn column)
    {
        if (column.GetType() != typeof(DataColumn))
        {
            throw new NotFaithfulException(
                $"column '{column.ColumnName}' of DataTable '{table.TableName}' is a {TypeDisplay.Short(column.GetType())}, which AkCache would read back as a plain DataColumn",
                "Use DataColumn itself, or return another type");
        }

        var type = CellTypeOf(column.DataType) ?? throw new NotFaithfulException(
            $"column '{column.ColumnName}' of DataTable '{table.TableName}' has type {column.DataType.FullName}, which AkCache cannot store faithfully",
            TypesFix);

        writer.WriteArrayHeader(ColumnFieldCount);
        writer.Write(column.ColumnName);
        writer.Write((byte)type);
        writer.Write(column.AllowDBNull);

        var defaultValue = column.DefaultValue;
        if (defaultValue == DBNull.Value)
        {
            writer.WriteNil();
        }
        else if (defaultValue.GetType() != column.DataType)
        {
            throw new NotFaithfulException(
                $"the default value of column '{column.ColumnName}' of DataTable '{table.TableName}' is a {defaultValue.GetType().FullName}, not the column's {column.DataType.FullName}",
                "Give the column a DefaultValue of its own type, or return another type");
        }
        else
        {
            WriteCell(ref writer, type, defaultValue);
        }

        writer.Write(column.MaxLength);
        writer.Write(column.ReadOnly);
        writer.Write(column.AutoIncrement);
        writer.Write(column.AutoIncrementSeed);
        writer.Write(column.AutoIncrementStep);
        if (AutoIncrementCurrent?.GetValue(column) is long current)
        {
            writer.Write(current);
        }
        else
        {
            writer.WriteNil();
        }

        // The caption follows the name until it is set; storing it only when it differs keeps that.
        writer.Write(string.Equals(column.Caption, column.ColumnName, StringComparison.Ordinal) ? null : column.Caption);
        writer.Write(column.Expression);
        writer.Write((int)column.ColumnMapping);
        writer.Write(column.Namespace);
        writer.Write(column.Prefix);
        writer.Write((int)column.DateTimeMode);
        WriteExtendedProperties(ref writer, column.ExtendedProperties, column);
        return type;
    }

    private static void WriteConstraints(ref MessagePackWriter writer, DataTable table, DataSet? dataSet)
    {
        var constraints = table.Constraints;
        writer.WriteArrayHeader(constraints.Count);
        for (var i = 0; i < constraints.Count; i++)
        {
            var constraint = constraints[i];
            if (constraint.GetType() == typeof(UniqueConstraint))
            {
                var unique = (UniqueConstraint)constraint;
                writer.WriteArrayHeader(UniqueFieldCount);
                writer.Write(UniqueKind);
                writer.Write(unique.ConstraintName);
                WriteExtendedProperties(ref writer, unique.ExtendedProperties, unique);
                writer.Write(unique.IsPrimaryKey);
                WriteOrdinals(ref writer, unique.Columns);
            }
            else if (constraint.GetType() == typeof(ForeignKeyConstraint))
            {
                var foreignKey = (ForeignKeyConstraint)constraint;
                var parent = foreignKey.RelatedTable;
                var parentIndex = dataSet is null ? (parent == table ? 0 : -1) : dataSet.Tables.IndexOf(parent);
                if (parentIndex < 0)
                {
                    throw new NotFaithfulException(
                        $"foreign key '{foreignKey.ConstraintName}' of DataTable '{table.TableName}' refers to DataTable '{parent.TableName}', which would not come back with it",
                        "Put both tables in a DataSet and return the DataSet, or remove the constraint");
                }

                writer.WriteArrayHeader(ForeignKeyFieldCount);
                writer.Write(ForeignKeyKind);
                writer.Write(foreignKey.ConstraintName);
                WriteExtendedProperties(ref writer, foreignKey.ExtendedProperties, foreignKey);
                WriteOrdinals(ref writer, foreignKey.Columns);
                writer.Write(parentIndex);
                WriteOrdinals(ref writer, foreignKey.RelatedColumns);
                writer.Write((int)foreignKey.UpdateRule);
                writer.Write((int)foreignKey.DeleteRule);
                writer.Write((int)foreignKey.AcceptRejectRule);
            }
            else
            {
                throw new NotFaithfulException(
                    $"constraint '{constraint.ConstraintName}' of DataTable '{table.TableName}' is a {TypeDisplay.Short(constraint.GetType())}, which AkCache would read back as a plain constraint",
                    "Use UniqueConstraint or ForeignKeyConstraint themselves, or return another type");
            }
        }
    }

    private static void WriteRows(ref MessagePackWriter writer, DataTable table, DataColumn[] stored, DataCellType[] types, int storedCount)
    {
        var rows = table.Rows;
        var count = rows.Count;
        writer.WriteArrayHeader(count);
        for (var r = 0; r < count; r++)
        {
            var row = rows[r];
            if (row.RowState == DataRowState.Deleted)
            {
                throw new NotFaithfulException(
                    $"row {r} of DataTable '{table.TableName}' is deleted, so it has no current values to store (AkCache stores rows as their current values)",
                    "Call AcceptChanges (or RejectChanges) before returning the table");
            }

            if (row.HasVersion(DataRowVersion.Proposed))
            {
                throw new NotFaithfulException(
                    $"row {r} of DataTable '{table.TableName}' is being edited (BeginEdit without EndEdit)",
                    "Call EndEdit or CancelEdit before returning the table");
            }

            writer.WriteArrayHeader(storedCount + 1);
            if (row.HasErrors)
            {
                WriteRowErrors(ref writer, row);
            }
            else
            {
                writer.WriteNil();
            }

            for (var i = 0; i < storedCount; i++)
            {
                var value = row[stored[i]];
                if (value == DBNull.Value)
                {
                    writer.WriteNil();
                }
                else
                {
                    WriteCell(ref writer, types[i], value);
                }
            }
        }
    }

    private static void WriteRowErrors(ref MessagePackWriter writer, DataRow row)
    {
        var inError = row.GetColumnsInError();
        writer.WriteArrayHeader(1 + (2 * inError.Length));
        writer.Write(row.RowError);
        foreach (var column in inError)
        {
            writer.Write(column.Ordinal);
            writer.Write(row.GetColumnError(column));
        }
    }

    private static void WriteCell(ref MessagePackWriter writer, DataCellType type, object value)
    {
        switch (type)
        {
            case DataCellType.Boolean:
                writer.Write((bool)value);
                break;
            case DataCellType.Byte:
                writer.Write((byte)value);
                break;
            case DataCellType.SByte:
                writer.Write((sbyte)value);
                break;
            case DataCellType.Int16:
                writer.Write((short)value);
                break;
            case DataCellType.UInt16:
                writer.Write((ushort)value);
                break;
            case DataCellType.Int32:
                writer.Write((int)value);
                break;
            case DataCellType.UInt32:
                writer.Write((uint)value);
                break;
            case DataCellType.Int64:
                writer.Write((long)value);
                break;
            case DataCellType.UInt64:
                writer.Write((ulong)value);
                break;
            case DataCellType.Single:
                writer.Write((float)value);
                break;
            case DataCellType.Double:
                writer.Write((double)value);
                break;
            case DataCellType.Decimal:
                ExactEncodings.Write(ref writer, (decimal)value);
                break;
            case DataCellType.String:
                writer.Write((string)value);
                break;
            case DataCellType.Char:
                writer.Write((char)value);
                break;
            case DataCellType.DateTime:
                ExactEncodings.Write(ref writer, (DateTime)value);
                break;
            case DataCellType.DateTimeOffset:
                ExactEncodings.Write(ref writer, (DateTimeOffset)value);
                break;
            case DataCellType.TimeSpan:
                writer.Write(((TimeSpan)value).Ticks);
                break;
            case DataCellType.Guid:
                writer.Write(((Guid)value).ToByteArray());
                break;
            case DataCellType.Bytes:
                writer.Write((byte[])value);
                break;
            default:
                throw new InvalidOperationException("Unknown cell type " + type);
        }
    }

    internal static void WriteOrdinals(ref MessagePackWriter writer, DataColumn[] columns)
    {
        writer.WriteArrayHeader(columns.Length);
        foreach (var column in columns)
        {
            writer.Write(column.Ordinal);
        }
    }

    /// <summary>A map sorted by key (ordinal): a Hashtable's own order depends on its history.</summary>
    internal static void WriteExtendedProperties(ref MessagePackWriter writer, PropertyCollection properties, object owner)
    {
        if (properties.Count == 0)
        {
            writer.WriteMapHeader(0);
            return;
        }

        var keys = new string[properties.Count];
        var count = 0;
        foreach (DictionaryEntry entry in properties)
        {
            if (entry.Key is not string key)
            {
                throw new NotFaithfulException(
                    $"an extended property of {Describe(owner)} has a key of type {entry.Key.GetType().FullName}; AkCache stores only string keys and values",
                    "Use string keys and values, or remove the property before returning");
            }

            if (entry.Value is not null and not string)
            {
                throw new NotFaithfulException(
                    $"extended property '{key}' of {Describe(owner)} holds a {entry.Value.GetType().FullName}; AkCache stores only string keys and values",
                    "Store the value as a string, or remove the property before returning");
            }

            keys[count++] = key;
        }

        Array.Sort(keys, StringComparer.Ordinal);
        writer.WriteMapHeader(keys.Length);
        foreach (var key in keys)
        {
            writer.Write(key);
            writer.Write((string?)properties[key]);
        }
    }

    private static string Describe(object owner) => owner switch
    {
        DataSet dataSet => $"DataSet '{dataSet.DataSetName}'",
        DataTable table => $"DataTable '{table.TableName}'",
        DataColumn column => $"column '{column.ColumnName}' of DataTable '{column.Table?.TableName}'",
        Constraint constraint => $"constraint '{constraint.ConstraintName}' of DataTable '{constraint.Table?.TableName}'",
        DataRelation relation => $"relation '{relation.RelationName}' of DataSet '{relation.DataSet?.DataSetName}'",
        _ => owner.GetType().Name,
    };

    // ---- Reading ----

    /// <summary>
    /// Reads a table's schema and rows. Constraints, expressions and the settings they would block
    /// wait for <see cref="AddConstraints"/>, <see cref="Finish"/> and <see cref="ApplyRowErrors"/>,
    /// because they may refer to tables of the DataSet read later.
    /// </summary>
    internal static PendingTable ReadTable(ref MessagePackReader reader, DataSet? dataSet)
    {
        ExpectArray(ref reader, TableFieldCount, "DataTable");
        var name = ReadRequiredString(ref reader, "table name");
        var tableNamespace = ReadRequiredString(ref reader, "table namespace");
        var prefix = ReadRequiredString(ref reader, "table prefix");
        var caseSensitive = reader.ReadBoolean();
        var locale = ReadCulture(ref reader);
        var displayExpression = ReadRequiredString(ref reader, "display expression");
        var remotingFormat = (SerializationFormat)ReadCode(ref reader, 0, 1, "remoting format");

        var table = new DataTable(name);
        if (dataSet is not null)
        {
            // Two tables may share a name in different namespaces; the second needs its namespace to be added.
            if (HasTableNamed(dataSet, name))
            {
                table.Namespace = tableNamespace;
            }

            dataSet.Tables.Add(table);
        }

        // Set only what differs from what the table has (its own default, or its DataSet's), so that
        // a setting the table inherited stays inherited.
        if (table.Locale.Name != locale.Name)
        {
            table.Locale = locale;
        }

        if (table.CaseSensitive != caseSensitive)
        {
            table.CaseSensitive = caseSensitive;
        }

        table.Prefix = prefix;
        if (table.RemotingFormat != remotingFormat)
        {
            table.RemotingFormat = remotingFormat;
        }

        ReadExtendedProperties(ref reader, table.ExtendedProperties);

        var columnCount = ReadCount(ref reader, MinimumColumnBytes, "columns");
        var columns = new PendingColumn[columnCount];
        var storedCount = 0;
        for (var i = 0; i < columnCount; i++)
        {
            columns[i] = ReadColumn(ref reader, table);
            if (columns[i].Expression.Length == 0)
            {
                storedCount++;
            }
        }

        var constraintCount = ReadCount(ref reader, MinimumConstraintBytes, "constraints");
        var constraints = new ConstraintSpec[constraintCount];
        for (var i = 0; i < constraintCount; i++)
        {
            constraints[i] = ReadConstraint(ref reader, columnCount);
        }

        var pending = new PendingTable(table, tableNamespace, displayExpression, columns, constraints);
        ReadRows(ref reader, pending, storedCount);
        table.AcceptChanges();
        return pending;
    }

    private static bool HasTableNamed(DataSet dataSet, string name)
    {
        foreach (DataTable existing in dataSet.Tables)
        {
            if (string.Equals(existing.TableName, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static PendingColumn ReadColumn(ref MessagePackReader reader, DataTable table)
    {
        ExpectArray(ref reader, ColumnFieldCount, "DataColumn");
        var name = ReadRequiredString(ref reader, "column name");
        var type = (DataCellType)ReadCode(ref reader, (int)DataCellType.Boolean, (int)DataCellType.Bytes, "column type");
        var clrType = ClrTypeOf(type);
        var allowDBNull = reader.ReadBoolean();
        var defaultValue = reader.TryReadNil() ? null : ReadCell(ref reader, type);
        var maxLength = reader.ReadInt32();
        var readOnly = reader.ReadBoolean();
        var autoIncrement = reader.ReadBoolean();
        var seed = reader.ReadInt64();
        var step = reader.ReadInt64();
        long? current = reader.TryReadNil() ? null : reader.ReadInt64();
        var caption = reader.ReadString();
        var expression = ReadRequiredString(ref reader, "column expression");
        var mapping = (MappingType)ReadCode(ref reader, (int)MappingType.Element, (int)MappingType.Hidden, "column mapping");
        var columnNamespace = ReadRequiredString(ref reader, "column namespace");
        var prefix = ReadRequiredString(ref reader, "column prefix");
        var dateTimeMode = (DataSetDateTime)ReadCode(ref reader, (int)DataSetDateTime.Local, (int)DataSetDateTime.Utc, "DateTimeMode");

        var column = new DataColumn(name, clrType);
        if (dateTimeMode != column.DateTimeMode)
        {
            column.DateTimeMode = dateTimeMode;
        }

        // MaxLength before the mapping: a SimpleContent column refuses a new MaxLength but keeps one.
        if (maxLength != column.MaxLength)
        {
            column.MaxLength = maxLength;
        }

        column.ColumnMapping = mapping;

        if (caption is not null)
        {
            column.Caption = caption;
        }

        column.Prefix = prefix;

        // Step before seed: with the seed still at its default, the step leaves the next value alone.
        column.AutoIncrementStep = step;
        column.AutoIncrementSeed = seed;
        if (autoIncrement)
        {
            column.AutoIncrement = true;
        }

        if (defaultValue is not null)
        {
            column.DefaultValue = defaultValue;
        }

        // A computed column holds DBNull until its expression is set, after the rows: it must allow it until then.
        if (expression.Length == 0)
        {
            column.AllowDBNull = allowDBNull;
        }

        ReadExtendedProperties(ref reader, column.ExtendedProperties);
        table.Columns.Add(column);
        if (column.DataType != clrType)
        {
            // DataColumn turns a non-integer auto-increment column into an int one: no writer stores that.
            throw new MessagePackSerializationException($"The stored column '{name}' cannot be an auto-increment {clrType.Name} column.");
        }

        return new PendingColumn(column, allowDBNull, readOnly, expression, columnNamespace, current);
    }

    private static ConstraintSpec ReadConstraint(ref MessagePackReader reader, int columnCount)
    {
        var length = reader.ReadArrayHeader();
        var kind = reader.ReadByte();
        if (!(kind == UniqueKind && length == UniqueFieldCount) && !(kind == ForeignKeyKind && length == ForeignKeyFieldCount))
        {
            throw new MessagePackSerializationException($"The stored constraint has kind {kind} and {length} fields, which this format never writes.");
        }

        var spec = new ConstraintSpec(kind == ForeignKeyKind, ReadRequiredString(ref reader, "constraint name"));
        ReadExtendedProperties(ref reader, spec.ExtendedProperties);
        if (!spec.IsForeignKey)
        {
            spec.IsPrimaryKey = reader.ReadBoolean();
            spec.Columns = ReadOrdinals(ref reader, columnCount);
            return spec;
        }

        spec.Columns = ReadOrdinals(ref reader, columnCount);
        spec.ParentTable = reader.ReadInt32();

        // The parent's columns are checked once its table is known.
        spec.ParentColumns = ReadOrdinals(ref reader, int.MaxValue);
        spec.UpdateRule = (Rule)ReadCode(ref reader, (int)Rule.None, (int)Rule.SetDefault, "update rule");
        spec.DeleteRule = (Rule)ReadCode(ref reader, (int)Rule.None, (int)Rule.SetDefault, "delete rule");
        spec.AcceptRejectRule = (AcceptRejectRule)ReadCode(ref reader, (int)AcceptRejectRule.None, (int)AcceptRejectRule.Cascade, "accept/reject rule");
        return spec;
    }

    private static void ReadRows(ref MessagePackReader reader, PendingTable pending, int storedCount)
    {
        var table = pending.Table;
        var columns = pending.Columns;
        var types = new DataCellType[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            types[i] = CellTypeOf(columns[i].Column.DataType)!.Value;
        }

        var count = ReadCount(ref reader, storedCount + 2, "rows");

        // Room for every row at once instead of growing the record storage as rows arrive (about twice
        // as fast); the capacity is not part of the table, so it goes back to what a new table has.
        var capacity = table.MinimumCapacity;
        if (count > capacity)
        {
            table.MinimumCapacity = count;
        }

        // Rows.Add copies the values, so one array serves every row; a null leaves a computed column alone.
        var values = new object?[columns.Length];
        for (var r = 0; r < count; r++)
        {
            if (reader.ReadArrayHeader() != storedCount + 1)
            {
                throw new MessagePackSerializationException($"Stored row {r} does not have one cell for each of the {storedCount} stored columns.");
            }

            var errors = reader.TryReadNil() ? null : ReadRowErrors(ref reader, columns.Length);
            for (var i = 0; i < columns.Length; i++)
            {
                if (columns[i].Expression.Length != 0)
                {
                    values[i] = null;
                }
                else
                {
                    values[i] = reader.TryReadNil() ? DBNull.Value : ReadCell(ref reader, types[i]);
                }
            }

            var row = table.Rows.Add(values);
            if (errors is not null)
            {
                (pending.Errors ??= new List<(DataRow, RowErrors)>()).Add((row, errors));
            }
        }

        table.MinimumCapacity = capacity;
    }

    private static RowErrors ReadRowErrors(ref MessagePackReader reader, int columnCount)
    {
        var length = reader.ReadArrayHeader();
        if (length % 2 != 1)
        {
            throw new MessagePackSerializationException("Stored row errors must be the row error followed by column and message pairs.");
        }

        var errors = new RowErrors(ReadRequiredString(ref reader, "row error"), new (int, string)[length / 2]);
        for (var i = 0; i < errors.Columns.Length; i++)
        {
            var ordinal = reader.ReadInt32();
            if ((uint)ordinal >= (uint)columnCount)
            {
                throw new MessagePackSerializationException($"A stored column error names column {ordinal}, which the table does not have.");
            }

            errors.Columns[i] = (ordinal, ReadRequiredString(ref reader, "column error"));
        }

        return errors;
    }

    private static object ReadCell(ref MessagePackReader reader, DataCellType type)
    {
        switch (type)
        {
            case DataCellType.Boolean:
                return reader.ReadBoolean() ? BoxedTrue : BoxedFalse;
            case DataCellType.Byte:
                return reader.ReadByte();
            case DataCellType.SByte:
                return reader.ReadSByte();
            case DataCellType.Int16:
                return reader.ReadInt16();
            case DataCellType.UInt16:
                return reader.ReadUInt16();
            case DataCellType.Int32:
                return reader.ReadInt32();
            case DataCellType.UInt32:
                return reader.ReadUInt32();
            case DataCellType.Int64:
                return reader.ReadInt64();
            case DataCellType.UInt64:
                return reader.ReadUInt64();
            case DataCellType.Single:
                return reader.ReadSingle();
            case DataCellType.Double:
                return reader.ReadDouble();
            case DataCellType.Decimal:
                return ExactEncodings.ReadDecimal(ref reader);
            case DataCellType.String:
                return ReadRequiredString(ref reader, "string cell");
            case DataCellType.Char:
                return reader.ReadChar();
            case DataCellType.DateTime:
                return ExactEncodings.ReadDateTime(ref reader);
            case DataCellType.DateTimeOffset:
                return ExactEncodings.ReadDateTimeOffset(ref reader);
            case DataCellType.TimeSpan:
                return new TimeSpan(reader.ReadInt64());
            case DataCellType.Guid:
                return new Guid(ReadFixedBytes(ref reader, 16, "Guid").ToArray());
            case DataCellType.Bytes:
                return (reader.ReadBytes() ?? throw new MessagePackSerializationException("A stored byte[] cell is nil where DBNull was not written.")).ToArray();
            default:
                throw new MessagePackSerializationException($"Unknown stored cell type {(int)type}.");
        }
    }

    private static ReadOnlySequence<byte> ReadFixedBytes(ref MessagePackReader reader, int length, string what)
    {
        var bytes = reader.ReadBytes();
        if (bytes is not { } value || value.Length != length)
        {
            throw new MessagePackSerializationException($"A stored {what} is not {length} bytes.");
        }

        return value;
    }

    /// <summary>Ordinals below <paramref name="columnCount"/>; pass int.MaxValue when the table is not known yet (<see cref="ColumnsAt"/> checks them then).</summary>
    internal static int[] ReadOrdinals(ref MessagePackReader reader, int columnCount)
    {
        var count = ReadCount(ref reader, 1, "column ordinals");
        var ordinals = new int[count];
        for (var i = 0; i < count; i++)
        {
            ordinals[i] = reader.ReadInt32();
            if (ordinals[i] < 0 || ordinals[i] >= columnCount)
            {
                throw new MessagePackSerializationException($"A stored key names column {ordinals[i]}, which its table does not have.");
            }
        }

        return ordinals;
    }

    internal static DataColumn[] ColumnsAt(DataTable table, int[] ordinals)
    {
        var columns = new DataColumn[ordinals.Length];
        for (var i = 0; i < ordinals.Length; i++)
        {
            if (ordinals[i] >= table.Columns.Count)
            {
                throw new MessagePackSerializationException($"A stored key names column {ordinals[i]} of DataTable '{table.TableName}', which has {table.Columns.Count}.");
            }

            columns[i] = table.Columns[ordinals[i]];
        }

        return columns;
    }

    internal static DataTable TableAt(IReadOnlyList<PendingTable> tables, int index)
    {
        if (index < 0 || index >= tables.Count)
        {
            throw new MessagePackSerializationException($"The stored value refers to table {index}, which it does not have.");
        }

        return tables[index].Table;
    }

    /// <summary>
    /// Adds each table's constraints in their stored order. A foreign key needs a unique key on its
    /// parent columns or it adds one itself, so it waits for the parent's stored key; one whose key
    /// was removed is added anyway and the key it brings is removed again.
    /// </summary>
    internal static void AddConstraints(IReadOnlyList<PendingTable> tables)
    {
        var remaining = 0;
        foreach (var pending in tables)
        {
            remaining += pending.Constraints.Length;
        }

        while (remaining > 0)
        {
            var progressed = false;
            foreach (var pending in tables)
            {
                while (pending.NextConstraint < pending.Constraints.Length)
                {
                    var spec = pending.Constraints[pending.NextConstraint];
                    if (spec.IsForeignKey && WaitsForParentKey(tables, spec))
                    {
                        break;
                    }

                    AddConstraint(tables, pending, spec);
                    pending.NextConstraint++;
                    remaining--;
                    progressed = true;
                }
            }

            if (!progressed)
            {
                // Only keys removed and added again after their foreign key can wait on each other.
                foreach (var pending in tables)
                {
                    if (pending.NextConstraint < pending.Constraints.Length)
                    {
                        AddConstraint(tables, pending, pending.Constraints[pending.NextConstraint]);
                        pending.NextConstraint++;
                        remaining--;
                        break;
                    }
                }
            }
        }
    }

    private static bool WaitsForParentKey(IReadOnlyList<PendingTable> tables, ConstraintSpec spec)
    {
        var parent = TableAt(tables, spec.ParentTable);
        var parentColumns = ColumnsAt(parent, spec.ParentColumns);
        if (HasUniqueKey(parent, parentColumns))
        {
            return false;
        }

        var pendingParent = tables[spec.ParentTable];
        for (var i = pendingParent.NextConstraint; i < pendingParent.Constraints.Length; i++)
        {
            var other = pendingParent.Constraints[i];
            if (!other.IsForeignKey && SameOrdinals(other.Columns, spec.ParentColumns))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddConstraint(IReadOnlyList<PendingTable> tables, PendingTable pending, ConstraintSpec spec)
    {
        var table = pending.Table;
        if (!spec.IsForeignKey)
        {
            var unique = new UniqueConstraint(spec.Name, ColumnsAt(table, spec.Columns), spec.IsPrimaryKey);
            CopyProperties(spec.ExtendedProperties, unique.ExtendedProperties);
            table.Constraints.Add(unique);
            return;
        }

        var parent = TableAt(tables, spec.ParentTable);
        var parentColumns = ColumnsAt(parent, spec.ParentColumns);
        var foreignKey = new ForeignKeyConstraint(spec.Name, parentColumns, ColumnsAt(table, spec.Columns))
        {
            UpdateRule = spec.UpdateRule,
            DeleteRule = spec.DeleteRule,
            AcceptRejectRule = spec.AcceptRejectRule,
        };
        CopyProperties(spec.ExtendedProperties, foreignKey.ExtendedProperties);
        var hadKey = HasUniqueKey(parent, parentColumns);
        table.Constraints.Add(foreignKey);
        if (!hadKey)
        {
            for (var i = parent.Constraints.Count - 1; i >= 0; i--)
            {
                if (parent.Constraints[i] is UniqueConstraint added && SameColumns(added.Columns, parentColumns))
                {
                    parent.Constraints.Remove(added);
                    break;
                }
            }
        }
    }

    private static bool HasUniqueKey(DataTable table, DataColumn[] columns)
    {
        foreach (Constraint constraint in table.Constraints)
        {
            if (constraint is UniqueConstraint unique && SameColumns(unique.Columns, columns))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The same columns in any order, as DataKey compares them.</summary>
    private static bool SameColumns(DataColumn[] a, DataColumn[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        foreach (var column in a)
        {
            if (Array.IndexOf(b, column) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameOrdinals(int[] a, int[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        foreach (var ordinal in a)
        {
            if (Array.IndexOf(b, ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What had to wait for the constraints and relations: namespaces (inherited from a nested parent
    /// once the relation exists), expressions (which may refer to relations), AllowDBNull (a primary
    /// key resets it), ReadOnly (an expression sets it), the next auto-increment value (adding rows
    /// moves it) and the display expression (which may use computed columns).
    /// </summary>
    internal static void Finish(IReadOnlyList<PendingTable> tables)
    {
        var namespacesDone = new bool[tables.Count];
        for (var i = 0; i < tables.Count; i++)
        {
            RestoreNamespaces(tables, i, namespacesDone);
        }

        foreach (var pending in tables)
        {
            foreach (var column in pending.Columns)
            {
                if (column.Expression.Length != 0)
                {
                    column.Column.Expression = column.Expression;
                }
            }
        }

        foreach (var pending in tables)
        {
            foreach (var stored in pending.Columns)
            {
                var column = stored.Column;
                if (column.AllowDBNull != stored.AllowDBNull)
                {
                    column.AllowDBNull = stored.AllowDBNull;
                }

                if (column.ReadOnly != stored.ReadOnly)
                {
                    column.ReadOnly = stored.ReadOnly;
                }

                if (stored.AutoIncrementCurrent is long current)
                {
                    RestoreAutoIncrementCurrent(column, current);
                }
            }

            if (pending.DisplayExpression.Length != 0)
            {
                pending.Table.DisplayExpression = pending.DisplayExpression;
            }
        }
    }

    /// <summary>Nested parents first, so that a child whose namespace it inherits from one keeps inheriting it.</summary>
    private static void RestoreNamespaces(IReadOnlyList<PendingTable> tables, int index, bool[] done)
    {
        if (done[index])
        {
            return;
        }

        done[index] = true;
        var pending = tables[index];
        var table = pending.Table;
        if (table.DataSet is DataSet dataSet)
        {
            foreach (DataRelation relation in table.ParentRelations)
            {
                if (relation.Nested && relation.ParentTable != table)
                {
                    RestoreNamespaces(tables, dataSet.Tables.IndexOf(relation.ParentTable), done);
                }
            }
        }

        if (table.Namespace != pending.Namespace)
        {
            table.Namespace = pending.Namespace;
        }

        foreach (var column in pending.Columns)
        {
            if (column.Column.Namespace != column.Namespace)
            {
                column.Column.Namespace = column.Namespace;
            }
        }
    }

    private static void RestoreAutoIncrementCurrent(DataColumn column, long current)
    {
        if (AutoIncrementCurrent is null || AutoIncrementCurrent.GetValue(column) is not long now || now == current)
        {
            return;
        }

        var seed = column.AutoIncrementSeed;
        if (current != seed)
        {
            AutoIncrementCurrent.SetValue(column, current);
            return;
        }

        // The setter ignores the seed's own value; moving the seed away and back resets the next value to it.
        var other = seed == long.MaxValue ? seed - 1 : seed + 1;
        AutoIncrementCurrent.SetValue(column, other);
        column.AutoIncrementSeed = other;
        column.AutoIncrementSeed = seed;
    }

    /// <summary>Last: accepting changes and checking constraints must not see or clear them.</summary>
    internal static void ApplyRowErrors(IReadOnlyList<PendingTable> tables)
    {
        foreach (var pending in tables)
        {
            if (pending.Errors is null)
            {
                continue;
            }

            foreach (var (row, errors) in pending.Errors)
            {
                row.RowError = errors.RowError;
                foreach (var (ordinal, message) in errors.Columns)
                {
                    row.SetColumnError(ordinal, message);
                }
            }
        }
    }

    /// <summary>Strictly ascending keys (as written), which also rules out a key given twice.</summary>
    internal static void ReadExtendedProperties(ref MessagePackReader reader, PropertyCollection target)
    {
        var count = reader.ReadMapHeader();
        string? previous = null;
        for (var i = 0; i < count; i++)
        {
            var key = ReadRequiredString(ref reader, "extended property key");
            if (previous is not null && string.CompareOrdinal(previous, key) >= 0)
            {
                throw new MessagePackSerializationException("Stored extended properties are not sorted by key.");
            }

            target.Add(key, reader.ReadString());
            previous = key;
        }
    }

    internal static void CopyProperties(PropertyCollection source, PropertyCollection target)
    {
        foreach (DictionaryEntry entry in source)
        {
            target.Add(entry.Key, entry.Value);
        }
    }

    internal static CultureInfo ReadCulture(ref MessagePackReader reader)
    {
        var name = ReadRequiredString(ref reader, "locale");

        // Throws CultureNotFoundException (an ArgumentException) for a name this machine does not know.
        var culture = CultureInfo.GetCultureInfo(name);
        if (culture.Name != name)
        {
            throw new MessagePackSerializationException($"The stored locale '{name}' is known here as '{culture.Name}', a different culture.");
        }

        return culture;
    }

    internal static void ReadVersion(ref MessagePackReader reader, string what)
    {
        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new MessagePackSerializationException($"The stored {what} has format version {version}; this AkCache reads version {FormatVersion}.");
        }
    }

    internal static void ExpectArray(ref MessagePackReader reader, int length, string what)
    {
        var actual = reader.ReadArrayHeader();
        if (actual != length)
        {
            throw new MessagePackSerializationException($"A stored {what} has {actual} fields, not {length}.");
        }
    }

    /// <summary>An array's count, refused when the bytes left cannot hold that many of its smallest element.</summary>
    internal static int ReadCount(ref MessagePackReader reader, int minimumBytesEach, string what)
    {
        var count = reader.ReadArrayHeader();
        var remaining = reader.Sequence.Length - reader.Consumed;
        if ((long)count * minimumBytesEach > remaining)
        {
            throw new MessagePackSerializationException($"The stored value claims {count} {what}, more than its {remaining} remaining bytes can hold.");
        }

        return count;
    }

    internal static int ReadCode(ref MessagePackReader reader, int minimum, int maximum, string what)
    {
        var code = reader.ReadInt32();
        if (code < minimum || code > maximum)
        {
            throw new MessagePackSerializationException($"The stored {what} {code} is not one this format writes.");
        }

        return code;
    }

    internal static string ReadRequiredString(ref MessagePackReader reader, string what) =>
        reader.ReadString() ?? throw new MessagePackSerializationException($"The stored {what} is nil.");

    /// <summary>What System.Data (and the BCL) throw when the stored schema or data cannot be rebuilt.</summary>
    internal static bool IsRejection(Exception e) =>
        e is DataException or ArgumentException or InvalidOperationException or FormatException
            or OverflowException or InvalidCastException or IndexOutOfRangeException or TargetInvocationException;

    internal static MessagePackSerializationException Invalid(string what, Exception inner) =>
        new($"The stored {what} cannot be rebuilt: {inner.Message}", inner);

    internal static DataCellType? CellTypeOf(Type type) =>
        type == typeof(bool) ? DataCellType.Boolean
        : type == typeof(byte) ? DataCellType.Byte
        : type == typeof(sbyte) ? DataCellType.SByte
        : type == typeof(short) ? DataCellType.Int16
        : type == typeof(ushort) ? DataCellType.UInt16
        : type == typeof(int) ? DataCellType.Int32
        : type == typeof(uint) ? DataCellType.UInt32
        : type == typeof(long) ? DataCellType.Int64
        : type == typeof(ulong) ? DataCellType.UInt64
        : type == typeof(float) ? DataCellType.Single
        : type == typeof(double) ? DataCellType.Double
        : type == typeof(decimal) ? DataCellType.Decimal
        : type == typeof(string) ? DataCellType.String
        : type == typeof(char) ? DataCellType.Char
        : type == typeof(DateTime) ? DataCellType.DateTime
        : type == typeof(DateTimeOffset) ? DataCellType.DateTimeOffset
        : type == typeof(TimeSpan) ? DataCellType.TimeSpan
        : type == typeof(Guid) ? DataCellType.Guid
        : type == typeof(byte[]) ? DataCellType.Bytes
        : null;

    private static Type ClrTypeOf(DataCellType type) => type switch
    {
        DataCellType.Boolean => typeof(bool),
        DataCellType.Byte => typeof(byte),
        DataCellType.SByte => typeof(sbyte),
        DataCellType.Int16 => typeof(short),
        DataCellType.UInt16 => typeof(ushort),
        DataCellType.Int32 => typeof(int),
        DataCellType.UInt32 => typeof(uint),
        DataCellType.Int64 => typeof(long),
        DataCellType.UInt64 => typeof(ulong),
        DataCellType.Single => typeof(float),
        DataCellType.Double => typeof(double),
        DataCellType.Decimal => typeof(decimal),
        DataCellType.String => typeof(string),
        DataCellType.Char => typeof(char),
        DataCellType.DateTime => typeof(DateTime),
        DataCellType.DateTimeOffset => typeof(DateTimeOffset),
        DataCellType.TimeSpan => typeof(TimeSpan),
        DataCellType.Guid => typeof(Guid),
        DataCellType.Bytes => typeof(byte[]),
        _ => throw new MessagePackSerializationException($"Unknown stored column type {(int)type}."),
    };

    /// <summary>A table read but not finished: what <see cref="Finish"/> and the constraint pass still need.</summary>
    internal sealed class PendingTable
    {
        public PendingTable(DataTable table, string tableNamespace, string displayExpression, PendingColumn[] columns, ConstraintSpec[] constraints)
        {
            Table = table;
            Namespace = tableNamespace;
            DisplayExpression = displayExpression;
            Columns = columns;
            Constraints = constraints;
        }

        public DataTable Table { get; }

        public string Namespace { get; }

        public string DisplayExpression { get; }

        public PendingColumn[] Columns { get; }

        public ConstraintSpec[] Constraints { get; }

        public int NextConstraint { get; set; }

        public List<(DataRow Row, RowErrors Errors)>? Errors { get; set; }
    }

    internal sealed class PendingColumn
    {
        public PendingColumn(DataColumn column, bool allowDBNull, bool readOnly, string expression, string columnNamespace, long? autoIncrementCurrent)
        {
            Column = column;
            AllowDBNull = allowDBNull;
            ReadOnly = readOnly;
            Expression = expression;
            Namespace = columnNamespace;
            AutoIncrementCurrent = autoIncrementCurrent;
        }

        public DataColumn Column { get; }

        public bool AllowDBNull { get; }

        public bool ReadOnly { get; }

        public string Expression { get; }

        public string Namespace { get; }

        public long? AutoIncrementCurrent { get; }
    }

    internal sealed class ConstraintSpec
    {
        public ConstraintSpec(bool isForeignKey, string name)
        {
            IsForeignKey = isForeignKey;
            Name = name;
        }

        public bool IsForeignKey { get; }

        public string Name { get; }

        public PropertyCollection ExtendedProperties { get; } = new();

        public bool IsPrimaryKey { get; set; }

        public int[] Columns { get; set; } = Array.Empty<int>();

        public int ParentTable { get; set; }

        public int[] ParentColumns { get; set; } = Array.Empty<int>();

        public Rule UpdateRule { get; set; }

        public Rule DeleteRule { get; set; }

        public AcceptRejectRule AcceptRejectRule { get; set; }
    }

    internal sealed class RowErrors
    {
        public RowErrors(string rowError, (int Ordinal, string Message)[] columns)
        {
            RowError = rowError;
            Columns = columns;
        }

        public string RowError { get; }

        public (int Ordinal, string Message)[] Columns { get; }
    }
}
