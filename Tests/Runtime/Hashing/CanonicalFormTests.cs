using System;
using System.Collections.Generic;
using System.Linq;
using AkCache.CompilerServices;
using AkCache.Internals.Serialization;
using AkCache.Tests.Support;
using MessagePack;
using Xunit;

namespace AkCache.Tests.Runtime.Hashing;

/// <summary>
/// Every shape the key builder has a dedicated (or fast) path for, against <see cref="CanonicalBytes"/>:
/// the bytes of docs/keys.md built by hand and hashed here. A failure means keys changed, and
/// entries written by earlier builds would no longer be found.
/// </summary>
public sealed class CanonicalFormTests : OfflineKeyTest
{
    private static readonly MemoizedMethod Method = MemoizedMethod.Create("Test.Canonical" + Guid.NewGuid(), "", 0);

    [Fact]
    public void Integers_are_fixed_width_little_endian_and_narrow_ones_are_widened()
    {
        foreach (var v in new[] { 0, 1, -1, 42, int.MinValue, int.MaxValue, 0x01020304 })
        {
            Expect(KeyOf(v), new CanonicalBytes().Int32(v));
        }

        foreach (var v in new[] { 0L, -1L, long.MinValue, long.MaxValue, 0x0102030405060708L })
        {
            Expect(KeyOf(v), new CanonicalBytes().Int64(v));
        }

        foreach (var v in new[] { 0UL, 1UL, ulong.MaxValue, 0x8000000000000001UL })
        {
            Expect(KeyOf(v), new CanonicalBytes().UInt64(v));
        }

        foreach (var v in new[] { 0u, 1u, uint.MaxValue, 0x80000000u })
        {
            Expect(KeyOf(v), new CanonicalBytes().Int64(v));
        }

        foreach (var v in new short[] { 0, -1, short.MinValue, short.MaxValue })
        {
            Expect(KeyOf(v), new CanonicalBytes().Int32(v));
        }

        foreach (var v in new ushort[] { 0, 1, ushort.MaxValue, 0x8000 })
        {
            Expect(KeyOf(v), new CanonicalBytes().Int32(v));
        }

        foreach (var v in new[] { '\0', 'a', 'é', '\uD800', '\uFFFF' })
        {
            Expect(KeyOf(v), new CanonicalBytes().Int32(v));
        }

        foreach (var v in new byte[] { 0, 1, 0x7F, 0x80, 0xFF })
        {
            Expect(KeyOf(v), new CanonicalBytes().Byte(v));
        }

        foreach (var v in new sbyte[] { 0, 1, -1, sbyte.MinValue, sbyte.MaxValue })
        {
            Expect(KeyOf(v), new CanonicalBytes().Byte(unchecked((byte)v)));
        }

        Expect(KeyOf(true), new CanonicalBytes().Byte(1));
        Expect(KeyOf(false), new CanonicalBytes().Byte(0));
    }

