using System;
using AkCache.CompilerServices;
using AkCache.Internals.Serialization;
using MessagePack;
using Xunit;

namespace AkCache.Tests.Runtime.Hashing;

/// <summary>
/// The key builder keeps a key's first <see cref="KeyBuilder.InlineCapacity"/> bytes inside itself
/// and moves them to a buffer when a write no longer fits. Every write, at every position around
/// that boundary, must give the bytes of docs/keys.md (<see cref="CanonicalBytes"/>): a key must not
/// depend on where its bytes were kept.
/// </summary>
public sealed class InlineKeyTests : OfflineKeyTest
{
    private static readonly MemoizedMethod Method = MemoizedMethod.Create("Test.InlineKey" + Guid.NewGuid(), "", 0);

    private static readonly int Capacity = KeyBuilder.InlineCapacity;

    [Fact]
    public void Fixed_width_arguments_give_the_canonical_key_at_every_position_around_the_boundary()
    {
        for (var filler = 0; filler <= Capacity + 1; filler++)
        {
            Expect(Fill(filler, static (ref KeyBuilder b) => b.Add(0x01020304)), Filler(filler).Int32(0x01020304), filler, "int");
            Expect(Fill(filler, static (ref KeyBuilder b) => b.Add(-2L)), Filler(filler).Int64(-2L), filler, "long");
            Expect(Fill(filler, static (ref KeyBuilder b) => b.Add(true)), Filler(filler).Byte(1), filler, "bool");
            Expect(Fill(filler, static (ref KeyBuilder b) => b.Add(1.5)), Filler(filler).Int64(BitConverter.DoubleToInt64Bits(1.5)), filler, "double");
            Expect(Fill(filler, static (ref KeyBuilder b) => b.Add<int?>(9)), Filler(filler).Presence(true).Int32(9), filler, "int?");
        }
    }

    [Fact]
    public void Strings_guids_and_arrays_give_the_canonical_key_whether_they_fit_inside_or_not()
    {
        var guid = new Guid("00112233-4455-6677-8899-aabbccddeeff");
        for (var filler = 0; filler <= Capacity + 1; filler += 3)
        {
            foreach (var text in new[] { "", "a", "hello", "600519.SH", new string('z', Capacity) })
            {
                Expect(Fill(filler, (ref KeyBuilder b) => b.Add(text)), Filler(filler).String(text), filler, $"string of {text.Length}");
            }

            Expect(Fill(filler, static (ref KeyBuilder b) => b.Add<string?>(null)), Filler(filler).String(null), filler, "null string");
            Expect(Fill(filler, (ref KeyBuilder b) => b.Add(guid)), Filler(filler).Sized(guid.ToByteArray()), filler, "Guid");
            Expect(Fill(filler, static (ref KeyBuilder b) => b.Add(new[] { 1, 2, 3 })), Filler(filler).Array(new[] { 1, 2, 3 }, static (c, e) => c.Int32(e)), filler, "int[]");
            Expect(Fill(filler, static (ref KeyBuilder b) => b.Add(new byte[] { 7, 8 })), Filler(filler).Presence(true).Sized(new byte[] { 7, 8 }), filler, "byte[]");
        }
    }

    [Fact]
    public void An_object_after_bytes_kept_inside_the_builder_gives_the_canonical_key()
    {
        var order = new CanonicalFormTests.Order { Id = 3, Symbol = "x", Quantity = 10 };
        var packed = MessagePackSerializer.Serialize(order, FaithfulOptions.Keys);
        for (var filler = 0; filler <= Capacity + 1; filler += 5)
        {
            Expect(Fill(filler, (ref KeyBuilder b) => b.Add(order)), Filler(filler).Presence(true).Sized(packed), filler, "object");
        }
    }

    [Fact]
    public void A_key_built_while_another_is_half_written_leaves_both_intact()
    {
        var outer = Method.BeginKey();
        for (var i = 0; i < Capacity - 2; i++)
        {
            outer.Add((byte)i);
        }

        // An argument whose serialization calls a memoized method builds a key of its own meanwhile.
        var inner = Method.BeginKey();
        inner.Add(new string('q', 100));
        var innerKey = inner.Complete();

        outer.Add("moves the outer key to a buffer");
        var outerKey = outer.Complete();

        Expect(innerKey, new CanonicalBytes().String(new string('q', 100)), 0, "inner");
        Expect(outerKey, Filler(Capacity - 2).String("moves the outer key to a buffer"), Capacity - 2, "outer");
        Expect(Fill(Capacity - 2, static (ref KeyBuilder b) => b.Add(1)), Filler(Capacity - 2).Int32(1), Capacity - 2, "next key");
    }

    /// <summary>A key of <paramref name="filler"/> bytes 0, 1, 2, ... then what <paramref name="add"/> adds.</summary>
    private static MemoKey Fill(int filler, BuilderAction add)
    {
        var builder = Method.BeginKey();
        for (var i = 0; i < filler; i++)
        {
            builder.Add((byte)i);
        }

        add(ref builder);
        return builder.Complete();
    }

    private static CanonicalBytes Filler(int filler)
    {
        var bytes = new CanonicalBytes();
        for (var i = 0; i < filler; i++)
        {
            bytes.Byte((byte)i);
        }

        return bytes;
    }

    private static void Expect(MemoKey actual, CanonicalBytes expected, int filler, string what)
    {
        Assert.True(actual.IsValid, $"{what} after {filler} bytes: no key");
        Assert.True(expected.Key == actual.ToString(), $"{what} after {filler} bytes: {actual} instead of {expected.Key}");
    }

    private delegate void BuilderAction(ref KeyBuilder builder);
}
