using System;
using System.Linq;
using AkCache.CompilerServices;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Hashing;

public sealed class KeyBuilderTests : OfflineKeyTest
{
    private static readonly MemoizedMethod Method = MemoizedMethod.Create("Test.Method" + Guid.NewGuid(), "", 0);

    /// <summary>
    /// Pins the canonical form. If this fails, keys written by earlier builds no longer match: either
    /// undo the change, or bump MemoizedMethod.KeyFormatVersion (so that old entries are never misread)
    /// and then update the expected value.
    /// </summary>
    [Fact]
    public void The_key_of_42_and_hello_never_changes_silently()
    {
        Assert.Equal("v2", MemoizedMethod.KeyFormatVersion);
        Assert.Equal("af7d18fe6b385bec4fb962ad295fe1d8", KeyOf(42, "hello").ToString());
    }

    [Fact]
    public void A_key_is_valid_and_prints_as_32_lowercase_hex_digits()
    {
        var key = KeyOf(42, "hello");

        Assert.True(key.IsValid);
        Assert.Matches("^[0-9a-f]{32}$", key.ToString());
    }

    [Fact]
    public void The_same_arguments_give_the_same_key()
    {
        Assert.Equal(KeyOf(42, "hello"), KeyOf(42, "hello"));
        Assert.Equal(KeyOf("hello", 42), KeyOf("hello", 42));
    }

    [Fact]
    public void Different_values_give_different_keys()
    {
        Assert.NotEqual(KeyOf(42, "hello"), KeyOf(43, "hello"));
        Assert.NotEqual(KeyOf(42, "hello"), KeyOf(42, "hellO"));
    }

    [Fact]
    public void Argument_order_matters()
    {
        Assert.NotEqual(KeyOf(1, 2), KeyOf(2, 1));
        Assert.NotEqual(KeyOf("a", "b"), KeyOf("b", "a"));
    }

    [Fact]
    public void Int_long_and_string_one_are_three_keys()
    {
        var keys = new[] { KeyOf(1), KeyOf(1L), KeyOf("1") };

        Assert.Equal(3, keys.Distinct().Count());
    }

    [Fact]
    public void Null_and_empty_strings_differ()
    {
        Assert.NotEqual(KeyOf<string?>(null), KeyOf(""));
    }

    [Fact]
    public void Strings_are_delimited()
    {
        Assert.NotEqual(KeyOf("ab", "c"), KeyOf("a", "bc"));
        Assert.NotEqual(KeyOf("", "x"), KeyOf("x", ""));
    }

    [Fact]
    public void The_same_ticks_with_another_kind_is_another_key()
    {
        var ticks = new DateTime(2026, 11, 28, 12, 0, 0).Ticks;
        var keys = new[]
        {
            KeyOf(new DateTime(ticks, DateTimeKind.Utc)),
            KeyOf(new DateTime(ticks, DateTimeKind.Local)),
            KeyOf(new DateTime(ticks, DateTimeKind.Unspecified)),
        };

        Assert.Equal(3, keys.Distinct().Count());
        Assert.Equal(keys[0], KeyOf(new DateTime(ticks, DateTimeKind.Utc)));
    }

    [Fact]
    public void A_DateTimeOffset_keeps_its_offset()
    {
        var utc = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        var sameInstantElsewhere = utc.ToOffset(TimeSpan.FromHours(2));

        Assert.NotEqual(KeyOf(utc), KeyOf(sameInstantElsewhere));
    }

    // Documented decision: decimal keeps its scale, since a method may format 1.0 and 1.00 differently.
    [Fact]
    public void Decimals_with_another_scale_are_another_key()
    {
        Assert.NotEqual(KeyOf(1.0m), KeyOf(1.00m));
        Assert.Equal(KeyOf(1.0m), KeyOf(1.0m));
    }

    [Fact]
    public void Negative_zero_and_zero_are_two_keys()
    {
        Assert.NotEqual(KeyOf(-0.0), KeyOf(0.0));
        Assert.NotEqual(KeyOf(-0.0f), KeyOf(0.0f));
    }

    [Fact]
    public void Arrays_are_keyed_by_content()
    {
        Assert.Equal(KeyOf(new[] { 1, 2, 3 }), KeyOf(new[] { 1, 2, 3 }));
        Assert.NotEqual(KeyOf(new[] { 1, 2, 3 }), KeyOf(new[] { 1, 2, 4 }));
        Assert.NotEqual(KeyOf(new[] { 1, 2 }), KeyOf(new[] { 1, 2, 0 }));
        Assert.NotEqual(KeyOf<int[]?>(null), KeyOf(Array.Empty<int>()));
        Assert.Equal(KeyOf(new[] { "a", null, "b" }), KeyOf(new[] { "a", null, "b" }));
        Assert.NotEqual(KeyOf(new[] { "ab", "c" }), KeyOf(new[] { "a", "bc" }));
        Assert.Equal(KeyOf(new byte[] { 1, 2 }), KeyOf(new byte[] { 1, 2 }));
        Assert.NotEqual(KeyOf(new byte[] { 1, 2 }), KeyOf(new byte[] { 2, 1 }));
    }

