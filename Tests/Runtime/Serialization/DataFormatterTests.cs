using System;
using System.Collections;
using System.Collections.Generic;
using System.Data;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using AkCache.Internals.Serialization;
using AkCache.Internals.Serialization.Data;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Xunit;

namespace AkCache.Tests.Runtime.Serialization;

/// <summary>
/// DataTable and DataSet through their formatters: written with one options object and read with a
/// fresh one (as another process would), compared property by property by <see cref="DataAssert"/>.
/// </summary>
public sealed class DataFormatterTests
{
    private static readonly MessagePackSerializerOptions Options = NewOptions();

    private static MessagePackSerializerOptions NewOptions() => MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create(
            new IMessagePackFormatter[] { DataTableFormatter.Instance, DataSetFormatter.Instance },
            new IFormatterResolver[] { StandardResolver.Instance }))
        .WithSecurity(MessagePackSecurity.UntrustedData);

    private static DataTable RoundTrip(DataTable table)
    {
        var bytes = MessagePackSerializer.Serialize(table, Options);
        var copy = MessagePackSerializer.Deserialize<DataTable>(bytes, NewOptions());
        Assert.NotNull(copy);
        return copy!;
    }

    private static DataSet RoundTrip(DataSet dataSet)
    {
        var bytes = MessagePackSerializer.Serialize(dataSet, Options);
        var copy = MessagePackSerializer.Deserialize<DataSet>(bytes, NewOptions());
        Assert.NotNull(copy);
        return copy!;
    }

    // ---- What comes back ----

    [Fact]
    public void A_quotes_table_with_every_column_type_and_DBNull_cells_comes_back_equal()
    {
        var quotes = QuotesTable();

        var copy = RoundTrip(quotes);

        DataAssert.Equal(quotes, copy);
        Assert.Equal(typeof(decimal), copy.Columns["Decimal"]!.DataType);
        Assert.Same(DBNull.Value, copy.Rows[1]["Guid"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, (byte[])copy.Rows[0]["Bytes"]);
    }

    [Fact]
    public void A_decimal_keeps_its_scale()
    {
        var table = NewTable("Prices");
        table.Columns.Add("Price", typeof(decimal));
        var values = new[] { 1.0m, 1.00m, 1m, 0.000m, new decimal(0, 0, 0, true, 3), decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m, -12.3400m };
        foreach (var value in values)
        {
            table.Rows.Add(value);
        }

        table.AcceptChanges();

        var copy = RoundTrip(table);

        DataAssert.Equal(table, copy);
        Assert.Equal("1.00", ((decimal)copy.Rows[1][0]).ToString(CultureInfo.InvariantCulture));
        Assert.Equal("-12.3400", ((decimal)copy.Rows[8][0]).ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(DataSetDateTime.Local)]
    [InlineData(DataSetDateTime.Unspecified)]
    [InlineData(DataSetDateTime.UnspecifiedLocal)]
    [InlineData(DataSetDateTime.Utc)]
    public void A_DateTime_keeps_its_ticks_and_kind_in_each_DateTimeMode(DataSetDateTime mode)
    {
        var table = NewTable("Times");
        var column = table.Columns.Add("At", typeof(DateTime));
        column.DateTimeMode = mode;
        column.DefaultValue = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        table.Columns.Add("Offset", typeof(DateTimeOffset));
        table.Rows.Add(new DateTime(2024, 3, 31, 1, 30, 0, DateTimeKind.Local).AddTicks(1234567), new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(5.75)));
        table.Rows.Add(new DateTime(2024, 10, 27, 2, 30, 0, DateTimeKind.Utc).AddTicks(7), new DateTimeOffset(DateTime.MinValue.Ticks, TimeSpan.Zero));
        table.Rows.Add(new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Unspecified).AddTicks(9999999), new DateTimeOffset(DateTime.MaxValue.Ticks, TimeSpan.Zero));
        table.Rows.Add(DateTime.MinValue, new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(-14)));
        table.Rows.Add(DateTime.MaxValue, DBNull.Value);
        table.Rows.Add(DBNull.Value, new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(14)));
        table.AcceptChanges();

        var copy = RoundTrip(table);

        DataAssert.Equal(table, copy);
        Assert.Equal(mode, copy.Columns["At"]!.DateTimeMode);
        var expectedKind = mode switch
        {
            DataSetDateTime.Local => DateTimeKind.Local,
            DataSetDateTime.Utc => DateTimeKind.Utc,
            _ => DateTimeKind.Unspecified,
        };
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(expectedKind, ((DateTime)copy.Rows[i]["At"]).Kind);
        }

        // The default value is kept as it was set; DataTable converts it only when it fills a row.
        Assert.Equal(DateTimeKind.Utc, ((DateTime)copy.Columns["At"]!.DefaultValue).Kind);
    }

    [Fact]
    public void A_primary_key_a_unique_column_and_auto_increment_come_back_and_are_enforced()
    {
        var table = NewTable("Orders");
        var id = table.Columns.Add("Id", typeof(long));
        id.AutoIncrement = true;
        id.AutoIncrementStep = 10;
        id.AutoIncrementSeed = 100;
        var region = table.Columns.Add("Region", typeof(string));
        var number = table.Columns.Add("Number", typeof(int));
        var reference = table.Columns.Add("Reference", typeof(string));
        table.PrimaryKey = new[] { region, number };

        // Setting the key made both columns non-null; one is allowed DBNull again.
        number.AllowDBNull = true;
        reference.Unique = true;
        table.Rows.Add(null, "EU", 1, "A-1");
        table.Rows.Add(null, "EU", 2, "A-2");
        table.Rows.Add(null, "US", 1, DBNull.Value);
        table.Rows.Add(null, "US", 2, "B-2");
        table.Rows[3].Delete();
        table.AcceptChanges();

        var copy = RoundTrip(table);

        DataAssert.Equal(table, copy);
        Assert.Equal(new[] { "Region", "Number" }, copy.PrimaryKey.Select(c => c.ColumnName));
        Assert.True(copy.Columns["Reference"]!.Unique);
        Assert.False(copy.Columns["Region"]!.AllowDBNull);
        Assert.True(copy.Columns["Number"]!.AllowDBNull);
        Assert.Equal("A-2", copy.Rows.Find(new object[] { "EU", 2 })!["Reference"]);

        // The removed row's id is not handed out again: the next value was stored, not recomputed.
        Assert.Equal(140L, copy.Rows.Add(null, "EU", 3, "A-3")["Id"]);
        Assert.Throws<ConstraintException>(() => copy.Rows.Add(null, "EU", 1, "A-9"));
        Assert.Throws<ConstraintException>(() => copy.Rows.Add(null, "EU", 9, "A-1"));
    }

    [Fact]
    public void A_computed_column_keeps_its_expression_not_its_values_and_still_computes()
    {
        static DataTable Build(int rows, bool computed)
        {
            var table = NewTable("Lines");
            table.Columns.Add("Price", typeof(decimal));
            table.Columns.Add("Quantity", typeof(int));
            if (computed)
            {
                table.Columns.Add("Total", typeof(decimal), "Price * Quantity").AllowDBNull = false;
                table.Columns.Add("Size", typeof(string), "IIF(Total > 100, 'big', 'small')");
            }

            for (var i = 0; i < rows; i++)
            {
                table.Rows.Add(10.5m + i, i);
            }

            table.AcceptChanges();
            return table;
        }

        var table = Build(20, computed: true);
        table.DisplayExpression = "Size + ' ' + Quantity";

        var copy = RoundTrip(table);

        DataAssert.Equal(table, copy);
        Assert.Equal("Price * Quantity", copy.Columns["Total"]!.Expression);
        Assert.True(copy.Columns["Total"]!.ReadOnly);
        Assert.False(copy.Columns["Total"]!.AllowDBNull);
        Assert.Equal(40.50m, copy.Rows[3]["Total"]);
        copy.Rows[3]["Price"] = 100m;
        Assert.Equal(300m, copy.Rows[3]["Total"]);
        Assert.Equal("big", copy.Rows[3]["Size"]);

        // The computed columns cost their definitions, whatever the number of rows.
        var withComputed = MessagePackSerializer.Serialize(Build(200, true), Options).Length - MessagePackSerializer.Serialize(Build(200, false), Options).Length;
        var withComputedFew = MessagePackSerializer.Serialize(Build(2, true), Options).Length - MessagePackSerializer.Serialize(Build(2, false), Options).Length;
        Assert.Equal(withComputedFew, withComputed);
    }

    [Fact]
    public void A_DataSet_with_unique_and_foreign_keys_and_a_nested_relation_comes_back_equal_and_enforced()
    {
        var market = MarketDataSet();

        var copy = RoundTrip(market);

        DataAssert.Equal(market, copy);
        var issuers = copy.Tables["Issuers"]!;
        var bonds = copy.Tables["Bonds"]!;
        var relation = copy.Relations["IssuerBonds"]!;
        Assert.True(relation.Nested);
        Assert.NotNull(relation.ChildKeyConstraint);
        Assert.Equal(Rule.Cascade, relation.ChildKeyConstraint!.DeleteRule);
        Assert.Null(copy.Relations["BondsByCurrency"]!.ChildKeyConstraint);
        Assert.Equal("Acme", bonds.Rows[0]["IssuerName"]);
        Assert.Equal(2, issuers.Rows[0]["BondCount"]);

        Assert.Throws<InvalidConstraintException>(() => bonds.Rows.Add(99, 42, 1.5m, "EUR", DBNull.Value));
        Assert.Throws<ConstraintException>(() => issuers.Rows.Add(3, "acme"));
        issuers.Rows[0].Delete();
        Assert.Single(bonds.Rows.Cast<DataRow>(), r => r.RowState != DataRowState.Deleted);
    }

    [Fact]
    public void A_DataSet_stored_with_constraints_off_keeps_its_violating_rows()
    {
        var market = MarketDataSet();
        market.EnforceConstraints = false;
        market.Tables["Bonds"]!.Rows.Add(9, 77, 1m, "USD", DBNull.Value);
        market.AcceptChanges();

        var copy = RoundTrip(market);

        DataAssert.Equal(market, copy);
        Assert.False(copy.EnforceConstraints);
        Assert.Throws<ConstraintException>(() => copy.EnforceConstraints = true);
    }

    [Fact]
    public void Settings_a_table_inherits_from_its_DataSet_stay_inherited()
    {
        var dataSet = new DataSet("Inherits") { Locale = CultureInfo.GetCultureInfo("fr-FR"), CaseSensitive = true, Namespace = "urn:set" };
        // The child comes first: it inherits its namespace from a table read after it.
        var child = dataSet.Tables.Add("Child");
        var parent = dataSet.Tables.Add("Parent");
        parent.Namespace = "urn:parent";
        var own = dataSet.Tables.Add("Own");
        own.Locale = CultureInfo.GetCultureInfo("de-DE");
        own.CaseSensitive = false;
        var parentId = parent.Columns.Add("Id", typeof(int));
        var childParent = child.Columns.Add("ParentId", typeof(int));
        dataSet.Relations.Add("ParentChild", parentId, childParent).Nested = true;
        Assert.Equal("urn:parent", child.Namespace);

        var copy = RoundTrip(dataSet);

        DataAssert.Equal(dataSet, copy);
        copy.Locale = CultureInfo.GetCultureInfo("it-IT");
        copy.CaseSensitive = false;
        copy.Tables["Parent"]!.Namespace = "urn:moved";
        Assert.Equal("it-IT", copy.Tables["Child"]!.Locale.Name);
        Assert.False(copy.Tables["Child"]!.CaseSensitive);
        Assert.Equal("urn:moved", copy.Tables["Child"]!.Namespace);
        Assert.Equal("urn:moved", copy.Tables["Child"]!.Columns[0].Namespace);
        Assert.Equal("de-DE", copy.Tables["Own"]!.Locale.Name);
    }

    [Fact]
    public void Column_settings_and_extended_properties_come_back()
    {
        var table = NewTable("Settings");
        table.Namespace = "urn:settings";
        table.Prefix = "s";
        table.ExtendedProperties["Source"] = "unit test";
        table.ExtendedProperties["Empty"] = null;
        var name = table.Columns.Add("Name", typeof(string));
        name.MaxLength = 12;
        name.Caption = "The name";
        name.DefaultValue = "none";
        name.AllowDBNull = false;
        name.ExtendedProperties["Hint"] = "short";
        var code = table.Columns.Add("Code", typeof(char));
        code.ColumnMapping = MappingType.Attribute;
        code.Namespace = "urn:code";
        code.Prefix = "c";
        code.DefaultValue = 'x';
        code.ReadOnly = true;
        var hidden = table.Columns.Add("Hidden", typeof(Guid));
        hidden.ColumnMapping = MappingType.Hidden;
        hidden.DefaultValue = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e");
        var payload = table.Columns.Add("Payload", typeof(byte[]));
        payload.DefaultValue = new byte[] { 9, 8 };
        var span = table.Columns.Add("Span", typeof(TimeSpan));
        span.DefaultValue = TimeSpan.FromMinutes(90);
        var money = table.Columns.Add("Money", typeof(decimal));
        money.DefaultValue = 1.50m;
        table.Rows.Add("first");
        table.Rows.Add("second", 'y', Guid.Empty, Array.Empty<byte>(), TimeSpan.MinValue, -0.01m);
        table.AcceptChanges();

        var copy = RoundTrip(table);

        DataAssert.Equal(table, copy);
        Assert.Throws<ReadOnlyException>(() => copy.Rows[0]["Code"] = 'z');
        Assert.Throws<ArgumentException>(() => copy.Rows[0]["Name"] = new string('n', 13));
        var added = copy.Rows.Add();
        Assert.Equal("none", added["Name"]);
        Assert.Equal(1.50m, added["Money"]);

        var content = NewTable("Content");
        content.Columns.Add("Id", typeof(int)).ColumnMapping = MappingType.Attribute;
        content.Columns.Add("Text", typeof(string)).ColumnMapping = MappingType.SimpleContent;
        content.Rows.Add(1, "one");
        content.AcceptChanges();
        DataAssert.Equal(content, RoundTrip(content));
    }

    [Fact]
    public void Added_and_modified_rows_come_back_unchanged_with_their_current_values_and_errors()
    {
        var table = NewTable("States");
        table.Columns.Add("Key", typeof(string));
        table.Columns.Add("Value", typeof(int));
        table.Rows.Add("kept", 1);
        table.Rows.Add("modified", 2);
        table.AcceptChanges();
        table.Rows[1]["Value"] = 20;
        table.Rows.Add("added", 3);
        table.Rows[0].RowError = "row is suspicious";
        table.Rows[2].SetColumnError(1, "too small");
        table.Rows[2].SetColumnError(0, "odd key");
        Assert.Equal(DataRowState.Modified, table.Rows[1].RowState);
        Assert.Equal(DataRowState.Added, table.Rows[2].RowState);

        var copy = RoundTrip(table);

        Assert.All(copy.Rows.Cast<DataRow>(), row => Assert.Equal(DataRowState.Unchanged, row.RowState));
        Assert.Equal(20, copy.Rows[1]["Value", DataRowVersion.Original]);
        Assert.Equal(20, copy.Rows[1]["Value"]);
        Assert.Equal(3, copy.Rows[2]["Value"]);
        table.AcceptChanges();
        DataAssert.Equal(table, copy);
        Assert.Equal("row is suspicious", copy.Rows[0].RowError);
        Assert.Equal(new[] { "Value", "Key" }, copy.Rows[2].GetColumnsInError().Select(c => c.ColumnName));
        Assert.True(copy.HasErrors);
    }

    [Fact]
    public void A_self_referencing_foreign_key_and_one_whose_parent_key_was_removed_come_back()
    {
        var table = NewTable("Tree");
        var id = table.Columns.Add("Id", typeof(int));
        var parent = table.Columns.Add("ParentId", typeof(int));
        var other = table.Columns.Add("OtherId", typeof(int));
        table.Constraints.Add(new ForeignKeyConstraint("TreeParent", id, parent) { DeleteRule = Rule.SetNull, UpdateRule = Rule.None, AcceptRejectRule = AcceptRejectRule.Cascade });
        table.Constraints.Add(new ForeignKeyConstraint("TreeOther", other, parent));
        var addedKey = table.Constraints.Cast<Constraint>().OfType<UniqueConstraint>().Single(u => u.Columns[0] == other);
        table.Constraints.Remove(addedKey);
        table.Rows.Add(1, DBNull.Value, 1);
        table.Rows.Add(2, 1, 2);
        table.AcceptChanges();
        Assert.Equal(new[] { "Constraint1", "TreeParent", "TreeOther" }, table.Constraints.Cast<Constraint>().Select(c => c.ConstraintName));

        var copy = RoundTrip(table);

        DataAssert.Equal(table, copy);

        // Outside a DataSet, DataTable does not check foreign keys; the copy behaves the same.
        table.Rows.Add(3, 42, 3);
        copy.Rows.Add(3, 42, 3);
        table.Rows[0].Delete();
        copy.Rows[0].Delete();
        table.AcceptChanges();
        copy.AcceptChanges();
        DataAssert.Equal(table, copy);
    }

    [Fact]
    public void The_next_auto_increment_value_comes_back_even_when_it_is_the_seed()
    {
        var table = NewTable("Counters");
        var id = table.Columns.Add("Id", typeof(int));
        id.AutoIncrement = true;
        for (var i = 0; i < 5; i++)
        {
            table.Rows.Add();
        }

        // Changing the step moves the next value (5) back by the old step and on by the new one: to 0, the seed.
        id.AutoIncrementStep = -4;
        table.AcceptChanges();
        Assert.Equal(0, table.Clone().Rows.Add()["Id"]);

        var copy = RoundTrip(table);

        DataAssert.Equal(table, copy);
        Assert.Equal(table.Clone().Rows.Add()["Id"], copy.Rows.Add()["Id"]);
    }

    [Fact]
    public void Constraints_come_back_in_order_whatever_the_order_of_the_tables_they_refer_to()
    {
        var dataSet = new DataSet("Order") { Locale = CultureInfo.InvariantCulture };
        var bonds = dataSet.Tables.Add("Bonds");
        var issuers = dataSet.Tables.Add("Issuers");
        var employees = dataSet.Tables.Add("Employees");
        var bondId = bonds.Columns.Add("Id", typeof(int));
        var bondIssuer = bonds.Columns.Add("IssuerId", typeof(int));
        bonds.PrimaryKey = new[] { bondId };
        var issuerId = issuers.Columns.Add("Id", typeof(int));
        var issuerCode = issuers.Columns.Add("Code", typeof(string));

        // The relation's foreign key (in Bonds, the first table) adds the unique key it needs to Issuers.
        dataSet.Relations.Add("IssuerBonds", issuerId, bondIssuer);
        issuerCode.Unique = true;
        var employeeId = employees.Columns.Add("Id", typeof(int));
        var manager = employees.Columns.Add("ManagerId", typeof(int));
        employees.Constraints.Add(new ForeignKeyConstraint("EmployeeManager", employeeId, manager));
        dataSet.Relations.Add(new DataRelation("Reports", employeeId, manager, false));
        issuers.Rows.Add(1, "A");
        bonds.Rows.Add(10, 1);
        employees.Rows.Add(1, DBNull.Value);
        employees.Rows.Add(2, 1);
        dataSet.AcceptChanges();
        Assert.Equal(new[] { "Constraint1", "Constraint2" }, issuers.Constraints.Cast<Constraint>().Select(c => c.ConstraintName));

        var copy = RoundTrip(dataSet);

        DataAssert.Equal(dataSet, copy);
        Assert.Same(copy.Tables["Employees"]!.Constraints["EmployeeManager"], copy.Relations["Reports"]!.ChildKeyConstraint);
        Assert.Throws<InvalidConstraintException>(() => copy.Tables["Bonds"]!.Rows.Add(11, 2));
    }

    [Fact]
    public void Tables_sharing_a_name_in_different_namespaces_come_back()
    {
        // Without a namespace of its own, the set refuses a second 'Quotes' until that one has its namespace.
        var dataSet = new DataSet("Names") { Locale = CultureInfo.InvariantCulture };
        dataSet.Tables.Add(new DataTable("Quotes", "urn:a"));
        dataSet.Tables.Add(new DataTable("Quotes", "urn:b"));
        dataSet.Tables.Add(new DataTable("quotes"));
        dataSet.Tables[0].Columns.Add("A", typeof(int));
        dataSet.Tables[1].Columns.Add("B", typeof(string));

        var copy = RoundTrip(dataSet);

        DataAssert.Equal(dataSet, copy);
        Assert.Equal("urn:b", copy.Tables["Quotes", "urn:b"]!.Namespace);
    }

    [Fact]
    public void An_empty_table_a_table_without_rows_and_an_empty_DataSet_come_back()
    {
        var empty = new DataTable();
        DataAssert.Equal(empty, RoundTrip(empty));

        var rowsOnly = new DataTable("RowsWithoutColumns");
        rowsOnly.Rows.Add();
        rowsOnly.AcceptChanges();
        DataAssert.Equal(rowsOnly, RoundTrip(rowsOnly));

        var schemaOnly = QuotesTable();
        schemaOnly.Rows.Clear();
        schemaOnly.AcceptChanges();
        var copy = RoundTrip(schemaOnly);
        DataAssert.Equal(schemaOnly, copy);
        Assert.Empty(copy.Rows);
        Assert.Equal(schemaOnly.Columns.Count, copy.Columns.Count);

        var dataSet = new DataSet();
        DataAssert.Equal(dataSet, RoundTrip(dataSet));
    }

    [Fact]
    public void Null_is_stored_as_nil()
    {
        var table = MessagePackSerializer.Serialize<DataTable?>(null, Options);
        var dataSet = MessagePackSerializer.Serialize<DataSet?>(null, Options);

        Assert.Equal(new byte[] { MessagePackCode.Nil }, table);
        Assert.Equal(new byte[] { MessagePackCode.Nil }, dataSet);
        Assert.Null(MessagePackSerializer.Deserialize<DataTable?>(table, NewOptions()));
        Assert.Null(MessagePackSerializer.Deserialize<DataSet?>(dataSet, NewOptions()));
    }

    [Fact]
    public void A_thousand_rows_of_eight_columns_come_back_equal()
    {
        var table = NewTable("Ticks");
        table.Columns.Add("Id", typeof(int));
        table.Columns.Add("Sequence", typeof(long));
        table.Columns.Add("Price", typeof(decimal));
        table.Columns.Add("Yield", typeof(double));
        table.Columns.Add("Symbol", typeof(string));
        table.Columns.Add("At", typeof(DateTime));
        table.Columns.Add("Active", typeof(bool));
        table.Columns.Add("Trade", typeof(Guid));
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 1000; i++)
        {
            table.Rows.Add(
                i,
                (long)i * 1_000_003,
                Math.Round(100m + (i / 7m), 4),
                i * 0.001,
                "SYM" + (i % 37),
                start.AddSeconds(i),
                i % 3 == 0,
                i % 10 == 0 ? DBNull.Value : new Guid(i, 0, 0, new byte[8]));
        }

        table.AcceptChanges();

        var copy = RoundTrip(table);

        DataAssert.Equal(table, copy);
        Assert.Equal(1000, copy.Rows.Count);
        Assert.Equal(new DataTable().MinimumCapacity, copy.MinimumCapacity);
    }

    // ---- Deterministic bytes ----

    [Fact]
    public void Equal_tables_give_identical_bytes_and_any_change_changes_them()
    {
        var first = MessagePackSerializer.Serialize(DeterministicTable(), Options);
        var second = MessagePackSerializer.Serialize(DeterministicTable(reverseProperties: true), NewOptions());
        Assert.Equal(first, second);

        var cell = DeterministicTable();
        cell.Rows[1]["Price"] = 2.50m;
        var scale = DeterministicTable();
        scale.Rows[1]["Price"] = 2.500m;
        var order = DeterministicTable();
        var moved = order.Rows[0].ItemArray;
        order.Rows.RemoveAt(0);
        order.Rows.Add(moved);
        var property = DeterministicTable();
        property.ExtendedProperties["b"] = "changed";

        var variants = new Dictionary<string, byte[]>
        {
            ["one cell"] = MessagePackSerializer.Serialize(cell, Options),
            ["a decimal's scale"] = MessagePackSerializer.Serialize(scale, Options),
            ["a DateTimeMode (and so the kind of every DateTime in the column)"] = MessagePackSerializer.Serialize(DeterministicTable(dateTimeMode: DataSetDateTime.Utc), Options),
            ["a column type"] = MessagePackSerializer.Serialize(DeterministicTable(priceType: typeof(double)), Options),
            ["a column name"] = MessagePackSerializer.Serialize(DeterministicTable(symbolName: "Ticker"), Options),
            ["row order"] = MessagePackSerializer.Serialize(order, Options),
            ["an extended property"] = MessagePackSerializer.Serialize(property, Options),
        };
        foreach (var (change, bytes) in variants)
        {
            Assert.False(bytes.AsSpan().SequenceEqual(first), $"Changing {change} left the bytes unchanged.");
        }

        var set = new DataSet("Set") { Locale = CultureInfo.InvariantCulture };
        set.Tables.Add(DeterministicTable());
        var otherSet = new DataSet("Set") { Locale = CultureInfo.InvariantCulture };
        otherSet.Tables.Add(DeterministicTable(reverseProperties: true));
        Assert.Equal(MessagePackSerializer.Serialize(set, Options), MessagePackSerializer.Serialize(otherSet, NewOptions()));
    }

    /// <summary>
    /// The bytes of version 1, written out: they depend on nothing in the process (the locale is set),
    /// and a change here means entries and keys written by earlier builds no longer match.
    /// </summary>
    [Fact]
    public void The_bytes_of_a_small_table_are_those_of_format_version_1()
    {
        var table = new DataTable("T") { Locale = CultureInfo.InvariantCulture };
        table.Columns.Add("N", typeof(int));
        table.Columns.Add("At", typeof(DateTime)).DateTimeMode = DataSetDateTime.Utc;
        table.Rows.Add(5, new DateTime(1, 1, 1, 0, 0, 1, DateTimeKind.Utc));
        table.Rows.Add(DBNull.Value, DBNull.Value);
        table.AcceptChanges();

        var hex = Convert.ToHexString(MessagePackSerializer.Serialize(table, Options));

        Assert.Equal(
            "92" + "01" // format version 1, then the table
            + "9B" + "A154" + "A0" + "A0" + "C2" + "A0" + "A0" + "00" + "80" // name T, namespace, prefix, not case sensitive, invariant, no display expression, Xml, no properties
            + "92" // two columns
            + "DC0011" + "A14E" + "06" + "C3" + "C0" + "FF" + "C2" + "C2" + "00" + "01" + "00" + "C0" + "A0" + "01" + "A0" + "A0" + "03" + "80"
            + "DC0011" + "A2417" + "4" + "0F" + "C3" + "C0" + "FF" + "C2" + "C2" + "00" + "01" + "00" + "C0" + "A0" + "01" + "A0" + "A0" + "04" + "80"
            + "90" // no constraints
            + "92" + "93" + "C0" + "05" + "CF4000000000989680" + "93" + "C0" + "C0" + "C0",
            hex);
    }

    // ---- Refusals ----

    [Fact]
    public void An_object_column_is_refused_naming_the_column_and_the_table()
    {
        var table = NewTable("Quotes");
        table.Columns.Add("Symbol", typeof(string));
        table.Columns.Add("Payload", typeof(object));

        var refusal = Refusal(() => MessagePackSerializer.Serialize(table, Options));

        Assert.Contains("column 'Payload' of DataTable 'Quotes' has type System.Object", refusal.Message);
        Assert.Contains("docs/values.md", refusal.Fix);
    }

    [Fact]
    public void A_user_type_column_is_refused_in_a_table_and_in_a_DataSet()
    {
        var table = NewTable("Quotes");
        table.Columns.Add("Price", typeof(Money));
        var dataSet = new DataSet("Market");
        var inSet = dataSet.Tables.Add("Quotes");
        inSet.Columns.Add("Price", typeof(Money));

        var alone = Refusal(() => MessagePackSerializer.Serialize(table, Options));
        var fromSet = Refusal(() => MessagePackSerializer.Serialize(dataSet, Options));

        Assert.Contains($"column 'Price' of DataTable 'Quotes' has type {typeof(Money).FullName}", alone.Message);
        Assert.Contains($"column 'Price' of DataTable 'Quotes' has type {typeof(Money).FullName}", fromSet.Message);
    }

    [Fact]
    public void What_would_not_come_back_equal_is_refused()
    {
        var deleted = NewTable("Deleted");
        deleted.Columns.Add("A", typeof(int));
        deleted.Rows.Add(1);
        deleted.AcceptChanges();
        deleted.Rows[0].Delete();
        Assert.Contains("row 0 of DataTable 'Deleted' is deleted", Refusal(() => MessagePackSerializer.Serialize(deleted, Options)).Message);

        var editing = NewTable("Editing");
        editing.Columns.Add("A", typeof(int));
        editing.Rows.Add(1);
        editing.Rows[0].BeginEdit();
        editing.Rows[0]["A"] = 2;
        Assert.Contains("row 0 of DataTable 'Editing' is being edited", Refusal(() => MessagePackSerializer.Serialize(editing, Options)).Message);

        var property = NewTable("Property");
        property.ExtendedProperties["Count"] = 3;
        Assert.Contains("extended property 'Count' of DataTable 'Property' holds a System.Int32", Refusal(() => MessagePackSerializer.Serialize(property, Options)).Message);

        var columnProperty = NewTable("ColumnProperty");
        columnProperty.Columns.Add("A", typeof(int)).ExtendedProperties[1] = "one";
        Assert.Contains("column 'A' of DataTable 'ColumnProperty' has a key of type System.Int32", Refusal(() => MessagePackSerializer.Serialize(columnProperty, Options)).Message);

        var dataSet = new DataSet("Market");
        dataSet.Tables.Add("Member");
        Assert.Contains("DataTable 'Member' belongs to DataSet 'Market'", Refusal(() => MessagePackSerializer.Serialize(dataSet.Tables[0], Options)).Message);

        var parent = NewTable("Parent");
        var child = NewTable("Child");
        child.Constraints.Add(new ForeignKeyConstraint("ChildParent", parent.Columns.Add("Id", typeof(int)), child.Columns.Add("ParentId", typeof(int))));
        Assert.Contains("foreign key 'ChildParent' of DataTable 'Child' refers to DataTable 'Parent'", Refusal(() => MessagePackSerializer.Serialize(child, Options)).Message);

        Assert.Contains("is a TypedTable", Refusal(() => MessagePackSerializer.Serialize<DataTable>(new TypedTable(), Options)).Message);
        Assert.Contains("is a TypedSet", Refusal(() => MessagePackSerializer.Serialize<DataSet>(new TypedSet(), Options)).Message);
        var custom = NewTable("Custom");
        custom.Columns.Add(new CustomColumn());
        Assert.Contains("is a CustomColumn", Refusal(() => MessagePackSerializer.Serialize(custom, Options)).Message);
    }

    // ---- Untrusted payloads ----

    [Fact]
    public void A_truncated_payload_is_a_serialization_error_wherever_it_is_cut()
    {
        var table = MessagePackSerializer.Serialize(QuotesTable(), Options);
        for (var length = 0; length < table.Length; length++)
        {
            AssertMalformed<DataTable>(table.AsSpan(0, length).ToArray());
        }

        var dataSet = MessagePackSerializer.Serialize(MarketDataSet(), Options);
        for (var length = 0; length < dataSet.Length; length += 7)
        {
            AssertMalformed<DataSet>(dataSet.AsSpan(0, length).ToArray());
        }
    }

    [Fact]
    public void An_unknown_format_version_is_a_serialization_error()
    {
        var table = MessagePackSerializer.Serialize(QuotesTable(), Options);
        Assert.Equal(FormatVersionByte, table[1]);
        table[1] = 2;
        Assert.Contains("format version 2", AssertMalformed<DataTable>(table).Message);

        var dataSet = MessagePackSerializer.Serialize(MarketDataSet(), Options);
        Assert.Equal(FormatVersionByte, dataSet[1]);
        dataSet[1] = 0x7F;
        Assert.Contains("format version 127", AssertMalformed<DataSet>(dataSet).Message);
    }

    [Fact]
    public void Payloads_with_bad_codes_ordinals_or_counts_are_serialization_errors()
    {
        var table = NewTable("T");
        table.Columns.Add("Col", typeof(int));
        table.PrimaryKey = new[] { table.Columns[0] };
        table.Rows.Add(7);
        table.AcceptChanges();
        var bytes = MessagePackSerializer.Serialize(table, Options);

        // Column "Col" (A3 43 6F 6C) is followed by its type code, 6 for int.
        var typeCode = Replace(bytes, new byte[] { 0xA3, 0x43, 0x6F, 0x6C, 0x06 }, 4, 99);
        Assert.Contains("column type 99", AssertMalformed<DataTable>(typeCode).Message);
        var objectCode = Replace(bytes, new byte[] { 0xA3, 0x43, 0x6F, 0x6C, 0x06 }, 4, 0);
        AssertMalformed<DataTable>(objectCode);

        // The primary key [1, "Constraint1", {}, true, [0]] names column 0; make it column 5.
        var key = Replace(bytes, new byte[] { 0xC3, 0x91, 0x00 }, 2, 5);
        Assert.Contains("column 5", AssertMalformed<DataTable>(key).Message);

        // The one row [nil, 7] given a second cell.
        var row = Replace(bytes, new byte[] { 0x92, 0xC0, 0x07 }, 0, 0x93);
        AssertMalformed<DataTable>(row);

        // A row count far beyond the bytes left.
        var rows = Replace(bytes, new byte[] { 0x91, 0x92, 0xC0, 0x07 }, 0, 0xDC);
        AssertMalformed<DataTable>(rows);

        // Not a table at all.
        AssertMalformed<DataTable>(MessagePackSerializer.Serialize(new object[] { 1, "x" }, Options));
        AssertMalformed<DataSet>(MessagePackSerializer.Serialize(new object[] { 1, 2, 3 }, Options));
        AssertMalformed<DataTable>(MessagePackSerializer.Serialize("table", Options));
    }

    [Fact]
    public void Corrupted_bytes_are_read_back_or_rejected_with_a_serialization_error_never_another_failure()
    {
        var random = new Random(20240601);
        var table = MessagePackSerializer.Serialize(QuotesTable(), Options);
        var dataSet = MessagePackSerializer.Serialize(MarketDataSet(), Options);
        for (var i = 0; i < 3000; i++)
        {
            var source = i % 2 == 0 ? table : dataSet;
            var corrupt = (byte[])source.Clone();
            var flips = 1 + random.Next(3);
            for (var f = 0; f < flips; f++)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            if (source == table)
            {
                ReadOrReject<DataTable>(corrupt);
            }
            else
            {
                ReadOrReject<DataSet>(corrupt);
            }
        }
    }

    private const byte FormatVersionByte = 1;

    private static byte[] Replace(byte[] bytes, byte[] pattern, int offset, byte value)
    {
        var at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, "The pattern to corrupt is not in the payload.");
        Assert.Equal(-1, bytes.AsSpan(at + 1).IndexOf(pattern));
        var copy = (byte[])bytes.Clone();
        copy[at + offset] = value;
        return copy;
    }

    /// <summary>
    /// MessagePackSerializer wraps whatever a formatter throws; what the formatter threw must be a
    /// MessagePackSerializationException or the reader's EndOfStreamException, never a crash of another kind.
    /// </summary>
    private static Exception AssertMalformed<T>(byte[] bytes)
    {
        var thrown = Record.Exception(() => MessagePackSerializer.Deserialize<T>(bytes, NewOptions()));
        Assert.NotNull(thrown);
        return Unwrapped(thrown!);
    }

    private static void ReadOrReject<T>(byte[] bytes)
    {
        var thrown = Record.Exception(() => MessagePackSerializer.Deserialize<T>(bytes, NewOptions()));
        if (thrown is not null)
        {
            Unwrapped(thrown);
        }
    }

    private static Exception Unwrapped(Exception thrown)
    {
        Assert.IsType<MessagePackSerializationException>(thrown);
        var inner = thrown.InnerException ?? thrown;
        if (inner is not (MessagePackSerializationException or EndOfStreamException))
        {
            Assert.Fail($"Reading the corrupt payload failed with {inner.GetType().FullName}: {inner}");
        }

        return inner;
    }

    private static NotFaithfulException Refusal(Action serialize)
    {
        var thrown = Record.Exception(serialize);
        for (var e = thrown; e is not null; e = e.InnerException)
        {
            if (e is NotFaithfulException refusal)
            {
                return refusal;
            }
        }

        Assert.Fail("Expected a NotFaithfulException, got " + (thrown?.ToString() ?? "no exception"));
        throw new InvalidOperationException();
    }

    // ---- Tables ----

    private static DataTable NewTable(string name) => new(name) { Locale = CultureInfo.InvariantCulture };

    private static DataTable QuotesTable()
    {
        var table = new DataTable("Quotes", "urn:quotes") { Prefix = "q", CaseSensitive = true, Locale = CultureInfo.GetCultureInfo("fr-FR") };
        table.ExtendedProperties["Desk"] = "Rates";
        table.ExtendedProperties["Feed"] = "Primary";
        table.Columns.Add("Boolean", typeof(bool));
        table.Columns.Add("Byte", typeof(byte));
        table.Columns.Add("SByte", typeof(sbyte));
        table.Columns.Add("Int16", typeof(short));
        table.Columns.Add("UInt16", typeof(ushort));
        table.Columns.Add("Int32", typeof(int));
        table.Columns.Add("UInt32", typeof(uint));
        table.Columns.Add("Int64", typeof(long));
        table.Columns.Add("UInt64", typeof(ulong));
        table.Columns.Add("Single", typeof(float));
        table.Columns.Add("Double", typeof(double));
        table.Columns.Add("Decimal", typeof(decimal));
        table.Columns.Add("String", typeof(string));
        table.Columns.Add("Char", typeof(char));
        table.Columns.Add("DateTime", typeof(DateTime));
        table.Columns.Add("DateTimeOffset", typeof(DateTimeOffset));
        table.Columns.Add("TimeSpan", typeof(TimeSpan));
        table.Columns.Add("Guid", typeof(Guid));
        table.Columns.Add("Bytes", typeof(byte[]));
        table.Rows.Add(
            true, (byte)200, (sbyte)-100, (short)-30000, (ushort)60000, -2_000_000_000, 4_000_000_000u, long.MinValue, ulong.MaxValue,
            1.5f, Math.PI, 12.3450m, "Bund 2034 — 2,5 %", 'é', new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Local).AddTicks(1),
            new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(-3.5)), TimeSpan.FromTicks(-1), new Guid("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), new byte[] { 1, 2, 3 });
        table.Rows.Add(Enumerable.Repeat<object>(DBNull.Value, table.Columns.Count).ToArray());
        table.Rows.Add(
            false, byte.MaxValue, sbyte.MinValue, short.MaxValue, ushort.MinValue, int.MaxValue, uint.MinValue, long.MaxValue, 0ul,
            float.NaN, -0.0, decimal.MinusOne, "", '\0', DateTime.MinValue,
            DateTimeOffset.MaxValue, TimeSpan.MaxValue, Guid.Empty, Array.Empty<byte>());
        table.Rows.Add(
            DBNull.Value, (byte)0, DBNull.Value, (short)0, DBNull.Value, 0, DBNull.Value, 0L, DBNull.Value,
            float.NegativeInfinity, double.Epsilon, DBNull.Value, DBNull.Value, char.MaxValue, DBNull.Value,
            DBNull.Value, TimeSpan.Zero, DBNull.Value, new byte[1000]);
        table.AcceptChanges();
        return table;
    }

    private static DataSet MarketDataSet()
    {
        var market = new DataSet("Market") { Namespace = "urn:market", Prefix = "m", Locale = CultureInfo.GetCultureInfo("de-DE") };
        market.ExtendedProperties["Version"] = "3";
        var issuers = market.Tables.Add("Issuers");
        var issuerId = issuers.Columns.Add("Id", typeof(int));
        var issuerName = issuers.Columns.Add("Name", typeof(string));
        issuers.PrimaryKey = new[] { issuerId };
        issuers.Constraints.Add(new UniqueConstraint("UniqueName", issuerName));
        issuers.Constraints["UniqueName"]!.ExtendedProperties["Why"] = "one name each";

        var bonds = market.Tables.Add("Bonds");
        var bondId = bonds.Columns.Add("Id", typeof(int));
        var bondIssuer = bonds.Columns.Add("IssuerId", typeof(int));
        bonds.Columns.Add("Coupon", typeof(decimal));
        var bondCurrency = bonds.Columns.Add("Currency", typeof(string));
        bonds.Columns.Add("Note", typeof(string));
        bonds.PrimaryKey = new[] { bondId };

        var currencies = market.Tables.Add("Currencies");
        var currencyCode = currencies.Columns.Add("Code", typeof(string));
        currencies.Columns.Add("Name", typeof(string));
        currencies.Constraints.Add(new UniqueConstraint("CurrencyCode", currencyCode, true));

        var issuerBonds = new DataRelation("IssuerBonds", issuerId, bondIssuer, true);
        issuerBonds.ExtendedProperties["Kind"] = "ownership";
        market.Relations.Add(issuerBonds);
        issuerBonds.Nested = true;
        var fk = issuerBonds.ChildKeyConstraint!;
        fk.DeleteRule = Rule.Cascade;
        fk.UpdateRule = Rule.SetNull;
        fk.AcceptRejectRule = AcceptRejectRule.Cascade;
        market.Relations.Add(new DataRelation("BondsByCurrency", currencyCode, bondCurrency, false));

        bonds.Columns.Add("IssuerName", typeof(string), "Parent(IssuerBonds).Name");
        issuers.Columns.Add("BondCount", typeof(int), "Count(Child(IssuerBonds).Id)");

        currencies.Rows.Add("EUR", "Euro");
        currencies.Rows.Add("USD", "Dollar");
        issuers.Rows.Add(1, "Acme");
        issuers.Rows.Add(2, "Globex");
        bonds.Rows.Add(10, 1, 2.5m, "EUR", "green");
        bonds.Rows.Add(11, 1, 3.25m, "USD", DBNull.Value);
        bonds.Rows.Add(20, 2, 0.125m, "EUR", "callable");
        market.AcceptChanges();
        return market;
    }

    private static DataTable DeterministicTable(bool reverseProperties = false, Type? priceType = null, string symbolName = "Symbol", DataSetDateTime dateTimeMode = DataSetDateTime.UnspecifiedLocal)
    {
        var table = NewTable("Quotes");
        var properties = new[] { ("a", "1"), ("b", "2"), ("c", "3"), ("Z", "4"), ("ä", "5") };
        foreach (var (key, value) in reverseProperties ? properties.Reverse() : properties)
        {
            table.ExtendedProperties[key] = value;
        }

        table.Columns.Add(symbolName, typeof(string));
        table.Columns.Add("Price", priceType ?? typeof(decimal));
        table.Columns.Add("At", typeof(DateTime)).DateTimeMode = dateTimeMode;
        table.PrimaryKey = new[] { table.Columns[0] };
        table.Rows.Add("BUND", 1.25m, new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Local));
        table.Rows.Add("OAT", 2.5m, new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified));
        table.Rows.Add("BTP", DBNull.Value, DBNull.Value);
        table.AcceptChanges();
        return table;
    }

    private sealed class Money
    {
        public decimal Amount { get; set; }
    }

    private sealed class TypedTable : DataTable
    {
        public TypedTable()
            : base("Typed")
        {
        }
    }

    private sealed class TypedSet : DataSet
    {
    }

    private sealed class CustomColumn : DataColumn
    {
        public CustomColumn()
            : base("Custom", typeof(int))
        {
        }
    }
}

