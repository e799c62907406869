using System;
using System.Linq;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Fallback;

/// <summary>
/// A Redis that answers, but with an error: OOM (out of memory under noeviction) or NOAUTH /
/// WRONGPASS (a password required). Every call returns the right value, the warning names the
/// reply, and no password is ever shown. Each test has a server of its own, since it reconfigures it:
/// a redis-server, since the embedded Garnet has no maxmemory or requirepass to set (without
/// redis-server the tests are skipped, and say so; under CI they fail).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisErrorReplyTests : IDisposable
{
    private const string ServerPassword = "Srv-Pa55word-4711";
    private const string WrongPassword = "Wr0ng-Pa55word-0815";

    private readonly ITestOutputHelper _output;
    private readonly RedisTestServer _server = RedisTestServer.Start();
    private readonly ConnectionMultiplexer _admin;
    private readonly ListLoggerFactory _log = new();
    private readonly ManualTimeProvider _time = new();
    private readonly string _prefix = "reply" + Guid.NewGuid().ToString("N").Substring(0, 8);
    private readonly Func<int, int, int> _add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
    private readonly Func<int, int, Task<int>> _addAsync = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");

    public RedisErrorReplyTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine($"server: {_server}");
        _admin = ConnectionMultiplexer.Connect(_server.Endpoint + ",allowAdmin=true");
        WovenAssembly.ResetCalls();
    }

    public void Dispose()
    {
        foreach (var entry in _log.Entries)
        {
            _output.WriteLine($"log {entry.Level}: {entry.Message}");
        }

        AkCacheRuntime.Reset();

        // The server is stopped with a SHUTDOWN that carries no password.
        if (_server.Kind == RedisTestServer.RedisServerKind)
        {
            Admin.ConfigSet("requirepass", string.Empty);
        }

        _admin.Dispose();
        _server.Dispose();
    }

    private void NeedsRedisServer() =>
        Skip.If(_server.Kind != RedisTestServer.RedisServerKind, $"needs redis-server (CONFIG SET maxmemory / requirepass); this run has {_server}");

    private IServer Admin => _admin.GetServer(_server.Endpoint);

    private void Configure(string url) => AkCacheRuntime.ConfigureOnClock(
        o =>
        {
            o.RedisUrl = url;
            o.Prefix = _prefix;
            o.LoggerFactory = _log;

            // About what each call does with Redis refusing: the local layer answers only while Redis is unavailable.
            o.LocalCache = false;
        },
        _time);

    private string[] StoredKeys() => Admin.Keys(pattern: _prefix + ":*").Select(k => k.ToString()).ToArray();

    private string UnavailableWarning() => Assert.Single(_log.Warnings, w => w.Contains("is unavailable"));

    private string RefusedWritesWarning() => Assert.Single(_log.Warnings, w => w.Contains("refuses to store"));

    private void NoPasswordIsShown() =>
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains(ServerPassword) || e.Message.Contains(WrongPassword));

    [SkippableFact]
    public void Writes_refused_with_OOM_fall_back_and_the_values_are_right()
    {
        NeedsRedisServer();
        Configure(_server.Url);
        Assert.Equal(3, _add(1, 2));
        Admin.ConfigSet("maxmemory-policy", "noeviction");
        Admin.ConfigSet("maxmemory", "1");

        // A miss needs the lock script's writes: refused, and the writes pause (not the reads). The
        // local layer answers what this process computed.
        Assert.Equal(7, _add(3, 4));
        Assert.Equal(7, _add(3, 4));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
        Assert.Contains("OOM", RefusedWritesWarning());
        Assert.DoesNotContain(_log.Warnings, w => w.Contains("is unavailable"));
        Assert.Single(StoredKeys());
    }

    [SkippableFact]
    public async Task Async_writes_refused_with_OOM_fall_back_and_the_values_are_right()
    {
        NeedsRedisServer();
        Configure(_server.Url);
        Assert.Equal(3, await _addAsync(1, 2));
        Admin.ConfigSet("maxmemory-policy", "noeviction");
        Admin.ConfigSet("maxmemory", "1");

        Assert.Equal(7, await _addAsync(3, 4));
        Assert.Equal(7, await _addAsync(3, 4));
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(2, WovenAssembly.Calls("AddAsync"));
        Assert.Contains("OOM", RefusedWritesWarning());
        Assert.DoesNotContain(_log.Warnings, w => w.Contains("is unavailable"));
        Assert.Single(StoredKeys());
    }

    /// <summary>No password, or a wrong one, for a server that requires one.</summary>
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_refused_password_falls_back_warns_once_and_is_never_shown(bool wrongPassword)
    {
        NeedsRedisServer();
        Admin.ConfigSet("requirepass", ServerPassword);
        Configure(wrongPassword ? $"redis://:{WrongPassword}@127.0.0.1:{_server.Port}" : _server.Url);

        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        // The reason is named every time (ConnectionFailures): the connect asks again briefly when
        // the client library has not recorded the handshake's reply yet.
        var warning = UnavailableWarning();
        _output.WriteLine(warning);
        Assert.Contains("authentication failed", warning, StringComparison.Ordinal);
        Assert.Empty(StoredKeys());
        NoPasswordIsShown();
    }

    /// <summary>The same server with the right password: the failures above are the password's, not the server's.</summary>
    [SkippableFact]
    public void The_right_password_shares_results_and_is_never_shown()
    {
        NeedsRedisServer();
        Admin.ConfigSet("requirepass", ServerPassword);
        Configure($"redis://:{ServerPassword}@127.0.0.1:{_server.Port}");

        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        Assert.Single(StoredKeys());
        Assert.DoesNotContain(_log.Warnings, w => w.Contains("is unavailable"));
        NoPasswordIsShown();
    }
}
