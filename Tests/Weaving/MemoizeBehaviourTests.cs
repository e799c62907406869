using System;
using System.Text;
using System.Text.RegularExpressions;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Weaving;

[Collection(RedisCollection.Name)]
public sealed class MemoizeBehaviourTests : MemoizeTestBase
{
    public MemoizeBehaviourTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    [Fact]
    public void First_call_runs_the_body_and_second_call_is_a_hit()
    {
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        Assert.Equal(5, add(2, 3));
        Assert.Equal(5, add(2, 3));
        Assert.Equal(5, add(2, 3));

        Assert.Equal(1, WovenAssembly.Calls("Add"));
        Assert.Equal(7, add(3, 4));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
    }

    [Fact]
    public void A_hit_is_served_by_redis_not_by_the_process()
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        Assert.Equal("Hello, Ada", greet("Ada"));

        // A fresh configuration starts with an empty memory layer: the second call can only hit through Redis.
        Configure(_ => { });
        Assert.Equal("Hello, Ada", greet("Ada"));
        Assert.Equal(1, WovenAssembly.Calls("Greet"));
    }

    [Fact]
    public void Repeated_hits_read_the_same_redis_key_every_time()
    {
        // With the local layer answering first, hits would not read Redis at all (LocalCacheTests).
        Configure(o => o.LocalCache = false);
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");
        Assert.Equal("Hello, Ada", greet("Ada"));
        var key = Assert.Single(StoredKeys());

        // After the second read the key string is kept with the call's memory entry; a wrong kept
        // key would read nothing, and the body would run again.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("Hello, Ada", greet("Ada"));
        }

        Assert.Equal(1, WovenAssembly.Calls("Greet"));
        Assert.Equal(new[] { key }, StoredKeys());

        // The value is still read from Redis, not from the process: changed there, it is seen at once.
        // The envelope is bound to its key (docs/values.md), so the change is made inside Ada's own
        // entry: the payload's string, of the same length, and nothing else.
        Assert.True(Redis.StringSet(key, ReplaceOnce((byte[])Redis.StringGet(key)!, "Hello, Ada", "Hello, Eve")));
        Assert.Equal("Hello, Eve", greet("Ada"));
        Assert.Equal(1, WovenAssembly.Calls("Greet"));

        // Deleted there, it is computed and stored again.
        Redis.KeyDelete(key);
        Assert.Equal("Hello, Ada", greet("Ada"));
        Assert.Equal(2, WovenAssembly.Calls("Greet"));
        Assert.True(Redis.KeyExists(key));
    }

    [Fact]
    public void Method_without_arguments_is_memoized()
    {
        var none = WovenAssembly.Method<Func<long>>("Basic.NoArguments");
        Assert.Equal(42L, none());
        Assert.Equal(42L, none());
        Assert.Equal(1, WovenAssembly.Calls("NoArguments"));
    }

    [Fact]
    public void Twelve_arguments_of_mixed_types_are_all_part_of_the_key()
    {
        var join = WovenAssembly.Method<Func<string?, int, double, bool, char, decimal, Guid, DateTime, byte[]?, int[]?, long, string, string>>("Basic.Join");
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        string Call(
            string? a = "a", int b = 1, double c = 2.5, bool d = true, char e = 'x', decimal f = 3.25m, Guid? g = null,
            DateTime? h = null, byte[]? i = null, int[]? j = null, long k = 9L, string l = "l") =>
            join(a, b, c, d, e, f, g ?? guid, h ?? at, i ?? new byte[] { 1, 2 }, j ?? new[] { 7, 8 }, k, l);

        var first = Call();
        Assert.Equal(first, Call());
        Assert.Equal(1, WovenAssembly.Calls("Join"));

        // One argument changed at a time: each call is a miss, so the body runs once more each time.
        // Counted, not compared: the body returns only the length of the byte array, so a result
        // cannot tell { 1, 3 } from { 1, 2 }, while the key must.
        (string Argument, Action Call)[] changes =
        {
            ("a", () => Call(a: null)), ("b", () => Call(b: 2)), ("c", () => Call(c: 2.75)), ("d", () => Call(d: false)),
            ("e", () => Call(e: 'y')), ("f", () => Call(f: 3.5m)), ("g", () => Call(g: Guid.Empty)), ("h", () => Call(h: at.AddTicks(1))),
            ("i", () => Call(i: new byte[] { 1, 3 })), ("j", () => Call(j: new[] { 8, 7 })), ("k", () => Call(k: 10L)), ("l", () => Call(l: "m")),
        };
        for (var changed = 0; changed < changes.Length; changed++)
        {
            changes[changed].Call();
            var calls = WovenAssembly.Calls("Join");
            Assert.True(calls == changed + 2, $"A call with only '{changes[changed].Argument}' changed ran the body {calls - changed - 1} more times instead of once.");
        }

        Assert.Equal(first, Call());
        Assert.Equal(13, WovenAssembly.Calls("Join"));
    }

    [Fact]
    public void Overloads_never_share_keys()
    {
        Assert.Equal("int 1", WovenAssembly.Method<Func<int, string>>("Overloads.Describe")(1));
        Assert.Equal("long 1", WovenAssembly.Method<Func<long, string>>("Overloads.Describe")(1L));
        Assert.Equal("pair 1,0", WovenAssembly.Method<Func<int, int, string>>("Overloads.Describe")(1, 0));

        Assert.Equal(1, WovenAssembly.Calls("Describe(int)"));
        Assert.Equal(1, WovenAssembly.Calls("Describe(long)"));
        Assert.Equal(1, WovenAssembly.Calls("Describe(int,int)"));
        Assert.Equal(3, StoredKeys("AssemblyToProcess.Overloads.Describe(*").Length);
    }

    [Fact]
    public void Argument_order_matters()
    {
        var subtract = WovenAssembly.Method<Func<int, int, int>>("Overloads.Subtract");
        Assert.Equal(7, subtract(10, 3));
        Assert.Equal(-7, subtract(3, 10));
        Assert.Equal(2, WovenAssembly.Calls("Subtract"));

        var concat = WovenAssembly.Method<Func<string?, string?, string>>("Overloads.Concat");
        Assert.Equal("ab+c", concat("ab", "c"));
        Assert.Equal("a+bc", concat("a", "bc"));
        Assert.Equal("<null>+x", concat(null, "x"));
        Assert.Equal("+x", concat("", "x"));
        Assert.Equal(4, WovenAssembly.Calls("Concat"));
    }

    [Fact]
    public void Null_and_default_results_are_cached()
    {
        var findName = WovenAssembly.Method<Func<int, string?>>("NullAndDefaultResults.FindName");
        var findNumber = WovenAssembly.Method<Func<int, int?>>("NullAndDefaultResults.FindNumber");
        var zero = WovenAssembly.Method<Func<int, int>>("NullAndDefaultResults.Zero");
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(findName(1));
            Assert.Null(findNumber(1));
            Assert.Equal(0, zero(1));
        }

        Assert.Equal(1, WovenAssembly.Calls("FindName"));
        Assert.Equal(1, WovenAssembly.Calls("FindNumber"));
        Assert.Equal(1, WovenAssembly.Calls("Zero"));
    }

    [Fact]
    public void An_exception_propagates_unchanged_and_nothing_is_cached()
    {
        var failUntil = WovenAssembly.Method<Func<int, int, int>>("Exceptions.FailUntil");

        var first = Assert.Throws<InvalidOperationException>(() => failUntil(4, 2));
        Assert.Equal("failure 1 for 4", first.Message);
        Assert.Contains("FailUntil", first.StackTrace);
        var second = Assert.Throws<InvalidOperationException>(() => failUntil(4, 2));
        Assert.Equal("failure 2 for 4", second.Message);
        Assert.Empty(StoredKeys());

        Assert.Equal(40, failUntil(4, 2));
        Assert.Equal(40, failUntil(4, 2));
        Assert.Equal(3, WovenAssembly.Calls("FailUntil"));
    }

    [Fact]
    public void Keys_name_the_method_and_version_and_hold_only_a_hash_of_the_arguments()
    {
        WovenAssembly.Method<Func<string, string>>("Basic.Greet")("SecretCustomerName");
        WovenAssembly.Method<Func<int, string>>("Outer+Inner.Deep")(123456789);

        var keys = StoredKeys();
        Assert.Equal(2, keys.Length);
        Assert.Matches(new Regex($"^{Prefix}:AssemblyToProcess\\.Basic\\.Greet\\(System\\.String\\):v2\\.[0-9a-f]{{8}}:\\{{[0-9a-f]{{32}}\\}}$"), keys[0]);
        Assert.Matches(new Regex($"^{Prefix}:AssemblyToProcess\\.Outer\\+Inner\\.Deep\\(System\\.Int32\\):v2\\.[0-9a-f]{{8}}:\\{{[0-9a-f]{{32}}\\}}$"), keys[1]);
        Assert.DoesNotContain("SecretCustomerName", string.Join(" ", keys));
        Assert.DoesNotContain("123456789", string.Join(" ", keys));
    }

    [Fact]
    public void The_same_arguments_give_the_same_key_after_a_restart_of_the_runtime()
    {
        WovenAssembly.Method<Func<int, int, int>>("Basic.Add")(20, 22);
        var before = StoredKeys();
        Redis.KeyDelete(before[0]);
        AkCacheRuntime.Reset();
        Configure(_ => { });
        WovenAssembly.Method<Func<int, int, int>>("Basic.Add")(20, 22);
        Assert.Equal(before, StoredKeys());
    }

    [Fact]
    public void Nested_and_non_public_methods_are_woven()
    {
        var deep = WovenAssembly.Method<Func<int, string>>("Outer+Inner.Deep");
        Assert.Equal("deep 1", deep(1));
        Assert.Equal("deep 1", deep(1));
        Assert.Equal(1, WovenAssembly.Calls("Inner.Deep"));

        var callPrivate = WovenAssembly.Method<Func<int, string>>("Service.CallPrivate");
        Assert.Equal("private 2", callPrivate(2));
        Assert.Equal("private 2", callPrivate(2));
        Assert.Equal(1, WovenAssembly.Calls("Helpers.Private"));
    }

    [Fact]
    public void Disabled_calls_straight_through_and_stores_nothing()
    {
        Configure(o => o.Disabled = true);
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
        Assert.Equal(3, add(1, 2));
        Assert.Equal(3, add(1, 2));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
        Assert.Empty(StoredKeys());
        Assert.Null(AkCacheRuntime.State.Redis);
    }

    [Fact]
    public void Configuring_does_not_connect_until_a_memoized_method_is_called()
    {
        Assert.False(AkCacheRuntime.State.Redis!.HasConnected);
        WovenAssembly.Method<Func<int, int, int>>("Basic.Add")(1, 1);
        Assert.True(AkCacheRuntime.State.Redis!.HasConnected);
    }

    private static byte[] ReplaceOnce(byte[] bytes, string find, string replacement)
    {
        var from = Encoding.UTF8.GetBytes(find);
        var to = Encoding.UTF8.GetBytes(replacement);
        Assert.Equal(from.Length, to.Length);
        var at = bytes.AsSpan().IndexOf(from);
        Assert.True(at >= 0, $"'{find}' is not in the stored bytes.");
        Assert.Equal(-1, bytes.AsSpan(at + 1).IndexOf(from));
        var changed = (byte[])bytes.Clone();
        to.CopyTo(changed, at);
        return changed;
    }
}
