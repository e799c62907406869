using System;
using System.Net.Sockets;
using System.Security.Authentication;
using AkCache.Internals.Distributed;
using StackExchange.Redis;
using Xunit;

// The tests build the exceptions as StackExchange.Redis does; its constructors without CommandFlags are marked obsolete for callers outside it.
#pragma warning disable CS0618

namespace AkCache.Tests.Runtime.Distributed;

/// <summary>
/// The reason named for each kind of connection failure, from the exceptions StackExchange.Redis
/// 3.4 builds (their shapes as seen against real servers in Tests/Faults/ConnectionFailureTests).
/// The host-name case is checked here only: the tests send nothing to a DNS server.
/// </summary>
public sealed class ConnectionFailuresTests
{
    private static readonly ConfigurationOptions Plain = ConfigurationOptions.Parse("127.0.0.1:6379,connectTimeout=2000");
    private static readonly ConfigurationOptions Tls = ConfigurationOptions.Parse("127.0.0.1:6380,ssl=true,connectTimeout=2000");

    /// <summary>"No connection is active/available ...: PING; {reason}, mc: ..." over the failure of the bridge, as StackExchange.Redis throws it for a command on a connection that is down.</summary>
    private static RedisConnectionException Unsent(string? reason, Exception? cause) =>
        new(
            ConnectionFailureType.UnableToResolvePhysicalConnection,
            "No connection is active/available to service this operation: PING" + (reason is null ? string.Empty : "; " + reason) + ", mc: 1/1/0, clientName: akcache",
            cause);

    [Fact]
    public void An_unresolvable_host_is_named_as_such()
    {
        var cause = new RedisConnectionException(ConnectionFailureType.UnableToConnect, "UnableToConnect on nosuchhost:6379/Interactive", new SocketException((int)SocketError.HostNotFound));
        var failure = ConnectionFailures.Describe(Unsent("Name or service not known", cause), Plain);

        Assert.Equal(ConnectionFailureKind.HostNotFound, failure.Kind);
        Assert.Contains("host name could not be resolved", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_connection_is_named_as_such()
    {
        var cause = new RedisConnectionException(ConnectionFailureType.UnableToConnect, "UnableToConnect", new SocketException((int)SocketError.ConnectionRefused));
        Assert.Equal(ConnectionFailureKind.Refused, ConnectionFailures.Describe(Unsent("Connection refused", cause), Plain).Kind);
    }

    [Fact]
    public void A_reset_during_the_handshake_points_at_the_scheme()
    {
        var cause = new RedisConnectionException(ConnectionFailureType.SocketFailure, "SocketFailure", new System.IO.IOException("reset", new SocketException((int)SocketError.ConnectionReset)));
        var failure = ConnectionFailures.Describe(Unsent("Connection reset by peer", cause), Plain);

        Assert.Equal(ConnectionFailureKind.ClosedByServer, failure.Kind);
        Assert.Contains("rediss://", failure.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SimpleError: NOAUTH Authentication required. Verify if the Redis password provided is correct. Attempted command: ECHO")]
    [InlineData("WRONGPASS invalid username-password pair or user is disabled.")]
    public void An_authentication_reply_is_named_as_an_authentication_failure(string reply)
    {
        var cause = new RedisConnectionException(ConnectionFailureType.AuthenticationFailure, "AuthenticationFailure on 127.0.0.1:6379/Interactive", new Exception(reply));
        var failure = ConnectionFailures.Describe(Unsent(reply, cause), Plain);

        Assert.Equal(ConnectionFailureKind.Authentication, failure.Kind);
        Assert.Contains("password", failure.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_authentication_failure_without_its_reply_is_still_named()
    {
        var failure = ConnectionFailures.Describe(Unsent(null, new RedisConnectionException(ConnectionFailureType.AuthenticationFailure, "AuthenticationFailure")), Plain);
        Assert.Equal(ConnectionFailureKind.Authentication, failure.Kind);
    }

    [Fact]
    public void Another_user_than_the_configured_one_is_an_authentication_failure()
    {
        var failure = ConnectionFailures.Describe(new RedisIdentityException("ro", "default"), Plain);

        Assert.Equal(ConnectionFailureKind.Authentication, failure.Kind);
        Assert.Contains("as user 'default', not as the configured user 'ro'", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_untrusted_certificate_is_a_TLS_failure()
    {
        var cause = new RedisConnectionException(ConnectionFailureType.AuthenticationFailure, "AuthenticationFailure", new AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot"));
        var failure = ConnectionFailures.Describe(Unsent("The remote certificate is invalid", cause), Tls);

        Assert.Equal(ConnectionFailureKind.Tls, failure.Kind);
        Assert.Contains("TlsCaFile", failure.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error:0A00045C:SSL routines::tlsv13 alert certificate required", "requires a client certificate")]
    [InlineData("error:0A000418:SSL routines::tlsv1 alert unknown ca", "refused the client certificate")]
    [InlineData("error:0A000410:SSL routines::sslv3 alert handshake failure", "the TLS handshake failed")]
    public void A_TLS_alert_of_the_server_is_named(string alert, string expected)
    {
        var cause = new RedisConnectionException(ConnectionFailureType.SocketFailure, "SocketFailure", new System.Security.Cryptography.CryptographicException(alert));
        var failure = ConnectionFailures.Describe(Unsent(alert, cause), Tls);

        Assert.Equal(ConnectionFailureKind.Tls, failure.Kind);
        Assert.Contains(expected, failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void No_cause_after_the_whole_connect_timeout_is_a_timeout_and_before_it_is_said_plainly()
    {
        var silent = Unsent(null, null);
        Assert.True(ConnectionFailures.IsWithoutCause(silent));

        var timedOut = ConnectionFailures.Describe(new RedisConnectException(silent, timedOut: true), Tls);
        Assert.Equal(ConnectionFailureKind.Timeout, timedOut.Kind);
        Assert.Contains("(2000 ms)", timedOut.Reason, StringComparison.Ordinal);
        Assert.Contains("does not speak TLS", timedOut.Reason, StringComparison.Ordinal);

        var early = ConnectionFailures.Describe(new RedisConnectException(silent, timedOut: false), Plain);
        Assert.Equal(ConnectionFailureKind.Other, early.Kind);
        Assert.Contains("has not recorded why", early.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_client_librarys_diagnostic_tail_is_left_out()
    {
        var failure = ConnectionFailures.Describe(new InvalidOperationException("something odd, mc: 1/1/0, clientName: akcache, IOCP: (Busy=0)"), Plain);

        Assert.Equal(ConnectionFailureKind.Other, failure.Kind);
        Assert.DoesNotContain("IOCP", failure.Reason, StringComparison.Ordinal);
    }
}
