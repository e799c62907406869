using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Infrastructure;

public sealed class RedisTestServerTests
{
    private readonly ITestOutputHelper output;

    public RedisTestServerTests(ITestOutputHelper output) => this.output = output;

    /// <summary>Every way a test may get a server: the default choice, and Garnet on purpose.</summary>
    public static TheoryData<string> Starters => new() { nameof(RedisTestServer.Start), nameof(RedisTestServer.StartGarnet) };

    [Fact]
    public void Start_gives_a_server_that_answers_SET_and_GET()
    {
        var elapsed = Stopwatch.StartNew();
        using var server = RedisTestServer.Start();
        output.WriteLine($"{server} started in {elapsed.ElapsedMilliseconds} ms");

        using var connection = Connect(server);
        var database = connection.GetDatabase();

        Assert.True(database.StringSet("greeting", "hello"));
        Assert.Equal("hello", (string?)database.StringGet("greeting"));
        Assert.True(server.IsRunning);
        Assert.Equal($"redis://127.0.0.1:{server.Port}", server.Url);
        Assert.Equal($"127.0.0.1:{server.Port}", server.Endpoint);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData("1")]
    [InlineData("github-actions")]
    public void Any_non_empty_CI_value_makes_a_missing_redis_server_an_error_not_a_fallback(string ci)
    {
        var fallbacks = new List<string>();

        var error = Assert.Throws<InvalidOperationException>(() => RedisTestServer.Start(redisServerPath: null, ci, fallbacks));

        Assert.Equal("CI is set, which requires redis-server on PATH; install it with apt-get install redis-server", error.Message);
        Assert.Empty(fallbacks);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_CI_a_missing_redis_server_falls_back_to_Garnet_and_the_fallback_is_recorded(string? ci)
    {
        var fallbacks = new List<string>();

        using var server = RedisTestServer.Start(redisServerPath: null, ci, fallbacks);
        output.WriteLine(server.Description);

        Assert.Equal(RedisTestServer.GarnetKind, server.Kind);
        Assert.True(server.IsRunning);
        Assert.Equal($"Garnet {GarnetPackageVersion()} (embedded) on 127.0.0.1:{server.Port}", server.Description);
        Assert.Equal(new[] { server.Description }, fallbacks);
    }

    [Fact]
    public void Start_reads_CI_and_PATH_from_the_environment()
    {
        // Tests never run in parallel here (NoParallelization.cs), so nothing else sees the changed variables.
        var emptyFolder = Directory.CreateTempSubdirectory("akcache-no-redis-").FullName;
        var path = Environment.GetEnvironmentVariable("PATH");
        var ci = Environment.GetEnvironmentVariable("CI");
        try
        {
            Environment.SetEnvironmentVariable("PATH", emptyFolder);
            Environment.SetEnvironmentVariable("CI", "1");

            var error = Assert.Throws<InvalidOperationException>(RedisTestServer.Start);

            Assert.StartsWith("CI is set", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
            Environment.SetEnvironmentVariable("CI", ci);
            Directory.Delete(emptyFolder, recursive: true);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void FindOnPath_returns_the_first_executable_of_that_name_in_path_order()
    {
        var root = Directory.CreateTempSubdirectory("akcache-path-").FullName;
        try
        {
            var none = Directory.CreateDirectory(Path.Combine(root, "none")).FullName;
            var notExecutable = Directory.CreateDirectory(Path.Combine(root, "not-executable")).FullName;
            var first = Directory.CreateDirectory(Path.Combine(root, "first")).FullName;
            var second = Directory.CreateDirectory(Path.Combine(root, "second")).FullName;
            File.WriteAllText(Path.Combine(notExecutable, "redis-server"), "");
            File.SetUnixFileMode(Path.Combine(notExecutable, "redis-server"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            foreach (var folder in new[] { first, second })
            {
                File.WriteAllText(Path.Combine(folder, "redis-server"), "#!/bin/sh\n");
                File.SetUnixFileMode(Path.Combine(folder, "redis-server"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            string SearchPath(params string[] folders) => string.Join(Path.PathSeparator, folders);

            Assert.Equal(Path.Combine(first, "redis-server"), RedisTestServer.FindOnPath("redis-server", SearchPath(none, notExecutable, first, second)));
            Assert.Equal(Path.Combine(second, "redis-server"), RedisTestServer.FindOnPath("redis-server", SearchPath(second, first)));
            Assert.Null(RedisTestServer.FindOnPath("redis-server", SearchPath(none, notExecutable)));
            Assert.Null(RedisTestServer.FindOnPath("redis-server", ""));
            Assert.Null(RedisTestServer.FindOnPath("redis-server", null));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [SkippableFact]
    public void Start_runs_the_redis_server_it_found_and_names_its_version()
    {
        var redisServer = RedisTestServer.FindRedisServer();
        Assert.False(redisServer is null && RedisTestServer.RequireRealRedis, "CI is set, and redis-server is not on PATH.");
        Skip.If(redisServer is null, "redis-server is not on PATH; the Garnet fallback is tested on its own (CI makes this a failure).");

        using var server = RedisTestServer.Start(redisServer, ci: null);
        output.WriteLine(server.Description);

        // The expectations come from the server and the binary themselves, not from the code under test.
        using var connection = Connect(server);
        var info = connection.GetServer(server.Endpoint).Info("server").SelectMany(group => group)
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.Equal(redisServer, info["executable"]);
        var version = Regex.Match(ProcessRunner.Run(redisServer!, new[] { "--version" }, Path.GetTempPath()).Output, @"\bv=(\S+)").Groups[1].Value;
        Assert.NotEqual("", version);
        Assert.Equal(RedisTestServer.RedisServerKind, server.Kind);
        Assert.Equal($"redis-server {version} on 127.0.0.1:{server.Port}", server.Description);
        Assert.Equal(server.Description, server.ToString());
    }

    [Fact]
    public void The_end_of_run_line_appears_only_after_a_fallback_and_names_it()
    {
        Assert.Null(GarnetFallbackReport.Line(Array.Empty<string>()));

        var line = GarnetFallbackReport.Line(new[] { "Garnet 2.2.8 (embedded) on 127.0.0.1:4000", "Garnet 2.2.8 (embedded) on 127.0.0.1:4001" });

        Assert.NotNull(line);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("2 Redis test server(s) fell back to the embedded Garnet", line, StringComparison.Ordinal);
        Assert.Contains("Garnet 2.2.8 (embedded) on 127.0.0.1:4000", line, StringComparison.Ordinal);
    }

    [Fact]
    public void StartRedisServer_runs_redis_server_or_says_how_to_install_it()
    {
        if (RedisTestServer.FindRedisServer() is null)
        {
            var error = Assert.Throws<InvalidOperationException>(RedisTestServer.StartRedisServer);
            Assert.Contains("apt-get install redis-server", error.Message, StringComparison.Ordinal);
            return;
        }

        var elapsed = Stopwatch.StartNew();
        using var server = RedisTestServer.StartRedisServer();
        output.WriteLine($"{server} started in {elapsed.ElapsedMilliseconds} ms");

        Assert.Equal(RedisTestServer.RedisServerKind, server.Kind);
        using var connection = Connect(server);
        var info = connection.GetServer(server.Endpoint).Info("server").SelectMany(group => group)
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.EndsWith("redis-server", info["executable"], StringComparison.Ordinal);
        Assert.NotEqual(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), info["process_id"]);
    }

    [Fact]
    public void StartGarnet_runs_Garnet_even_when_redis_server_is_on_PATH()
    {
        var elapsed = Stopwatch.StartNew();
        using var server = RedisTestServer.StartGarnet();
        output.WriteLine($"{server} started in {elapsed.ElapsedMilliseconds} ms");

        Assert.Equal(RedisTestServer.GarnetKind, server.Kind);
        using var connection = Connect(server);
        Assert.Equal("PONG", (string?)connection.GetDatabase().Execute("PING"));
        var info = connection.GetServer(server.Endpoint).Info("server").SelectMany(group => group)
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.Equal("garnet", info["server_name"]);
        Assert.Equal(GarnetPackageVersion(), info["garnet_version"]);
        Assert.Equal($"Garnet {info["garnet_version"]} (embedded) on 127.0.0.1:{server.Port}", server.Description);
    }

    [Theory]
    [MemberData(nameof(Starters))]
    public void Stop_closes_the_port_and_fails_open_connections(string starter)
    {
        using var server = StartWith(starter);
        using var connection = Connect(server);
        connection.GetDatabase().StringSet("key", "value");

        var elapsed = Stopwatch.StartNew();
        server.Stop();
        output.WriteLine($"{server} stopped in {elapsed.ElapsedMilliseconds} ms");

        Assert.False(server.IsRunning);
        var refused = Assert.Throws<SocketException>(() => OpenSocket(server.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        var failure = Record.Exception(() => connection.GetDatabase().StringGet("key"));
        Assert.True(
            failure is RedisConnectionException or RedisTimeoutException,
            $"Expected a connection failure, got {failure?.GetType().Name ?? "a reply"}.");
        Assert.Throws<RedisConnectionException>(() => Connect(server).Dispose());
    }

    [Theory]
    [MemberData(nameof(Starters))]
    public void Restart_answers_again_on_the_same_port_with_an_empty_store(string starter)
    {
        using var server = StartWith(starter);
        var port = server.Port;
        using (var before = Connect(server))
        {
            before.GetDatabase().StringSet("key", "value");
        }

        server.Stop();

        var elapsed = Stopwatch.StartNew();
        server.Restart();
        output.WriteLine($"{server} restarted in {elapsed.ElapsedMilliseconds} ms");

        Assert.True(server.IsRunning);
        Assert.Equal(port, server.Port);
        using var after = Connect(server);
        var database = after.GetDatabase();
        Assert.True(database.StringGet("key").IsNull);
        Assert.True(database.StringSet("key", "again"));
        Assert.Equal("again", (string?)database.StringGet("key"));
    }

    [Theory]
    [MemberData(nameof(Starters))]
    public void Restart_of_a_running_server_stops_it_first(string starter)
    {
        using var server = StartWith(starter);
        var port = server.Port;

        var elapsed = Stopwatch.StartNew();
        server.Restart();
        server.Restart();
        output.WriteLine($"{server} restarted twice while running in {elapsed.ElapsedMilliseconds} ms");

        Assert.Equal(port, server.Port);
        using var connection = Connect(server);
        Assert.True(connection.GetDatabase().StringSet("key", "value"));
    }

    [Theory]
    [MemberData(nameof(Starters))]
    public void An_open_connection_recovers_after_a_restart(string starter)
    {
        using var server = StartWith(starter);
        using var connection = Connect(server);
        var database = connection.GetDatabase();
        database.StringSet("key", "value");

        server.Stop();
        server.Restart();
        var elapsed = Stopwatch.StartNew();
        var recovered = false;
        while (!recovered && elapsed.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                recovered = database.StringSet("key", "again");
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                Thread.Sleep(50);
            }
        }

        output.WriteLine($"an open multiplexer recovered after {elapsed.ElapsedMilliseconds} ms");
        Assert.True(recovered, "The multiplexer did not reconnect within 15 s of the restart.");
    }

    [Fact]
    public void Dispose_stops_the_server()
    {
        var server = RedisTestServer.Start();
        var port = server.Port;

        server.Dispose();
        server.Dispose();

        Assert.False(server.IsRunning);
        Assert.Throws<SocketException>(() => OpenSocket(port));
        Assert.Throws<ObjectDisposedException>(server.Restart);
    }

    [Theory]
    [MemberData(nameof(Starters))]
    public async Task Server_supports_the_commands_a_cache_needs(string starter)
    {
        using var server = StartWith(starter);
        using var connection = Connect(server);
        var database = connection.GetDatabase();

        Assert.Equal("OK", (string?)await database.ExecuteAsync("SET", "cache:a", "1", "PX", "60000"));
        Assert.Equal("1", (string?)await database.ExecuteAsync("GET", "cache:a"));
        var pttl = (long)await database.ExecuteAsync("PTTL", "cache:a");
        Assert.InRange(pttl, 1, 60000);
        await database.ExecuteAsync("SET", "cache:persistent", "x");
        Assert.Equal(-1, (long)await database.ExecuteAsync("PTTL", "cache:persistent"));
        Assert.Equal(-2, (long)await database.ExecuteAsync("PTTL", "cache:missing"));

        Assert.True((await database.ExecuteAsync("SET", "cache:a", "2", "NX", "PX", "60000")).IsNull);
        Assert.Equal("OK", (string?)await database.ExecuteAsync("SET", "cache:b", "2", "NX", "PX", "60000"));

        Assert.Equal("OK", (string?)await database.ExecuteAsync("SET", "cache:short", "x", "PX", "100"));
        Assert.True(await EventuallyAsync(async () => (await database.ExecuteAsync("GET", "cache:short")).IsNull));

        await database.ExecuteAsync("SET", "other:c", "3");
        Assert.Equal(new[] { "cache:a", "cache:b", "cache:persistent" }, await ScanAsync(database, "cache:*"));

        Assert.Equal(2, (long)await database.ExecuteAsync("DEL", "cache:a", "cache:b", "cache:missing"));
        Assert.True((await database.ExecuteAsync("GET", "cache:a")).IsNull);
        Assert.Equal(1, (long)await database.ExecuteAsync("UNLINK", "other:c"));

        Assert.Equal("v", (string?)await database.ScriptEvaluateAsync(
            "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]); return redis.call('GET', KEYS[1])",
            new RedisKey[] { "cache:lua" },
            new RedisValue[] { "v", 60000 }));

        var channel = RedisChannel.Literal("akcache:invalidate");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.GetSubscriber().SubscribeAsync(channel, (_, message) => received.TrySetResult(message!));
        Assert.Equal(1, await connection.GetSubscriber().PublishAsync(channel, "cache:a"));
        Assert.Equal("cache:a", await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    // The version Directory.Packages.props asks for, which the embedded Garnet has to report.
    private static string GarnetPackageVersion()
    {
        var packages = File.ReadAllText(Path.Combine(ProcessRunner.RepositoryRoot(), "Directory.Packages.props"));
        return Regex.Match(packages, "Include=\"Microsoft\\.Garnet\" Version=\"([^\"]+)\"").Groups[1].Value;
    }

    private static RedisTestServer StartWith(string starter) => starter switch
    {
        nameof(RedisTestServer.Start) => RedisTestServer.Start(),
        nameof(RedisTestServer.StartGarnet) => RedisTestServer.StartGarnet(),
        _ => throw new ArgumentOutOfRangeException(nameof(starter), starter, null),
    };

    private static ConnectionMultiplexer Connect(RedisTestServer server) =>
        ConnectionMultiplexer.Connect(new ConfigurationOptions
        {
            EndPoints = { server.Endpoint },
            ConnectTimeout = 2000,
            SyncTimeout = 2000,
            AsyncTimeout = 2000,
            ConnectRetry = 1,
            AllowAdmin = true,
            BacklogPolicy = BacklogPolicy.FailFast,
        });

    private static void OpenSocket(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, port);
    }

    private static async Task<string[]> ScanAsync(IDatabase database, string pattern)
    {
        var keys = new List<string>();
        var cursor = "0";
        do
        {
            var page = (RedisResult[])(await database.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", "100"))!;
            cursor = (string)page[0]!;
            keys.AddRange(((RedisResult[])page[1]!).Select(key => (string)key!));
        }
        while (cursor != "0");

        return keys.Order(StringComparer.Ordinal).ToArray();
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }
}
