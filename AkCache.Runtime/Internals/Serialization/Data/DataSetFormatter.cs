using System;
using System.Data;
using MessagePack;
using MessagePack.Formatters;

namespace AkCache.Internals.Serialization.Data;

/// <summary>
/// Stores a <see cref="DataSet"/> so that it comes back equal in what it holds, with the same bytes for
/// equal sets (they are hashed into keys when a DataSet is an argument).
/// </summary>
/// <remarks>
/// <para>
/// Layout: nil for null; else the array [format version (1), name, namespace, prefix, case sensitive,
/// locale name, EnforceConstraints, remoting format, extended properties, tables, relations]. Each
/// table is written as <see cref="DataTableFormatter"/> writes one (its foreign keys number their
/// parent tables by position in the set), in the set's order.
/// </para>
/// <para>
/// A relation is [name, extended properties, parent table index, parent column ordinals, child table
/// index, child column ordinals, nested, created constraints]. DataRelation does not expose whether it
/// was asked to create constraints; what it shows is whether it has a foreign key, so that is what
/// is stored. Relations are added after every table's constraints, so that they take up the stored
/// keys instead of making new ones.
/// </para>
/// <para>
/// Rows come back Unchanged, and a Deleted row is refused, as for a DataTable. The set is rebuilt
/// with EnforceConstraints off (a set stored with it off may hold rows that break its constraints)
/// and turned back on at the end when it was on.
/// </para>
/// </remarks>
internal sealed class DataSetFormatter : IMessagePackFormatter<DataSet?>
{
    public static readonly DataSetFormatter Instance = new();

    private const int FieldCount = 11;
    private const int RelationFieldCount = 8;
    private const int MinimumRelationBytes = 1 + RelationFieldCount;

    private DataSetFormatter()
    {
    }

    /// <exception cref="NotFaithfulException">The set holds something that would not come back equal.</exception>
    public void Serialize(ref MessagePackWriter writer, DataSet? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        if (value.GetType() != typeof(DataSet))
        {
            throw new NotFaithfulException(
                $"DataSet '{value.DataSetName}' is a {TypeDisplay.Short(value.GetType())}, which AkCache would read back as a plain DataSet",
                "Return a plain DataSet (copy a typed set's tables into one), or return another type");
        }

        writer.WriteArrayHeader(FieldCount);
        writer.Write(DataTableFormatter.FormatVersion);
        writer.Write(value.DataSetName);
        writer.Write(value.Namespace);
        writer.Write(value.Prefix);
        writer.Write(value.CaseSensitive);
        writer.Write(value.Locale.Name);
        writer.Write(value.EnforceConstraints);
        writer.Write((int)value.RemotingFormat);
        DataTableFormatter.WriteExtendedProperties(ref writer, value.ExtendedProperties, value);

        var tables = value.Tables;
        writer.WriteArrayHeader(tables.Count);
        for (var i = 0; i < tables.Count; i++)
        {
            DataTableFormatter.WriteTable(ref writer, tables[i], value);
        }

        var relations = value.Relations;
        writer.WriteArrayHeader(relations.Count);
        for (var i = 0; i < relations.Count; i++)
        {
            WriteRelation(ref writer, value, relations[i]);
        }
    }