    [Fact]
    public void Guids_are_keyed_by_value()
    {
        var guid = Guid.NewGuid();

        Assert.Equal(KeyOf(guid), KeyOf(new Guid(guid.ToString())));
        Assert.NotEqual(KeyOf(guid), KeyOf(Guid.NewGuid()));
    }

    [Fact]
    public void A_null_nullable_differs_from_zero()
    {
        Assert.NotEqual(KeyOf<int?>(null), KeyOf<int?>(0));
        Assert.Equal(KeyOf<int?>(5), KeyOf<int?>(5));
        Assert.NotEqual(KeyOf<int?>(5), KeyOf<int?>(6));
    }

    [Fact]
    public void Enums_are_keyed_by_value()
    {
        Assert.Equal(KeyOf(DayOfWeek.Monday), KeyOf(DayOfWeek.Monday));
        Assert.NotEqual(KeyOf(DayOfWeek.Monday), KeyOf(DayOfWeek.Tuesday));
    }

    [Fact]
    public void A_plain_object_is_keyed_by_its_public_members()
    {
        var first = new Customer { Id = 7, Name = "Ada", Tags = new[] { "x", "y" } };
        var equal = new Customer { Id = 7, Name = "Ada", Tags = new[] { "x", "y" } };
        var other = new Customer { Id = 7, Name = "Ada", Tags = new[] { "x", "z" } };

        Assert.NotSame(first, equal);
        Assert.Equal(KeyOf(first), KeyOf(equal));
        Assert.NotEqual(KeyOf(first), KeyOf(other));
        Assert.NotEqual(KeyOf<Customer?>(null), KeyOf(new Customer()));
    }

    [Fact]
    public void A_subclass_and_its_base_with_equal_members_are_two_keys()
    {
        var asBase = KeyOf<Shape>(new Shape { Size = 3 });
        var asSubclass = KeyOf<Shape>(new Square { Size = 3 });

        Assert.True(asSubclass.IsValid);
        Assert.NotEqual(asBase, asSubclass);
        Assert.Equal(asSubclass, KeyOf<Shape>(new Square { Size = 3 }));
    }

    [Fact]
    public void An_argument_that_cannot_be_serialized_gives_an_invalid_key_without_throwing()
    {
        var builder = Method.BeginKey();
        builder.Add(42);
        builder.Add<Action>(() => { });
        builder.Add("ignored after the failure");
        var key = builder.Complete();

        Assert.False(key.IsValid);
        Assert.Equal("(no key)", key.ToString());
        var warning = Assert.Single(Log.Warnings);
        Assert.Contains("System.Action", warning);
        Assert.Contains(Method.Identity, warning);
    }

    [Fact]
    public void A_failed_key_leaves_the_next_key_intact()
    {
        var before = KeyOf(42, "hello");

        var builder = Method.BeginKey();
        builder.Add("half written");
        builder.Add<Func<int>>(() => 1);
        Assert.False(builder.Complete().IsValid);

        Assert.Equal(before, KeyOf(42, "hello"));
    }

    [Fact]
    public void A_long_argument_that_outgrows_the_buffer_is_keyed_by_all_of_it()
    {
        var text = new string('a', 100_000);

        Assert.Equal(KeyOf(text), KeyOf(new string('a', 100_000)));
        Assert.NotEqual(KeyOf(text), KeyOf(text + "b"));
        Assert.NotEqual(KeyOf(text), KeyOf("b" + text.Substring(1)));
    }

    [Fact]
    public void When_disabled_every_key_is_invalid()
    {
        AkCacheRuntime.Configure(o => o.Disabled = true);

        Assert.False(KeyOf(42, "hello").IsValid);
    }

    private static MemoKey KeyOf<T>(T value)
    {
        var builder = Method.BeginKey();
        builder.Add(value);
        return builder.Complete();
    }

    private static MemoKey KeyOf<T1, T2>(T1 first, T2 second)
    {
        var builder = Method.BeginKey();
        builder.Add(first);
        builder.Add(second);
        return builder.Complete();
    }

    public class Customer
    {
        public int Id { get; set; }

        public string? Name { get; set; }

        public string[]? Tags { get; set; }
    }

    public class Shape
    {
        public int Size { get; set; }
    }

    public sealed class Square : Shape
    {
    }
}
