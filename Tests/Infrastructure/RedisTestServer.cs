using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Threading;
using Garnet;

namespace AkCache.Tests.Infrastructure;

/// <summary>
/// A Redis-compatible server on a free loopback port, owned by the test that started it:
/// redis-server as a child process, or Microsoft Garnet in this process.
/// </summary>
public sealed class RedisTestServer : IDisposable
{
    /// <summary>The <see cref="Kind"/> of a server run by the redis-server executable.</summary>
    public const string RedisServerKind = "redis-server";

    /// <summary>The <see cref="Kind"/> of an embedded Garnet server.</summary>
    public const string GarnetKind = "garnet";

    private const string MissingUnderCiMessage =
        "CI is set, which requires redis-server on PATH; install it with apt-get install redis-server";

    private const string MissingMessage =
        "redis-server is not on PATH; install it with apt-get install redis-server";

    private const int FreshPortAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PortReuseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    // Every start that fell back to Garnet, for the one line at the end of the run (GarnetFallbackReport).
    private static readonly ConcurrentQueue<string> GarnetFallbackServers = new();

    private readonly string? redisServerPath;
    private readonly string dataDirectory;
    private readonly string[] extraArguments;
    private readonly StringBuilder processOutput = new();
    private Process? process;
    private GarnetServer? garnet;
    private bool disposed;

    private RedisTestServer(string? redisServerPath, string[]? extraArguments = null)
    {
        this.redisServerPath = redisServerPath;
        this.extraArguments = extraArguments ?? [];
        dataDirectory = Directory.CreateTempSubdirectory("akcache-redis-").FullName;
    }

    /// <summary>True when the environment variable CI is set to anything (true, 1, yes...): tests then demand a real redis-server.</summary>
    public static bool RequireRealRedis => RequiresRealRedis(Environment.GetEnvironmentVariable("CI"));

    /// <summary>
    /// Any non-empty CI value forbids the Garnet fallback: CI systems set CI=true, CI=1 or their own
    /// name, and a fallback that a CI run took silently would prove nothing about redis-server.
    /// </summary>
    public static bool RequiresRealRedis(string? ci) => !string.IsNullOrWhiteSpace(ci);

    /// <summary><see cref="RedisServerKind"/> or <see cref="GarnetKind"/>.</summary>
    public string Kind => redisServerPath is null ? GarnetKind : RedisServerKind;

    /// <summary>The server's version: redis_version as the running redis-server reports it, or the embedded Garnet's package version.</summary>
    public string Version { get; private set; } = "unknown";

    /// <summary>What a test ran against, for its output: "redis-server 7.0.15 on 127.0.0.1:port" or "Garnet 2.2.8 (embedded) on 127.0.0.1:port".</summary>
    public string Description => redisServerPath is null
        ? $"Garnet {Version} (embedded) on {Endpoint}"
        : $"redis-server {Version} on {Endpoint}";

    /// <summary>The <see cref="Description"/> of every server that <see cref="Start()"/> ran on Garnet because redis-server was missing.</summary>
    public static IReadOnlyList<string> GarnetFallbacks => GarnetFallbackServers.ToArray();

    /// <summary>The loopback port, chosen at start and kept across <see cref="Stop"/> and <see cref="Restart"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The server as a URL: redis://127.0.0.1:port.</summary>
    public string Url => $"redis://{Endpoint}";

    /// <summary>The server as a StackExchange.Redis endpoint: 127.0.0.1:port.</summary>
    public string Endpoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True between a start and the next <see cref="Stop"/>.</summary>
    public bool IsRunning => process is { HasExited: false } || garnet is not null;

    private string LogPath => Path.Combine(dataDirectory, Kind + ".log");

    /// <summary>
    /// Starts redis-server when it is on PATH, else an embedded Garnet server.
    /// Under CI=true a missing redis-server is an error, never a silent fallback.
    /// </summary>
    public static RedisTestServer Start() => Start(FindRedisServer(), Environment.GetEnvironmentVariable("CI"));

