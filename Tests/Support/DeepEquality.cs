using System;
using System.Collections;
using System.Collections.Generic;
using System.Data;
using System.Linq;
using System.Reflection;

namespace AkCache.Tests.Support;

/// <summary>
/// "Equal in every respect", as docs/values.md promises: the same runtime type at every level,
/// every field of the user's types (non-public ones too), decimal scale, DateTime Kind,
/// DateTimeOffset offset, double bits, the comparers of dictionaries and sets, and element order.
/// Framework collections are compared through what they expose (their private arrays hold hash
/// codes that differ between processes), DataTables through their schema and rows.
/// </summary>
public static class DeepEquality
{
    /// <summary>Null when equal, else where and how the two differ.</summary>
    public static string? Difference(object? expected, object? actual) => Compare(expected, actual, "value", 0);

    private static string? Compare(object? expected, object? actual, string path, int depth)
    {
        if (depth > 64)
        {
            return null;
        }

        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
        }

        var type = expected.GetType();
        if (type != actual.GetType())
        {
            return $"{path}: expected a {type}, got a {actual.GetType()}";
        }

        switch (expected)
        {
            case decimal d:
                return decimal.GetBits(d).SequenceEqual(decimal.GetBits((decimal)actual)) ? null : $"{path}: expected {d}, got {actual} (scale or value)";
            case DateTime t:
                var u = (DateTime)actual;
                return t.Ticks == u.Ticks && t.Kind == u.Kind ? null : $"{path}: expected {t:O} ({t.Kind}), got {u:O} ({u.Kind})";
            case DateTimeOffset o:
                var p = (DateTimeOffset)actual;
                return o.Ticks == p.Ticks && o.Offset == p.Offset ? null : $"{path}: expected {o:O}, got {p:O}";
            case double x:
                return BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits((double)actual) ? null : $"{path}: expected {x}, got {actual}";
            case float f:
                return BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits((float)actual) ? null : $"{path}: expected {f}, got {actual}";
            case string or Guid or TimeSpan or Uri or Version or DBNull or System.Numerics.BigInteger:
                return expected.Equals(actual) ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
            case DataSet set:
                return CompareDataSet(set, (DataSet)actual, path, depth);
            case DataTable table:
                return CompareTable(table, (DataTable)actual, path, depth);
        }

        if (type.FullName == "Microsoft.Data.Analysis.DataFrame")
        {
            return CompareFrames(expected, actual, path, depth);
        }

        if (type.IsPrimitive || type.IsEnum)
        {
            return expected.Equals(actual) ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
        }

        if (IsFramework(type) && expected is IEnumerable sequence)
        {
            return CompareComparers(expected, actual, path) ?? CompareSequences(sequence, (IEnumerable)actual, path, depth);
        }

        if (IsFramework(type) && !type.IsValueType)
        {
            return expected.Equals(actual) ? null : $"{path}: a {type} that this comparison does not know";
        }

