using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace AkCache.Tests.SingleFlight;

/// <summary>
/// Every command one redis-server executes, in its order, through MONITOR on a raw connection:
/// what a client sent and what the scripts ran ("lua"). Lets a test count what happened after an
/// event on the server itself (the announcement), which no client-side clock can order.
/// </summary>
internal sealed class CommandLog : IDisposable
{
    private static readonly Regex Argument = new("\"((?:[^\"\\\\]|\\\\.)*)\"", RegexOptions.CultureInvariant);
    private readonly TcpClient _client = new();
    private readonly ConcurrentQueue<Command> _commands = new();
    private readonly Thread _reader;
    private readonly int _port;

    public CommandLog(int port)
    {
        _port = port;
        _client.Connect(IPAddress.Loopback, port);
        var stream = _client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes("MONITOR\r\n"));
        var lines = new StreamReader(stream, Encoding.Latin1);
        if (lines.ReadLine() != "+OK")
        {
            throw new InvalidOperationException($"MONITOR was refused on port {port}.");
        }

        _reader = new Thread(() => Read(lines)) { IsBackground = true };
        _reader.Start();
    }

    /// <summary>The commands seen so far, in the server's order.</summary>
    public IReadOnlyList<Command> Commands => _commands.ToList();

    /// <summary>
    /// Every command the server ran before this call: a marker sent now is logged after all of
    /// them, since MONITOR keeps the server's order.
    /// </summary>
    public IReadOnlyList<Command> AllSoFar()
    {
        var marker = "akcache-log-marker-" + Guid.NewGuid().ToString("N");
        using (var client = new TcpClient())
        {
            client.Connect(IPAddress.Loopback, _port);
            var stream = client.GetStream();
            stream.Write(Encoding.ASCII.GetBytes($"*2\r\n$4\r\nECHO\r\n${marker.Length}\r\n{marker}\r\n"));
            new StreamReader(stream, Encoding.Latin1).ReadLine();
        }

        Gates.UntilAsync(() => _commands.Any(c => c.Name == "ECHO" && c.Arguments.Count == 1 && c.Arguments[0] == marker)).GetAwaiter().GetResult();
        return Commands;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>For a failure message: when, who, what (values cut short).</summary>
    public static string Describe(IEnumerable<Command> commands) =>
        string.Join("\n", commands.Select(c => $"{c.At} [{c.Client}] {c.Name} {string.Join(" ", c.Arguments.Select(a => a.Length > 60 ? a.Substring(0, 60) + "..." : a))}"));

    private void Read(StreamReader lines)
    {
        try
        {
            while (lines.ReadLine() is { } line)
            {
                // +1700000000.123456 [0 127.0.0.1:40000] "EVALSHA" "sha" "3" "key" ...   or  [0 lua] for a script's own calls
                var source = line.IndexOf('[');
                var end = line.IndexOf(']', source + 1);
                if (source < 0 || end < 0)
                {
                    continue;
                }

                var client = line.Substring(source + 1, end - source - 1);
                var fromScript = client.EndsWith(" lua", StringComparison.Ordinal);
                var at = line.Substring(1, source - 2);
                var arguments = Argument.Matches(line.Substring(end + 1)).Select(m => Regex.Unescape(m.Groups[1].Value)).ToList();
                if (arguments.Count > 0)
                {
                    _commands.Enqueue(new Command(arguments[0].ToUpperInvariant(), arguments.Skip(1).ToList(), fromScript, client, at));
                }
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <param name="Client">"db address" of the client that sent it, or "db lua" for a script's call.</param>
    /// <param name="At">The server's clock when it ran, in seconds (as MONITOR prints it).</param>
    internal sealed record Command(string Name, IReadOnlyList<string> Arguments, bool FromScript, string Client, string At)
    {
        /// <summary>
        /// A run of the script that takes a value's lock or returns the stored value (KEYS value,
        /// lock, awaited; ARGV token, time to live, read flag, largest value returned): one "look" at the value.
        /// </summary>
        public bool IsLockScriptOn(string valueKey) =>
            !FromScript && Name is "EVALSHA" or "EVAL" && Arguments.Count == 9 && Arguments[1] == "3" && Arguments[2] == valueKey;

        /// <summary>The script's PUBLISH of the stored value's announcement.</summary>
        public bool IsAnnouncementOf(string valueKey) =>
            FromScript && Name == "PUBLISH" && Arguments.Count == 2 && (Arguments[1] == valueKey || Arguments[1].StartsWith(valueKey + "\n", StringComparison.Ordinal));
    }
}
