using System;
using System.Net.Sockets;
using System.Security.Authentication;
using StackExchange.Redis;

namespace AkCache.Internals.Distributed;

/// <summary>Why a connection to Redis could not be made or used: the class named in the warning.</summary>
internal enum ConnectionFailureKind
{
    /// <summary>Nothing the other classes match: the client library's own words are quoted.</summary>
    Other,

    /// <summary>Redis refused the user or password (NOAUTH, WRONGPASS), or authenticated another user than the one configured.</summary>
    Authentication,

    /// <summary>The TLS handshake failed: an untrusted certificate, a name mismatch, a client certificate refused.</summary>
    Tls,

    /// <summary>The host name could not be resolved.</summary>
    HostNotFound,

    /// <summary>Nothing listens at the host and port (connection refused).</summary>
    Refused,

    /// <summary>The server closed the connection during the handshake (often plain text sent to a TLS port).</summary>
    ClosedByServer,

    /// <summary>No answer within the connect timeout (a firewall that drops packets, a slow or frozen server, TLS sent to a plain port).</summary>
    Timeout,
}

/// <summary>A connection failure's class, its reason in a few words, and the setting to check.</summary>
internal readonly struct ConnectionFailure
{
    public ConnectionFailure(ConnectionFailureKind kind, string reason, string fix)
    {
        Kind = kind;
        Reason = reason;
        Fix = fix;
    }

    public ConnectionFailureKind Kind { get; }

    /// <summary>The class and its details, in a few words.</summary>
    public string Reason { get; }

    /// <summary>What to check or set.</summary>
    public string Fix { get; }

    /// <summary>The text of the warning's reason: the class and its details, then what to check.</summary>
    public override string ToString() => $"{Reason.TrimEnd('.')}. To fix: {Fix}";
}

/// <summary>
/// Names the reason of a failed connection from what StackExchange.Redis reports: its
/// <see cref="RedisConnectionException"/> carries a failure type and, further in, the socket,
/// TLS or server error that caused it. Without any of them the connect ran out of time.
/// </summary>
internal static class ConnectionFailures
{
    /// <summary>
    /// What <paramref name="failure"/> (thrown by a connect, or by a command on a connection that
    /// is down) says about why, for the endpoints and settings of <paramref name="configuration"/>.
    /// The text never holds the password: the caller scrubs it, and nothing here quotes the URL.
    /// </summary>
    public static ConnectionFailure Describe(Exception failure, ConfigurationOptions configuration)
    {
        var connectTimeout = TimeSpan.FromMilliseconds(configuration.ConnectTimeout);
        var serverError = (string?)null;
        var authenticationFailed = false;
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RedisIdentityException identity:
                    return WrongIdentity(identity.ConfiguredUser, identity.ActualUser);
                case AuthenticationException tls:
                    return new ConnectionFailure(
                        ConnectionFailureKind.Tls,
                        $"the TLS handshake failed: {tls.Message}",
                        "give the CA that signed the server's certificate (TlsCaFile, AKCACHE_TLS_CA_FILE), check that the host name in the URL is one the certificate names, and, if the server asks for client certificates, give one (TlsClientCertificateFile)");
                case System.Security.Cryptography.CryptographicException crypto when crypto.Message.IndexOf("SSL routines", StringComparison.OrdinalIgnoreCase) >= 0 || crypto.Message.IndexOf("alert", StringComparison.OrdinalIgnoreCase) >= 0:
                    return TlsAlert(crypto.Message);
                case SocketException socket:
                    if (Describe(socket, configuration.Ssl, connectTimeout) is { } described)
                    {
                        return described;
                    }

                    break;
                case RedisConnectionException connection when connection.FailureType == ConnectionFailureType.AuthenticationFailure:
                    authenticationFailed = true;
                    break;
                case RedisServerException server:
                    serverError ??= server.Message;
                    break;
            }

