using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using AkCache.Internals.Serialization;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Faults;

/// <summary>
/// Payloads an attacker with write access to Redis could store under a valid envelope header (the
/// header of a real value of the same key, so that every check before the payload passes): each is a
/// miss with one warning, the right result is returned and overwrites it, and nothing in it is
/// created (the serializer never names a type to instantiate, and lengths are checked against the
/// bytes present before anything is allocated for them).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HostilePayloadTests : MemoizeTestBase
{
    public HostilePayloadTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    public static TheoryData<string> Payloads => new()
    {
        "a Typeless extension naming System.Diagnostics.Process",
        "a str32 that claims 4 GiB",
        "a bin32 that claims 2 GiB",
        "an array32 that claims 4 billion elements",
        "100,000 nested arrays",
        "a map where the list should be",
        "truncated after the array header",
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void A_hostile_payload_under_a_valid_header_is_a_miss_with_one_warning_and_is_overwritten(string name)
    {
        var numbers = WovenAssembly.Method<Func<int, List<int>>>("LocalShapes.Numbers");
        Assert.Equal(new[] { 0, 1, 2 }, numbers(3));
        var key = Assert.Single(StoredKeys("*LocalShapes.Numbers(*"));
        var stored = (byte[])Redis.StringGet(key)!;
        var hostile = stored.Take(ValueSerializer.HeaderLength).Concat(Payload(name)).ToArray();
        Redis.StringSet(key, hostile, TimeSpan.FromMinutes(5));

        // Another process's view: an empty local layer reads the hostile bytes from Redis.
        Configure(_ => { });
        Assert.Equal(new[] { 0, 1, 2 }, numbers(3));

        Assert.Equal(2, WovenAssembly.Calls("Numbers"));
        var warning = Assert.Single(Log.Warnings, w => w.Contains("cannot be read", StringComparison.Ordinal) && w.Contains("Numbers", StringComparison.Ordinal));

        // Refused by the deserializer, not by the header: the header was the real one.
        Assert.DoesNotContain("not in AkCache's format", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("another key", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("other fields", warning, StringComparison.Ordinal);
        Assert.NotEqual(hostile, (byte[])Redis.StringGet(key)!);

        // Overwritten with the right value: the next process reads it.
        Configure(_ => { });
        Assert.Equal(new[] { 0, 1, 2 }, numbers(3));
        Assert.Equal(2, WovenAssembly.Calls("Numbers"));
    }

    private static byte[] Payload(string name) => name switch
    {
        // ext8 of MessagePack-CSharp's Typeless type code (100): a type name, then a payload.
        "a Typeless extension naming System.Diagnostics.Process" => Typeless("System.Diagnostics.Process, System.Diagnostics.Process"),
        "a str32 that claims 4 GiB" => new byte[] { 0xdb, 0xff, 0xff, 0xff, 0xff, (byte)'a', (byte)'b', (byte)'c' },
        "a bin32 that claims 2 GiB" => new byte[] { 0xc6, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3 },
        "an array32 that claims 4 billion elements" => new byte[] { 0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3 },
        "100,000 nested arrays" => Enumerable.Repeat((byte)0x91, 100_000).Append((byte)0x01).ToArray(),
        "a map where the list should be" => new byte[] { 0x81, 0x01, 0x02 },
        "truncated after the array header" => new byte[] { 0x93, 0x00 },
        _ => throw new ArgumentException(name),
    };

    private static byte[] Typeless(string typeName)
    {
        var nameBytes = Encoding.UTF8.GetBytes(typeName);
        // The type name as a str8, then an empty array as its "payload".
        var body = new List<byte> { 0xd9, (byte)nameBytes.Length };
        body.AddRange(nameBytes);
        body.Add(0x90);
        return new byte[] { 0xc7, (byte)body.Count, 100 }.Concat(body).ToArray();
    }
}