/// <summary>Every property the formatters keep, compared one by one, failing with where they differ.</summary>
internal static class DataAssert
{
    private static readonly PropertyInfo AutoIncrementCurrent =
        typeof(DataColumn).GetProperty("AutoIncrementCurrent", BindingFlags.Instance | BindingFlags.NonPublic)!;

    public static void Equal(DataSet expected, DataSet actual)
    {
        var at = $"DataSet '{expected.DataSetName}'";
        Same(expected.DataSetName, actual.DataSetName, at, "DataSetName");
        Same(expected.Namespace, actual.Namespace, at, "Namespace");
        Same(expected.Prefix, actual.Prefix, at, "Prefix");
        Same(expected.CaseSensitive, actual.CaseSensitive, at, "CaseSensitive");
        Same(expected.Locale.Name, actual.Locale.Name, at, "Locale");
        Same(expected.EnforceConstraints, actual.EnforceConstraints, at, "EnforceConstraints");
        Same(expected.RemotingFormat, actual.RemotingFormat, at, "RemotingFormat");
        Same(expected.HasErrors, actual.HasErrors, at, "HasErrors");
        Properties(expected.ExtendedProperties, actual.ExtendedProperties, at);
        Same(expected.Tables.Count, actual.Tables.Count, at, "Tables.Count");
        for (var i = 0; i < expected.Tables.Count; i++)
        {
            Equal(expected.Tables[i], actual.Tables[i]);
        }

        Same(expected.Relations.Count, actual.Relations.Count, at, "Relations.Count");
        for (var i = 0; i < expected.Relations.Count; i++)
        {
            var e = expected.Relations[i];
            var a = actual.Relations[i];
            var where = $"{at}.Relations[{i}] '{e.RelationName}'";
            Same(e.RelationName, a.RelationName, where, "RelationName");
            Same(e.ParentTable.TableName, a.ParentTable.TableName, where, "ParentTable");
            Same(Names(e.ParentColumns), Names(a.ParentColumns), where, "ParentColumns");
            Same(e.ChildTable.TableName, a.ChildTable.TableName, where, "ChildTable");
            Same(Names(e.ChildColumns), Names(a.ChildColumns), where, "ChildColumns");
            Same(e.Nested, a.Nested, where, "Nested");
            Same(e.ParentKeyConstraint?.ConstraintName, a.ParentKeyConstraint?.ConstraintName, where, "ParentKeyConstraint");
            Same(e.ChildKeyConstraint?.ConstraintName, a.ChildKeyConstraint?.ConstraintName, where, "ChildKeyConstraint");
            Properties(e.ExtendedProperties, a.ExtendedProperties, where);
        }
    }