    /// <exception cref="MessagePackSerializationException">The payload is not a DataSet this format wrote.</exception>
    public DataSet? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        try
        {
            DataTableFormatter.ExpectArray(ref reader, FieldCount, "DataSet");
            DataTableFormatter.ReadVersion(ref reader, "DataSet");
            try
            {
                return Read(ref reader);
            }
            catch (Exception e) when (DataTableFormatter.IsRejection(e))
            {
                throw DataTableFormatter.Invalid("DataSet", e);
            }
        }
        finally
        {
            reader.Depth--;
        }
    }

    private static void WriteRelation(ref MessagePackWriter writer, DataSet dataSet, DataRelation relation)
    {
        if (relation.GetType() != typeof(DataRelation))
        {
            throw new NotFaithfulException(
                $"relation '{relation.RelationName}' of DataSet '{dataSet.DataSetName}' is a {TypeDisplay.Short(relation.GetType())}, which AkCache would read back as a plain DataRelation",
                "Use DataRelation itself, or return another type");
        }

        writer.WriteArrayHeader(RelationFieldCount);
        writer.Write(relation.RelationName);
        DataTableFormatter.WriteExtendedProperties(ref writer, relation.ExtendedProperties, relation);
        writer.Write(dataSet.Tables.IndexOf(relation.ParentTable));
        DataTableFormatter.WriteOrdinals(ref writer, relation.ParentColumns);
        writer.Write(dataSet.Tables.IndexOf(relation.ChildTable));
        DataTableFormatter.WriteOrdinals(ref writer, relation.ChildColumns);
        writer.Write(relation.Nested);
        writer.Write(relation.ChildKeyConstraint is not null);
    }

    private static DataSet Read(ref MessagePackReader reader)
    {
        var name = DataTableFormatter.ReadRequiredString(ref reader, "DataSet name");
        var dataSetNamespace = DataTableFormatter.ReadRequiredString(ref reader, "DataSet namespace");
        var prefix = DataTableFormatter.ReadRequiredString(ref reader, "DataSet prefix");
        var caseSensitive = reader.ReadBoolean();
        var locale = DataTableFormatter.ReadCulture(ref reader);
        var enforceConstraints = reader.ReadBoolean();
        var remotingFormat = (SerializationFormat)DataTableFormatter.ReadCode(ref reader, 0, 1, "remoting format");

        var dataSet = new DataSet(name);

        // Namespace before prefix: clearing the namespace clears the prefix.
        if (dataSet.Namespace != dataSetNamespace)
        {
            dataSet.Namespace = dataSetNamespace;
        }

        dataSet.Prefix = prefix;

        // Set only what differs from a new set's, so that the reading process's default stays a default.
        if (dataSet.Locale.Name != locale.Name)
        {
            dataSet.Locale = locale;
        }

        if (dataSet.CaseSensitive != caseSensitive)
        {
            dataSet.CaseSensitive = caseSensitive;
        }

        if (dataSet.RemotingFormat != remotingFormat)
        {
            dataSet.RemotingFormat = remotingFormat;
        }

        DataTableFormatter.ReadExtendedProperties(ref reader, dataSet.ExtendedProperties);
        dataSet.EnforceConstraints = false;

        var tableCount = DataTableFormatter.ReadCount(ref reader, DataTableFormatter.MinimumTableBytes, "tables");
        var tables = new DataTableFormatter.PendingTable[tableCount];
        for (var i = 0; i < tableCount; i++)
        {
            tables[i] = DataTableFormatter.ReadTable(ref reader, dataSet);
        }

        var relationCount = DataTableFormatter.ReadCount(ref reader, MinimumRelationBytes, "relations");
        var relations = new RelationSpec[relationCount];
        for (var i = 0; i < relationCount; i++)
        {
            relations[i] = ReadRelation(ref reader);
        }

        DataTableFormatter.AddConstraints(tables);
        foreach (var spec in relations)
        {
            var parent = DataTableFormatter.TableAt(tables, spec.ParentTable);
            var child = DataTableFormatter.TableAt(tables, spec.ChildTable);
            var relation = new DataRelation(
                spec.Name,
                DataTableFormatter.ColumnsAt(parent, spec.ParentColumns),
                DataTableFormatter.ColumnsAt(child, spec.ChildColumns),
                spec.CreatedConstraints);
            DataTableFormatter.CopyProperties(spec.ExtendedProperties, relation.ExtendedProperties);

            dataSet.Relations.Add(relation);
            if (spec.Nested)
            {
                relation.Nested = true;
            }
        }

        DataTableFormatter.Finish(tables);
        if (enforceConstraints)
        {
            dataSet.EnforceConstraints = true;
        }

        DataTableFormatter.ApplyRowErrors(tables);
        return dataSet;
    }

    private static RelationSpec ReadRelation(ref MessagePackReader reader)
    {
        DataTableFormatter.ExpectArray(ref reader, RelationFieldCount, "DataRelation");
        var spec = new RelationSpec(DataTableFormatter.ReadRequiredString(ref reader, "relation name"));
        DataTableFormatter.ReadExtendedProperties(ref reader, spec.ExtendedProperties);
        spec.ParentTable = reader.ReadInt32();
        spec.ParentColumns = DataTableFormatter.ReadOrdinals(ref reader, int.MaxValue);
        spec.ChildTable = reader.ReadInt32();
        spec.ChildColumns = DataTableFormatter.ReadOrdinals(ref reader, int.MaxValue);
        spec.Nested = reader.ReadBoolean();
        spec.CreatedConstraints = reader.ReadBoolean();
        return spec;
    }

    private sealed class RelationSpec
    {
        public RelationSpec(string name)
        {
            Name = name;
        }

        public string Name { get; }

        public PropertyCollection ExtendedProperties { get; } = new();

        public int ParentTable { get; set; }

        public int[] ParentColumns { get; set; } = Array.Empty<int>();

        public int ChildTable { get; set; }

        public int[] ChildColumns { get; set; } = Array.Empty<int>();

        public bool Nested { get; set; }

        public bool CreatedConstraints { get; set; }
    }
}
