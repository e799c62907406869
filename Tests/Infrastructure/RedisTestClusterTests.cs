using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Xunit;

namespace AkCache.Tests.Infrastructure;

public sealed class RedisTestClusterTests
{
    [Fact]
    public void ChooseFreePorts_passes_over_a_port_in_use_a_port_whose_bus_port_is_in_use_and_a_port_with_no_bus_port()
    {
        var inUse = new HashSet<int> { 30001, 40002 + 10000 };
        var candidates = new Queue<int>(new[] { 30001, 40002, 60000, 30100, 30100, 30200, 30300, 30400 });
        var asked = new List<int>();

        var ports = RedisTestCluster.ChooseFreePorts(3, candidates.Dequeue, port =>
        {
            asked.Add(port);
            return !inUse.Contains(port);
        });

        Assert.Equal(new[] { 30100, 30200, 30300 }, ports);
        Assert.Contains(40002 + 10000, asked);
        Assert.Contains(30100 + 10000, asked);
        Assert.DoesNotContain(60000, asked);
        Assert.Equal(new[] { 30400 }, candidates);
    }

    [Fact]
    public void ChooseFreePorts_gives_up_with_a_clear_error_when_no_candidate_is_free()
    {
        var error = Assert.Throws<InvalidOperationException>(() => RedisTestCluster.ChooseFreePorts(3, () => 30001, _ => false));

        Assert.Equal("Found only 0 of 3 loopback ports with a free cluster bus port in 100 candidates.", error.Message);
    }

    [Fact]
    public void CanBind_is_false_while_a_listener_holds_the_port_and_true_once_it_is_released()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.False(RedisTestCluster.CanBind(port));
        listener.Stop();
        Assert.True(RedisTestCluster.CanBind(port));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void FindRedisCli_takes_the_one_next_to_redis_server_before_one_earlier_on_PATH()
    {
        var root = Directory.CreateTempSubdirectory("akcache-cli-").FullName;
        try
        {
            var install = Directory.CreateDirectory(Path.Combine(root, "install")).FullName;
            var elsewhere = Directory.CreateDirectory(Path.Combine(root, "elsewhere")).FullName;
            var serverOnly = Directory.CreateDirectory(Path.Combine(root, "server-only")).FullName;
            var redisServer = Executable(install, "redis-server");
            Executable(install, "redis-cli");
            Executable(elsewhere, "redis-cli");
            var lonelyServer = Executable(serverOnly, "redis-server");
            var searchPath = string.Join(Path.PathSeparator, elsewhere, install);

            Assert.Equal(Path.Combine(install, "redis-cli"), RedisTestCluster.FindRedisCli(redisServer, searchPath));
            Assert.Equal(Path.Combine(elsewhere, "redis-cli"), RedisTestCluster.FindRedisCli(lonelyServer, searchPath));
            Assert.Null(RedisTestCluster.FindRedisCli(lonelyServer, serverOnly));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static string Executable(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
