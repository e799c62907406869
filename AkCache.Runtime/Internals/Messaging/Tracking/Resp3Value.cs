using System;
using System.Collections.Generic;
using System.Globalization;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>The RESP3 types, named after the spec; the three nulls (<c>_</c>, <c>$-1</c>, <c>*-1</c>) are all <see cref="Null"/>.</summary>
internal enum Resp3Kind
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
    Null,
    Double,
    Boolean,
    BlobError,
    Verbatim,
    BigNumber,
    Map,
    Set,
    Push,
}

/// <summary>
/// One parsed RESP3 frame. Textual kinds keep their text (bulk payloads decoded as UTF-8, since
/// Redis keys are used as UTF-8 strings here); aggregates keep their items, a map as key, value,
/// key, value. Attributes are not kept: the reader skips them.
/// </summary>
internal sealed class Resp3Value
{
    private static readonly IReadOnlyList<Resp3Value> NoItems = new Resp3Value[0];

    private Resp3Value(Resp3Kind kind, string? text, long integer, IReadOnlyList<Resp3Value>? items)
    {
        Kind = kind;
        Text = text;
        Integer = integer;
        Items = items ?? NoItems;
    }

    public static Resp3Value NullValue { get; } = new(Resp3Kind.Null, null, 0, null);

    public Resp3Kind Kind { get; }

    /// <summary>The text of a string, error, double, big number or verbatim string (without its format); null otherwise.</summary>
    public string? Text { get; }

    /// <summary>An integer's value; 1 or 0 for a boolean.</summary>
    public long Integer { get; }

    /// <summary>An aggregate's items (a map's flattened); empty for every other kind.</summary>
    public IReadOnlyList<Resp3Value> Items { get; }

    public bool IsNull => Kind == Resp3Kind.Null;

    public bool IsError => Kind is Resp3Kind.Error or Resp3Kind.BlobError;

    public bool IsAggregate => Kind is Resp3Kind.Array or Resp3Kind.Map or Resp3Kind.Set or Resp3Kind.Push;

    public static Resp3Value FromText(Resp3Kind kind, string text) => new(kind, text, 0, null);

    public static Resp3Value FromInteger(Resp3Kind kind, long value) => new(kind, null, value, null);

    public static Resp3Value FromItems(Resp3Kind kind, IReadOnlyList<Resp3Value> items) => new(kind, null, 0, items);

    /// <summary>A double's value: RESP3 writes infinities as <c>inf</c> and <c>-inf</c>, and NaN as <c>nan</c>.</summary>
    public double ToDouble() => Text switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.Parse(Text ?? string.Empty, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>True when this is a string-like value equal to <paramref name="text"/>, ignoring case (Redis's own comparison).</summary>
    public bool IsText(string text) =>
        Kind is Resp3Kind.SimpleString or Resp3Kind.BulkString or Resp3Kind.Verbatim &&
        string.Equals(Text, text, StringComparison.OrdinalIgnoreCase);

    /// <summary>For logs and test failures; an aggregate shows its size, not its content.</summary>
    public override string ToString() => IsAggregate
        ? $"{Kind}[{Items.Count.ToString(CultureInfo.InvariantCulture)}]"
        : $"{Kind}({Text ?? Integer.ToString(CultureInfo.InvariantCulture)})";
}
