using System;
using System.IO;
using System.Linq;
using System.Reflection;
using AkCache.Internals.Logging;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AkCache.Tests.Observability;

/// <summary>
/// AkCache's log entries (issue 14): each kind of message has an event ID and a name of its own,
/// listed in docs/observability.md; a warning caused by an exception carries it, its text scrubbed
/// of the Redis password; and a hit, local or from Redis, does not touch the logger at all (on the
/// caller's thread: background connections, tracking's for one, log on their own).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LogEventTests : MemoizeTestBase
{
    private readonly Func<int, int, int> _add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

    public LogEventTests(RedisServerFixture fixture)
        : base(fixture)
    {
    }

    private static (int Id, string Name, LogLevel Level)[] Messages() =>
        typeof(AkCacheLog).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .Where(a => a is not null)
            .Select(a => (a!.EventId, a.EventName!, a.Level))
            .ToArray();

    [Fact]
    public void Every_message_has_an_event_id_and_a_name_of_its_own_and_the_docs_list_each_with_its_level()
    {
        var messages = Messages();
        Assert.True(messages.Length >= 30, $"only {messages.Length} messages found");
        Assert.Equal(messages.Length, messages.Select(m => m.Id).Distinct().Count());
        Assert.Equal(messages.Length, messages.Select(m => m.Name).Distinct().Count());
        Assert.All(messages, m => Assert.False(string.IsNullOrEmpty(m.Name)));

        var docs = File.ReadAllText(Path.Combine(ProcessRunner.RepositoryRoot(), "docs", "observability.md"));
        foreach (var (id, name, level) in messages)
        {
            Assert.True(docs.Contains($"| {id} | `{name}` | {level} |", StringComparison.Ordinal), $"docs/observability.md does not list event {id} {name} at {level}");
        }
    }

    [Fact]
    public void A_result_that_cannot_be_serialized_is_warned_with_its_event_id_and_the_serializers_exception()
    {
        Configure(o => o.Serializers.Add(new RefusingSerializer()));
        var echo = WovenAssembly.Method<Func<string, string>>("Serializers.Echo");
        Assert.Equal("echo a", echo("a"));

        var record = Assert.Single(Log.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(2003, record.EventId.Id);
        Assert.Equal("Unserializable", record.EventId.Name);
        var refusal = Assert.IsType<InvalidOperationException>(record.Exception);
        Assert.Equal("refused on purpose", refusal.Message);
        Assert.Contains("refused on purpose", record.Message);
    }

    [Fact]
    public void A_key_of_another_type_is_warned_with_its_event_id_and_the_servers_error()
    {
        Configure(o => o.LocalCache = false);
        Assert.Equal(5, _add(2, 3));
        var key = Assert.Single(StoredKeys("*Basic.Add(*"));
        Redis.KeyDelete(key);
        Redis.ListRightPush(key, "written by another program");

        Assert.Equal(5, _add(2, 3));
        var record = Assert.Single(Log.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal((3005, "WrongType"), (record.EventId.Id, record.EventId.Name));
        Assert.IsType<StackExchange.Redis.RedisServerException>(record.Exception);
        Assert.Contains("WRONGTYPE", record.Exception!.Message);
    }

    [Fact]
    public void An_unreachable_Redis_is_warned_once_with_its_event_id_and_no_password_in_the_entry_or_its_exception()
    {
        const string password = "Log-Event-Pa55word-8191";
        Configure(o => o.RedisUrl = $"redis://:{password}@127.0.0.1:{RedisTestServer.FreePort()}");
        Assert.Equal(7, _add(3, 4));
        Assert.Equal(9, _add(4, 5));

        var record = Assert.Single(Log.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal((3001, "RedisUnavailable"), (record.EventId.Id, record.EventId.Name));
        Assert.DoesNotContain(password, record.Message);
        Assert.DoesNotContain(password, record.Exception?.ToString() ?? string.Empty);
    }

    [Fact]
    public void An_exception_that_quotes_the_password_is_attached_scrubbed_and_one_that_does_not_as_it_is()
    {
        const string password = "Quoted-Pa55word-4099";
        Func<string, string> scrub = text => text.Replace(password, "*****");
        Exception quoting;
        try
        {
            throw new InvalidOperationException($"could not log in with {password}", new FormatException($"inner {password}"));
        }
        catch (InvalidOperationException ex)
        {
            quoting = ex;
        }

        var attached = Assert.IsType<RedactedException>(RedactedException.Scrub(quoting, scrub));
        Assert.Equal(typeof(InvalidOperationException).FullName, attached.OriginalType);
        Assert.Equal("could not log in with *****", attached.Message);
        Assert.DoesNotContain(password, attached.ToString());
        Assert.Contains("inner *****", attached.ToString());
        Assert.Contains(nameof(An_exception_that_quotes_the_password_is_attached_scrubbed_and_one_that_does_not_as_it_is), attached.StackTrace);

        var plain = new TimeoutException("no secret here");
        Assert.Same(plain, RedactedException.Scrub(plain, scrub));
        Assert.Null(RedactedException.Scrub(null, scrub));
    }

    [Fact]
    public void Hits_from_the_local_layer_and_from_Redis_do_not_touch_the_logger()
    {
        Assert.Equal(11, _add(5, 6));
        Wait.Until(() => AkCacheRuntime.GetCacheInfo(() => _add(5, 6)) is { } before && _add(5, 6) == 11 && AkCacheRuntime.GetCacheInfo(() => _add(5, 6)).LocalHits > before.LocalHits, "a repeated call is answered by the local layer", TimeSpan.FromSeconds(10));
        var touches = Log.TouchesOnThisThread;
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(11, _add(5, 6));
        }

        Assert.Equal(touches, Log.TouchesOnThisThread);

        Configure(o => o.LocalCache = false);
        Assert.Equal(11, _add(5, 6));
        touches = Log.TouchesOnThisThread;
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(11, _add(5, 6));
        }

        Assert.True(touches == Log.TouchesOnThisThread, string.Join("\n", Log.Records.Select(r => $"{r.Level} {r.EventId}: {r.Message}")));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
    }

    /// <summary>The "reversed" serializer that Serializers.Echo names, refusing every value.</summary>
    private sealed class RefusingSerializer : IValueSerializer
    {
        public string Name => "reversed";

        public byte[] Serialize<T>(T value) => throw new InvalidOperationException("refused on purpose");

        public T Deserialize<T>(ReadOnlyMemory<byte> payload) => throw new FormatException("not used");
    }
}
