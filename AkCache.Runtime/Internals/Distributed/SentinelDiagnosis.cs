using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>
/// When a <c>redis+sentinel://</c> connection fails, StackExchange.Redis reports "Failed connecting
/// to configured primary for service" whatever the cause. This asks the sentinels directly, over
/// plain TCP and in the few commands a sentinel answers, to name it: a sentinel that requires a
/// password (NOAUTH) or refuses the one given, a sentinel that knows no such service, or a master
/// that the sentinels name but that could not be used. Run only for the warning that opens an
/// outage, never on a call's path otherwise.
/// </summary>
internal static class SentinelDiagnosis
{
    private const string SentinelFix = "sentinels that require a password of their own (requirepass in sentinel.conf) take it from SentinelPassword (AKCACHE_SENTINEL_PASSWORD), and an ACL user from SentinelUser (AKCACHE_SENTINEL_USER); the URL's user and password are the master's";

    /// <summary>True for the failure this diagnoses: a sentinel URL whose failure has no recorded cause.</summary>
    public static bool Applies(ConfigurationOptions configuration, ConnectionFailure failure) =>
        configuration.ServiceName is not null && !configuration.Ssl && failure.Kind == ConnectionFailureKind.Other;

    /// <summary>The reason found at the first sentinel that answers; null when none answers (the original reason stands).</summary>
    public static ConnectionFailure? Diagnose(ConfigurationOptions configuration)
    {
        var timeout = Math.Max(200, Math.Min(configuration.ConnectTimeout, 2000));
        foreach (var endpoint in configuration.EndPoints)
        {
            try
            {
                if (Ask(endpoint, configuration, timeout) is { } found)
                {
                    return found;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
                // This sentinel does not answer: the next one may.
            }
        }

        return null;
    }

    private static ConnectionFailure? Ask(EndPoint endpoint, ConfigurationOptions configuration, int timeout)
    {
        var (host, port) = endpoint switch
        {
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            DnsEndPoint dns => (dns.Host, dns.Port),
            _ => (null, 0),
        };
        if (host is null)
        {
            return null;
        }

        using var client = new TcpClient { ReceiveTimeout = timeout, SendTimeout = timeout };
        if (!client.ConnectAsync(host, port).Wait(timeout))
        {
            return null;
        }

        using var stream = client.GetStream();
        var where = $"the sentinel at {host}:{port}";
        // The client library gives the sentinels the URL's (the master's) credentials unless SentinelPassword is set.
        if (configuration.SentinelPassword is { Length: > 0 } password)
        {
            var auth = configuration.SentinelUser is { } user ? Send(stream, "AUTH", user, password) : Send(stream, "AUTH", password);
            // A sentinel without a password refuses AUTH ("called without any password configured"), which the client library ignores too.
            if (auth.StartsWith("-", StringComparison.Ordinal) && auth.IndexOf("without any password configured", StringComparison.Ordinal) < 0)
            {
                return new ConnectionFailure(ConnectionFailureKind.Authentication, $"authentication failed: {where} refused the sentinel credentials ({Error(auth)})", SentinelFix);
            }
        }

        var service = configuration.ServiceName!;
        var master = Send(stream, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", service);
        if (master.StartsWith("-NOAUTH", StringComparison.Ordinal) || master.StartsWith("-WRONGPASS", StringComparison.Ordinal))
        {
            return new ConnectionFailure(ConnectionFailureKind.Authentication, $"authentication failed: {where} requires a password ({Error(master)})", SentinelFix);
        }

        if (master.StartsWith("-", StringComparison.Ordinal))
        {
            return new ConnectionFailure(ConnectionFailureKind.Other, $"{where} answered SENTINEL GET-MASTER-ADDR-BY-NAME with an error ({Error(master)})", "check that the URL names sentinels (redis-server --sentinel), not Redis servers");
        }

        if (master is "*-1" or "$-1" or "*0" or "_")
        {
            return new ConnectionFailure(ConnectionFailureKind.Other, $"{where} knows no service '{service}'", "the path of the URL (redis+sentinel://host:26379/service) must be the name in the sentinels' 'sentinel monitor <service> ...'");
        }

        var named = $"{where} names {master} as the master of '{service}'";
        return Probe(master, configuration, timeout) switch
        {
            (SocketError.ConnectionRefused, _) => new ConnectionFailure(
                ConnectionFailureKind.Refused,
                $"{named}, which refused the connection: it is down or restarting, and until the sentinels promote a replica (a failover takes their down-after-milliseconds and more) there is no master",
                "nothing to change if a failover is under way: AkCache follows the promoted replica; else start the master, or check that the sentinels monitor the right one"),
            (SocketError.TimedOut, _) => new ConnectionFailure(
                ConnectionFailureKind.Timeout,
                $"{named}, which gave no answer within {timeout} ms",
                "check that the master is reachable from here (a firewall, an address the sentinels announce but that this host cannot reach: sentinel announce-ip, replica-announce-ip)"),
            (_, "slave") => new ConnectionFailure(
                ConnectionFailureKind.Other,
                $"{named}, which is still a replica: a failover is under way (the sentinels name the replica they promote before it becomes a master)",
                "nothing to change: AkCache uses it once it is promoted"),
            (_, "master") => new ConnectionFailure(
                ConnectionFailureKind.Other,
                $"{named}, which is a master and answers: a failover has just ended, or the connection was lost for a moment",
                "nothing to change if this passes: AkCache reconnects in the background"),
            (_, var answer) => new ConnectionFailure(
                ConnectionFailureKind.Other,
                $"{named}, which accepts connections but could not be used (ROLE: {answer})",
                "check that the URL's user and password are the master's (the sentinels' own go in SentinelPassword), and that TLS is used on both or neither"),
        };
    }

    /// <summary>
    /// What the named master "host:port" is: refused or timed out at connect, else Success with its
    /// ROLE (after AUTH with the URL's credentials): "master", "slave", or the error it answered.
    /// </summary>
    private static (SocketError Connect, string Role) Probe(string master, ConfigurationOptions configuration, int timeout)
    {
        var colon = master.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(master.Substring(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            return (SocketError.Success, "not asked");
        }

        using var client = new TcpClient { ReceiveTimeout = timeout, SendTimeout = timeout };
        try
        {
            if (!client.ConnectAsync(master.Substring(0, colon), port).Wait(timeout))
            {
                return (SocketError.TimedOut, string.Empty);
            }
        }
        catch (AggregateException ex) when (ex.GetBaseException() is SocketException socket)
        {
            return (socket.SocketErrorCode == SocketError.ConnectionRefused ? SocketError.ConnectionRefused : socket.SocketErrorCode, string.Empty);
        }

        try
        {
            using var stream = client.GetStream();
            if (configuration.Password is { Length: > 0 } password)
            {
                var auth = configuration.User is { Length: > 0 } user ? Send(stream, "AUTH", user, password) : Send(stream, "AUTH", password);
                if (auth.StartsWith("-", StringComparison.Ordinal))
                {
                    return (SocketError.Success, Error(auth));
                }
            }

            var role = Send(stream, "ROLE");
            var first = role.IndexOf(':');
            return (SocketError.Success, role.StartsWith("-", StringComparison.Ordinal) ? Error(role) : first < 0 ? role : role.Substring(0, first));
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            return (SocketError.Success, "no answer to ROLE");
        }
    }

    /// <summary>Sends one command and reads one reply: an error or status line as it is, a nil, or an array of bulk strings joined with ':'.</summary>
    private static string Send(NetworkStream stream, params string[] parts)
    {
        var request = new StringBuilder();
        request.Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(request.ToString());
        stream.Write(bytes, 0, bytes.Length);
        var first = ReadLine(stream);
        if (!first.StartsWith("*", StringComparison.Ordinal) || first == "*-1" || first == "*0")
        {
            return first;
        }

        var count = int.Parse(first.Substring(1), System.Globalization.CultureInfo.InvariantCulture);
        var items = new List<string>();
        for (var i = 0; i < count && i < 8; i++)
        {
            var header = ReadLine(stream);
            items.Add(header.StartsWith("$", StringComparison.Ordinal) && header != "$-1" ? ReadLine(stream) : header);
        }

        return string.Join(":", items);
    }

    private static string ReadLine(NetworkStream stream)
    {
        var line = new StringBuilder();
        while (line.Length < 512)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new IOException("the sentinel closed the connection");
            }

            if (b == '\n')
            {
                break;
            }

            if (b != '\r')
            {
                line.Append((char)b);
            }
        }

        return line.ToString();
    }

    private static string Error(string reply) => reply.TrimStart('-').Trim();
}
