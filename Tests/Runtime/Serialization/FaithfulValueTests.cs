using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Linq;
using AkCache.Internals.Serialization;
using AkCache.Tests.Support;
using MessagePack;
using Xunit;

namespace AkCache.Tests.Runtime.Serialization;

/// <summary>
/// The value serializer on its own: each value comes back equal in every respect
/// (<see cref="DeepEquality"/>), or writing it throws <see cref="NotFaithfulException"/> naming the
/// member and the fix. The same values through Redis and two processes: Weaving/FaithfulResultTests.
/// </summary>
public sealed class FaithfulValueTests
{
    [Fact]
    public void Private_and_internal_setters_readonly_and_init_only_fields_come_back()
    {
        RoundTrip(Order.Create("600519", 100));
        RoundTrip(new RecordWithPrivateSet("000858", 7));
        RoundTrip(new InternalSetter { Name = "x", Count = 5 });
        RoundTrip(new InitOnly { Symbol = "601318", Lot = 200, Weights = ImmutableArray.Create(0.5, 0.25) });
        RoundTrip(new StructWithReadonlyField(42, "s"));
    }

    [Fact]
    public void Object_members_keep_the_allow_listed_types_exactly()
    {
        var info = new Dictionary<string, object?>
        {
            ["pe"] = 28.35m,
            ["three"] = 3.0m,
            ["listed"] = new DateTime(2001, 8, 27, 9, 30, 0, DateTimeKind.Local),
            ["codes"] = new[] { "a", "b" },
            ["char"] = 'c',
            ["byte"] = (byte)99,
            ["long"] = long.MinValue,
            ["nothing"] = null,
            ["nested"] = new List<object?> { 1, "two", 3.0m, new object?[] { 'x', null } },
            ["at"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(8)),
            ["dbnull"] = DBNull.Value,
        };

        RoundTrip(info);
        RoundTrip(new List<object?> { 3.0m, 'c', 1.5f, Guid.NewGuid(), TimeSpan.FromMinutes(3), new byte[] { 1, 2 } });
    }

    [Fact]
    public void String_comparers_are_kept()
    {
        var prices = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase) { ["SH600519"] = 1700.5m };
        var copy = RoundTrip(prices);
        Assert.True(copy.TryGetValue("sh600519", out _));

