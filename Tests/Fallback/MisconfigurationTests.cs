using System;
using System.IO;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Fallback;

/// <summary>A bad AKCACHE_* variable must not break the application: one clear error, right results, no password shown.</summary>
[Collection(RedisCollection.Name)]
public sealed class MisconfigurationTests : IDisposable
{
    private readonly TextWriter _standardError = Console.Error;
    private readonly StringWriter _captured = new();

    private MisconfigurationTests()
    {
        Console.SetError(_captured);
        WovenAssembly.ResetCalls();
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("AKCACHE_REDIS_URL", null);
        Environment.SetEnvironmentVariable("AKCACHE_MAX_AGE_SECONDS", null);
        Environment.SetEnvironmentVariable("AKCACHE_PREFIX", null);
        Environment.SetEnvironmentVariable("AKCACHE_SIGNING_KEY", null);
        AkCacheRuntime.Reset();
        Console.SetError(_standardError);
        SuiteLog.AddText(_captured.ToString());
    }

    public MisconfigurationTests(RedisServerFixture fixture)
        : this() => _server = fixture.Server;

    private readonly RedisTestServer? _server;

    [Fact]
    public void A_bad_redis_url_in_the_environment_logs_one_error_and_methods_still_return_right_results()
    {
        Check("AKCACHE_REDIS_URL", "redis://admin:Hunter2Secret@cache.internal:notaport/0", "is not a valid Redis URL", "cached in this process only");
        Assert.Null(AkCacheRuntime.State.Redis);
    }

    [Fact]
    public void A_bad_max_age_in_the_environment_keeps_the_default_and_Redis()
    {
        Environment.SetEnvironmentVariable("AKCACHE_REDIS_URL", _server!.Url);
        Check("AKCACHE_MAX_AGE_SECONDS", "one day", "AKCACHE_MAX_AGE_SECONDS must be a positive whole number", "The default is used instead.");
        Assert.True(AkCacheRuntime.State.Redis!.HasConnected);
        Assert.Equal(86400, AkCacheRuntime.CurrentOptions.DefaultMaxAgeSeconds);
    }

    /// <summary>Writing unsigned values when signing was asked for would be wrong: the process keeps to its memory cache.</summary>
    [Fact]
    public void A_signing_key_too_short_in_the_environment_logs_its_length_only_and_keeps_to_memory()
    {
        Environment.SetEnvironmentVariable("AKCACHE_REDIS_URL", _server!.Url);
        Check("AKCACHE_SIGNING_KEY", "Hunter2Secret", "must be at least 16 characters long; the one given has 13", "cached in this process only");
        Assert.Null(AkCacheRuntime.State.Redis);
    }

    private void Check(string variable, string value, string reason, string consequence)
    {
        Environment.SetEnvironmentVariable("AKCACHE_PREFIX", "misconfigured" + Guid.NewGuid().ToString("N").Substring(0, 8));
        Environment.SetEnvironmentVariable(variable, value);
        AkCacheRuntime.Reset();
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        Assert.Equal(3, add(1, 2));
        Assert.Equal(3, add(1, 2));
        Assert.Equal(5, add(2, 3));

        Assert.Equal(2, WovenAssembly.Calls("Add"));
        var errors = _captured.ToString();
        Assert.Contains("the configuration from the environment is invalid", errors);
        Assert.Contains(reason, errors);
        Assert.Contains(consequence, errors);
        Assert.DoesNotContain("Hunter2Secret", errors);
        Assert.Single(errors.Split('\n'), l => l.Contains("is invalid"));
    }

    /// <summary>Code wins over a malformed variable: Configure never throws for the environment's mistakes.</summary>
    [Fact]
    public void Configure_overrides_a_malformed_variable_and_logs_it_once_without_throwing()
    {
        Environment.SetEnvironmentVariable("AKCACHE_MAX_AGE_SECONDS", "one day");
        var log = new ListLoggerFactory();
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = _server!.Url;
            o.Prefix = "overrides" + Guid.NewGuid().ToString("N").Substring(0, 8);
            o.DefaultMaxAgeSeconds = 60;
            o.LoggerFactory = log;
        });

        Assert.Equal(60, AkCacheRuntime.CurrentOptions.DefaultMaxAgeSeconds);
        Assert.NotNull(AkCacheRuntime.State.Redis);
        Assert.Single(log.Entries, e => e.Message.Contains("AKCACHE_MAX_AGE_SECONDS must be a positive whole number") && e.Message.Contains("'one day'"));
    }

    [Fact]
    public void Configure_with_a_malformed_redis_url_in_the_environment_keeps_to_memory_and_never_throws()
    {
        Environment.SetEnvironmentVariable("AKCACHE_REDIS_URL", "redis://admin:Hunter2Secret@cache.internal:notaport/0");
        var log = new ListLoggerFactory();
        AkCacheRuntime.Configure(o => o.LoggerFactory = log);
        var add = WovenAssembly.Method<Func<int, int, int>>("Basic.Add");

        Assert.Equal(3, add(1, 2));
        Assert.Equal(3, add(1, 2));
        Assert.Equal(1, WovenAssembly.Calls("Add"));
        Assert.Null(AkCacheRuntime.State.Redis);
        var error = Assert.Single(log.Entries, e => e.Message.Contains("the configuration from the environment is invalid"));
        Assert.Contains("cached in this process only", error.Message);
        Assert.DoesNotContain("Hunter2Secret", error.Message);

        // Code that names a Redis overrides the variable.
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = _server!.Url;
            o.LoggerFactory = log;
        });
        Assert.NotNull(AkCacheRuntime.State.Redis);
    }

    [Fact]
    public void A_bad_value_in_code_is_an_immediate_clear_error_without_the_password()
    {
        var error = Assert.Throws<ArgumentException>(() => AkCacheRuntime.Configure(o => o.RedisUrl = "redis://admin:Hunter2Secret@cache.internal:notaport"));
        Assert.Contains("is not a valid Redis URL", error.Message);
        Assert.DoesNotContain("Hunter2Secret", error.Message);
    }
}
