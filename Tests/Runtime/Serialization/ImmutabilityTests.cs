using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Numerics;
using System.Threading.Tasks;
using AkCache.Internals.Serialization;
using Xunit;

namespace AkCache.Tests.Runtime.Serialization;

/// <summary>
/// Which result types the in-process layer may hand out as one shared value (Immutability): only
/// those whose values no holder can change, each "no" with a reason naming what can change.
/// </summary>
public sealed class ImmutabilityTests
{
    public static TheoryData<Type, bool> Types => new()
    {
        // Rule 1: the framework's scalars, and what is never immutable.
        { typeof(int), true },
        { typeof(string), true },
        { typeof(decimal), true },
        { typeof(DateTime), true },
        { typeof(DateTimeOffset), true },
        { typeof(TimeSpan), true },
        { typeof(Guid), true },
        { typeof(DayOfWeek), true },
        { typeof(decimal?), true },
        { typeof(DayOfWeek?), true },
        { typeof(DateOnly), true },
        { typeof(TimeOnly), true },
        { typeof(Half), true },
        { typeof(Int128), true },
        { typeof(UInt128), true },
        { typeof(BigInteger), true },
        { typeof(Version), true },
        { typeof(Uri), false },
        { typeof(Type), false },
        { typeof(byte[]), false },
        { typeof(int[]), false },
        { typeof(string[,]), false },
        { typeof(object), false },
        { typeof(IReadOnlyList<int>), false },
        { typeof(AbstractQuote), false },
        { typeof(Func<int>), false },
        // Rule 2: the user's promise, either way.
        { typeof(PromisedImmutable), true },
        { typeof(PromisedMutable), false },
        { typeof(DerivedFromPromisedMutable), false },
        // Rule 3: immutable collections of shareable elements; read-only views are not.
        { typeof(ImmutableArray<int>), true },
        { typeof(ImmutableArray<byte[]>), false },
        { typeof(ImmutableList<string>), true },
        { typeof(ImmutableList<List<int>>), false },
        { typeof(ImmutableHashSet<string>), true },
        { typeof(ImmutableSortedSet<int>), true },
        { typeof(ImmutableDictionary<string, int>), true },
        { typeof(ImmutableDictionary<string, List<int>>), false },
        { typeof(ImmutableSortedDictionary<int, SealedQuote>), true },
        { typeof(ImmutableQueue<int>), true },
        { typeof(ImmutableStack<int>), true },
        { typeof(ReadOnlyCollection<int>), false },
        { typeof(ReadOnlyDictionary<string, int>), false },
        // Rule 4: structs by their fields, classes sealed with readonly shareable fields.
        { typeof(PlainStruct), true },
        { typeof(StructWithList), false },
        { typeof(SealedQuote), true },
        { typeof(OpenQuote), false },
        { typeof(SealedRecordWithSetter), false },
        { typeof(SealedWithCache), false },
        { typeof(SealedReadonly), true },
        { typeof(SealedWithMutableBase), false },
        { typeof(SealedWithReadonlyBase), true },
        { typeof(KeyValuePair<string, int>), true },
        { typeof(KeyValuePair<string, List<int>>), false },
        { typeof(ValueTuple<int, string>), true },
        { typeof(ValueTuple<int, List<int>>), false },
        { typeof(Tuple<int, string>), true },
        { typeof(Tuple<int, List<int>>), false },
        { typeof(Tuple<int, int, int, int, int, int, int, Tuple<string>>), true },
        { typeof(List<int>), false },
        { typeof(Dictionary<string, int>), false },
        // Rule 5: recursion.
        { typeof(ImmutableNode), true },
        { typeof(MutableNode), false },
        // Rule 6: lazy state and tasks.
        { typeof(Lazy<int>), false },
        { typeof(Task<int>), false },
        { typeof(Task), false },
        // Rule 7: Nullable of a shareable struct, and of one that is not.
        { typeof(PlainStruct?), true },
        { typeof(StructWithList?), false },
        { typeof(KeyValuePair<string, int>?), true },
        // Rule 8: pointers, by-refs and ref structs.
        { typeof(int).MakePointerType(), false },
        { typeof(int).MakeByRefType(), false },
        { typeof(Span<int>), false },
        { typeof(ReadOnlySpan<char>), false },
        // Open generics are never a result type.
        { typeof(List<>), false },
        { typeof(ImmutableArray<>), false },
    };

