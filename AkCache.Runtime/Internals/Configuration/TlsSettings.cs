using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace AkCache.Internals.Configuration;

/// <summary>
/// The TLS settings of <see cref="AkCacheOptions"/>, loaded once: the authorities that may sign the
/// server's certificate (<see cref="AkCacheOptions.TlsCaFile"/>), the client certificate for mutual
/// TLS, and the name the server's certificate must carry. Applied to StackExchange.Redis's
/// configuration and to the tracking connection alike. Never holds or quotes the certificate's password.
/// </summary>
internal sealed class TlsSettings
{
    private TlsSettings(X509Certificate2Collection authorities, X509Certificate2? clientCertificate, string? serverName)
    {
        Authorities = authorities;
        ClientCertificate = clientCertificate;
        ServerName = serverName;
    }

    /// <summary>Empty: the system's trust store decides.</summary>
    public X509Certificate2Collection Authorities { get; }

    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The name the server's certificate must carry, when it is not the URL's host.</summary>
    public string? ServerName { get; }

    /// <summary>The client certificate as SslStream takes it; null without one.</summary>
    public X509CertificateCollection? ClientCertificates =>
        ClientCertificate is null ? null : new X509CertificateCollection { ClientCertificate };

    /// <summary>The settings of <paramref name="options"/>; null when it sets none.</summary>
    /// <exception cref="ArgumentException">A file is missing or unreadable, or the settings do not fit together; the message names the setting.</exception>
    public static TlsSettings? Load(AkCacheOptions options)
    {
        if (options.TlsCaFile is null && options.TlsClientCertificateFile is null && options.TlsClientKeyFile is null && options.TlsServerName is null)
        {
            return null;
        }

        var authorities = options.TlsCaFile is { } caFile ? LoadAuthorities(caFile) : new X509Certificate2Collection();
        var client = LoadClientCertificate(options);
        var serverName = options.TlsServerName is { } name ? name.Trim() : null;
        if (serverName is { Length: 0 })
        {
            throw new ArgumentException($"{nameof(AkCacheOptions.TlsServerName)} (AKCACHE_TLS_SERVER_NAME) is empty; leave it unset to check the URL's host.");
        }

        return new TlsSettings(authorities, client, serverName);
    }

    /// <summary>Makes StackExchange.Redis check the server's certificate against <see cref="Authorities"/>, present the client certificate, and check <see cref="ServerName"/>.</summary>
    public void ApplyTo(ConfigurationOptions configuration)
    {
        if (Authorities.Count > 0)
        {
            configuration.CertificateValidation += Validate;
        }

        if (ClientCertificate is { } certificate)
        {
            configuration.CertificateSelection += (_, _, _, _, _) => certificate;
        }

        if (ServerName is not null)
        {
            configuration.SslHost = ServerName;
        }
    }

    /// <summary>
    /// The check of the server's certificate when a CA file is given: the name must match (the URL's
    /// host, or <see cref="ServerName"/>), and the chain must end at one of <see cref="Authorities"/>,
    /// not merely at a root the system trusts: the file pins the authority.
    /// </summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var server = new X509Certificate2(certificate);
        using var custom = new X509Chain();
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

#if NET5_0_OR_GREATER
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        return custom.Build(server);
#else
        custom.ChainPolicy.ExtraStore.AddRange(Authorities);
        custom.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
        if (!custom.Build(server))
        {
            return false;
        }

        var root = custom.ChainElements[custom.ChainElements.Count - 1].Certificate;
        var rootIsOurs = Authorities.Cast<X509Certificate2>().Any(a => a.RawData.SequenceEqual(root.RawData));
        var onlyUnknownRoot = custom.ChainStatus.All(s => s.Status is X509ChainStatusFlags.NoError or X509ChainStatusFlags.UntrustedRoot);
        return rootIsOurs && onlyUnknownRoot;
#endif
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var text = ReadText(path, "TlsCaFile", "AKCACHE_TLS_CA_FILE");
        var collection = new X509Certificate2Collection();
        foreach (var der in PemBlocks(text, "CERTIFICATE"))
        {
            collection.Add(new X509Certificate2(der));
        }

