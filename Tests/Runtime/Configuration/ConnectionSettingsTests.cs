using System;
using System.Collections.Generic;
using System.IO;
using AkCache.Internals.Configuration;
using AkCache.Internals.Distributed;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Configuration;

/// <summary>
/// ConnectTimeout and OperationTimeout from environment variables and URL parameters, with the
/// URL's winning (docs/configuration.md); the TLS settings and their errors.
/// </summary>
public sealed class ConnectionSettingsTests
{
    private const string Password = "S3cr3t!pw";

    [Fact]
    public void A_url_takes_connect_and_operation_timeouts_as_parameters()
    {
        var url = RedisUrl.Parse($"redis://u:{Password}@cache.example:6380/2?connectTimeout=5000&operationTimeout=800");

        Assert.Equal(TimeSpan.FromMilliseconds(5000), url.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(800), url.SyncTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(800), url.AsyncTimeout);
        Assert.Equal(2, url.Options.DefaultDatabase);
        Assert.Equal(Password, url.Options.Password);
        Assert.Equal("redis://cache.example:6380/2", url.SafeDescription);
    }

    [Fact]
    public void Parameter_names_are_not_case_sensitive_and_each_is_optional()
    {
        var url = RedisUrl.Parse("redis://cache.example:6380?CONNECTTIMEOUT=700");

        Assert.Equal(TimeSpan.FromMilliseconds(700), url.ConnectTimeout);
        Assert.Null(url.SyncTimeout);
        Assert.Null(RedisUrl.Parse("redis://cache.example:6380").ConnectTimeout);
    }