        RoundTrip(new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "A", "b" });
        RoundTrip(new HashSet<string>(StringComparer.InvariantCulture) { "A", "b" });
        RoundTrip(new SortedDictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["b"] = 1, ["A"] = 2 });
        RoundTrip(new SortedSet<string>(StringComparer.Ordinal) { "b", "A" });
        RoundTrip(new SortedList<string, int>(StringComparer.InvariantCultureIgnoreCase) { ["b"] = 1, ["A"] = 2 });
        RoundTrip(ImmutableDictionary.Create<string, int>(StringComparer.OrdinalIgnoreCase).Add("K", 1));
        RoundTrip(ImmutableHashSet.Create(StringComparer.OrdinalIgnoreCase, "K", "j"));
    }

    [Fact]
    public void A_custom_or_current_culture_comparer_is_refused()
    {
        Refused(new Dictionary<string, int>(new LengthComparer()) { ["a"] = 1 }, "Dictionary<string, int>[]", "comparer LengthComparer");
        Refused(new HashSet<string>(StringComparer.Create(new System.Globalization.CultureInfo("tr-TR"), ignoreCase: true)) { "i" }, "HashSet<string>[]", "comparer");
    }

    [Fact]
    public void Enumeration_order_of_a_dictionary_after_removals_is_kept()
    {
        var map = new Dictionary<int, string> { [1] = "a", [2] = "b", [3] = "c" };
        map.Remove(2);
        map[4] = "d";
        var copy = RoundTrip(map);
        Assert.Equal(map.Keys.ToArray(), copy.Keys.ToArray());
    }

    [Fact]
    public void A_subclass_in_a_base_typed_member_or_element_is_refused_naming_the_member()
    {
        Refused(new Portfolio { Holdings = new List<Security> { new Security { Code = "s" }, new Bond { Code = "b", Coupon = 3.5m } } }, "Portfolio.Holdings[]", "Bond where Security is declared");
        Refused(new Portfolio { Main = new Bond { Code = "b" } }, "Portfolio.Main", "[MessagePack.Union(0, typeof(Bond))] on Security");
        RoundTrip(new Portfolio { Main = new Security { Code = "plain" }, Holdings = new List<Security> { new Security { Code = "x" } } });
    }

    [Fact]
    public void Subclasses_named_with_Union_come_back_as_themselves()
    {
        var book = new Book { Instruments = new List<Instrument> { new Stock { Code = "600519" }, new Future { Code = "IF2603", Expiry = new DateTime(2026, 3, 20) } } };
        RoundTrip(book);
        Refused(new Book { Instruments = new List<Instrument> { new Option { Code = "x" } } }, "Book.Instruments[]", "Option where Instrument is declared");
    }

    [Fact]
    public void Interface_typed_members_keep_their_concrete_collection()
    {
        RoundTrip(new Holder { Items = new List<int> { 1, 2 }, Lookup = new Dictionary<string, int> { ["a"] = 1 }, Codes = new[] { "x" }, Set = new HashSet<int> { 3 } });
        RoundTrip(new Holder { Items = ImmutableList.Create(1, 2), Lookup = ImmutableDictionary<string, int>.Empty.Add("k", 2), Codes = new ReadOnlyCollection<string>(new[] { "r" }), Set = new SortedSet<int> { 5, 4 } });
        Refused(new Holder { Items = new CustomList() }, "Holder.Items", "CustomList where IReadOnlyList<int> is declared");
    }

    [Fact]
    public void Object_members_of_other_types_are_refused()
    {
        Refused(new List<object> { new Security() }, "List<object>[]", "Security where object is declared");
        Refused(new Dictionary<string, object> { ["e"] = ConsoleColor.Red }, "Dictionary<string, object>[]", "ConsoleColor where object is declared");
    }

    [Fact]
    public void Times_and_numbers_keep_every_bit()
    {
        RoundTrip(new[] { new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(638000000000000001, DateTimeKind.Unspecified), DateTime.MaxValue, DateTime.MinValue });
        RoundTrip(new[] { 1.0m, 1.00m, -0.0m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m });
        RoundTrip(new[] { new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.FromMinutes(-150)), DateTimeOffset.MaxValue });
        RoundTrip(new[] { double.NaN, -0.0, double.Epsilon, double.PositiveInfinity });
        RoundTrip((1, "two", 3.0m, new DateTime(1, DateTimeKind.Local)));
        RoundTrip(Tuple.Create(1, "x"));
        RoundTrip(new KeyValuePair<string, decimal>("k", 2.50m));
        RoundTrip(new int[,] { { 1, 2 }, { 3, 4 } });
        RoundTrip((int?)null);
        RoundTrip((decimal?)1.10m);
        RoundTrip(System.Numerics.BigInteger.Parse("-123456789012345678901234567890"));
        RoundTrip(new System.Numerics.Complex(1.5, -2));
        RoundTrip(new Uri("https://example.invalid/a?b=c"));
        RoundTrip(new Version(1, 2, 3, 4));
        RoundTrip(new DateOnly(2026, 12, 1));
        RoundTrip(new TimeOnly(9, 30, 1, 5));
        RoundTrip((Half)1.5);
        RoundTrip(Int128.MaxValue);
    }

    [Fact]
    public void Collections_keep_order_and_type()
    {
        RoundTrip(new LinkedList<int>(new[] { 3, 1, 2 }));
        RoundTrip(new Queue<string>(new[] { "a", "b" }));
        RoundTrip(new Stack<int>(new[] { 1, 2, 3 }));
        RoundTrip(ImmutableArray.Create(1, 2, 3));
        RoundTrip(ImmutableStack.Create(1, 2, 3));
        RoundTrip(ImmutableQueue.Create("x", "y"));
        RoundTrip(ImmutableSortedSet.Create(3, 1, 2));
        RoundTrip(ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal).Add("b", 1).Add("a", 2));
        RoundTrip(new List<List<Dictionary<string, int[]>>> { new() { new() { ["a"] = new[] { 1 } } } });
    }

    [Fact]
    public void Types_without_data_are_refused_with_the_reason()
    {
        Refused(new WithDelegate { Run = () => 1 }, "WithDelegate.Run", "delegate");
        Refused(new WithStream(), "WithStream.Data", "process state");
        Refused(new DerivedList { 1 }, "", "derives from List<int>");
        Refused(new System.Text.StringBuilder("x"), "", "framework type");
    }

    [Fact]
    public void A_value_that_refers_to_itself_is_refused_not_a_crash()
    {
        var node = new Node { Name = "a" };
        node.Next = node;
        var refusal = Assert.Throws<NotFaithfulException>(() => ValueSerializer.Serialize(node, 0, default));
        Assert.StartsWith("Node.Next.Next", refusal.Path);
        Assert.EndsWith("...", refusal.Path);
        Assert.Contains("refers to itself", refusal.Message);

        var list = new List<object?>();
        list.Add(list);
        Assert.Contains("refers to itself", Assert.Throws<NotFaithfulException>(() => ValueSerializer.Serialize(list, 0, default)).Message);
    }

    [Fact]
    public void A_stored_value_with_another_number_of_fields_is_unreadable()
    {
        var bytes = ValueSerializer.Serialize(new RecordWithPrivateSet("n", 1), 0, default);
        Assert.ThrowsAny<MessagePackSerializationException>(() => ValueSerializer.Deserialize<Order>(bytes, bytes.Length - ValueSerializer.HeaderLength));
    }

    /// <summary>A miss serializes after room for the header: the payload is not allocated twice.</summary>
    [Fact]
    public void Storing_a_value_allocates_its_envelope_once()
    {
        var value = Enumerable.Range(0, 3_000).Select(i => i * 1_000_003L * 1_000_003L).ToArray();
        var envelope = ValueSerializer.Serialize(value, 0, default);
        Assert.True(envelope.Length > 20_000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        ValueSerializer.Serialize(value, 0, default);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, envelope.Length, envelope.Length + 1_024);
    }

    [Fact]
    public void Arrays_of_primitives_are_written_byte_for_byte_as_before_and_come_back_exactly()
    {
        // The generic array formatter over each element's scalar formatter: the form stored values had before.
        static byte[] Generic<T>(T[] value) =>
            MessagePackSerializer.Serialize(value, MessagePackSerializerOptions.Standard.WithResolver(
                MessagePack.Resolvers.CompositeResolver.Create(new MessagePack.Formatters.IMessagePackFormatter[] { new MessagePack.Formatters.ArrayFormatter<T>() }, new IFormatterResolver[] { MessagePack.Resolvers.StandardResolver.Instance })));
        static void Same<T>(T[] value)
        {
            var faithful = MessagePackSerializer.Serialize(value, MessagePackSerializerOptions.Standard.WithResolver(FaithfulResolver.Instance));
            Assert.Equal(Generic(value), faithful);
            RoundTrip(value);
        }

        Same(new[] { double.NaN, -0.0, double.Epsilon, double.MaxValue, double.NegativeInfinity, 1.5 });
        Same(new[] { float.NaN, -0.0f, float.MinValue, 3.25f });
        Same(new[] { long.MinValue, -1L, 0L, long.MaxValue });
        Same(new[] { ulong.MaxValue, 0UL, 128UL });
        Same(new[] { int.MinValue, -33, 127, int.MaxValue });
        Same(new[] { uint.MaxValue, 0u });
        Same(new short[] { short.MinValue, -1, short.MaxValue });
        Same(new ushort[] { ushort.MaxValue, 1 });
        Same(new sbyte[] { sbyte.MinValue, -1, sbyte.MaxValue });
        Same(new[] { true, false, true });
        Same(new[] { 'a', '\0', '\uffff' });
        Same(Array.Empty<double>());
        Assert.Equal(Generic<double>(null!), MessagePackSerializer.Serialize<double[]>(null!, MessagePackSerializerOptions.Standard.WithResolver(FaithfulResolver.Instance)));
    }

    private static T RoundTrip<T>(T value)
    {
        var envelope = ValueSerializer.Serialize(value, 0, default);
        var copy = ValueSerializer.Deserialize<T>(envelope, envelope.Length - ValueSerializer.HeaderLength);
        var difference = DeepEquality.Difference(value, copy);
        Assert.True(difference is null, difference);
        return copy;
    }

    private static void Refused<T>(T value, string path, string reason)
    {
        var refusal = Assert.Throws<NotFaithfulException>(() => ValueSerializer.Serialize(value, 0, default));
        Assert.Equal(path, refusal.Path);
        Assert.Contains(reason, refusal.Message);
    }

    public sealed class Order
    {
        private Order()
        {
        }

        public string Symbol { get; private set; } = "";

        public int Quantity { get; private set; }

        public static Order Create(string symbol, int quantity) => new() { Symbol = symbol, Quantity = quantity };
    }

    public sealed record RecordWithPrivateSet(string Code, int Members)
    {
        public decimal Weight { get; private set; } = 0.25m;
    }

    public sealed class InternalSetter
    {
        public string Name { get; internal set; } = "";

        public int Count { get; internal set; }
    }

    public sealed record InitOnly
    {
        public required string Symbol { get; init; }

        public int Lot { get; init; }

        public ImmutableArray<double> Weights { get; init; }
    }

    public readonly struct StructWithReadonlyField
    {
        private readonly int _value;

        public StructWithReadonlyField(int value, string text)
        {
            _value = value;
            Text = text;
        }

        public string Text { get; }

        public int Value => _value;
    }

    public class Security
    {
        public string Code { get; set; } = "";
    }

    public sealed class Bond : Security
    {
        public decimal Coupon { get; set; }
    }

    public sealed class Portfolio
    {
        public List<Security> Holdings { get; set; } = new();

        public Security? Main { get; set; }
    }

    [Union(0, typeof(Stock))]
    [Union(1, typeof(Future))]
    public abstract class Instrument
    {
        public string Code { get; set; } = "";
    }

    public sealed class Stock : Instrument
    {
    }

    public sealed class Future : Instrument
    {
        public DateTime Expiry { get; set; }
    }

    public sealed class Option : Instrument
    {
    }

    public sealed class Book
    {
        public List<Instrument> Instruments { get; set; } = new();
    }

    public sealed class Holder
    {
        public IReadOnlyList<int>? Items { get; set; }

        public IDictionary<string, int>? Lookup { get; set; }

        public IList<string>? Codes { get; set; }

        public ISet<int>? Set { get; set; }
    }

    public sealed class CustomList : IReadOnlyList<int>
    {
        public int this[int index] => index;

        public int Count => 1;

        public IEnumerator<int> GetEnumerator()
        {
            yield return 0;
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public sealed class LengthComparer : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y) => x?.Length == y?.Length;

        public int GetHashCode(string obj) => obj.Length;
    }

    public sealed class WithDelegate
    {
        public Func<int>? Run { get; set; }
    }

    public sealed class WithStream
    {
        public System.IO.Stream? Data { get; set; }
    }

    public sealed class DerivedList : List<int>
    {
    }

    public sealed class Node
    {
        public string Name { get; set; } = "";

        public Node? Next { get; set; }
    }
}