    [Fact]
    public void Floating_point_numbers_are_their_IEEE_bits()
    {
        var singles = new[]
        {
            0f, -0f, 1f, -1.5f, float.Epsilon, float.MaxValue, float.MinValue, float.PositiveInfinity,
            float.NegativeInfinity, float.NaN, BitConverter.Int32BitsToSingle(0x7FC00001), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC12345)),
        };
        foreach (var v in singles)
        {
            Expect(KeyOf(v), new CanonicalBytes().Int32(BitConverter.SingleToInt32Bits(v)));
        }

        var doubles = new[]
        {
            0d, -0d, 1d, -1.5d, double.Epsilon, double.MaxValue, double.MinValue, double.PositiveInfinity,
            double.NegativeInfinity, double.NaN, BitConverter.Int64BitsToDouble(0x7FF8000000000001), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0000000000123)),
        };
        foreach (var v in doubles)
        {
            Expect(KeyOf(v), new CanonicalBytes().Int64(BitConverter.DoubleToInt64Bits(v)));
        }
    }

    [Fact]
    public void Decimals_are_their_four_parts()
    {
        foreach (var v in new[] { 0m, 1.0m, 1.00m, -1m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m })
        {
            var expected = new CanonicalBytes();
            foreach (var part in decimal.GetBits(v))
            {
                expected.Int32(part);
            }

            Expect(KeyOf(v), expected);
        }
    }

    [Fact]
    public void Times_guids_enums_and_nullables_keep_their_forms()
    {
        var ticks = new DateTime(2026, 11, 28, 12, 34, 56, 789).Ticks;
        foreach (var kind in new[] { DateTimeKind.Unspecified, DateTimeKind.Utc, DateTimeKind.Local })
        {
            Expect(KeyOf(new DateTime(ticks, kind)), new CanonicalBytes().Int64(ticks).Byte((byte)kind));
        }

        var offset = new DateTimeOffset(ticks, TimeSpan.FromMinutes(-330));
        Expect(KeyOf(offset), new CanonicalBytes().Int64(ticks).Int64(TimeSpan.FromMinutes(-330).Ticks));
        Expect(KeyOf(TimeSpan.FromTicks(-12345)), new CanonicalBytes().Int64(-12345));

        var guid = new Guid("00112233-4455-6677-8899-aabbccddeeff");
        Expect(KeyOf(guid), new CanonicalBytes().Sized(guid.ToByteArray()));
        foreach (var other in new[] { Guid.Empty, new Guid("ffffffff-ffff-ffff-ffff-ffffffffffff"), Guid.NewGuid(), Guid.NewGuid() })
        {
            Expect(KeyOf(other), new CanonicalBytes().Sized(other.ToByteArray()));
        }

        Expect(KeyOf(DayOfWeek.Friday), new CanonicalBytes().Int32(5));
        Expect(KeyOf(ByteEnum.High), new CanonicalBytes().Byte(200));
        Expect(KeyOf(ULongEnum.Top), new CanonicalBytes().UInt64(ulong.MaxValue));

        Expect(KeyOf<int?>(null), new CanonicalBytes().Presence(false));
        Expect(KeyOf<int?>(7), new CanonicalBytes().Presence(true).Int32(7));
        Expect(KeyOf<double?>(-0d), new CanonicalBytes().Presence(true).Int64(BitConverter.DoubleToInt64Bits(-0d)));
        Expect(KeyOf<bool?>(false), new CanonicalBytes().Presence(true).Byte(0));
    }

    [Fact]
    public void Strings_are_a_presence_byte_the_length_and_the_UTF16_code_units()
    {
        var strings = new[]
        {
            null, "", "a", "hello", "é漢字", "😀 surrogate pair", "\uD800 lone high surrogate", "\0nul\0",
            new string('x', 127), new string('y', 128), new string('z', 100_000),
        };
        foreach (var v in strings)
        {
            Expect(KeyOf(v), new CanonicalBytes().String(v));
        }
    }

    [Fact]
    public void Arrays_copied_in_one_block_match_element_by_element_writing()
    {
        var random = new Random(20260105);
        var ints = Enumerable.Range(0, 10_000).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray();
        var longs = ints.Select(i => ((long)i << 32) ^ random.Next()).ToArray();

        foreach (var v in new[] { null, Array.Empty<int>(), new[] { 1 }, new[] { int.MinValue, -1, 0, int.MaxValue }, ints })
        {
            Expect(KeyOf(v), new CanonicalBytes().Array(v, static (b, e) => b.Int32(e)));
        }

        foreach (var v in new[] { null, Array.Empty<long>(), new[] { long.MinValue, -1L, 0L, long.MaxValue }, longs })
        {
            Expect(KeyOf(v), new CanonicalBytes().Array(v, static (b, e) => b.Int64(e)));
        }

        foreach (var v in new[] { null, Array.Empty<ulong>(), new[] { 0UL, ulong.MaxValue }, longs.Select(l => unchecked((ulong)l)).ToArray() })
        {
            Expect(KeyOf(v), new CanonicalBytes().Array(v, static (b, e) => b.UInt64(e)));
        }

        var singles = new[] { -0f, float.NaN, BitConverter.Int32BitsToSingle(0x7FC00001), float.NegativeInfinity, 3.25f };
        foreach (var v in new[] { null, Array.Empty<float>(), singles, ints.Select(i => BitConverter.Int32BitsToSingle(i)).ToArray() })
        {
            Expect(KeyOf(v), new CanonicalBytes().Array(v, static (b, e) => b.Int32(BitConverter.SingleToInt32Bits(e))));
        }

        var doubles = new[] { -0d, double.NaN, BitConverter.Int64BitsToDouble(0x7FF8000000000001), double.MaxValue };
        foreach (var v in new[] { null, Array.Empty<double>(), doubles, longs.Select(l => BitConverter.Int64BitsToDouble(l)).ToArray() })
        {
            Expect(KeyOf(v), new CanonicalBytes().Array(v, static (b, e) => b.Int64(BitConverter.DoubleToInt64Bits(e))));
        }

        foreach (var v in new[] { null, Array.Empty<byte>(), new byte[] { 0, 1, 255 }, ints.Select(i => (byte)i).ToArray() })
        {
            Expect(KeyOf(v), v is null ? new CanonicalBytes().Presence(false) : new CanonicalBytes().Presence(true).Sized(v));
        }
    }

    [Fact]
    public void Arrays_of_enums_are_their_underlying_integers()
    {
        var days = new[] { DayOfWeek.Sunday, DayOfWeek.Saturday, (DayOfWeek)(-5) };
        var bytes = new[] { ByteEnum.Low, ByteEnum.High };
        var sbytes = new[] { SByteEnum.Negative, SByteEnum.Positive };
        var ulongs = new[] { ULongEnum.Top, (ULongEnum)1 };
        var shorts = new[] { ShortEnum.Negative, ShortEnum.Positive };
        var uints = new[] { UIntEnum.Top };

        Expect(KeyOf(days), new CanonicalBytes().Array(days, static (b, e) => b.Int32((int)e)));
        Expect(KeyOf(bytes), new CanonicalBytes().Array(bytes, static (b, e) => b.Byte((byte)e)));
        Expect(KeyOf(sbytes), new CanonicalBytes().Array(sbytes, static (b, e) => b.Byte(unchecked((byte)e))));
        Expect(KeyOf(ulongs), new CanonicalBytes().Array(ulongs, static (b, e) => b.UInt64((ulong)e)));
        Expect(KeyOf(shorts), new CanonicalBytes().Array(shorts, static (b, e) => b.Int32((short)e)));
        Expect(KeyOf(uints), new CanonicalBytes().Array(uints, static (b, e) => b.Int64((uint)e)));
        Expect(KeyOf<DayOfWeek[]?>(null), new CanonicalBytes().Presence(false));
        Expect(KeyOf(Array.Empty<ByteEnum>()), new CanonicalBytes().Presence(true).Int32(0));
    }

    [Fact]
    public void Arrays_of_narrow_or_unsigned_elements_stay_widened()
    {
        var shorts = new short[] { short.MinValue, -1, 0, 1, short.MaxValue };
        var ushorts = new ushort[] { 0, 1, 0x8000, ushort.MaxValue };
        var chars = "a\uD800é\uFFFF".ToCharArray();
        var uints = new[] { 0u, 1u, 0x80000000u, uint.MaxValue };
        var sbytes = new sbyte[] { sbyte.MinValue, -1, 0, sbyte.MaxValue };
        var bools = new[] { true, false, true };

        Expect(KeyOf(shorts), new CanonicalBytes().Array(shorts, static (b, e) => b.Int32(e)));
        Expect(KeyOf(ushorts), new CanonicalBytes().Array(ushorts, static (b, e) => b.Int32(e)));
        Expect(KeyOf(chars), new CanonicalBytes().Array(chars, static (b, e) => b.Int32(e)));
        Expect(KeyOf(uints), new CanonicalBytes().Array(uints, static (b, e) => b.Int64(e)));
        Expect(KeyOf(sbytes), new CanonicalBytes().Array(sbytes, static (b, e) => b.Byte(unchecked((byte)e))));
        Expect(KeyOf(bools), new CanonicalBytes().Array(bools, static (b, e) => b.Byte(e ? (byte)1 : (byte)0)));
        Expect(KeyOf<short[]?>(null), new CanonicalBytes().Presence(false));
        Expect(KeyOf(Array.Empty<char>()), new CanonicalBytes().Presence(true).Int32(0));
    }

    [Fact]
    public void Arrays_of_other_elements_write_each_element_in_its_own_form()
    {
        var strings = new[] { "a", null, "", "é漢字" };
        var decimals = new[] { 1.0m, 1.00m };
        var days = new[] { DayOfWeek.Sunday, DayOfWeek.Saturday };
        var nullables = new int?[] { 1, null, -1 };
        var jagged = new[] { new[] { 1, 2 }, null, Array.Empty<int>() };
        var guid = Guid.NewGuid();

        Expect(KeyOf(strings), new CanonicalBytes().Array(strings, static (b, e) => b.String(e)));
        Expect(KeyOf(decimals), new CanonicalBytes().Array(decimals, static (b, e) =>
        {
            foreach (var part in decimal.GetBits(e))
            {
                b.Int32(part);
            }
        }));
        Expect(KeyOf(days), new CanonicalBytes().Array(days, static (b, e) => b.Int32((int)e)));
        Expect(KeyOf(nullables), new CanonicalBytes().Array(nullables, static (b, e) =>
        {
            b.Presence(e.HasValue);
            if (e is int i)
            {
                b.Int32(i);
            }
        }));
        Expect(KeyOf(jagged), new CanonicalBytes().Array(jagged, static (b, e) => b.Array(e, static (b2, x) => b2.Int32(x))));
        Expect(KeyOf(new[] { guid }), new CanonicalBytes().Array(new[] { guid }, static (b, e) => b.Sized(e.ToByteArray())));
    }

    [Fact]
    public void Lists_have_the_form_of_arrays()
    {
        var list = new List<int> { 3, -1, int.MaxValue };

        Expect(KeyOf(list), new CanonicalBytes().Array(list.ToArray(), static (b, e) => b.Int32(e)));
        Expect(KeyOf<IReadOnlyList<string?>>(new[] { "x", null }), new CanonicalBytes().Array(new[] { "x", null }, static (b, e) => b.String(e)));
        Expect(KeyOf<List<long>?>(null), new CanonicalBytes().Presence(false));
    }

    [Fact]
    public void Sets_and_dictionaries_are_their_sorted_element_hashes()
    {
        var set = new HashSet<int> { 5, -3, 1_000_000, 0 };
        Expect(KeyOf(set), new CanonicalBytes().Unordered(set.Select(e => new CanonicalBytes().Int32(e))));

        var strings = new HashSet<string> { "b", "a", "é漢字", "" };
        Expect(KeyOf(strings), new CanonicalBytes().Unordered(strings.Select(e => new CanonicalBytes().String(e))));

        var dictionary = new Dictionary<string, double> { ["x"] = 1.5, ["y"] = -0d, [""] = double.NaN };
        Expect(KeyOf(dictionary), new CanonicalBytes().Unordered(dictionary.Select(p => new CanonicalBytes().String(p.Key).Int64(BitConverter.DoubleToInt64Bits(p.Value)))));

        var nested = new Dictionary<int, int[]> { [1] = new[] { 1, 2 }, [2] = Array.Empty<int>() };
        Expect(KeyOf(nested), new CanonicalBytes().Unordered(nested.Select(p => new CanonicalBytes().Int32(p.Key).Array(p.Value, static (b, e) => b.Int32(e)))));

        Expect(KeyOf(new HashSet<long>()), new CanonicalBytes().Presence(true).Int32(0));
        Expect(KeyOf<HashSet<long>?>(null), new CanonicalBytes().Presence(false));
    }

    [Fact]
    public void A_plain_object_is_the_MessagePack_array_of_all_its_fields_with_their_length()
    {
        var order = new Order { Id = 42, Symbol = "600000.SH", Quantity = 300, Price = 10.25m, Day = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc) };

        Expect(KeyOf(order), new CanonicalBytes().Presence(true).Sized(KeyObjectBytes.Order(order)));
        Expect(KeyOf<Order?>(null), new CanonicalBytes().Presence(false));

        var point = (X: 1, Y: "two");
        Expect(KeyOf(point), new CanonicalBytes().Presence(true).Sized(KeyObjectBytes.Pack(w =>
        {
            w.WriteArrayHeader(2);
            w.Write(1);
            w.Write("two");
        })));
    }

    [Fact]
    public void Non_public_members_are_part_of_the_key()
    {
        var first = KeyOf(PrivateState.Create("600519", 100));
        Assert.NotEqual(first.ToString(), KeyOf(PrivateState.Create("000858", 999)).ToString());
        Assert.NotEqual(first.ToString(), KeyOf(PrivateState.Create("600519", 101)).ToString());
        Assert.Equal(first.ToString(), KeyOf(PrivateState.Create("600519", 100)).ToString());
    }

    [Fact]
    public void An_object_larger_than_the_buffer_is_keyed_by_all_of_its_bytes()
    {
        var big = new Order { Id = 1, Symbol = new string('s', 50_000), Tags = Enumerable.Range(0, 5_000).Select(i => "t" + i).ToArray() };

        Expect(KeyOf(7, big), new CanonicalBytes().Int32(7).Presence(true).Sized(KeyObjectBytes.Order(big)));
    }

    [Fact]
    public void A_subclass_or_an_object_member_is_named_by_its_type_without_an_assembly()
    {
        Shape square = new Square { Size = 3 };
        Expect(KeyOf(square), new CanonicalBytes().Presence(true).Sized(KeyObjectBytes.Pack(w =>
        {
            w.WriteArrayHeader(2);
            w.Write("AkCache.Tests.Runtime.Hashing.CanonicalFormTests+Square");
            w.WriteArrayHeader(1);
            w.Write(3);
        })));

        var boxed = new Boxed { Value = new List<int> { 5 } };
        Expect(KeyOf(boxed), new CanonicalBytes().Presence(true).Sized(KeyObjectBytes.Pack(w =>
        {
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(2);
            w.Write("System.Collections.Generic.List`1[System.Int32]");
            w.WriteArrayHeader(1);
            w.Write(5);
        })));
        Assert.NotEqual(KeyOf(boxed).ToString(), KeyOf(new Boxed { Value = new[] { 5 } }).ToString());
        Assert.NotEqual(KeyOf(new Boxed { Value = 5 }).ToString(), KeyOf(new Boxed { Value = 5L }).ToString());
    }

    [Fact]
    public void Keying_an_object_runs_none_of_its_code()
    {
        var key = KeyOf(new ThrowingGetter(7));

        Assert.True(key.IsValid);
        Assert.NotEqual(key.ToString(), KeyOf(new ThrowingGetter(8)).ToString());
    }

    [Fact]
    public void Type_arguments_are_their_canonical_names()
    {
        var builder = Method.BeginKey();
        builder.AddType<int>();
        builder.AddType<Dictionary<string, int[]>>();
        builder.Add(1);

        Expect(builder.Complete(), new CanonicalBytes().Chars("System.Int32").Chars("System.Collections.Generic.Dictionary`2[System.String,System.Int32[]]").Int32(1));
    }

    [Fact]
    public void Many_arguments_of_every_fast_shape_in_one_key()
    {
        var ints = Enumerable.Range(0, 3_000).ToArray();
        var order = new Order { Id = 3, Symbol = "x" };
        var builder = Method.BeginKey();
        var expected = new CanonicalBytes();
        for (var i = 0; i < 40; i++)
        {
            builder.Add(i);
            builder.Add((long)-i);
            builder.Add(i % 2 == 0);
            builder.Add(i * 0.5);
            builder.Add((float)i);
            builder.Add((byte)i);
            builder.Add((char)('a' + i));
            builder.Add("s" + i);
            builder.Add(ints);
            builder.Add(order);
            expected.Int32(i).Int64(-i).Byte(i % 2 == 0 ? (byte)1 : (byte)0).Int64(BitConverter.DoubleToInt64Bits(i * 0.5)).Int32(BitConverter.SingleToInt32Bits(i))
                .Byte((byte)i).Int32('a' + i).String("s" + i).Array(ints, static (b, e) => b.Int32(e))
                .Presence(true).Sized(KeyObjectBytes.Order(order));
        }

        Expect(builder.Complete(), expected);
    }

    [Fact]
    public void An_object_that_fails_halfway_leaves_the_next_keys_intact()
    {
        var failing = KeyOf(1, new FailsHalfway(), 2);
        Assert.False(failing.IsValid);

        var order = new Order { Id = 5, Symbol = "ok" };
        Expect(KeyOf(1, order, 2), new CanonicalBytes().Int32(1).Presence(true).Sized(KeyObjectBytes.Order(order)).Int32(2));
        Expect(KeyOf(42, "hello", 0), new CanonicalBytes().Int32(42).String("hello").Int32(0));
    }

    [Fact]
    public void After_a_failed_argument_fast_paths_write_nothing_and_the_key_is_invalid()
    {
        var builder = Method.BeginKey();
        builder.Add<Action>(() => { });
        builder.Add(1);
        builder.Add(2.0);
        builder.Add("x");
        builder.Add(new[] { 1, 2 });

        Assert.False(builder.Complete().IsValid);
        Assert.Single(Log.Warnings);
    }

    /// <summary>
    /// Keys written by this version: independent of the reference above, so that a change to both
    /// the writers and <see cref="CanonicalBytes"/> still fails.
    /// </summary>
    [Fact]
    public void Pinned_keys_never_change_silently()
    {
        Assert.Equal("af7d18fe6b385bec4fb962ad295fe1d8", KeyOf(42, "hello").ToString());
        Assert.Equal(PinnedInt, KeyOf(-7).ToString());
        Assert.Equal(PinnedMixed, KeyOf(3.5, 2.25f, 9L).ToString());
        Assert.Equal(PinnedArrays, KeyOf(new[] { 1, 2, 3 }, new[] { 1.5, -0d }, new[] { 'a', 'b' }).ToString());
        Assert.Equal(PinnedObject, KeyOf(new Order { Id = 42, Symbol = "600000.SH", Quantity = 300, Price = 10.25m, Day = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc) }).ToString());
        Assert.Equal(PinnedUnordered, KeyOf(new HashSet<string> { "a", "b" }, new Dictionary<int, string> { [1] = "one" }).ToString());
    }

    private const string PinnedInt = "1b9449f795a11ba7de5598a213a843a6";
    private const string PinnedMixed = "2227089e3b63d9664066ce5c6cc8f438";
    private const string PinnedArrays = "7a67809779fc6427ee9b10240d1951ea";
    // Changed once, with key format v2 (docs/keys.md): objects are keyed by all their fields, not by
    // MessagePack's contractless form of their public properties. The other four did not change.
    private const string PinnedObject = "f1f83e27c2c979ce7f957fe546df6d71";
    private const string PinnedUnordered = "06c8518cdc7cd5fd4feb769d53c5795c";

    private static void Expect(MemoKey actual, CanonicalBytes expected)
    {
        Assert.True(actual.IsValid);
        Assert.Equal(expected.Key, actual.ToString());
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

    private static MemoKey KeyOf<T1, T2, T3>(T1 first, T2 second, T3 third)
    {
        var builder = Method.BeginKey();
        builder.Add(first);
        builder.Add(second);
        builder.Add(third);
        return builder.Complete();
    }

    public enum ByteEnum : byte
    {
        Low = 1,
        High = 200,
    }

    public enum ULongEnum : ulong
    {
        Top = ulong.MaxValue,
    }

    public enum SByteEnum : sbyte
    {
        Negative = -100,
        Positive = 100,
    }

    public enum ShortEnum : short
    {
        Negative = -2,
        Positive = 2,
    }

    public enum UIntEnum : uint
    {
        Top = uint.MaxValue,
    }

    public class Order
    {
        public int Id { get; set; }

        public string? Symbol { get; set; }

        public int Quantity { get; set; }

        public decimal Price { get; set; }

        public DateTime Day { get; set; }

        public string[]? Tags { get; set; }
    }

    public class Shape
    {
        public int Size { get; set; }
    }

    public sealed class Square : Shape
    {
    }

    public sealed class PrivateState
    {
        private PrivateState()
        {
        }

        public string Symbol { get; private set; } = "";

        public int Quantity { get; private set; }

        public static PrivateState Create(string symbol, int quantity) => new() { Symbol = symbol, Quantity = quantity };
    }

    public sealed class Boxed
    {
        public object? Value { get; set; }
    }

    /// <summary>Its one field is its data; the getter would throw if anything called it.</summary>
    public sealed class ThrowingGetter
    {
        private readonly int _value;

        public ThrowingGetter(int value) => _value = value;

        public int Value => throw new InvalidOperationException("a key must not run the argument's code " + _value);
    }

    /// <summary>A first field that fills the buffer, then one that cannot be keyed.</summary>
    public sealed class FailsHalfway
    {
        public string First { get; set; } = new('f', 1_000);

        public Action Second { get; set; } = () => { };
    }

    /// <summary>
    /// The bytes FaithfulOptions.Keys writes for the test types, built from MessagePack's own
    /// writer primitives rather than from AkCache's formatters.
    /// </summary>
    private static class KeyObjectBytes
    {
        public static byte[] Pack(Action<PackWriter> write)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            var packer = new PackWriter(buffer);
            write(packer);
            packer.Flush();
            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>Order is not sealed: [nil (exactly Order), [its six fields]].</summary>
        public static byte[] Order(Order order) => Pack(w =>
        {
            w.WriteArrayHeader(2);
            w.WriteNil();
            w.WriteArrayHeader(6);
            w.Write(order.Id);
            w.Write(order.Symbol);
            w.Write(order.Quantity);
            w.WriteDecimal(order.Price);
            w.Write((ulong)order.Day.Ticks | ((ulong)order.Day.Kind << 62));
            if (order.Tags is null)
            {
                w.WriteNil();
            }
            else
            {
                w.WriteArrayHeader(order.Tags.Length);
                foreach (var tag in order.Tags)
                {
                    w.Write(tag);
                }
            }
        });
    }

    /// <summary>Records writes for a MessagePackWriter (a ref struct, which lambdas cannot capture), then replays them.</summary>
    private sealed class PackWriter
    {
        private readonly System.Buffers.IBufferWriter<byte> _buffer;
        private readonly List<(char Kind, object? Value)> _steps = new();

        public PackWriter(System.Buffers.IBufferWriter<byte> buffer) => _buffer = buffer;

        public void WriteArrayHeader(int count) => _steps.Add(('a', count));

        public void WriteNil() => _steps.Add(('n', null));

        public void Write(int value) => _steps.Add(('i', (long)value));

        public void Write(long value) => _steps.Add(('i', value));

        public void Write(ulong value) => _steps.Add(('u', value));

        public void Write(string? value) => _steps.Add(('s', value));

        /// <summary>bin 16: the four GetBits parts, little endian.</summary>
        public void WriteDecimal(decimal value) => _steps.Add(('b', decimal.GetBits(value).SelectMany(BitConverter.GetBytes).ToArray()));

        public void Flush()
        {
            var writer = new MessagePackWriter(_buffer);
            foreach (var (kind, value) in _steps)
            {
                switch (kind)
                {
                    case 'a': writer.WriteArrayHeader((int)value!); break;
                    case 'n': writer.WriteNil(); break;
                    case 'i': writer.Write((long)value!); break;
                    case 'u': writer.Write((ulong)value!); break;
                    case 's': writer.Write((string?)value); break;
                    case 'b': writer.Write((byte[])value!); break;
                }
            }

            writer.Flush();
        }
    }
}
