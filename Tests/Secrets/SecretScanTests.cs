using System;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Secrets;

/// <summary>
/// Runs after every other test (<see cref="SecretScanLast"/>) and reads every line the suite logged
/// (<see cref="SuiteLog"/>: AkCache's log entries with their exceptions, the output of worker
/// processes and tools) for every password, signing key and certificate password the tests used
/// (<see cref="TestSecrets"/>): none may appear, neither as it is nor URL-escaped.
/// </summary>
[Collection(SecretScanCollection.Name)]
public sealed class SecretScanTests
{
    private const string ScanPassword = "Scan-Pa55word-3141";
    private const string ScanCertificatePassword = "Scan-Pfx-Password-2718";
    private readonly ITestOutputHelper _output;

    public SecretScanTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void No_line_logged_in_the_suite_holds_a_password_a_signing_key_or_a_certificate_password()
    {
        MakeLinesOfItsOwn();

        var secrets = TestSecrets.All();
        var lines = SuiteLog.Snapshot();
        _output.WriteLine($"{lines.Count} lines scanned for {secrets.Count} secrets: {string.Join(", ", secrets.Select(s => s.Name))}");
        Assert.True(secrets.Count >= 15, $"only {secrets.Count} secrets found: the registry lost its constants");
        Assert.Contains(secrets, s => s.Value == ScanPassword);

        var leaks = (from line in lines
                     from secret in secrets
                     where line.Contains(secret.Value, StringComparison.Ordinal) || line.Contains(Uri.EscapeDataString(secret.Value), StringComparison.Ordinal)
                     select $"{secret.Name} in: {line}").Take(10).ToArray();
        Assert.True(leaks.Length == 0, "secrets in the log:\n" + string.Join("\n", leaks));
    }

    /// <summary>A refused connection with a password in its URL, and a certificate that its password cannot open: lines that a leak would fill, even when this test runs alone.</summary>
    private void MakeLinesOfItsOwn()
    {
        var log = new ListLoggerFactory();
        try
        {
            AkCacheRuntime.Configure(o =>
            {
                o.RedisUrl = $"redis://scan:{ScanPassword}@127.0.0.1:{RedisTestServer.FreePort()}";
                o.Prefix = "secretscan";
                o.ConnectTimeout = TimeSpan.FromMilliseconds(300);
                o.LoggerFactory = log;
            });
            Assert.Equal(3, WovenAssembly.Method<Func<int, int, int>>("Basic.Add")(1, 2));
            Assert.NotEmpty(log.Warnings);

            using var certificates = TestCertificates.Create();
            var error = Assert.ThrowsAny<Exception>(() => AkCacheRuntime.Configure(o =>
            {
                o.RedisUrl = "rediss://127.0.0.1:6380";
                o.TlsClientCertificateFile = certificates.ClientPfxFile;
                o.TlsClientCertificatePassword = ScanCertificatePassword;
                o.LoggerFactory = log;
            }));
            SuiteLog.Add(error.ToString());
        }
        finally
        {
            AkCacheRuntime.Reset();
        }
    }
}