    [Theory]
    [InlineData("redis://cache.example:6379?connectTimeout=abc", "connectTimeout")]
    [InlineData("redis://cache.example:6379?connectTimeout=0", "connectTimeout")]
    [InlineData("redis://cache.example:6379?operationTimeout=-5", "operationTimeout")]
    [InlineData("redis://cache.example:6379?operationTimeout", "operationTimeout")]
    [InlineData("redis://cache.example:6379?timeout=5000", "unknown parameter 'timeout'")]
    [InlineData("redis://a:6379?connectTimeout=1000,redis://b:6379?connectTimeout=2000", "two different values of connectTimeout")]
    public void A_bad_parameter_is_refused_by_name(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse(text));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_that_holds_an_at_sign_is_still_taken_for_a_password_and_never_quoted()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisUrl.Parse("redis://u:ab?connectTimeout=1@host:6379"));
        Assert.DoesNotContain("ab?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_string_keeps_its_own_timeouts()
    {
        var url = RedisUrl.Parse("cache.example:6379,connectTimeout=7000,syncTimeout=900");

        Assert.Equal(TimeSpan.FromMilliseconds(7000), url.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(900), url.SyncTimeout);
        Assert.Null(url.AsyncTimeout);
    }

    [Fact]
    public void The_urls_timeouts_win_over_the_options_and_the_options_apply_otherwise()
    {
        var options = new AkCacheOptions { ConnectTimeout = TimeSpan.FromSeconds(1), OperationTimeout = TimeSpan.FromMilliseconds(300) };

        using var fromUrl = new RedisConnection(RedisUrl.Parse("redis://127.0.0.1:1?connectTimeout=4000&operationTimeout=1200"), options);
        Assert.Equal(4000, fromUrl.Configuration.ConnectTimeout);
        Assert.Equal(1200, fromUrl.Configuration.SyncTimeout);
        Assert.Equal(1200, fromUrl.Configuration.AsyncTimeout);

        using var fromOptions = new RedisConnection(RedisUrl.Parse("redis://127.0.0.1:1"), options);
        Assert.Equal(1000, fromOptions.Configuration.ConnectTimeout);
        Assert.Equal(300, fromOptions.Configuration.SyncTimeout);

        // A configuration string's connectTimeout= is no longer overridden.
        using var fromString = new RedisConnection(RedisUrl.Parse("127.0.0.1:1,connectTimeout=4500"), options);
        Assert.Equal(4500, fromString.Configuration.ConnectTimeout);
        Assert.Equal(300, fromString.Configuration.SyncTimeout);
    }

    [Fact]
    public void The_timeouts_are_read_from_the_environment()
    {
        var options = FromVariables(("AKCACHE_CONNECT_TIMEOUT_MS", "3500"), ("AKCACHE_OPERATION_TIMEOUT_MS", " 750 "));

        Assert.Equal(TimeSpan.FromMilliseconds(3500), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(750), options.OperationTimeout);
    }

    [Theory]
    [InlineData("AKCACHE_CONNECT_TIMEOUT_MS", "2s")]
    [InlineData("AKCACHE_CONNECT_TIMEOUT_MS", "0")]
    [InlineData("AKCACHE_OPERATION_TIMEOUT_MS", "-1")]
    public void A_bad_timeout_variable_keeps_the_default_and_is_named(string name, string value)
    {
        var problems = new List<string>();
        var options = AkCacheOptions.FromVariables(n => n == name ? value : null, problems);

        Assert.Contains(name, Assert.Single(problems), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.OperationTimeout);
    }

    [Fact]
    public void The_TLS_settings_are_read_from_the_environment()
    {
        var options = FromVariables(
            ("AKCACHE_TLS_CA_FILE", "/etc/ca.crt"),
            ("AKCACHE_TLS_CLIENT_CERT_FILE", "/etc/client.crt"),
            ("AKCACHE_TLS_CLIENT_KEY_FILE", "/etc/client.key"),
            ("AKCACHE_TLS_CLIENT_CERT_PASSWORD", "pw"),
            ("AKCACHE_TLS_SERVER_NAME", "redis.internal"));

        Assert.Equal("/etc/ca.crt", options.TlsCaFile);
        Assert.Equal("/etc/client.crt", options.TlsClientCertificateFile);
        Assert.Equal("/etc/client.key", options.TlsClientKeyFile);
        Assert.Equal("pw", options.TlsClientCertificatePassword);
        Assert.Equal("redis.internal", options.TlsServerName);
    }

    [Fact]
    public void TLS_settings_with_a_plain_url_are_refused()
    {
        using var certificates = TestCertificates.Create();
        var options = new AkCacheOptions { RedisUrl = "redis://127.0.0.1:6379", TlsCaFile = certificates.CaFile };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("rediss://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_empty_CA_file_is_named()
    {
        var missing = new AkCacheOptions { RedisUrl = "rediss://127.0.0.1:6380", TlsCaFile = "/nonexistent/ca.crt" };
        Assert.Contains("TlsCaFile (AKCACHE_TLS_CA_FILE) '/nonexistent/ca.crt' cannot be read", Assert.Throws<ArgumentException>(missing.Validate).Message, StringComparison.Ordinal);

        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a certificate");
            var empty = new AkCacheOptions { RedisUrl = "rediss://127.0.0.1:6380", TlsCaFile = file };
            Assert.Contains("holds no PEM certificate", Assert.Throws<ArgumentException>(empty.Validate).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Client_certificate_settings_that_do_not_fit_together_are_named()
    {
        using var certificates = TestCertificates.Create();
        var keyOnly = new AkCacheOptions { RedisUrl = "rediss://127.0.0.1:6380", TlsClientKeyFile = certificates.ClientKeyFile };
        Assert.Contains("without TlsClientCertificateFile", Assert.Throws<ArgumentException>(keyOnly.Validate).Message, StringComparison.Ordinal);

        var pemWithoutKey = new AkCacheOptions { RedisUrl = "rediss://127.0.0.1:6380", TlsClientCertificateFile = certificates.ClientCertificateFile };
        Assert.Contains("give its private key in TlsClientKeyFile", Assert.Throws<ArgumentException>(pemWithoutKey.Validate).Message, StringComparison.Ordinal);

        var wrongKey = new AkCacheOptions { RedisUrl = "rediss://127.0.0.1:6380", TlsClientCertificateFile = certificates.ClientCertificateFile, TlsClientKeyFile = certificates.ForeignClientKeyFile };
        Assert.Throws<ArgumentException>(wrongKey.Validate);
    }

    [Fact]
    public void A_wrong_PKCS12_password_is_refused_without_quoting_either_password()
    {
        using var certificates = TestCertificates.Create();
        const string wrong = "Not-The-Pa55word-77";
        var options = new AkCacheOptions { RedisUrl = "rediss://127.0.0.1:6380", TlsClientCertificateFile = certificates.ClientPfxFile, TlsClientCertificatePassword = wrong };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("TlsClientCertificatePassword", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestCertificates.ClientPfxPassword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_TLS_settings_pass_and_name_the_server()
    {
        using var certificates = TestCertificates.Create();
        var options = new AkCacheOptions
        {
            RedisUrl = "rediss://127.0.0.1:6380",
            TlsCaFile = certificates.CaFile,
            TlsClientCertificateFile = certificates.ClientPfxFile,
            TlsClientCertificatePassword = TestCertificates.ClientPfxPassword,
            TlsServerName = "localhost",
        };
        options.Validate();

        using var connection = new RedisConnection(RedisUrl.Parse(options.RedisUrl), options);
        Assert.Equal("localhost", connection.Configuration.SslHost);
        Assert.True(connection.Tls!.ClientCertificate!.HasPrivateKey);
        Assert.Single(connection.Tls.Authorities);
    }

    private static AkCacheOptions FromVariables(params (string Name, string? Value)[] variables)
    {
        var table = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            table[name] = value;
        }

        return AkCacheOptions.FromVariables(name => table.TryGetValue(name, out var value) ? value : null);
    }
}