            if (e.GetType() == typeof(Exception) && LooksLikeAServerError(e.Message))
            {
                // StackExchange.Redis wraps the handshake's error reply in a plain Exception: "SimpleError: NOAUTH ...".
                serverError ??= e.Message;
            }
        }

        serverError ??= ServerErrorIn(failure.Message);
        if (serverError is not null && IsAuthenticationError(serverError))
        {
            return Authentication(Shorten(serverError), configuration);
        }

        if (authenticationFailed)
        {
            return Authentication("Redis refused the handshake", configuration);
        }

        if (serverError is not null)
        {
            return new ConnectionFailure(ConnectionFailureKind.Other, $"Redis answered the handshake with an error: {Shorten(serverError)}", "see the error above; the server may be loading its data or refusing this client");
        }

        if (failure is RedisTimeoutException or TimeoutException || (IsWithoutCause(failure) && failure is RedisConnectException { TimedOut: true }))
        {
            return Timeout(connectTimeout, configuration.Ssl);
        }

        if (IsWithoutCause(failure))
        {
            return new ConnectionFailure(ConnectionFailureKind.Other, "the connection failed, and the client library has not recorded why", "check the host, port and scheme (redis:// or rediss://) in the Redis URL; the next warning, after the server is reachable or the settings change, may say more");
        }

        return new ConnectionFailure(ConnectionFailureKind.Other, $"{Innermost(failure).GetType().Name}: {Shorten(Innermost(failure).Message)}", "check the host, port and scheme (redis:// or rediss://) in the Redis URL");
    }

    /// <summary>
    /// True when <paramref name="failure"/> carries no cause at all: StackExchange.Redis says only
    /// "No connection is active" (it ran out of time, or has not recorded the cause of a fast
    /// failure yet). <see cref="RedisConnection"/> asks again briefly in the second case.
    /// </summary>
    public static bool IsWithoutCause(Exception failure)
    {
        var inner = failure is RedisConnectException wrapper ? wrapper.InnerException! : failure;
        return inner is RedisConnectionException
            && inner.InnerException is null
            && inner.Message.IndexOf("No connection is active", StringComparison.Ordinal) >= 0
            && !HasReasonAfterCommand(inner.Message);
    }

    private static Exception Innermost(Exception failure)
    {
        var e = failure;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    /// <summary>The warning for a connection that Redis authenticated as another user than the configured one.</summary>
    public static ConnectionFailure WrongIdentity(string configuredUser, string actualUser) =>
        new(
            ConnectionFailureKind.Authentication,
            $"authentication failed: Redis accepted the connection as user '{actualUser}', not as the configured user '{configuredUser}' (its password was refused, and the server's '{actualUser}' user lets anyone in); AkCache does not use a connection as another user than the one configured",
            $"check the password of user '{configuredUser}' in the Redis URL (redis://{configuredUser}:PASSWORD@host:port), and consider disabling the open '{actualUser}' user (ACL SETUSER {actualUser} off)");

    /// <summary>A TLS alert the server sent (OpenSSL's words): most often about the client certificate of mutual TLS.</summary>
    private static ConnectionFailure TlsAlert(string message)
    {
        var details = Shorten(message);
        if (message.IndexOf("certificate required", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return new ConnectionFailure(ConnectionFailureKind.Tls, $"the server requires a client certificate (mutual TLS) and none was given ({details})", "give one signed by a CA the server trusts (its tls-ca-cert-file): TlsClientCertificateFile with TlsClientKeyFile, or a PKCS#12 file with TlsClientCertificatePassword (AKCACHE_TLS_CLIENT_CERT_FILE, AKCACHE_TLS_CLIENT_KEY_FILE, AKCACHE_TLS_CLIENT_CERT_PASSWORD)");
        }

        if (message.IndexOf("unknown ca", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("bad certificate", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("certificate unknown", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("certificate expired", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return new ConnectionFailure(ConnectionFailureKind.Tls, $"the server refused the client certificate ({details})", "give a client certificate that is valid now and signed by a CA in the server's tls-ca-cert-file (TlsClientCertificateFile, AKCACHE_TLS_CLIENT_CERT_FILE)");
        }

        return new ConnectionFailure(ConnectionFailureKind.Tls, $"the TLS handshake failed ({details})", "check the server's TLS settings (tls-port, tls-protocols) against this client's, and the certificates on both sides");
    }

    private static ConnectionFailure Authentication(string details, ConfigurationOptions configuration) =>
        configuration.ServiceName is null
            ? new(ConnectionFailureKind.Authentication, $"authentication failed: {details}", "check the user and password in the Redis URL (redis://user:password@host:port; URL-escape '@', ':', '/', '#' and ',' in the password) and the user's ACL on the server (ACL LIST)")
            : new(
                ConnectionFailureKind.Authentication,
                $"authentication failed: {details}",
                "the sentinels and the master each check a password: the URL's user and password are the master's (redis+sentinel://user:password@host:26379/service), and sentinels that require one of their own (requirepass in sentinel.conf) take it from SentinelPassword (AKCACHE_SENTINEL_PASSWORD) and SentinelUser; check both, and the users' ACLs (ACL LIST)");

    private static ConnectionFailure Timeout(TimeSpan connectTimeout, bool tls) =>
        new(
            ConnectionFailureKind.Timeout,
            $"no answer within the connect timeout ({connectTimeout.TotalMilliseconds:0} ms)" + (tls ? "; a server that does not speak TLS on this port gives the same silence" : string.Empty),
            "check that the host and port are reachable from here (a firewall that drops packets looks like this), "
            + (tls ? "that the port is the server's TLS port, " : string.Empty)
            + "or raise ConnectTimeout (AKCACHE_CONNECT_TIMEOUT_MS, or connectTimeout= in the URL) for a slow network; AkCache keeps connecting in the background meanwhile");

    private static ConnectionFailure? Describe(SocketException socket, bool tls, TimeSpan connectTimeout) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => new ConnectionFailure(
            ConnectionFailureKind.Refused,
            "connection refused: nothing listens at that host and port",
            "check the host and port in the Redis URL, and that redis-server runs there"),
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => new ConnectionFailure(
            ConnectionFailureKind.HostNotFound,
            $"the host name could not be resolved ({socket.Message})",
            "check the host name in the Redis URL and this machine's DNS"),
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => new ConnectionFailure(
            ConnectionFailureKind.ClosedByServer,
            $"the server closed the connection during the handshake ({socket.Message})",
            tls
                ? "check that the server accepts this client (its TLS settings, maxclients, protected-mode)"
                : "if the server expects TLS, use rediss:// instead of redis://; else check its protected-mode and maxclients settings"),
        SocketError.TimedOut => Timeout(connectTimeout, tls),
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.HostDown => new ConnectionFailure(
            ConnectionFailureKind.Refused,
            $"the host cannot be reached ({socket.Message})",
            "check the host in the Redis URL and this machine's network"),
        _ => null,
    };

    private static bool IsAuthenticationError(string message) =>
        message.IndexOf("NOAUTH", StringComparison.Ordinal) >= 0
        || message.IndexOf("WRONGPASS", StringComparison.Ordinal) >= 0
        || message.IndexOf("invalid password", StringComparison.OrdinalIgnoreCase) >= 0
        || message.IndexOf("invalid username-password", StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool LooksLikeAServerError(string message) =>
        message.StartsWith("SimpleError:", StringComparison.Ordinal) || message.StartsWith("ERR", StringComparison.Ordinal) || IsAuthenticationError(message);

    /// <summary>"No connection is active/available to service this operation: PING; SimpleError: NOAUTH ..., mc: ..." gives "SimpleError: NOAUTH ...".</summary>
    private static string? ServerErrorIn(string message)
    {
        var reason = ReasonAfterCommand(message);
        return reason is not null && LooksLikeAServerError(reason) ? reason : null;
    }

    private static bool HasReasonAfterCommand(string message) => ReasonAfterCommand(message) is not null;

    /// <summary>The text StackExchange.Redis puts between "operation: COMMAND; " and ", mc: " (its reason), if any.</summary>
    private static string? ReasonAfterCommand(string message)
    {
        var operation = message.IndexOf("operation: ", StringComparison.Ordinal);
        if (operation < 0)
        {
            return null;
        }

        var semicolon = message.IndexOf("; ", operation, StringComparison.Ordinal);
        var details = message.IndexOf(", mc: ", operation, StringComparison.Ordinal);
        if (semicolon < 0 || (details >= 0 && semicolon > details))
        {
            return null;
        }

        var end = details >= 0 ? details : message.Length;
        return message.Substring(semicolon + 2, end - semicolon - 2).Trim();
    }

    /// <summary>The first sentence or so of the client library's text: its long diagnostic tail (thread pool counts, versions) helps no reader of the warning.</summary>
    private static string Shorten(string message)
    {
        var text = message.StartsWith("SimpleError: ", StringComparison.Ordinal) ? message.Substring("SimpleError: ".Length) : message;
        var tail = text.IndexOf(", mc: ", StringComparison.Ordinal);
        if (tail >= 0)
        {
            text = text.Substring(0, tail);
        }

        return text.Length <= 300 ? text : text.Substring(0, 300) + "…";
    }
}