        // The user's types, and framework structs such as tuples and KeyValuePair: every field.
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                var difference = Compare(field.GetValue(expected), field.GetValue(actual), path + "." + field.Name, depth + 1);
                if (difference is not null)
                {
                    return difference;
                }
            }
        }

        return null;
    }

    private static string? CompareComparers(object expected, object actual, string path)
    {
        foreach (var name in new[] { "Comparer", "KeyComparer", "ValueComparer" })
        {
            var property = expected.GetType().GetProperty(name, BindingFlags.Instance | BindingFlags.Public);
            if (property is null)
            {
                continue;
            }

            var left = property.GetValue(expected);
            var right = property.GetValue(actual);
            // A custom comparer is compared by its type: its copy is another instance.
            if (!Equals(left, right) && (left is StringComparer || left?.GetType() != right?.GetType()))
            {
                return $"{path}.{name}: expected {left?.GetType().Name}, got {right?.GetType().Name}";
            }
        }

        return null;
    }

    private static string? CompareSequences(IEnumerable expected, IEnumerable actual, string path, int depth)
    {
        var left = expected.Cast<object?>().ToList();
        var right = actual.Cast<object?>().ToList();
        if (left.Count != right.Count)
        {
            return $"{path}: expected {left.Count} elements, got {right.Count}";
        }

        for (var i = 0; i < left.Count; i++)
        {
            var difference = Compare(left[i], right[i], $"{path}[{i}]", depth + 1);
            if (difference is not null)
            {
                return difference;
            }
        }

        return null;
    }

    private static string? CompareDataSet(DataSet expected, DataSet actual, string path, int depth)
    {
        if (expected.DataSetName != actual.DataSetName || expected.Namespace != actual.Namespace || expected.EnforceConstraints != actual.EnforceConstraints
            || expected.CaseSensitive != actual.CaseSensitive || expected.Locale.Name != actual.Locale.Name)
        {
            return $"{path}: the DataSet's own properties differ";
        }

        if (expected.Tables.Count != actual.Tables.Count)
        {
            return $"{path}: expected {expected.Tables.Count} tables, got {actual.Tables.Count}";
        }

        for (var i = 0; i < expected.Tables.Count; i++)
        {
            var difference = CompareTable(expected.Tables[i], actual.Tables[i], $"{path}.Tables[{i}]", depth);
            if (difference is not null)
            {
                return difference;
            }
        }

        var left = expected.Relations.Cast<DataRelation>().Select(RelationText).ToList();
        var right = actual.Relations.Cast<DataRelation>().Select(RelationText).ToList();
        return left.SequenceEqual(right) ? null : $"{path}.Relations: expected {string.Join("; ", left)}, got {string.Join("; ", right)}";
    }

    private static string RelationText(DataRelation r) =>
        $"{r.RelationName}:{r.ParentTable.TableName}({string.Join(",", r.ParentColumns.Select(c => c.ColumnName))})->{r.ChildTable.TableName}({string.Join(",", r.ChildColumns.Select(c => c.ColumnName))}) nested={r.Nested}";

    private static string? CompareTable(DataTable expected, DataTable actual, string path, int depth)
    {
        if (expected.TableName != actual.TableName || expected.Namespace != actual.Namespace || expected.CaseSensitive != actual.CaseSensitive || expected.Locale.Name != actual.Locale.Name)
        {
            return $"{path}: the table's own properties differ ({expected.TableName} / {actual.TableName})";
        }

        if (expected.Columns.Count != actual.Columns.Count)
        {
            return $"{path}: expected {expected.Columns.Count} columns, got {actual.Columns.Count}";
        }

        for (var i = 0; i < expected.Columns.Count; i++)
        {
            var (e, a) = (expected.Columns[i], actual.Columns[i]);
            var left = $"{e.ColumnName}:{e.DataType}:{e.AllowDBNull}:{e.Unique}:{e.ReadOnly}:{e.MaxLength}:{e.AutoIncrement}:{e.Expression}:{e.DateTimeMode}:{e.Caption}";
            var right = $"{a.ColumnName}:{a.DataType}:{a.AllowDBNull}:{a.Unique}:{a.ReadOnly}:{a.MaxLength}:{a.AutoIncrement}:{a.Expression}:{a.DateTimeMode}:{a.Caption}";
            if (left != right)
            {
                return $"{path}.Columns[{i}]: expected {left}, got {right}";
            }
        }

        var leftKey = string.Join(",", expected.PrimaryKey.Select(c => c.ColumnName));
        var rightKey = string.Join(",", actual.PrimaryKey.Select(c => c.ColumnName));
        if (leftKey != rightKey)
        {
            return $"{path}.PrimaryKey: expected ({leftKey}), got ({rightKey})";
        }

        if (expected.Rows.Count != actual.Rows.Count)
        {
            return $"{path}: expected {expected.Rows.Count} rows, got {actual.Rows.Count}";
        }

        for (var r = 0; r < expected.Rows.Count; r++)
        {
            for (var c = 0; c < expected.Columns.Count; c++)
            {
                var difference = Compare(expected.Rows[r][c], actual.Rows[r][c], $"{path}.Rows[{r}][{expected.Columns[c].ColumnName}]", depth + 1);
                if (difference is not null)
                {
                    return difference;
                }
            }
        }

        return null;
    }

    /// <summary>A Microsoft.Data.Analysis DataFrame, through reflection (the tests do not all reference it): its columns' classes, names and cells.</summary>
    private static string? CompareFrames(object expected, object actual, string path, int depth)
    {
        var left = ((IEnumerable)expected.GetType().GetProperty("Columns")!.GetValue(expected)!).Cast<object>().ToList();
        var right = ((IEnumerable)actual.GetType().GetProperty("Columns")!.GetValue(actual)!).Cast<object>().ToList();
        if (left.Count != right.Count)
        {
            return $"{path}: expected {left.Count} columns, got {right.Count}";
        }

        for (var c = 0; c < left.Count; c++)
        {
            var (e, a) = (left[c], right[c]);
            var name = (string)e.GetType().GetProperty("Name")!.GetValue(e)!;
            var where = $"{path}.Columns[{c}] '{name}'";
            var length = (long)e.GetType().GetProperty("Length")!.GetValue(e)!;
            if (e.GetType() != a.GetType() || name != (string)a.GetType().GetProperty("Name")!.GetValue(a)! || length != (long)a.GetType().GetProperty("Length")!.GetValue(a)!)
            {
                return $"{where}: expected a {e.GetType().Name} of {length}, got a {a.GetType().Name} '{a.GetType().GetProperty("Name")!.GetValue(a)}'";
            }

            var cell = e.GetType().GetProperty("Item", new[] { typeof(long) })!;
            for (long r = 0; r < length; r++)
            {
                var difference = Compare(cell.GetValue(e, new object[] { r }), cell.GetValue(a, new object[] { r }), $"{where}[{r}]", depth + 1);
                if (difference is not null)
                {
                    return difference;
                }
            }
        }

        return null;
    }

    private static bool IsFramework(Type type) =>
        type.Namespace is { } ns && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal));

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        _ => value + " (" + value.GetType().Name + ")",
    };
}
