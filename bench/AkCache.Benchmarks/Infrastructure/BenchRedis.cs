using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AkCache.Benchmarks.Infrastructure;

/// <summary>
/// Where the benchmarks' Redis is: AKCACHE_BENCH_REDIS (host:port on loopback), set by bench/run.sh
/// or by <see cref="Program"/> when it started a server itself. BenchmarkDotNet's child processes
/// inherit the variable.
/// </summary>
internal static class BenchRedis
{
    public const string Variable = "AKCACHE_BENCH_REDIS";

    /// <summary>host:port, for StackExchange.Redis and the peers.</summary>
    public static string Endpoint =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } endpoint
            ? endpoint
            : throw new InvalidOperationException($"{Variable} is not set: run through bench/run.sh or Program, which start redis-server.");

    /// <summary>The same server as a URL, for AkCache.</summary>
    public static string Url => "redis://" + Endpoint;

    /// <summary>A loopback port nothing listens on: AkCache pointed there finds Redis down at once.</summary>
    public static string ClosedPortUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return "redis://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
    }
}