    public static void Equal(DataTable expected, DataTable actual)
    {
        var at = $"DataTable '{expected.TableName}'";
        Same(expected.GetType(), actual.GetType(), at, "type");
        Same(expected.TableName, actual.TableName, at, "TableName");
        Same(expected.Namespace, actual.Namespace, at, "Namespace");
        Same(expected.Prefix, actual.Prefix, at, "Prefix");
        Same(expected.CaseSensitive, actual.CaseSensitive, at, "CaseSensitive");
        Same(expected.Locale.Name, actual.Locale.Name, at, "Locale");
        Same(expected.DisplayExpression, actual.DisplayExpression, at, "DisplayExpression");
        Same(expected.RemotingFormat, actual.RemotingFormat, at, "RemotingFormat");
        Same(expected.HasErrors, actual.HasErrors, at, "HasErrors");
        Properties(expected.ExtendedProperties, actual.ExtendedProperties, at);
        Same(Names(expected.PrimaryKey), Names(actual.PrimaryKey), at, "PrimaryKey");
        Same(string.Join(",", expected.ParentRelations.Cast<DataRelation>().Select(r => r.RelationName)), string.Join(",", actual.ParentRelations.Cast<DataRelation>().Select(r => r.RelationName)), at, "ParentRelations");
        Same(string.Join(",", expected.ChildRelations.Cast<DataRelation>().Select(r => r.RelationName)), string.Join(",", actual.ChildRelations.Cast<DataRelation>().Select(r => r.RelationName)), at, "ChildRelations");

        Same(expected.Columns.Count, actual.Columns.Count, at, "Columns.Count");
        for (var i = 0; i < expected.Columns.Count; i++)
        {
            Column(expected.Columns[i], actual.Columns[i], $"{at}.Columns[{i}] '{expected.Columns[i].ColumnName}'");
        }

        Same(expected.Constraints.Count, actual.Constraints.Count, at, "Constraints.Count");
        for (var i = 0; i < expected.Constraints.Count; i++)
        {
            var e = expected.Constraints[i];
            var a = actual.Constraints[i];
            var where = $"{at}.Constraints[{i}] '{e.ConstraintName}'";
            Same(e.GetType(), a.GetType(), where, "type");
            Same(e.ConstraintName, a.ConstraintName, where, "ConstraintName");
            Properties(e.ExtendedProperties, a.ExtendedProperties, where);
            if (e is UniqueConstraint eu && a is UniqueConstraint au)
            {
                Same(eu.IsPrimaryKey, au.IsPrimaryKey, where, "IsPrimaryKey");
                Same(Names(eu.Columns), Names(au.Columns), where, "Columns");
            }
            else if (e is ForeignKeyConstraint ef && a is ForeignKeyConstraint af)
            {
                Same(Names(ef.Columns), Names(af.Columns), where, "Columns");
                Same(ef.RelatedTable.TableName, af.RelatedTable.TableName, where, "RelatedTable");
                Same(Names(ef.RelatedColumns), Names(af.RelatedColumns), where, "RelatedColumns");
                Same(ef.UpdateRule, af.UpdateRule, where, "UpdateRule");
                Same(ef.DeleteRule, af.DeleteRule, where, "DeleteRule");
                Same(ef.AcceptRejectRule, af.AcceptRejectRule, where, "AcceptRejectRule");
            }
        }

        Same(expected.Rows.Count, actual.Rows.Count, at, "Rows.Count");
        for (var r = 0; r < expected.Rows.Count; r++)
        {
            var e = expected.Rows[r];
            var a = actual.Rows[r];
            var where = $"{at}.Rows[{r}]";
            Same(DataRowState.Unchanged, a.RowState, where, "RowState");
            for (var c = 0; c < expected.Columns.Count; c++)
            {
                Cell(e[c], a[c], $"{where}['{expected.Columns[c].ColumnName}']");
            }

            Same(e.RowError, a.RowError, where, "RowError");
            Same(e.HasErrors, a.HasErrors, where, "HasErrors");
            Same(
                string.Join("|", e.GetColumnsInError().Select(column => column.ColumnName + "=" + e.GetColumnError(column))),
                string.Join("|", a.GetColumnsInError().Select(column => column.ColumnName + "=" + a.GetColumnError(column))),
                where,
                "column errors");
        }
    }

