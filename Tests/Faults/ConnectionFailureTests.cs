using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Faults;

/// <summary>
/// A connection that cannot be made names its reason in the one warning (issue 13, point 4):
/// authentication, TLS, refused, closed by the server, timeout; an authentication failure never
/// falls back to another user; a slow first connection keeps going in the background and sharing
/// starts once it is up (point 6). Every call still returns the right result. Each test starts a
/// redis-server of its own (TLS ports, passwords and ACL users are redis-server's; the tests skip
/// on the embedded Garnet and say so, and fail under CI).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ConnectionFailureTests : IDisposable
{
    private const string ServerPassword = "Srv-Pa55word-9241";
    private const string WrongPassword = "Wr0ng-Pa55word-5521";
    private const string UserPassword = "Usr-Pa55word-3307";

    private readonly ITestOutputHelper _output;
    private readonly ListLoggerFactory _log = new();
    private readonly ManualTimeProvider _time = new();
    private readonly string _prefix = "conn" + Guid.NewGuid().ToString("N").Substring(0, 8);
    private readonly Func<int, int, int> _add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");
    private readonly Func<int, int, Task<int>> _addAsync = WovenAssembly.Method<Func<int, int, Task<int>>>("AsyncShapes.AddAsync");
    private RedisTestServer? _server;
    private ConnectionMultiplexer? _admin;
    private TestCertificates? _certificates;
    private int _tlsPort;

    public ConnectionFailureTests(ITestOutputHelper output)
    {
        _output = output;
        WovenAssembly.ResetCalls();
    }

    public void Dispose()
    {
        foreach (var entry in _log.Entries)
        {
            _output.WriteLine($"log {entry.Level}: {entry.Message}");
        }

        AkCacheRuntime.Reset();
        if (_server is not null && _admin is not null && _server.IsRunning)
        {
            // The server is stopped with a SHUTDOWN that carries no password.
            Admin.ConfigSet("requirepass", string.Empty);
        }

        _admin?.Dispose();
        _server?.Dispose();
        _certificates?.Dispose();
    }

    private IServer Admin => _admin!.GetServer(_server!.Endpoint);

    private RedisTestServer Server => _server!;

    /// <summary>Starts this test's redis-server; <paramref name="tls"/>: with a TLS port too (<see cref="_tlsPort"/>), <paramref name="mutual"/> asking for client certificates.</summary>
    private void StartServer(bool tls = false, bool mutual = false)
    {
        Skip.If(RedisTestServer.FindRedisServer() is null && !RedisTestServer.RequireRealRedis, "needs redis-server (passwords, ACL users, TLS); it is not on PATH");
        if (tls)
        {
            _certificates = TestCertificates.Create();
            _tlsPort = RedisTestServer.FreePort();
            _server = RedisTestServer.StartRedisServer(_certificates.RedisServerArguments(_tlsPort, mutual));
        }
        else
        {
            _server = RedisTestServer.StartRedisServer();
        }

        _output.WriteLine($"server: {_server}");
        _admin = ConnectionMultiplexer.Connect(_server.Endpoint + ",allowAdmin=true");
    }

    private void Configure(string url, Action<AkCacheOptions>? more = null) => AkCacheRuntime.ConfigureOnClock(
        o =>
        {
            o.RedisUrl = url;
            o.Prefix = _prefix;
            o.LoggerFactory = _log;

            // Every call asks Redis while it is reachable, so a second call shows whether the first shared its result.
            o.LocalCache = false;
            more?.Invoke(o);
        },
        _time);

    private string[] StoredKeys() => _admin is null ? [] : Admin.Keys(pattern: _prefix + ":*").Select(k => k.ToString()).Where(k => !k.EndsWith(":lock", StringComparison.Ordinal) && !k.EndsWith(":awaited", StringComparison.Ordinal)).ToArray();

    /// <summary>The method's Redis hits since the process started (the count outlives a configuration).</summary>
    private long RedisHits() => AkCacheRuntime.GetCacheInfo(() => _add(0, 0)).RedisHits;

    private string Unavailable() => Assert.Single(_log.Warnings, w => w.Contains("is unavailable"));

    /// <summary>Two calls of one key: the method runs once (the local layer answers the second), the result is right, nothing reaches Redis, and one warning names <paramref name="reason"/>.</summary>
    private void NotSharedBecause(string reason, params string[] secrets)
    {
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        var warning = Unavailable();
        _output.WriteLine(warning);
        Assert.Contains(reason, warning, StringComparison.Ordinal);
        Assert.Contains("To fix:", warning, StringComparison.Ordinal);
        Assert.Empty(StoredKeys());
        NoneIsLogged(secrets);
    }

    private async Task NotSharedBecauseAsync(string reason)
    {
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("AddAsync"));
        var warning = Unavailable();
        _output.WriteLine(warning);
        Assert.Contains(reason, warning, StringComparison.Ordinal);
        Assert.Empty(StoredKeys());
    }

    /// <summary>The first call stores its result, the second reads it: shared, no warning.</summary>
    private void Shared(params string[] secrets)
    {
        var hits = RedisHits();
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        Assert.Equal(hits + 1, RedisHits());
        Assert.Single(StoredKeys());
        Assert.DoesNotContain(_log.Warnings, w => w.Contains("is unavailable"));
        NoneIsLogged(secrets);
    }

    private void NoneIsLogged(string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(_log.Entries, e => e.Message.Contains(secret, StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public void A_wrong_password_is_named_as_an_authentication_failure()
    {
        StartServer();
        Admin.ConfigSet("requirepass", ServerPassword);
        Configure($"redis://:{WrongPassword}@127.0.0.1:{Server.Port}");
        NotSharedBecause("authentication failed", WrongPassword, ServerPassword);
    }

    [SkippableFact]
    public async Task A_missing_password_is_named_as_an_authentication_failure_async()
    {
        StartServer();
        Admin.ConfigSet("requirepass", ServerPassword);
        Configure(Server.Url);
        await NotSharedBecauseAsync("authentication failed");
    }

    [SkippableFact]
    public void A_closed_port_is_named_as_refused()
    {
        var port = RedisTestServer.FreePort();
        Configure($"redis://127.0.0.1:{port}");
        NotSharedBecause("connection refused");
    }

    [SkippableFact]
    public void A_server_that_accepts_and_never_answers_is_named_as_a_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(50);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        Configure($"redis://127.0.0.1:{port}", o => o.ConnectTimeout = TimeSpan.FromMilliseconds(400));
        NotSharedBecause("no answer within the connect timeout (400 ms)");
    }

    /// <summary>
    /// Redis's "default" user is open (nopass, as out of the box): a wrong password for user "ro"
    /// used to leave StackExchange.Redis's connection logged in as "default", which wrote as it.
    /// </summary>
    [SkippableFact]
    public void A_refused_user_never_falls_back_to_the_open_default_user()
    {
        StartServer();
        _admin!.GetDatabase().Execute("ACL", "SETUSER", "ro", "on", ">" + UserPassword, "~*", "&*", "+@all");
        Configure($"redis://ro:{WrongPassword}@127.0.0.1:{Server.Port}");
        NotSharedBecause("as user 'default', not as the configured user 'ro'", WrongPassword, UserPassword);

        // The next probe, after the break, connects anew and is refused again: still nothing written as "default".
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(5, _add(2, 3));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
        Assert.Empty(StoredKeys());
        Assert.Single(_log.Warnings, w => w.Contains("is unavailable"));
    }

    [SkippableFact]
    public void The_right_password_of_a_user_shares_results()
    {
        StartServer();
        _admin!.GetDatabase().Execute("ACL", "SETUSER", "ro", "on", ">" + UserPassword, "~*", "&*", "+@all");
        Configure($"redis://ro:{UserPassword}@127.0.0.1:{Server.Port}");
        Shared(UserPassword);
        var clients = (string)_admin.GetDatabase().Execute("CLIENT", "LIST")!;
        Assert.Contains(clients.Split('\n'), line => line.Contains("name=akcache ", StringComparison.Ordinal) && line.Contains(" user=ro ", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Plain_text_sent_to_a_TLS_port_is_named_with_the_scheme_to_use()
    {
        StartServer(tls: true);
        Configure($"redis://127.0.0.1:{_tlsPort}");
        NotSharedBecause("use rediss://");
    }

    [SkippableFact]
    public void A_certificate_of_an_unknown_authority_is_named_as_a_TLS_failure()
    {
        StartServer(tls: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}");
        NotSharedBecause("the TLS handshake failed");
    }

    [SkippableFact]
    public void A_CA_file_that_did_not_sign_the_certificate_is_a_TLS_failure()
    {
        StartServer(tls: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}", o => o.TlsCaFile = _certificates!.OtherCaFile);
        NotSharedBecause("the TLS handshake failed");
    }

    [SkippableFact]
    public void A_server_name_the_certificate_does_not_carry_is_a_TLS_failure()
    {
        StartServer(tls: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}", o =>
        {
            o.TlsCaFile = _certificates!.CaFile;
            o.TlsServerName = "redis.example.org";
        });
        NotSharedBecause("the TLS handshake failed");
    }

    [SkippableFact]
    public void The_CA_file_makes_a_private_authority_trusted_and_results_are_shared()
    {
        StartServer(tls: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}", o => o.TlsCaFile = _certificates!.CaFile);
        Shared();
    }

    [SkippableFact]
    public async Task The_CA_file_and_the_server_name_work_for_asynchronous_calls_and_the_tracking_connection()
    {
        StartServer(tls: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}", o =>
        {
            o.TlsCaFile = _certificates!.CaFile;
            o.TlsServerName = "localhost";
        });
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(3, await _addAsync(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("AddAsync"));
        Assert.Single(StoredKeys());

        // Both of AkCache's connections came in over TLS: the data connection and the tracking connection.
        Wait.Until(
            () => ((string)_admin!.GetDatabase().Execute("CLIENT", "LIST")!).Contains("name=akcache-tracking", StringComparison.Ordinal),
            "the tracking connection over TLS",
            TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(_log.Warnings, w => w.Contains("is unavailable") || w.Contains("tracking", StringComparison.OrdinalIgnoreCase));
    }

    [SkippableFact]
    public void Mutual_TLS_without_a_client_certificate_is_refused_with_a_reason()
    {
        StartServer(tls: true, mutual: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}", o => o.TlsCaFile = _certificates!.CaFile);
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        Assert.Empty(StoredKeys());
        var warning = Unavailable();
        _output.WriteLine(warning);
        Assert.Contains("requires a client certificate", warning, StringComparison.Ordinal);
        Assert.Contains("TlsClientCertificateFile", warning, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Mutual_TLS_with_a_PEM_client_certificate_shares_results()
    {
        StartServer(tls: true, mutual: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}", o =>
        {
            o.TlsCaFile = _certificates!.CaFile;
            o.TlsClientCertificateFile = _certificates.ClientCertificateFile;
            o.TlsClientKeyFile = _certificates.ClientKeyFile;
        });
        Shared();
    }

    [SkippableFact]
    public void Mutual_TLS_with_a_PKCS12_client_certificate_shares_results_and_never_logs_its_password()
    {
        StartServer(tls: true, mutual: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}", o =>
        {
            o.TlsCaFile = _certificates!.CaFile;
            o.TlsClientCertificateFile = _certificates.ClientPfxFile;
            o.TlsClientCertificatePassword = TestCertificates.ClientPfxPassword;
        });
        Shared(TestCertificates.ClientPfxPassword);
    }

    [SkippableFact]
    public void Mutual_TLS_with_a_client_certificate_of_another_authority_is_refused()
    {
        StartServer(tls: true, mutual: true);
        Configure($"rediss://127.0.0.1:{_tlsPort}", o =>
        {
            o.TlsCaFile = _certificates!.CaFile;
            o.TlsClientCertificateFile = _certificates.ForeignClientCertificateFile;
            o.TlsClientKeyFile = _certificates.ForeignClientKeyFile;
        });
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(3, _add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        Assert.Empty(StoredKeys());
        var warning = Unavailable();
        _output.WriteLine(warning);
        Assert.Contains("the server refused the client certificate", warning, StringComparison.Ordinal);
    }

    /// <summary>
    /// A first connection slower than ConnectTimeout (2 s): the first call gives up on it and
    /// computes; the connection keeps going in the background, and once it is up, the first call
    /// after the break shares again: it stores its result, and "reachable again" is logged.
    /// </summary>
    [SkippableFact]
    public void A_slow_first_connection_keeps_going_in_the_background_and_sharing_starts_when_it_is_up()
    {
        StartServer();
        using var proxy = new FreezableProxy(Server.Port);
        proxy.HoldNewConnectionsFor(TimeSpan.FromMilliseconds(2500));
        Configure(proxy.Url);

        Assert.Equal(3, _add(1, 2));
        var warning = Unavailable();
        _output.WriteLine(warning);
        Assert.Contains("no answer within the connect timeout (2000 ms)", warning, StringComparison.Ordinal);
        Assert.Empty(StoredKeys());

        Wait.Until(() => AkCacheRuntime.State.Redis!.Connection is { IsConnected: true }, "the connection made in the background", TimeSpan.FromSeconds(15));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(5, _add(2, 3));
        Assert.Single(StoredKeys());
        Assert.Single(_log.Warnings, w => w.Contains("reachable again"));
        Assert.Equal(2, WovenAssembly.Calls("Add"));

        // Read back from Redis, as another process would read it.
        var hits = RedisHits();
        Assert.Equal(5, _add(2, 3));
        Assert.Equal(2, WovenAssembly.Calls("Add"));
        Assert.Equal(hits + 1, RedisHits());
    }

    /// <summary>The same slow server, with connectTimeout in the URL: the first call waits for it, and shares at once.</summary>
    [SkippableFact]
    public void A_connect_timeout_in_the_URL_wins_and_a_slow_first_connection_is_waited_for()
    {
        StartServer();
        using var proxy = new FreezableProxy(Server.Port);
        proxy.HoldNewConnectionsFor(TimeSpan.FromMilliseconds(2500));
        Configure(proxy.Url + "?connectTimeout=6000", o => o.ConnectTimeout = TimeSpan.FromSeconds(1));
        Assert.Equal(6000, AkCacheRuntime.State.Redis!.Configuration.ConnectTimeout);
        Shared();
    }
}
