using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AkCache.Tests.Support;

/// <summary>
/// A private certificate authority made for one test, with a server certificate for 127.0.0.1 and
/// localhost and a client certificate, written as PEM files into a directory of its own (deleted on
/// Dispose). Nothing is added to any trust store.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    /// <summary>The password of <see cref="ClientPfxFile"/>: a test checks that it is never logged.</summary>
    public const string ClientPfxPassword = "Pfx-Pa55word-1618";

    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.crt");

    public string ServerCertificateFile => Path.Combine(Directory, "server.crt");

    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    public string ClientCertificateFile => Path.Combine(Directory, "client.crt");

    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    public string ClientPfxFile => Path.Combine(Directory, "client.pfx");

    /// <summary>A second, unrelated authority: a server's certificate does not chain to it.</summary>
    public string OtherCaFile => Path.Combine(Directory, "other-ca.crt");

    /// <summary>A client certificate signed by <see cref="OtherCaFile"/>'s authority: a server that trusts <see cref="CaFile"/> refuses it.</summary>
    public string ForeignClientCertificateFile => Path.Combine(Directory, "foreign-client.crt");

    public string ForeignClientKeyFile => Path.Combine(Directory, "foreign-client.key");

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates(System.IO.Directory.CreateTempSubdirectory("akcache-tls-").FullName);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = Authority("AkCache test CA", caKey);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = Authority("Another test CA", otherKey);
        File.WriteAllText(certificates.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(certificates.OtherCaFile, other.ExportCertificatePem());

        certificates.Issue(ca, caKey, "localhost", server: true, certificates.ServerCertificateFile, certificates.ServerKeyFile, pfx: null);
        certificates.Issue(ca, caKey, "akcache-client", server: false, certificates.ClientCertificateFile, certificates.ClientKeyFile, certificates.ClientPfxFile);
        certificates.Issue(other, otherKey, "foreign-client", server: false, certificates.ForeignClientCertificateFile, certificates.ForeignClientKeyFile, pfx: null);
        return certificates;
    }

    /// <summary>redis-server's arguments for a TLS port with these certificates; <paramref name="requireClientCertificates"/>: mTLS.</summary>
    public string[] RedisServerArguments(int tlsPort, bool requireClientCertificates) =>
    [
        "--tls-port", tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--tls-cert-file", ServerCertificateFile,
        "--tls-key-file", ServerKeyFile,
        "--tls-ca-cert-file", CaFile,
        "--tls-auth-clients", requireClientCertificates ? "yes" : "no",
    ];

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2 Authority(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    private void Issue(X509Certificate2 authority, ECDsa authorityKey, string name, bool server, string certificateFile, string keyFile, string? pfx)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") }, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = new byte[12];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var signed = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey), DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow.AddDays(1), serial);
        File.WriteAllText(certificateFile, signed.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        if (pfx is not null)
        {
            using var withKey = signed.CopyWithPrivateKey(key);
            File.WriteAllBytes(pfx, withKey.Export(X509ContentType.Pkcs12, ClientPfxPassword));
        }
    }
}