    private static void Column(DataColumn e, DataColumn a, string where)
    {
        Same(e.GetType(), a.GetType(), where, "type");
        Same(e.ColumnName, a.ColumnName, where, "ColumnName");
        Same(e.Ordinal, a.Ordinal, where, "Ordinal");
        Same(e.DataType, a.DataType, where, "DataType");
        Same(e.AllowDBNull, a.AllowDBNull, where, "AllowDBNull");
        Cell(e.DefaultValue, a.DefaultValue, where + ".DefaultValue");
        Same(e.MaxLength, a.MaxLength, where, "MaxLength");
        Same(e.Unique, a.Unique, where, "Unique");
        Same(e.ReadOnly, a.ReadOnly, where, "ReadOnly");
        Same(e.AutoIncrement, a.AutoIncrement, where, "AutoIncrement");
        Same(e.AutoIncrementSeed, a.AutoIncrementSeed, where, "AutoIncrementSeed");
        Same(e.AutoIncrementStep, a.AutoIncrementStep, where, "AutoIncrementStep");
        Same(AutoIncrementCurrent.GetValue(e), AutoIncrementCurrent.GetValue(a), where, "next AutoIncrement value");
        Same(e.Caption, a.Caption, where, "Caption");
        Same(e.Expression, a.Expression, where, "Expression");
        Same(e.ColumnMapping, a.ColumnMapping, where, "ColumnMapping");
        Same(e.Namespace, a.Namespace, where, "Namespace");
        Same(e.Prefix, a.Prefix, where, "Prefix");
        Same(e.DateTimeMode, a.DateTimeMode, where, "DateTimeMode");
        Properties(e.ExtendedProperties, a.ExtendedProperties, where);
    }

