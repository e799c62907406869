using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MarketPipeline;

/// <summary>The Redis the tasks share: AKCACHE_REDIS_URL or REDIS_URL when set, else an embedded Garnet server.</summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Garnet.GarnetServer? _embedded;
    private readonly string? _dataDirectory;

    private RedisServer(string url, string description, Garnet.GarnetServer? embedded, string? dataDirectory)
    {
        Url = url;
        Description = description;
        _embedded = embedded;
        _dataDirectory = dataDirectory;
    }

    public string Url { get; }

    public string Description { get; }

    public static RedisServer FromEnvironmentOrEmbedded()
    {
        foreach (var variable in new[] { "AKCACHE_REDIS_URL", "REDIS_URL" })
        {
            var url = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(url))
            {
                // The URL may hold a password: say where it came from, not what it is.
                return new RedisServer(url, "from " + variable, null, null);
            }
        }

        var port = LoopbackPort.Free();
        var data = Directory.CreateTempSubdirectory("akcache-marketpipeline-garnet-").FullName;
        var server = new Garnet.GarnetServer(new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--memory", "64m", "--index", "1m",
            // AkCache releases its single-flight lock with a Lua script; Garnet runs scripts only when asked to.
            "--lua",
            "-q", "--disable-console-logger", "--checkpointdir", Path.Combine(data, "checkpoints"),
        });

        // Garnet adds a console trace listener that would interleave its traces with the table.
        Trace.Listeners.Clear();
        server.Start();
        LoadLuaEngine(port);
        var embeddedUrl = $"redis://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        return new RedisServer(embeddedUrl, $"embedded Garnet at {embeddedUrl} (set AKCACHE_REDIS_URL to use your own)", server, data);
    }

    public void Dispose()
    {
        _embedded?.Dispose();
        if (_dataDirectory is not null)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        }
    }

    /// <summary>
    /// Runs a first script. Garnet loads its Lua engine then, which takes a few hundred milliseconds
    /// on a busy machine: done during a task's first lock release instead, it can exceed AkCache's
    /// 500 ms operation timeout, and that task would fall back to computing results itself.
    /// </summary>
    private static void LoadLuaEngine(int port)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, port);
        using var stream = client.GetStream();
        stream.ReadTimeout = 30_000;
        stream.Write("*3\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n0\r\n"u8);
        var reply = new byte[64];
        var length = stream.Read(reply);
        if (length == 0 || reply[0] != (byte)':')
        {
            throw new InvalidOperationException("The embedded Garnet server did not run a Lua script: " + Encoding.ASCII.GetString(reply, 0, length).Trim());
        }
    }
}
