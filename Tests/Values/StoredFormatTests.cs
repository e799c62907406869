using System;
using System.Linq;
using System.Threading;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Values;

/// <summary>
/// Envelope format 2 (docs/values.md) against a real Redis: a stored value that does not match its
/// key, its serializer, its type's shape or its own expiry is a miss with one warning, recomputed
/// and overwritten; it is never returned.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class StoredFormatTests : MemoizeTestBase
{
    private const string SigningKey = "test-signing-key-7f3a9c2e";
    private const string AttackersSigningKey = "another-key-of-the-attacker-0000";

    private const byte ValueSerializerFlagsSigned = 1;

    public StoredFormatTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public void A_valid_value_copied_under_another_key_is_a_miss()
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        greet("Ann");
        var annKey = Assert.Single(StoredKeys());
        greet("Bob");
        var bobKey = Assert.Single(StoredKeys(), k => k != annKey);
        Redis.StringSet(bobKey, Redis.StringGet(annKey));
        Configure(_ => { });

        Assert.Equal("Hello, Bob", greet("Bob"));
        Assert.Equal(3, WovenAssembly.Calls("Greet"));
        Assert.Single(Log.Warnings, w => w.Contains("written for another key") && w.Contains("Greet"));

        // Overwritten with its own value: the next process reads it.
        Configure(_ => { });
        Assert.Equal("Hello, Bob", greet("Bob"));
        Assert.Equal(3, WovenAssembly.Calls("Greet"));
    }

    [Theory]
    [InlineData(1, (byte)7, "written by another serializer")]
    [InlineData(27, (byte)0x5a, "the result type had other fields")]
    [InlineData(0, (byte)1, "not in AkCache's format")]
    public void A_value_with_another_serializer_shape_or_format_is_a_miss(int offset, byte replacement, string reason)
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        greet("Cy");
        var key = Assert.Single(StoredKeys());
        var bytes = (byte[])Redis.StringGet(key)!;
        Assert.NotEqual(replacement, bytes[offset]);
        bytes[offset] = replacement;
        Redis.StringSet(key, bytes);
        Configure(_ => { });

        Assert.Equal("Hello, Cy", greet("Cy"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
        Assert.Single(Log.Warnings, w => w.Contains(reason) && w.Contains("Greet"));
    }

    [Fact]
    public void Signed_values_are_shared_between_processes_with_the_same_key()
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        Configure(o => o.SigningKey = SigningKey);
        greet("Dee");
        var key = Assert.Single(StoredKeys());
        Assert.Equal(ValueSerializerFlagsSigned, ((byte[])Redis.StringGet(key)!)[2]);

        Configure(o => o.SigningKey = SigningKey);
        Assert.Equal("Hello, Dee", greet("Dee"));
        Assert.Equal(1, WovenAssembly.Calls("Greet"));

        // A process without the key reads signed values too: it asked for no checks.
        Configure(_ => { });
        Assert.Equal("Hello, Dee", greet("Dee"));
        Assert.Equal(1, WovenAssembly.Calls("Greet"));
        Assert.Empty(Log.Warnings);
    }

    [Theory]
    [InlineData("unsigned", "it is not signed")]
    [InlineData("another key", "its signature does not match")]
    [InlineData("tampered", "its signature does not match")]
    public void Under_signing_an_unsigned_foreign_or_altered_value_is_rejected_and_counted(string how, string reason)
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        Configure(o => o.SigningKey = how == "unsigned" ? null : how == "another key" ? AttackersSigningKey : SigningKey);
        greet("Eve");
        var key = Assert.Single(StoredKeys());
        if (how == "tampered")
        {
            // The stored "Hello, Eve" becomes "Hello, Ewe": same length, one letter changed.
            var bytes = (byte[])Redis.StringGet(key)!;
            var at = bytes.AsSpan().IndexOf("Hello, Eve"u8);
            Assert.True(at > 0);
            bytes[at + 8] = (byte)'w';
            Redis.StringSet(key, bytes);
        }

        Configure(o => o.SigningKey = SigningKey);
        Assert.Equal("Hello, Eve", greet("Eve"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
        // Rejected when read, and again when the miss's lock script returns the same stored bytes.
        Assert.Equal(2, AkCacheRuntime.State.RejectedSignatures);
        Assert.Single(Log.Warnings, w => w.Contains(reason) && w.Contains("Greet"));
        Assert.DoesNotContain(Log.Entries, e => e.Message.Contains(SigningKey) || e.Message.Contains("attacker"));

        // Overwritten with a value signed with this key.
        Configure(o => o.SigningKey = SigningKey);
        Assert.Equal("Hello, Eve", greet("Eve"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
        Assert.Equal(0, AkCacheRuntime.State.RejectedSignatures);
    }

    [Fact]
    public void A_signing_key_too_short_is_refused_without_showing_it()
    {
        var error = Assert.Throws<ArgumentException>(() => Configure(o => o.SigningKey = "s3cr3t-pw"));
        Assert.Contains("at least 16 characters", error.Message);
        Assert.DoesNotContain("s3cr3t", error.Message);
    }

    [Fact]
    public void A_value_that_Redis_keeps_past_its_expiry_is_not_served()
    {
        var oneSecond = WovenAssembly.Method<Func<int, int>>("TimeToLive.OneSecond");
        var first = oneSecond(5);
        var key = Assert.Single(StoredKeys());
        Assert.True(Redis.KeyPersist(key));

        // Just past the envelope's expiry (max age 1 s): a plain miss, since a store sent late or
        // another machine's clock can leave a value in Redis for moments after its envelope ends.
        Thread.Sleep(1_300);
        Assert.True(Redis.KeyExists(key));
        Configure(_ => { });
        var second = oneSecond(5);
        Assert.NotEqual(first, second);
        Assert.Equal(2, WovenAssembly.Calls("OneSecond"));
        Assert.DoesNotContain(Log.Warnings, w => w.Contains("past the expiry"));

        // Well past it (more than the grace), while Redis, told to keep the key, still holds it: warned.
        Assert.True(Redis.KeyPersist(key));
        Thread.Sleep(1_000 + (int)AkCache.Internals.Engine.MemoEngine.ExpiryGraceMilliseconds + 300);
        Assert.True(Redis.KeyExists(key));
        Configure(_ => { });
        var third = oneSecond(5);
        Assert.NotEqual(second, third);
        Assert.Equal(3, WovenAssembly.Calls("OneSecond"));
        Assert.Single(Log.Warnings, w => w.Contains("past the expiry") && w.Contains("OneSecond"));
        Assert.True(Redis.KeyTimeToLive(key) is { } ttl && ttl > TimeSpan.Zero);
    }
}