    /// <summary>Equal and of the same type; a DateTime also by Kind, a decimal by its bits (scale), a double by its bits.</summary>
    private static void Cell(object e, object a, string where)
    {
        Same(e.GetType(), a.GetType(), where, "type");
        var equal = e switch
        {
            DateTime d => d.Ticks == ((DateTime)a).Ticks && d.Kind == ((DateTime)a).Kind,
            DateTimeOffset o => o.Ticks == ((DateTimeOffset)a).Ticks && o.Offset == ((DateTimeOffset)a).Offset,
            decimal m => decimal.GetBits(m).SequenceEqual(decimal.GetBits((decimal)a)),
            double d => BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)a),
            float f => BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits((float)a),
            byte[] b => b.AsSpan().SequenceEqual((byte[])a),
            _ => e.Equals(a),
        };
        if (!equal)
        {
            Assert.Fail($"{where}: expected {Show(e)}, got {Show(a)}");
        }
    }

    private static string Show(object value) => value switch
    {
        DateTime d => $"{d:O} ({d.Kind}, {d.Ticks} ticks)",
        byte[] b => "0x" + Convert.ToHexString(b),
        _ => $"{value} ({value.GetType().Name})",
    };

    private static void Properties(PropertyCollection e, PropertyCollection a, string where) =>
        Same(Sorted(e), Sorted(a), where, "ExtendedProperties");

    private static string Sorted(PropertyCollection properties) => string.Join(
        ", ",
        properties.Cast<DictionaryEntry>().Select(p => $"{p.Key}={p.Value ?? "(null)"}").OrderBy(p => p, StringComparer.Ordinal));

    private static string Names(DataColumn[] columns) => string.Join(",", columns.Select(c => c.Table!.TableName + "." + c.ColumnName));

    private static void Same<T>(T expected, T actual, string where, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Assert.Fail($"{where}.{what}: expected {expected?.ToString() ?? "null"}, got {actual?.ToString() ?? "null"}");
        }
    }
}
