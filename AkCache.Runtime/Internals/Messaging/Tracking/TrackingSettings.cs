using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using StackExchange.Redis;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>Where and how <see cref="TrackingListener"/> connects: one connection per endpoint.</summary>
internal sealed class TrackingSettings
{
    public IReadOnlyList<EndPoint> EndPoints { get; set; } = Array.Empty<EndPoint>();

    public string? User { get; set; }

    /// <summary>Sent in HELLO's AUTH, never logged: <see cref="Scrub"/> removes it from every message.</summary>
    public string? Password { get; set; }

    public bool Ssl { get; set; }

    /// <summary>The name the server's certificate must carry; the endpoint's host when null.</summary>
    public string? SslHost { get; set; }

    public SslProtocols SslProtocols { get; set; } = SslProtocols.None;

    public bool CheckCertificateRevocation { get; set; }

    /// <summary>
    /// A custom check of the server's certificate; null uses the system's. StackExchange.Redis keeps
    /// its own (CertificateValidation, TrustIssuer) in an event that cannot be read back, so
    /// <see cref="From"/> cannot copy it: a caller that trusts a private issuer sets this too.
    /// </summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>The client certificate for mutual TLS; null without one.</summary>
    public System.Security.Cryptography.X509Certificates.X509CertificateCollection? ClientCertificates { get; set; }

    /// <summary>Only keys that start with this are tracked (BCAST PREFIX); it is matched as bytes, so no wildcard.</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Shown by CLIENT LIST, so that an operator can tell this connection from the data connection.</summary>
    public string ClientName { get; set; } = "akcache-tracking";

    /// <summary>For the TCP connect, TLS and the handshake together.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a PING may go unanswered (no frame at all received) before the connection is taken for dead.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The wait before connecting again; after authentication failures it doubles up to <see cref="MaxAuthRetryDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxAuthRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The endpoints, credentials and TLS settings of a StackExchange.Redis configuration, with
    /// default ports filled in. The client name is the configuration's followed by "-tracking".
    /// </summary>
    public static TrackingSettings From(ConfigurationOptions options, string prefix, AkCache.Internals.Configuration.TlsSettings? tls = null)
    {
        var copy = options.Clone();
        copy.SetDefaultPorts();
        var baseName = string.IsNullOrWhiteSpace(copy.ClientName) ? "akcache" : copy.ClientName!;
        return new TrackingSettings
        {
            EndPoints = copy.EndPoints.ToList(),
            User = copy.User,
            Password = copy.Password,
            Ssl = copy.Ssl,
            SslHost = copy.SslHost,
            SslProtocols = copy.SslProtocols ?? SslProtocols.None,
            CheckCertificateRevocation = copy.CheckCertificateRevocation,
            Prefix = prefix,
            ClientName = ValidClientName(baseName + "-tracking"),
            ConnectTimeout = TimeSpan.FromMilliseconds(Math.Max(1, copy.ConnectTimeout)),
            CertificateValidation = tls is { Authorities.Count: > 0 } ? tls.Validate : null,
            ClientCertificates = tls?.ClientCertificates,
        };
    }

    /// <summary><paramref name="text"/> with the password replaced, for anything that is logged or kept as a reason.</summary>
    public string Scrub(string text) =>
        string.IsNullOrEmpty(Password) ? text : text.Replace(Password, "***");

    /// <summary>CLIENT SETNAME refuses spaces and newlines.</summary>
    private static string ValidClientName(string name) =>
        new(name.Select(c => c <= ' ' || c > '~' ? '-' : c).ToArray());
}