    /// <summary>Starts redis-server; throws when it is not on PATH.</summary>
    public static RedisTestServer StartRedisServer() =>
        Launch(FindRedisServer() ?? throw new InvalidOperationException(MissingMessage));

    /// <summary>
    /// Starts redis-server with more arguments after AkCache's own (a TLS port, requirepass...);
    /// throws when it is not on PATH. It must still answer plain PING on <see cref="Port"/>.
    /// </summary>
    public static RedisTestServer StartRedisServer(params string[] extraArguments) =>
        Launch(FindRedisServer() ?? throw new InvalidOperationException(MissingMessage), extraArguments);

    /// <summary>A loopback port that was free a moment ago, for a second listener of a server (its TLS port).</summary>
    public static int FreePort() => ReserveFreePort();

    /// <summary>Starts an embedded Garnet server, whatever is on PATH.</summary>
    public static RedisTestServer StartGarnet() => Launch(null);

    /// <param name="redisServerPath">The redis-server found on PATH, or null.</param>
    /// <param name="ci">The value of the CI environment variable.</param>
    /// <param name="fallbacks">Where a fallback to Garnet is recorded: <see cref="GarnetFallbacks"/> unless a test of this choice gives its own.</param>
    internal static RedisTestServer Start(string? redisServerPath, string? ci, ICollection<string>? fallbacks = null)
    {
        if (redisServerPath is not null)
        {
            return Launch(redisServerPath);
        }

        if (RequiresRealRedis(ci))
        {
            throw new InvalidOperationException(MissingUnderCiMessage);
        }

        var garnet = StartGarnet();
        if (fallbacks is null)
        {
            GarnetFallbackServers.Enqueue(garnet.Description);
        }
        else
        {
            fallbacks.Add(garnet.Description);
        }

        return garnet;
    }

    /// <summary>Stops the server this instance started; the port is closed when this returns.</summary>
    public void Stop()
    {
        if (process is { } redis)
        {
            process = null;
            ShutDown(redis);
            WaitUntilPortCloses();
        }

        if (garnet is { } embedded)
        {
            garnet = null;
            embedded.Dispose();
            WaitUntilPortCloses();
        }
    }