        if (collection.Count == 0)
        {
            throw new ArgumentException($"TlsCaFile (AKCACHE_TLS_CA_FILE) '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        return collection;
    }

    private static X509Certificate2? LoadClientCertificate(AkCacheOptions options)
    {
        var certificateFile = options.TlsClientCertificateFile;
        var keyFile = options.TlsClientKeyFile;
        if (certificateFile is null)
        {
            return keyFile is null
                ? null
                : throw new ArgumentException("TlsClientKeyFile (AKCACHE_TLS_CLIENT_KEY_FILE) is set without TlsClientCertificateFile (AKCACHE_TLS_CLIENT_CERT_FILE): give the certificate too.");
        }

        if (!File.Exists(certificateFile))
        {
            throw new ArgumentException($"TlsClientCertificateFile (AKCACHE_TLS_CLIENT_CERT_FILE) '{certificateFile}' does not exist.");
        }

        var bytes = File.ReadAllBytes(certificateFile);
        var isPem = System.Text.Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096)).Contains("-----BEGIN");
        X509Certificate2 certificate;
        try
        {
            if (!isPem)
            {
                // PKCS#12 (.pfx, .p12): certificate and key together, under the password.
                certificate = new X509Certificate2(bytes, options.TlsClientCertificatePassword, X509KeyStorageFlags.Exportable);
            }
            else
            {
                if (keyFile is null)
                {
                    throw new ArgumentException($"TlsClientCertificateFile (AKCACHE_TLS_CLIENT_CERT_FILE) '{certificateFile}' is a PEM certificate: give its private key in TlsClientKeyFile (AKCACHE_TLS_CLIENT_KEY_FILE), or give a PKCS#12 (.pfx) file that holds both.");
                }

                certificate = FromPem(certificateFile, keyFile);
            }
        }
        catch (CryptographicException ex)
        {
            // The message of a wrong PKCS#12 password never quotes it; ours does not either.
            throw new ArgumentException($"The client certificate '{certificateFile}' could not be read ({ex.Message.TrimEnd('.')}): check the file and, for a PKCS#12 file, TlsClientCertificatePassword (AKCACHE_TLS_CLIENT_CERT_PASSWORD).");
        }

        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"The client certificate '{certificateFile}' has no private key: give a PKCS#12 file with its key, or the key in TlsClientKeyFile (AKCACHE_TLS_CLIENT_KEY_FILE).");
        }

        return certificate;
    }

    private static X509Certificate2 FromPem(string certificateFile, string keyFile)
    {
#if NET5_0_OR_GREATER
        if (!File.Exists(keyFile))
        {
            throw new ArgumentException($"TlsClientKeyFile (AKCACHE_TLS_CLIENT_KEY_FILE) '{keyFile}' does not exist.");
        }

        using var ephemeral = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);

        // A key loaded from PEM is ephemeral, which SslStream cannot use on every platform: a PKCS#12 round trip makes it a stored one.
#pragma warning disable SYSLIB0057 // the PKCS#12 bytes were made just above, by this process
        return new X509Certificate2(ephemeral.Export(X509ContentType.Pkcs12));
#pragma warning restore SYSLIB0057
#else
        throw new ArgumentException($"A PEM client certificate with a separate key file ('{certificateFile}', '{keyFile}') needs .NET 5 or later; on .NET Framework give a PKCS#12 (.pfx) file in TlsClientCertificateFile and its password in TlsClientCertificatePassword.");
#endif
    }

    private static string ReadText(string path, string setting, string variable)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException($"{setting} ({variable}) '{path}' cannot be read: {ex.Message}");
        }
    }

    /// <summary>The DER bytes of each "-----BEGIN {label}-----" block.</summary>
    private static IEnumerable<byte[]> PemBlocks(string text, string label)
    {
        var begin = $"-----BEGIN {label}-----";
        var end = $"-----END {label}-----";
        var at = 0;
        while ((at = text.IndexOf(begin, at, StringComparison.Ordinal)) >= 0)
        {
            var start = at + begin.Length;
            var stop = text.IndexOf(end, start, StringComparison.Ordinal);
            if (stop < 0)
            {
                throw new ArgumentException($"A PEM block '{begin}' has no '{end}'.");
            }

            byte[] der;
            try
            {
                der = Convert.FromBase64String(new string(text.Substring(start, stop - start).Where(c => !char.IsWhiteSpace(c)).ToArray()));
            }
            catch (FormatException)
            {
                throw new ArgumentException($"A PEM block '{begin}' is not valid base64.");
            }

            yield return der;
            at = stop + end.Length;
        }
    }
}
