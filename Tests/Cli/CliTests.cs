using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using AkCache.Cli;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Cli;

/// <summary>
/// The akcache tool (docs/cli.md), run in process with its streams and environment as a user's shell
/// gives them, against the collection's real Redis: what memoized calls stored is what stats, ls and
/// get report (their --json parsed), clear deletes and tells the running process, and every failure
/// has its exit code and a message.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CliTests : MemoizeTestBase
{
    private const string AddMethod = "AssemblyToProcess.Basic.Add(System.Int32,System.Int32)";
    private readonly Func<int, int, int> _add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
    private readonly Func<string, string> _greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");

    public CliTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    /// <summary>What one run of the tool printed, and its exit code.</summary>
    internal sealed record Run(int Exit, string Out, string Error)
    {
        public JsonElement Json => JsonDocument.Parse(Out).RootElement;
    }

    internal static Run Akcache(IReadOnlyDictionary<string, string>? environment, string input, bool interactive, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = new CliApp(output, error, new StringReader(input), name => environment is not null && environment.TryGetValue(name, out var value) ? value : null, interactive).Run(args);
        return new Run(exit, output.ToString(), error.ToString());
    }

    private Run Akcache(params string[] args) => Akcache(new Dictionary<string, string> { ["AKCACHE_REDIS_URL"] = Server.Url, ["AKCACHE_PREFIX"] = Prefix }, string.Empty, false, args);

    /// <summary>The messages of AkCache's invalidation channel under <paramref name="prefix"/> from now on, as another process hears them.</summary>
    private System.Collections.Concurrent.ConcurrentQueue<string> Listen(string endpoint, string prefix)
    {
        var heard = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var connection = ConnectionMultiplexer.Connect(endpoint);
        _listeners.Add(connection);
        connection.GetSubscriber().Subscribe(RedisChannel.Literal(prefix + ":akcache:invalidate"), (_, message) => heard.Enqueue(message.ToString()));
        return heard;
    }

    private readonly List<ConnectionMultiplexer> _listeners = new();

    public override void Dispose()
    {
        _listeners.ForEach(l => l.Dispose());
        base.Dispose();
    }

    private void Store()
    {
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(7, _add(3, 4));
        Assert.Equal("Hello, cli", _greet("cli"));
    }

    [Fact]
    public void Stats_reports_each_method_with_its_entries_bytes_and_time_to_live()
    {
        Store();
        var run = Akcache("stats", "--json");
        Assert.Equal(0, run.Exit);
        Assert.Equal(Prefix, run.Json.GetProperty("prefix").GetString());
        var add = run.Json.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("method").GetString() == AddMethod);
        Assert.Equal(2, add.GetProperty("keys").GetInt64());
        var addKeys = StoredKeys("*Basic.Add(*");
        Assert.Equal(addKeys.Sum(k => (long)Redis.StringLength(k)), add.GetProperty("bytes").GetInt64());
        Assert.Single(add.GetProperty("versions").EnumerateArray());
        Assert.InRange(add.GetProperty("ttlMilliseconds").GetProperty("min").GetInt64(), 1, (long)TimeSpan.FromDays(1).TotalMilliseconds);
        Assert.Equal(0, add.GetProperty("withoutTtl").GetInt64());
        var total = run.Json.GetProperty("total");
        Assert.Equal(2, total.GetProperty("methods").GetInt32());
        Assert.Equal(3, total.GetProperty("keys").GetInt64());

        // The table for people: one line per method, and the note that hit counts are per process.
        var table = Akcache("stats");
        Assert.Equal(0, table.Exit);
        Assert.Contains(AddMethod, table.Out);
        Assert.Contains("2 method(s), 3 entries", table.Out);
        Assert.Contains("per process", table.Out);
    }

    [Fact]
    public void Ls_lists_a_methods_entries_by_identity_or_its_start_and_says_when_there_are_none()
    {
        Store();
        var run = Akcache("ls", "AssemblyToProcess.Basic.Add", "--json");
        Assert.Equal(0, run.Exit);
        var keys = run.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()).ToArray();
        Assert.Equal(StoredKeys("*Basic.Add(*"), keys);
        Assert.All(run.Json.GetProperty("entries").EnumerateArray(), e => Assert.True(e.GetProperty("bytes").GetInt64() > 0));

        // A whole identity matches that method only; --limit cuts the list, not the total.
        var whole = Akcache("ls", AddMethod, "--json", "--limit", "1");
        Assert.Equal(2, whole.Json.GetProperty("total").GetInt32());
        Assert.Single(whole.Json.GetProperty("entries").EnumerateArray());
        Assert.Contains("1 of 2 entries", Akcache("ls", AddMethod, "--limit", "1").Out);

        var none = Akcache("ls", "No.Such.Method");
        Assert.Equal(3, none.Exit);
        Assert.Contains("no entry", none.Error);
    }

    [Fact]
    public void Get_decodes_a_value_as_json_and_tells_a_missing_key_from_one_that_is_not_AkCaches()
    {
        Store();
        var key = StoredKeys("*Basic.Greet(*").Single();
        var run = Akcache("get", key);
        Assert.Equal(0, run.Exit);
        Assert.Equal("Hello, cli", run.Json.GetProperty("value").GetString());
        Assert.Equal("messagepack", run.Json.GetProperty("serializer").GetString());
        Assert.False(run.Json.GetProperty("compressed").GetBoolean());
        Assert.True(run.Json.GetProperty("ttlMilliseconds").GetInt64() > 0);
        Assert.True(DateTimeOffset.Parse(run.Json.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);

        var missing = Akcache("get", Prefix + ":nothing-here");
        Assert.Equal(3, missing.Exit);
        Redis.ListRightPush(Prefix + ":a-list", "not a value");
        var list = Akcache("get", Prefix + ":a-list");
        Assert.Equal(4, list.Exit);
        Assert.Contains("list", list.Error);
        Redis.StringSet(Prefix + ":foreign", "plain text another program wrote");
        var foreign = Akcache("get", Prefix + ":foreign");
        Assert.Equal(4, foreign.Exit);
        Assert.Contains("does not hold a value in AkCache's format", foreign.Error);
    }

    [Fact]
    public void Clear_asks_first_deletes_only_when_told_and_the_running_process_computes_again()
    {
        Store();
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(2, WovenAssembly.Calls("Add"));

        // No --yes and no answer (a script): nothing deleted.
        var unconfirmed = Akcache("clear", "--method", AddMethod);
        Assert.Equal(5, unconfirmed.Exit);
        Assert.Contains("Delete 2 key(s)", unconfirmed.Error);
        Assert.Equal(2, StoredKeys("*Basic.Add(*").Length);

        // Answered "y": the method's entries go, the other method's stay, and every process is told on AkCache's channel.
        var heard = Listen(Server.Endpoint, Prefix);
        var confirmed = Akcache(new Dictionary<string, string> { ["AKCACHE_REDIS_URL"] = Server.Url, ["AKCACHE_PREFIX"] = Prefix }, "y\n", true, "clear", "--method", AddMethod, "--json");
        Assert.Equal(0, confirmed.Exit);
        Assert.Equal(2, confirmed.Json.GetProperty("deleted").GetInt64());
        Assert.Empty(StoredKeys("*Basic.Add(*"));
        Assert.Single(StoredKeys("*Basic.Greet(*"));
        Wait.Until(() => heard.Contains($"akcache/1 method {Prefix}:{AddMethod}:"), "the clear is announced on the invalidation channel", TimeSpan.FromSeconds(10));
        Wait.Until(
            () =>
            {
                _add(1, 2);
                return WovenAssembly.Calls("Add") > 2;
            },
            "the running process drops its local entry when the tool clears the method",
            TimeSpan.FromSeconds(10));

        // --prefix: everything under it, without asking.
        var all = Akcache("clear", "--prefix", Prefix, "--yes", "--json");
        Assert.Equal(0, all.Exit);
        Assert.True(all.Json.GetProperty("deleted").GetInt64() >= 2);
        Assert.True(all.Json.GetProperty("announced").GetBoolean());
        Assert.Empty(StoredKeys());
        Wait.Until(() => heard.Contains("akcache/1 all"), "the clear of the prefix is announced", TimeSpan.FromSeconds(10));

        // Nothing stored any more: still announced (local layers may hold entries), nothing deleted.
        var again = Akcache("clear", "--method", AddMethod, "--json");
        Assert.Equal(0, again.Exit);
        Assert.Equal(0, again.Json.GetProperty("deleted").GetInt64());
        Assert.True(again.Json.GetProperty("announced").GetBoolean());
        Wait.Until(() => heard.Count(m => m == $"akcache/1 method {Prefix}:{AddMethod}:") == 2, "a clear of nothing stored is announced too", TimeSpan.FromSeconds(10));

        // Neither: refused, whatever the default prefix.
        Assert.Equal(2, Akcache("clear", "--yes").Exit);
    }

    [Fact]
    public void A_methods_full_name_covers_its_overloads_but_not_a_longer_name_and_an_empty_one_is_refused()
    {
        Store();
        Redis.StringSet($"{Prefix}:AssemblyToProcess.Basic.AddMore(System.Int32):v2.0000abcd:{{0123456789abcdef0123456789abcdef}}", "x", TimeSpan.FromMinutes(5));
        var run = Akcache("ls", "AssemblyToProcess.Basic.Add", "--json");
        Assert.Equal(2, run.Json.GetProperty("total").GetInt32());
        var type = Akcache("ls", "AssemblyToProcess.Basic.", "--json");
        Assert.Equal(4, type.Json.GetProperty("total").GetInt32());

        var clear = Akcache("clear", "--method", "AssemblyToProcess.Basic.Add", "--yes", "--json");
        Assert.Equal(2, clear.Json.GetProperty("deleted").GetInt64());
        Assert.Single(StoredKeys("*Basic.AddMore(*"));
        Assert.Equal(2, Akcache("clear", "--method", " ", "--yes").Exit);
        Assert.Single(StoredKeys("*Basic.Greet(*"));
    }

    [Fact]
    public void Get_of_a_value_that_does_not_convert_to_json_shows_its_bytes_and_why_and_stdout_holds_one_whole_document()
    {
        // NaN is a MessagePack double but not a JSON number.
        var key = $"{Prefix}:AssemblyToProcess.Some.Nan():v2.0000abcd:{{0123456789abcdef0123456789abcdef}}";
        var envelope = AkCache.Internals.Serialization.ValueSerializer.Serialize(double.NaN, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds(), default);
        Redis.StringSet(key, envelope, TimeSpan.FromMinutes(5));
        var run = Akcache("get", key);
        Assert.Equal(0, run.Exit);
        Assert.Equal(JsonValueKind.Null, run.Json.GetProperty("value").ValueKind);
        Assert.False(string.IsNullOrEmpty(run.Json.GetProperty("valueBase64").GetString()));
        Assert.False(string.IsNullOrEmpty(run.Json.GetProperty("valueError").GetString()));
    }

    [Fact]
    public void Progress_goes_to_standard_error_and_never_into_the_json()
    {
        Store();
        var run = Akcache("stats", "--json", "--progress");
        Assert.Equal(0, run.Exit);
        Assert.Contains("scanned 3 key(s), node 1 of 1", run.Error);
        Assert.Equal(3, run.Json.GetProperty("total").GetProperty("keys").GetInt64());
    }

    [Fact]
    public void Bad_command_lines_and_unreachable_servers_have_their_exit_codes_and_no_password_in_the_message()
    {
        Assert.Equal(0, Akcache(null, string.Empty, false, "--help").Exit);
        Assert.Equal(2, Akcache(null, string.Empty, false).Exit);
        var unknown = Akcache("frobnicate");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("unknown command", unknown.Error);
        Assert.Equal(2, Akcache("stats", "--bogus").Exit);
        Assert.Equal(2, Akcache("ls").Exit);

        var noUrl = Akcache(new Dictionary<string, string>(), string.Empty, false, "stats");
        Assert.Equal(2, noUrl.Exit);
        Assert.Contains("AKCACHE_REDIS_URL", noUrl.Error);
        Assert.Equal(2, Akcache(null, string.Empty, false, "stats", "--url", "http://example").Exit);

        const string password = "Cli-Pa55word-6151";
        var unreachable = Akcache(null, string.Empty, false, "stats", "--url", $"redis://:{password}@127.0.0.1:{RedisTestServer.FreePort()}?connectTimeout=500");
        Assert.Equal(1, unreachable.Exit);
        Assert.Contains("127.0.0.1", unreachable.Error);
        Assert.DoesNotContain(password, unreachable.Error + unreachable.Out);
    }

    /// <summary>On a three-master cluster: stats counts the keys of every node, and clear deletes them on every node and tells the process.</summary>
    [SkippableFact]
    public void On_a_cluster_stats_sees_every_node_and_clear_deletes_on_every_node()
    {
        RedisTestCluster.SkipUnlessItCanStart();
        using var cluster = RedisTestCluster.Start();
        var prefix = "clicl" + Guid.NewGuid().ToString("N").Substring(0, 8);
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = cluster.Url;
            o.Prefix = prefix;
            o.LoggerFactory = Log;
        });
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(i + 1, _add(i, 1));
        }

        using var connection = ConnectionMultiplexer.Connect(string.Join(",", cluster.Ports.Select(p => "127.0.0.1:" + p)));
        int KeysOn(int port) => connection.GetServer("127.0.0.1", port).Keys(pattern: prefix + ":*").Count();
        Assert.All(cluster.Ports, p => Assert.True(KeysOn(p) > 0, $"node {p} holds none of the 40 keys"));

        var environment = new Dictionary<string, string> { ["AKCACHE_REDIS_URL"] = cluster.Url, ["AKCACHE_PREFIX"] = prefix };
        var stats = Akcache(environment, string.Empty, false, "stats", "--json", "--progress");
        Assert.Equal(0, stats.Exit);
        Assert.Equal(40, stats.Json.GetProperty("total").GetProperty("keys").GetInt64());
        Assert.Contains("node 3 of 3", stats.Error);

        var heard = Listen("127.0.0.1:" + cluster.Ports[0], prefix);
        var clear = Akcache(environment, string.Empty, false, "clear", "--method", "AssemblyToProcess.Basic.Add", "--yes", "--json");
        Assert.Equal(0, clear.Exit);
        Assert.Equal(40, clear.Json.GetProperty("deleted").GetInt64());
        Assert.All(cluster.Ports, p => Assert.Equal(0, KeysOn(p)));
        Wait.Until(() => heard.Contains($"akcache/1 method {prefix}:AssemblyToProcess.Basic.Add"), "the clear is announced on the cluster", TimeSpan.FromSeconds(10));
        var calls = WovenAssembly.Calls("Add");
        Wait.Until(
            () =>
            {
                _add(0, 1);
                return WovenAssembly.Calls("Add") > calls;
            },
            "the process drops its local entries when the tool clears the method on the cluster",
            TimeSpan.FromSeconds(10));
    }
}