    public static TheoryData<Type, string> Reasons => new()
    {
        { typeof(Quote), "property 'Tags' of Quote is a List<string>, which can be changed" },
        { typeof(OpenQuote), "OpenQuote is a record that is not sealed" },
        { typeof(SealedWithCache), "field '_cache' of SealedWithCache is not readonly" },
        { typeof(SealedRecordWithSetter), "property 'Name' of SealedRecordWithSetter is not readonly" },
        { typeof(SealedWithMutableBase), "field '_count' of MutableBase (inherited by SealedWithMutableBase) is not readonly" },
        { typeof(StructWithList), "field 'Values' of StructWithList is a List<int>" },
        { typeof(PromisedMutable), "PromisedMutable is marked [ImmutableObject(false)]" },
        { typeof(DerivedFromPromisedMutable), "derives from PromisedMutable, which is marked [ImmutableObject(false)]" },
        { typeof(ImmutableList<List<int>>), "ImmutableList<List<int>> holds List<int>, which can be changed" },
        { typeof(ReadOnlyCollection<int>), "read-only view of a collection that whoever built it can still change" },
        { typeof(byte[]), "byte[] is an array" },
        { typeof(object), "object may hold a value of any type" },
        { typeof(IReadOnlyList<int>), "is an interface" },
        { typeof(AbstractQuote), "AbstractQuote is abstract" },
        { typeof(Func<int>), "is a delegate" },
        { typeof(Span<int>), "is a ref struct" },
        { typeof(MutableNode), "field 'Value' of MutableNode is not readonly" },
        { typeof(ExpandingNode<int>), "further than AkCache looks" },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void Only_types_whose_values_cannot_change_are_shareable(Type type, bool shareable)
    {
        Assert.Equal(shareable, Immutability.IsShareable(type));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void A_reason_is_given_exactly_when_a_type_is_not_shareable(Type type, bool shareable)
    {
        var reason = Immutability.WhyNotShareable(type);
        Assert.Equal(shareable, reason is null);
        Assert.Equal(Immutability.IsShareable(type), reason is null);
    }

    [Theory]
    [MemberData(nameof(Reasons))]
    public void The_reason_names_what_can_change(Type type, string expected)
    {
        Assert.Contains(expected, Immutability.WhyNotShareable(type));
    }

    [Fact]
    public void Shareable_of_T_agrees_with_IsShareable()
    {
        Assert.True(Shareable<SealedQuote>.Value);
        Assert.True(Shareable<ImmutableDictionary<string, int>>.Value);
        Assert.False(Shareable<Quote>.Value);
        Assert.False(Shareable<List<int>>.Value);
        Assert.Equal(Immutability.IsShareable(typeof(ImmutableNode)), Shareable<ImmutableNode>.Value);
        Assert.Equal(Immutability.IsShareable(typeof(int[])), Shareable<int[]>.Value);
    }

    [Fact]
    public void A_yes_assumed_inside_a_cycle_that_fails_is_not_kept()
    {
        // CycleLeft is judged first: while it is open, CycleRight looks shareable (it only holds a
        // CycleLeft); CycleLeft then fails on its list, so CycleRight must not be remembered as shareable.
        Assert.False(Immutability.IsShareable(typeof(CycleLeft)));
        Assert.False(Immutability.IsShareable(typeof(CycleRight)));
        Assert.Contains("field 'Left' of CycleRight is a CycleLeft", Immutability.WhyNotShareable(typeof(CycleRight)));
    }

    [Fact]
    public void Mutually_recursive_immutable_types_are_shareable_from_either_side()
    {
        Assert.True(Immutability.IsShareable(typeof(Even)));
        Assert.True(Immutability.IsShareable(typeof(Odd)));
    }

    [Fact]
    public void A_generic_type_that_grows_without_end_is_refused_not_overflowed()
    {
        Assert.False(Immutability.IsShareable(typeof(ExpandingNode<int>)));
        var reason = Immutability.WhyNotShareable(typeof(ExpandingNode<int>))!;
        Assert.StartsWith("field 'Next' of ExpandingNode<int> is a ExpandingNode<Tuple<int>>, which can be changed", reason);
        Assert.EndsWith("which can be changed: … its types nest more than 64 deep, further than AkCache looks", reason);
        Assert.True(reason.Length < 2000, reason);
    }

    [Fact]
    public void No_type_is_not_shareable_and_does_not_throw()
    {
        Assert.False(Immutability.IsShareable(null!));
        Assert.NotNull(Immutability.WhyNotShareable(null!));
    }

    public readonly struct PlainStruct
    {
        public PlainStruct(int a, long b) => (A, B) = (a, b);

        public int A { get; }

        public long B { get; }
    }

    public struct StructWithList
    {
        public int Count;
        public List<int> Values;
    }

    public sealed record SealedQuote(string Symbol, int Lot, decimal Price);

    public record OpenQuote(string Symbol, int Lot);

    public sealed record Quote(string Symbol, List<string> Tags);

    public sealed record SealedRecordWithSetter
    {
        public string Name { get; set; } = "";
    }

    public abstract class AbstractQuote
    {
        public abstract string Symbol { get; }
    }

    public sealed class SealedWithCache
    {
        private readonly string _symbol;
        private string? _cache;

        public SealedWithCache(string symbol) => _symbol = symbol;

        public string Describe() => _cache ??= "quote " + _symbol;
    }

    public sealed class SealedReadonly
    {
        private readonly string _symbol;
        private readonly ImmutableArray<decimal> _prices;

        public SealedReadonly(string symbol, ImmutableArray<decimal> prices) => (_symbol, _prices) = (symbol, prices);

        public string Describe() => _symbol + _prices.Length;
    }

    public class MutableBase
    {
        private int _count;

        public int Next() => ++_count;
    }

    public sealed class SealedWithMutableBase : MutableBase
    {
        public SealedWithMutableBase(string name) => Name = name;

        public string Name { get; }
    }

    public class ReadonlyBase
    {
        private readonly int _count;

        public ReadonlyBase(int count) => _count = count;

        public int Count => _count;
    }

    public sealed class SealedWithReadonlyBase : ReadonlyBase
    {
        public SealedWithReadonlyBase(string name) : base(1) => Name = name;

        public string Name { get; }
    }

    [ImmutableObject(true)]
    public class PromisedImmutable
    {
        public List<int> Values = new();
        public int Count;
    }

    [ImmutableObject(false)]
    public class PromisedMutable
    {
        public PromisedMutable(string name) => Name = name;

        public string Name { get; }
    }

    public sealed class DerivedFromPromisedMutable : PromisedMutable
    {
        public DerivedFromPromisedMutable() : base("x")
        {
        }
    }

    /// <summary>An immutable linked list: a readonly field of its own type.</summary>
    public sealed class ImmutableNode
    {
        public ImmutableNode(int value, ImmutableNode? next) => (Value, Next) = (value, next);

        public int Value { get; }

        public ImmutableNode? Next { get; }
    }

    public sealed class MutableNode
    {
        public int Value;
        public readonly MutableNode? Next;
    }

    public sealed class CycleLeft
    {
        public readonly CycleRight? Right;
        public readonly List<int>? Values;
    }

    public sealed class CycleRight
    {
        public readonly CycleLeft? Left;
    }

    public sealed class Even
    {
        public readonly Odd? Next;
        public readonly int Value;
    }

    public sealed class Odd
    {
        public readonly Even? Next;
        public readonly string? Value;
    }

    /// <summary>Each level holds the next over a bigger argument (T, Tuple&lt;T&gt;, ...), so no type ever repeats.</summary>
    public sealed class ExpandingNode<T>
    {
        public readonly ExpandingNode<Tuple<T>>? Next;
    }
}