    /// <summary>Stops the server if it runs, then starts it again on the same port and waits until it answers PING.</summary>
    public void Restart()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Stop();
        var elapsed = Stopwatch.StartNew();
        while (!TryStartOnPort())
        {
            if (elapsed.Elapsed > PortReuseTimeout)
            {
                throw new InvalidOperationException(
                    $"{Kind} could not bind {Endpoint} again within {PortReuseTimeout.TotalSeconds} s: another socket holds the port.");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Stops the server and deletes its temporary directory.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            Stop();
        }
        finally
        {
            TryDeleteDirectory();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    private static RedisTestServer Launch(string? redisServerPath, string[]? extraArguments = null)
    {
        var server = new RedisTestServer(redisServerPath, extraArguments);
        try
        {
            server.StartOnFreshPort();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    internal static string? FindRedisServer() => FindOnPath("redis-server", Environment.GetEnvironmentVariable("PATH"));

    /// <returns>The first executable file called <paramref name="program"/> in the folders of <paramref name="searchPath"/>, or null.</returns>
    internal static string? FindOnPath(string program, string? searchPath)
    {
        var name = OperatingSystem.IsWindows() ? program + ".exe" : program;
        return (searchPath ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(IsExecutableFile);
    }

    internal static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    private static int ReserveFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    // The port is free when it is reserved, but anyone may bind it before the server does.
    private void StartOnFreshPort()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = ReserveFreePort();
            if (TryStartOnPort())
            {
                return;
            }

            if (attempt == FreshPortAttempts)
            {
                throw new InvalidOperationException($"{Kind} found no free loopback port in {FreshPortAttempts} attempts.");
            }
        }
    }

    /// <returns>False when the port is taken; throws on any other failure.</returns>
    private bool TryStartOnPort() => redisServerPath is null ? TryStartGarnet() : TryStartRedisServer(redisServerPath);

    private bool TryStartRedisServer(string executable)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        string[] arguments =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--daemonize", "no",
            "--save", "",
            "--appendonly", "no",
            "--dir", dataDirectory,
            "--logfile", LogPath,
        ];
        foreach (var argument in arguments.Concat(extraArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var logOffset = File.Exists(LogPath) ? new FileInfo(LogPath).Length : 0;
        lock (processOutput)
        {
            processOutput.Clear();
        }

        var started = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {executable}.");
        started.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        started.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();

        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            // Another server may already answer on this port: only our own process id counts as ready.
            if (Resp.ServerInfoOfProcess(Port, started.Id) is { } info)
            {
                process = started;
                Version = Resp.Field(info, "redis_version") ?? "unknown";
                return true;
            }

            if (started.HasExited)
            {
                started.WaitForExit();
                var exitCode = started.ExitCode;
                started.Dispose();
                if (ReadLog(logOffset).Contains("Address already in use", StringComparison.Ordinal) ||
                    CapturedOutput().Contains("Address already in use", StringComparison.Ordinal))
                {
                    return false;
                }

                throw new InvalidOperationException(
                    $"redis-server exited with code {exitCode} before answering on {Endpoint}.{Diagnostics()}");
            }

            if (elapsed.Elapsed > StartTimeout)
            {
                Kill(started);
                throw new TimeoutException(
                    $"redis-server did not answer PING on {Endpoint} within {StartTimeout.TotalSeconds} s.{Diagnostics()}");
            }

            Thread.Sleep(PollInterval);
        }
    }

    private bool TryStartGarnet()
    {
        string[] arguments =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--memory", "64m",
            "--index", "1m",
            "--lua",
            "-q",
            "--disable-console-logger",
            "--file-logger", LogPath,
            "--logger-level", "Warning",
            "--checkpointdir", Path.Combine(dataDirectory, "checkpoints"),
        ];
        var server = CreateGarnetServer(arguments);
        try
        {
            server.Start();
        }
        catch (Exception e) when (IsAddressInUse(e))
        {
            server.Dispose();
            return false;
        }
        catch
        {
            server.Dispose();
            throw;
        }

        var elapsed = Stopwatch.StartNew();
        while (!Resp.AnswersPing(Port))
        {
            if (elapsed.Elapsed > StartTimeout)
            {
                server.Dispose();
                throw new TimeoutException(
                    $"Garnet did not answer PING on {Endpoint} within {StartTimeout.TotalSeconds} s.{Diagnostics()}");
            }

            Thread.Sleep(PollInterval);
        }

        garnet = server;
        Version = GarnetVersion();
        return true;
    }

    private static GarnetServer CreateGarnetServer(string[] arguments)
    {
        // Each GarnetServer constructor adds a ConsoleTraceListener that nothing removes: without
        // this, every start and restart would add one more copy of every trace line.
        var before = Trace.Listeners.OfType<ConsoleTraceListener>().ToHashSet();
        var server = new GarnetServer(arguments);
        foreach (var added in Trace.Listeners.OfType<ConsoleTraceListener>().Where(listener => !before.Contains(listener)).ToList())
        {
            Trace.Listeners.Remove(added);
        }

        return server;
    }

    private static string GarnetVersion()
    {
        var assembly = typeof(GarnetServer).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "unknown";
    }

    private static bool IsAddressInUse(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    private void ShutDown(Process redis)
    {
        try
        {
            Resp.Send(Port, "SHUTDOWN", "NOSAVE");
            if (!redis.WaitForExit(StopTimeout))
            {
                Kill(redis);
            }

            redis.WaitForExit();
        }
        finally
        {
            redis.Dispose();
        }
    }

    private static void Kill(Process redis)
    {
        try
        {
            redis.Kill();
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        redis.WaitForExit();
    }

    private void WaitUntilPortCloses()
    {
        var elapsed = Stopwatch.StartNew();
        while (Resp.Accepts(Port))
        {
            if (elapsed.Elapsed > StopTimeout)
            {
                throw new InvalidOperationException(
                    $"{Kind} still accepts connections on {Endpoint} {StopTimeout.TotalSeconds} s after it was stopped.");
            }

            Thread.Sleep(PollInterval);
        }
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (processOutput)
        {
            processOutput.AppendLine(line);
        }
    }

    private string CapturedOutput()
    {
        lock (processOutput)
        {
            return processOutput.ToString();
        }
    }

    private string ReadLog(long offset = 0)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private string Diagnostics()
    {
        var logTail = string.Join(Environment.NewLine, ReadLog().Split('\n').TakeLast(20));
        var output = CapturedOutput();
        var text = new StringBuilder();
        if (logTail.Trim().Length > 0)
        {
            text.Append(Environment.NewLine).Append("Log tail (").Append(LogPath).Append("):").Append(Environment.NewLine).Append(logTail);
        }

        if (output.Trim().Length > 0)
        {
            text.Append(Environment.NewLine).Append("Output:").Append(Environment.NewLine).Append(output);
        }

        return text.ToString();
    }

    private void TryDeleteDirectory()
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Just enough RESP over a raw socket to probe a server without a client library.</summary>
file static class Resp
{
    private const int TimeoutMilliseconds = 1000;

    public static bool Accepts(int port)
    {
        try
        {
            using var socket = Connect(port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static bool AnswersPing(int port) => TryCommand(port, "PING") == "+PONG";

    /// <returns>The reply to INFO server when the server on the port is the given process, else null.</returns>
    public static string? ServerInfoOfProcess(int port, int processId) =>
        TryCommand(port, "INFO", "server") is { } info &&
        info.Contains($"\nprocess_id:{processId.ToString(CultureInfo.InvariantCulture)}\r", StringComparison.Ordinal)
            ? info
            : null;

    /// <returns>The value of one "name:value" line of an INFO reply, or null.</returns>
    public static string? Field(string info, string name) =>
        info.Split("\r\n").Where(line => line.StartsWith(name + ":", StringComparison.Ordinal)).Select(line => line[(name.Length + 1)..]).FirstOrDefault();

    public static void Send(int port, params string[] command)
    {
        try
        {
            using var socket = Connect(port);
            socket.Send(Encode(command));
            ReadReply(socket);
        }
        catch (SocketException)
        {
        }
    }

    private static string? TryCommand(int port, params string[] command)
    {
        try
        {
            using var socket = Connect(port);
            socket.Send(Encode(command));
            return ReadReply(socket);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = TimeoutMilliseconds,
            SendTimeout = TimeoutMilliseconds,
        };
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static byte[] Encode(string[] command)
    {
        var text = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
        foreach (var part in command)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <returns>A simple or error reply with its type marker, a bulk reply's payload, or null.</returns>
    private static string? ReadReply(Socket socket)
    {
        var buffer = new byte[4096];
        var count = 0;
        while (true)
        {
            var text = Encoding.Latin1.GetString(buffer, 0, count);
            var lineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (lineEnd > 0)
            {
                if (text[0] != '$')
                {
                    return text[..lineEnd];
                }

                var length = int.Parse(text.AsSpan(1, lineEnd - 1), CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var needed = lineEnd + 2 + length + 2;
                if (count >= needed)
                {
                    return text.Substring(lineEnd + 2, length);
                }

                if (needed > buffer.Length)
                {
                    Array.Resize(ref buffer, needed);
                }
            }
            else if (count == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = socket.Receive(buffer, count, buffer.Length - count, SocketFlags.None);
            if (read == 0)
            {
                return null;
            }

            count += read;
        }
    }
}
