using System;
using System.Linq;
using System.Text;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Values;

/// <summary>
/// Choosing a serializer, for every method (AkCacheOptions.Serializer) and for one
/// ([Memoize(Serializer = ...)]): its name is part of the keys' version, so switching never misreads
/// old entries; a serializer that throws leaves the result uncached, never an exception to the caller.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SerializerTests : MemoizeTestBase
{
    public SerializerTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public void A_method_naming_json_stores_json_under_a_json_version_and_shares_it()
    {
        var quote = WovenAssembly.Type("Serializers").GetMethod("Quote")!;
        var first = quote.Invoke(null, new object[] { "600519" })!;
        var key = Assert.Single(StoredKeys());
        Assert.Matches(@":v2\.[0-9a-f]{8}\.json:\{", key);
        var stored = (byte[])Redis.StringGet(key)!;
        Assert.Contains("\"Symbol\":\"600519\"", Encoding.UTF8.GetString(stored));

        Configure(_ => { });
        var second = quote.Invoke(null, new object[] { "600519" })!;
        Assert.Equal(1, WovenAssembly.Calls("Quote"));
        Assert.Equal(1700.50m, WovenAssembly.Property(second, "Last"));
        Assert.Equal(WovenAssembly.Property(first, "Symbol"), WovenAssembly.Property(second, "Symbol"));
    }

    [Fact]
    public void Switching_the_configured_serializer_changes_the_keys_and_never_misreads()
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        greet("Ann");
        var messagePackKey = Assert.Single(StoredKeys());
        Assert.DoesNotContain(".json:", messagePackKey);

        Configure(o => o.Serializer = "json");
        Assert.Equal("Hello, Ann", greet("Ann"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
        var jsonKey = Assert.Single(StoredKeys(), k => k != messagePackKey);
        Assert.Contains(".json:", jsonKey);
        Assert.Equal("\"Hello, Ann\"", Encoding.UTF8.GetString(((byte[])Redis.StringGet(jsonKey)!).AsSpan(35)));
        Assert.Empty(Log.Warnings);
    }

    [Fact]
    public void A_registered_serializer_is_used_by_name()
    {
        var serializer = new ReversingSerializer();
        Configure(o => o.Serializers.Add(serializer));
        var echo = WovenAssembly.Method<Func<string, string>>("Serializers.Echo");
        Assert.Equal("echo hi", echo("hi"));
        Assert.Contains(".reversed:", Assert.Single(StoredKeys()));

        Configure(o => o.Serializers.Add(serializer));
        Assert.Equal("echo hi", echo("hi"));
        Assert.Equal(1, WovenAssembly.Calls("Echo"));
        Assert.Equal((1, 1), (serializer.Serialized, serializer.Deserialized));
    }

    [Fact]
    public void A_serializer_that_throws_leaves_results_uncached_and_never_throws_to_the_caller()
    {
        var failing = new ReversingSerializer { FailToSerialize = true };
        Configure(o => o.Serializers.Add(failing));
        var echo = WovenAssembly.Method<Func<string, string>>("Serializers.Echo");
        Assert.Equal("echo a", echo("a"));
        Assert.Equal("echo a", echo("a"));
        Assert.Equal(2, WovenAssembly.Calls("Echo"));
        Assert.Empty(StoredKeys());
        Assert.Single(Log.Warnings, w => w.Contains("cannot be serialized") && w.Contains("Echo"));

        var unreadable = new ReversingSerializer();
        Configure(o => o.Serializers.Add(unreadable));
        echo("b");
        unreadable.FailToDeserialize = true;
        Configure(o => o.Serializers.Add(unreadable));
        Assert.Equal("echo b", echo("b"));
        Assert.Equal(4, WovenAssembly.Calls("Echo"));
        Assert.Single(Log.Warnings, w => w.Contains("cannot be read") && w.Contains("Echo"));
    }

    [Fact]
    public void A_method_naming_an_unregistered_serializer_runs_uncached_with_one_error()
    {
        var unregistered = WovenAssembly.Method<Func<int, int>>("Serializers.Unregistered");
        Assert.Equal(4, unregistered(2));
        Assert.Equal(4, unregistered(2));
        Assert.Equal(2, WovenAssembly.Calls("Unregistered"));
        Assert.Empty(StoredKeys());
        Assert.Single(Log.Entries, e => e.Message.Contains("'nowhere'") && e.Message.Contains("not registered"));
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("JSON")]
    public void An_unknown_configured_serializer_is_a_clear_error(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => Configure(o => o.Serializer = name));
        Assert.Contains($"'{name}'", error.Message);
    }

    [Fact]
    public void A_registered_serializer_cannot_take_a_built_in_name()
    {
        var error = Assert.Throws<ArgumentException>(() => Configure(o => o.Serializers.Add(new ReversingSerializer("json"))));
        Assert.Contains("other than \"messagepack\" and \"json\"", error.Message);
    }

    /// <summary>Strings only, stored reversed; counts its calls.</summary>
    private sealed class ReversingSerializer : IValueSerializer
    {
        public ReversingSerializer(string name = "reversed") => Name = name;

        public string Name { get; }

        public bool FailToSerialize { get; set; }

        public bool FailToDeserialize { get; set; }

        public int Serialized { get; private set; }

        public int Deserialized { get; private set; }

        public byte[] Serialize<T>(T value)
        {
            Serialized++;
            return FailToSerialize ? throw new InvalidOperationException("refused on purpose") : Encoding.UTF8.GetBytes(new string(((string)(object)value!).Reverse().ToArray()));
        }

        public T Deserialize<T>(ReadOnlyMemory<byte> payload)
        {
            Deserialized++;
            return FailToDeserialize ? throw new FormatException("unreadable on purpose") : (T)(object)new string(Encoding.UTF8.GetString(payload.Span).Reverse().ToArray());
        }
    }
}
